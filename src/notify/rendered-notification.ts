// The seam between the templates (and merging) and the channels: one notification already rendered to
// channel-neutral markdown, which each channel turns into its own message format.
import type { Severity } from '../domain/alert-policy.js';

export type NotificationKind = 'firing' | 'resolved' | 'test';
export type NotificationLocale = 'zh-CN' | 'en';

/** One alert event of the notification, rendered as a markdown block. */
export interface RenderedNotificationItem {
  readonly severity: Severity;
  /** Markdown; user-provided values in it must already be escaped by the template. */
  readonly markdown: string;
}

/** A link back into Tocsin's console: view, acknowledge, silence. */
export interface NotificationLink {
  readonly title: string;
  readonly url: string;
}

/**
 * One alert event as data, for channels that carry structure (the webhook's JSON `events`). Times are
 * epoch milliseconds; optional fields are absent when the event has no such thing.
 */
export interface NotificationEventData {
  readonly eventId: string;
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  /** The application or site the policy watches, when it has one. */
  readonly target?: string;
  /** The dimension value this event is for, e.g. `{ key: 'host', value: '10.0.0.7' }`. */
  readonly dimension?: { readonly key: string; readonly value: string };
  /** The value that triggered the event (or the last one seen, when resolved). */
  readonly value?: number;
  /** The rule as a sentence, e.g. "JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)". */
  readonly condition?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  /** The event's page in the console. */
  readonly url?: string;
}

export interface RenderedNotification {
  readonly kind: NotificationKind;
  /** Plain text, e.g. "[P2 告警] JVM FullGC doubled vs previous hour"; channels escape it themselves. */
  readonly title: string;
  /** Markdown; counts by policy and severity when several events are merged. */
  readonly summary: string;
  /** One per event, most severe first; channels keep this order and drop from the end when short of room. */
  readonly items: readonly RenderedNotificationItem[];
  readonly links: readonly NotificationLink[];
  readonly locale: NotificationLocale;
  /**
   * The events as data, in the order of `items`, when the caller has them; channels that only show text
   * (DingTalk, e-mail) ignore it.
   */
  readonly events?: readonly NotificationEventData[];
}
