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
}
