// Writing one policy's evaluation: stale events ended, events opened, changed and resolved, pending and
// suppressed keys kept, the firing and recovery messages put into the outbox, and the policy's lease
// released — all in ONE transaction. A crash before the commit leaves the previous state (the next tick
// evaluates again); after it, the messages are in the outbox and the event knows it sent them, so a
// restart neither loses a firing event nor sends its message twice. New events and outbox rows are
// written in batches at the end: a storm opens thousands of events in one policy.
import type { AlertEvent, ResolveReason } from '../domain/alert-event.js';
import type { FiringState, KeyState } from '../domain/alert-lifecycle.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { RuleResult } from '../domain/condition-evaluation.js';
import type { Contact } from '../domain/contact.js';
import { notificationRows } from '../notify/outbox.js';
import type { NotificationLocale } from '../notify/rendered-notification.js';
import {
  alertNotificationPolicy,
  renderAlertNotification,
  type ConditionResult,
} from '../notify/templates/index.js';
import type { NewAlertEvent } from '../store/alert-events.js';
import type { NewNotification } from '../store/notifications.js';
import type { Store } from '../store/store.js';
import type { KeyTransition } from './key-transitions.js';

/** Someone changed the policy's events while it was being evaluated; nothing was written. */
export class ConcurrentChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

export interface EvaluationCommit {
  readonly policy: AlertPolicy;
  readonly fingerprint: string;
  /** The evaluation time: events start, resolve and are notified at it. */
  readonly now: number;
  readonly staleEvents: readonly AlertEvent[];
  readonly staleKeys: readonly { readonly dimensionKey: string | null }[];
  readonly transitions: readonly KeyTransition[];
  /** The instance holding the policy's lease; the commit fails if it no longer does. */
  readonly leaseOwner: string;
  /** Wall-clock time of the commit, for the lease and the policy's status. */
  readonly committedAt: number;
}

