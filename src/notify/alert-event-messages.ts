// Messages about alert events, rendered when they are sent. The evaluator writes, in the transaction that
// changes the events, ONE outbox row per policy, kind (firing or resolved) and target: the ids of the
// events and the policy as it was then. The dispatcher renders each event from its stored row — the
// values, labels and times the evaluation wrote there — when it sends the message. A storm that opens
// 50,000 events of 1,000 policies thus costs 1,000 small rows per target, not 50,000 rendered ones.
import type { AlertEvent } from '../domain/alert-event.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { RuleResult } from '../domain/condition-evaluation.js';
import type { NewNotification, NotificationRecord } from '../store/notifications.js';
import type { Store } from '../store/store.js';
import type { NotificationRequest, OutboxTarget } from './outbox.js';
import type { NotificationLocale } from './rendered-notification.js';
import {
  alertNotificationPolicy,
  defaultAlertTitle,
  renderAlertNotification,
  type AlertNotificationPolicy,
  type ConditionResult,
} from './templates/index.js';

/**
 * The most events one row carries: a policy that opens thousands at once gets several rows, so no message
 * to an address or a webhook grows past what the dispatcher puts in one (MAX_EVENTS_PER_MESSAGE).
 */
const EVENTS_PER_ROW = 100;

/** Events rendered (~10 µs each) before the event loop gets a turn. */
const RENDERED_BETWEEN_YIELDS = 1_000;

/** What the evaluator tells about one policy's events in one message. */
export interface AlertEventsMessage {
  readonly kind: 'firing' | 'resolved';
  readonly policy: AlertPolicy;
  /** Oldest first. */
  readonly eventIds: readonly string[];
  /** TOCSIN_PUBLIC_URL, the base of the console links. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
}

/** The row's payload: what rendering the events needs besides the events themselves. */
interface AlertEventsPayload {
  readonly alertEvents: {
    readonly policy: AlertNotificationPolicy;
    readonly timeZone: string;
    readonly publicUrl: string;
    readonly locale: NotificationLocale;
  };
  /** For the sending history, which lists rows without rendering them. */
  readonly title: string;
}

function isAlertEventsPayload(payload: unknown): payload is AlertEventsPayload {
  return typeof payload === 'object' && payload !== null && 'alertEvents' in payload;
}

/** The outbox rows of `message`: per target one row, or one per EVENTS_PER_ROW events of a large one. */
export function alertEventsRows(
  targets: readonly OutboxTarget[],
  message: AlertEventsMessage,
): NewNotification[] {
  const { policy } = message;
  const alertEvents: AlertEventsPayload['alertEvents'] = {
    policy: alertNotificationPolicy(policy),
    timeZone: policy.notification.effective.timeZone,
    publicUrl: message.publicUrl,
    locale: message.locale,
  };
  const title = defaultAlertTitle(message.kind, policy, message.locale);
  const rows: NewNotification[] = [];
  for (let start = 0; start < message.eventIds.length; start += EVENTS_PER_ROW) {
    const eventIds = message.eventIds.slice(start, start + EVENTS_PER_ROW);
    // The sending history's title: the message's default title, "… ×3" for a row of several events.
    const payload: AlertEventsPayload = {
      alertEvents,
      title: eventIds.length > 1 ? `${title} ×${eventIds.length}` : title,
    };
    for (const target of targets) {
      rows.push({
        channel: target.channel,
        contactId: target.contactId,
        targetKey: target.targetKey,
        target: target.target,
        kind: message.kind,
        severity: policy.severity,
        policyId: policy.id,
        eventId: eventIds.length === 1 ? eventIds[0]! : null,
        eventIds,
        payload,
      });
    }
  }
  return rows;
}

/** Whether the dispatcher renders the row's events itself (else the row holds a rendered request). */
export function carriesAlertEvents(record: NotificationRecord): boolean {
  return record.eventIds !== null && isAlertEventsPayload(record.payload);
}

/** The form the templates take a rule's values in. */
function conditionResultOf(result: RuleResult): ConditionResult {
  return result.comparator === 'increase_pct' || result.comparator === 'decrease_pct'
    ? { value: result.value, baselineValue: result.baselineValue, changePct: result.changePct }
    : { value: result.value };
}

/** One event's message as the row asks for it: the event's values as its last evaluation left them. */
function eventRequest(record: NotificationRecord, event: AlertEvent): NotificationRequest {
  const { policy, timeZone, publicUrl, locale } = (record.payload as AlertEventsPayload).alertEvents;
  const kind = record.kind === 'resolved' ? 'resolved' : 'firing';
  return renderAlertNotification({
    kind,
    policy,
    eventId: event.id,
    dimensionValue: event.dimensionKey,
    labels: event.labels,
    results: event.triggerValues.map(conditionResultOf),
    startedAt: event.startedAt,
    endedAt: kind === 'resolved' ? (event.resolvedAt ?? record.createdAt) : null,
    notifiedAt: record.createdAt,
    publicUrl,
    locale,
    timeZone,
  });
}

/**
 * The requests of rows that carry alert events, one per event still stored, in the rows' order and
 * each row's events in theirs. Events deleted since (retention) are left out.
 */
export async function renderAlertEventRows(
  store: Store,
  records: readonly NotificationRecord[],
): Promise<Map<string, NotificationRequest[]>> {
  const ids = [...new Set(records.flatMap((record) => record.eventIds ?? []))];
  const events = new Map((await store.alertEvents.getMany(ids)).map((event) => [event.id, event]));
  const requests = new Map<string, NotificationRequest[]>();
  let sinceYield = 0;
  for (const record of records) {
    const rendered: NotificationRequest[] = [];
    for (const id of record.eventIds ?? []) {
      const event = events.get(id);
      if (event) rendered.push(eventRequest(record, event));
      // A storm's merged message renders tens of thousands of events: the API keeps answering meanwhile.
      if (++sinceYield === RENDERED_BETWEEN_YIELDS) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    requests.set(record.id, rendered);
  }
  return requests;
}
