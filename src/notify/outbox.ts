// Putting notifications into the outbox: one row per contact of a policy's contact groups × chosen
// channel the contact has, keyed by rate-budget target. Call these inside the producer's transaction.
import { createHash } from 'node:crypto';
import type { AlertPolicy, Channel, Severity } from '../domain/alert-policy.js';
import type { Contact } from '../domain/contact.js';
import { maskWebhookToken } from '../domain/secret-mask.js';
import type { NewNotification, NotificationRecord } from '../store/notifications.js';
import type { Store } from '../store/store.js';
import type {
  NotificationEventData,
  NotificationKind,
  NotificationLink,
  NotificationLocale,
  RenderedNotification,
} from './rendered-notification.js';

/**
 * What a producer (the evaluator, the bridge) asks to be sent: one alert event, already rendered by its
 * template to a title and a markdown block. The dispatcher sends it as itself or merged with others
 * waiting for the same target.
 */
export interface NotificationRequest {
  readonly kind: NotificationKind;
  readonly severity: Severity;
  readonly policyId: string | null;
  /** Shown in the counts of a merged message. */
  readonly policyName: string | null;
  readonly eventId: string | null;
  readonly locale: NotificationLocale;
  /** Plain text, e.g. "[P2 告警] JVM FullGC doubled vs previous hour". */
  readonly title: string;
  /** Markdown shown above the event when sent alone; may be empty. */
  readonly summary: string;
  /** The event as a markdown block; user-provided values already escaped by the template. */
  readonly markdown: string;
  readonly links: readonly NotificationLink[];
  /** The event as data, when the request is rendered from a stored event (not kept in the row). */
  readonly event?: NotificationEventData;
}

/** The part of a request kept in the row's JSON payload; the rest has columns of its own. */
type StoredPayload = Pick<
  NotificationRequest,
  'policyName' | 'locale' | 'title' | 'summary' | 'markdown' | 'links'
>;

/** Where one channel of a contact sends: the rate-budget key and a description safe to show. */
export interface ChannelTarget {
  readonly targetKey: string;
  readonly target: string;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * The target of `channel` for `contact`, or null when the contact has no such channel. A DingTalk
 * robot is keyed by a hash of its host and access_token (the robot, whatever else the URL carries),
 * so two contacts pointing at one robot share its budget and the key never reveals the token.
 */
export function channelTarget(contact: Contact, channel: Channel): ChannelTarget | null {
  if (channel === 'dingtalk' && contact.dingtalk) {
    const webhook = contact.dingtalk.webhook.trim();
    if (!URL.canParse(webhook))
      return { targetKey: `dingtalk:${digest(webhook)}`, target: '(invalid webhook URL)' };
    const url = new URL(webhook);
    const token = url.searchParams.get('access_token') ?? '';
    return { targetKey: `dingtalk:${digest(`${url.host}\n${token}`)}`, target: maskWebhookToken(webhook) };
  }
  if (channel === 'email' && contact.email) {
    const address = contact.email.toLowerCase();
    return { targetKey: `email:${address}`, target: address };
  }
  if (channel === 'webhook' && contact.webhook) {
    // The origin only: paths and queries of webhook URLs often carry tokens.
    const origin = URL.canParse(contact.webhook.url) ? new URL(contact.webhook.url).origin : '(invalid URL)';
    return { targetKey: `webhook:${origin}`, target: origin };
  }
  return null;
}

/** One channel of one contact that a message goes to. */
export interface OutboxTarget extends ChannelTarget {
  readonly contactId: string;
  readonly channel: Channel;
}

/**
 * Where messages to `contacts` on `channels` go: each contact × each of `channels` it has, once. Worked
 * out once for all the messages of a policy's evaluation (a storm sends thousands to the same robots).
 */
export function outboxTargets(contacts: readonly Contact[], channels: readonly Channel[]): OutboxTarget[] {
  const seen = new Set<string>();
  const targets: OutboxTarget[] = [];
  for (const contact of contacts) {
    if (seen.has(contact.id)) continue;
    seen.add(contact.id);
    for (const channel of channels) {
      const target = channelTarget(contact, channel);
      if (target) targets.push({ contactId: contact.id, channel, ...target });
    }
  }
  return targets;
}

/** The outbox rows for `request`, one per target. */
export function notificationRowsTo(
  targets: readonly OutboxTarget[],
  request: NotificationRequest,
): NewNotification[] {
  const payload: StoredPayload = {
    policyName: request.policyName,
    locale: request.locale,
    title: request.title,
    summary: request.summary,
    markdown: request.markdown,
    links: request.links,
  };
  return targets.map((target) => ({
    channel: target.channel,
    contactId: target.contactId,
    targetKey: target.targetKey,
    target: target.target,
    kind: request.kind,
    severity: request.severity,
    policyId: request.policyId,
    eventId: request.eventId,
    payload,
  }));
}

/** The outbox rows for `request`: each contact × each of `channels` the contact has, once. */
export function notificationRows(
  contacts: readonly Contact[],
  channels: readonly Channel[],
  request: NotificationRequest,
): NewNotification[] {
  return notificationRowsTo(outboxTargets(contacts, channels), request);
}

/** Enqueues `request` for the given contacts and channels; use `store` bound to the producer's transaction. */
export async function enqueueForContacts(
  store: Store,
  contacts: readonly Contact[],
  channels: readonly Channel[],
  request: NotificationRequest,
): Promise<NotificationRecord[]> {
  const rows = notificationRows(contacts, channels, request);
  return rows.length === 0 ? [] : store.notifications.enqueue(rows);
}

/**
 * Enqueues `request` for every contact of the policy's contact groups, on the policy's channels.
 * @example await store.transaction(async (tx) => { await tx.events.save(event); await enqueueForPolicy(tx, policy, request); });
 */
export async function enqueueForPolicy(
  store: Store,
  policy: { readonly notification: Pick<AlertPolicy['notification'], 'channels' | 'contactGroupIds'> },
  request: NotificationRequest,
): Promise<NotificationRecord[]> {
  const contacts: Contact[] = [];
  for (const groupId of policy.notification.contactGroupIds) {
    const group = await store.contactGroups.get(groupId);
    for (const contactId of group?.contactIds ?? []) {
      const contact = await store.contacts.get(contactId);
      if (contact) contacts.push(contact);
    }
  }
  return enqueueForContacts(store, contacts, policy.notification.channels, request);
}

/** The request a stored row was made from. */
export function requestOf(record: NotificationRecord): NotificationRequest {
  const payload = record.payload as StoredPayload;
  return {
    kind: record.kind as NotificationKind,
    severity: record.severity as Severity,
    policyId: record.policyId,
    eventId: record.eventId,
    policyName: payload.policyName,
    locale: payload.locale,
    title: payload.title,
    summary: payload.summary,
    markdown: payload.markdown,
    links: payload.links,
  };
}

/** One request sent alone, as itself. */
export function renderSingle(request: NotificationRequest): RenderedNotification {
  return {
    kind: request.kind,
    title: request.title,
    summary: request.summary,
    items: [{ severity: request.severity, markdown: request.markdown }],
    links: request.links,
    locale: request.locale,
    ...(request.event && { events: [request.event] }),
  };
}