export interface MessageOptions {
  /** TOCSIN_PUBLIC_URL: the base of the console links in messages. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
}

/** What one commit did. */
export interface CommitReport {
  readonly opened: number;
  readonly resolved: number;
  /** Firing and recovery messages enqueued (each to every contact and channel of the policy). */
  readonly messages: number;
  /** Outbox rows enqueued. */
  readonly notifications: number;
}

/** The form the templates take a rule's values in. */
function conditionResult(result: RuleResult): ConditionResult {
  return result.comparator === 'increase_pct' || result.comparator === 'decrease_pct'
    ? { value: result.value, baselineValue: result.baselineValue, changePct: result.changePct }
    : { value: result.value };
}

/** The policy's contacts, read once per commit however many events it notifies — a storm opens thousands. */
async function contactsOf(store: Store, policy: AlertPolicy): Promise<Contact[]> {
  // The same walk as enqueueForPolicy: groups in order, each contact of each group.
  const contacts: Contact[] = [];
  for (const groupId of policy.notification.contactGroupIds) {
    const group = await store.contactGroups.get(groupId);
    for (const contactId of group?.contactIds ?? []) {
      const contact = await store.contacts.get(contactId);
      if (contact) contacts.push(contact);
    }
  }
  return contacts;
}

/** A message to enqueue: about an event already stored, or about the `opening`-th event opened now. */
interface PendingMessage {
  readonly kind: 'firing' | 'resolved';
  readonly event: { readonly id: string; readonly startedAt: number } | { readonly opening: number };
  readonly key: string | null;
  readonly results: readonly RuleResult[];
}

function firing(state: KeyState): FiringState {
  if (state.phase !== 'firing') throw new Error(`expected a firing state, got ${state.phase}`);
  return state;
}

/**
 * Writes one evaluation of a policy and enqueues its messages in one transaction; the caller wakes the
 * dispatcher afterwards. Throws ConcurrentChangeError (and writes nothing) when a user closed or
 * acknowledged an event meanwhile, or the lease went to another instance.
 * @example const report = await commitEvaluation(store, commit, { publicUrl, locale: 'zh-CN' }); if (report.notifications) dispatcher.notify();
 */
export async function commitEvaluation(
  store: Store,
  commit: EvaluationCommit,
  messages: MessageOptions,
): Promise<CommitReport> {
  const { policy, now } = commit;
  return store.transaction(async function writeEvaluation(tx) {
    const events = tx.alertEvents;
    const report = { opened: 0, resolved: 0, messages: 0, notifications: 0 };
    // Gathered while walking the transitions, written after it: one insert per few hundred rows.
    const opening: NewAlertEvent[] = [];
    const pending: PendingMessage[] = [];
    const queueMessage = (
      kind: PendingMessage['kind'],
      event: PendingMessage['event'],
      key: string | null,
      results: readonly RuleResult[],
    ) => {
      pending.push({ kind, event, key, results });
    };
    const resolveOrFail = async (id: string, reason: ResolveReason, values?: readonly RuleResult[]) => {
      if (!(await events.resolve(id, reason, now, values))) {
        throw new ConcurrentChangeError(`alert event ${id} was closed while its policy was evaluated`);
      }
      report.resolved += 1;
    };

    // The policy now watches something else: its old events end without a message (nothing recovered).
    for (const event of commit.staleEvents) await resolveOrFail(event.id, 'policy_changed');
    for (const stale of commit.staleKeys) await events.deleteKeyState(policy.id, stale.dimensionKey);

    for (const transition of commit.transitions) {
      const { key, step, before } = transition;
      const next = step.next;
      // A value without data keeps the values it last had.
      const results =
        transition.results.length > 0 ? transition.results : (transition.event?.triggerValues ?? []);

      if (step.opened) {
        const state = firing(next);
        opening.push({
          policyId: policy.id,
          policyName: policy.name,
          policyKind: policy.kind,
          severity: policy.severity,
          dimensionName: policy.dimension.mode === 'none' ? null : (policy.dimension.key ?? null),
          dimensionKey: key,
          labels: transition.labels,
          noData: state.noData,
          triggerValues: results,
          watchFingerprint: commit.fingerprint,
          startedAt: state.startedAt,
          lastEvaluatedAt: now,
          lastNotifiedAt: state.lastNotifiedAt,
          notifyCount: state.notifyCount,
        });
        report.opened += 1;
        if (transition.keyState) await events.deleteKeyState(policy.id, key);
        if (step.notify === 'firing') queueMessage('firing', { opening: opening.length - 1 }, key, results);
        continue;
      }

      if (before.phase === 'firing') {
        const event = transition.event!;
        if (step.resolved !== null) {
          await resolveOrFail(event.id, step.resolved, results);
          if (step.notify === 'resolved') queueMessage('resolved', event, key, results);
          continue;
        }
        const state = firing(next);
        const notifying = step.notify === 'firing';
        // An event whose rules keep holding with nothing to send needs no row write: touchOpen below.
        if (!notifying && state.falseSince === before.falseSince) continue;
        const changed = await events.changeOpen(
          event.id,
          {
            falseSince: state.falseSince,
            lastNotifiedAt: state.lastNotifiedAt,
            notifyCount: state.notifyCount,
            triggerValues: results,
            labels: transition.labels,
            lastEvaluatedAt: now,
          },
          notifying,
        );
        if (!changed) {
          throw new ConcurrentChangeError(
            `alert event ${event.id} was closed or acknowledged while its policy was evaluated`,
          );
        }
        if (notifying) queueMessage('firing', event, key, results);
        continue;
      }

      // Pending and suppressed keys: written while they last, deleted when the key is quiet again.
      if (next.phase === 'quiet') {
        if (transition.keyState) await events.deleteKeyState(policy.id, key);
      } else if (next.phase === 'pending' || next.phase === 'suppressed') {
        const unchanged =
          before.phase === 'suppressed' &&
          next.phase === 'suppressed' &&
          before.falseSince === next.falseSince;
        if (!unchanged) {
          await events.putKeyState({
            policyId: policy.id,
            dimensionKey: key,
            phase: next.phase,
            labels: transition.labels,
            watchFingerprint: commit.fingerprint,
            consecutiveHolds: next.phase === 'pending' ? next.holds : 0,
            since: next.phase === 'pending' ? next.since : (transition.keyState?.since ?? now),
            falseSince: next.phase === 'suppressed' ? next.falseSince : null,
            noData: next.phase === 'pending' ? next.noData : (transition.keyState?.noData ?? false),
          });
        }
      }
    }

    const opened = opening.length > 0 ? await events.open(opening) : [];
    if (pending.length > 0) {
      const contacts = await contactsOf(tx, policy);
      const notifiedPolicy = alertNotificationPolicy(policy);
      const rows: NewNotification[] = [];
      for (const message of pending) {
        const event = 'opening' in message.event ? opened[message.event.opening]! : message.event;
        const request = renderAlertNotification({
          kind: message.kind,
          policy: notifiedPolicy,
          eventId: event.id,
          dimensionValue: message.key,
          results: message.results.map(conditionResult),
          startedAt: event.startedAt,
          endedAt: message.kind === 'resolved' ? now : null,
          notifiedAt: now,
          publicUrl: messages.publicUrl,
          locale: messages.locale,
          timeZone: policy.notification.effective.timeZone,
        });
        rows.push(...notificationRows(contacts, policy.notification.channels, request));
      }
      if (rows.length > 0) await tx.notifications.enqueue(rows);
      report.messages += pending.length;
      report.notifications += rows.length;
    }

    await events.touchOpen(policy.id, now);
    const stillOurs = await tx.policyEvaluations.finish(policy.id, commit.leaseOwner, commit.committedAt, {
      ok: true,
    });
    if (!stillOurs) {
      throw new ConcurrentChangeError(`the evaluation lease of policy ${policy.id} went to another instance`);
    }
    return report;
  });
}
