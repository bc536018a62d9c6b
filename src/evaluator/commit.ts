// Writing the evaluations of a batch of policies: stale events ended, events opened, changed and resolved,
// pending and suppressed keys kept, the firing and recovery messages put into the outbox, and the
// policies' leases released — all in ONE transaction. A crash before the commit leaves the previous state
// (the next tick evaluates again); after it, the messages are in the outbox and the events know they sent
// them, so a restart neither loses a firing event nor sends its message twice. New events and outbox rows
// are written together at the end, a few hundred rows a statement: a storm opens thousands of events.
// Each commit also tells what the policy's open state became, so the evaluator need not read it back.
import type { ResolveReason } from '../domain/alert-event.js';
import type { FiringState, KeyState } from '../domain/alert-lifecycle.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { RuleResult } from '../domain/condition-evaluation.js';
import type { Contact } from '../domain/contact.js';
import { alertEventsRows } from '../notify/alert-event-messages.js';
import { outboxTargets, type OutboxTarget } from '../notify/outbox.js';
import type { NotificationLocale } from '../notify/rendered-notification.js';
import type { AlertKeyState, NewAlertEvent, OpenAlertEvent, PolicyOpenState } from '../store/alert-events.js';
import type { NewNotification } from '../store/notifications.js';
import type { Store } from '../store/store.js';
import type { FollowedKey, KeyTransition } from './key-transitions.js';

/** Someone changed the policy's events while it was being evaluated; nothing was written. */
export class ConcurrentChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentChangeError';
  }
}

/** One policy's evaluation, ready to be written. */
export interface EvaluationCommit {
  readonly policy: AlertPolicy;
  readonly fingerprint: string;
  /** The revision of the policy's open state the evaluation started from (store/policy-evaluations.ts). */
  readonly revision: number;
  /** The dimension values the policy followed before this evaluation. */
  readonly followed: ReadonlyMap<string | null, FollowedKey>;
  readonly staleEvents: readonly OpenAlertEvent[];
  readonly staleKeys: readonly AlertKeyState[];
  readonly transitions: readonly KeyTransition[];
}

/** Evaluations of one tick written together. */
export interface EvaluationBatch {
  /** The evaluation time: events start, resolve and are notified at it. */
  readonly now: number;
  /** The instance holding the policies' leases; a policy whose lease it lost is not written. */
  readonly leaseOwner: string;
  /** Wall-clock time of the commit, for the leases and the policies' status. */
  readonly committedAt: number;
  readonly evaluations: readonly EvaluationCommit[];
}

export interface MessageOptions {
  /** TOCSIN_PUBLIC_URL: the base of the console links in messages. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
}

/** What one policy's commit did. */
export interface CommitReport {
  readonly opened: number;
  readonly resolved: number;
  /** Firing and recovery messages enqueued (each to every contact and channel of the policy). */
  readonly messages: number;
  /** Outbox rows enqueued. */
  readonly notifications: number;
}

/**
 * A policy's open state as its commit left it, and the revision that names it: the new state, or word
 * that it is the one the evaluation started from (most evaluations change nothing).
 */
export type RevisedOpenState =
  | { readonly revision: number; readonly changed: true; readonly state: PolicyOpenState }
  | { readonly revision: number; readonly changed: false };

/** How one policy of a batch fared. */
export type CommitOutcome =
  | {
      readonly status: 'committed';
      readonly report: CommitReport;
      /** Null when something else changed the policy's open state during the evaluation. */
      readonly openState: RevisedOpenState | null;
    }
  /** Another instance holds the policy's lease now: nothing of it was written. */
  | { readonly status: 'lease_lost' };

/**
 * The policy's contacts, in the order of its groups and theirs: read once a group per commit however many
 * events and policies notify it — a storm opens thousands.
 */
async function contactsOf(
  store: Store,
  policy: AlertPolicy,
  groups: Map<string, readonly Contact[]>,
): Promise<Contact[]> {
  // The same walk as enqueueForPolicy: groups in order, each contact of each group.
  const contacts: Contact[] = [];
  for (const groupId of policy.notification.contactGroupIds) {
    let members = groups.get(groupId);
    if (!members) {
      const group = await store.contactGroups.get(groupId);
      const found: Contact[] = [];
      for (const contactId of group?.contactIds ?? []) {
        const contact = await store.contacts.get(contactId);
        if (contact) found.push(contact);
      }
      members = found;
      groups.set(groupId, members);
    }
    contacts.push(...members);
  }
  return contacts;
}

/** A message to enqueue: about an event already stored, or about the `opening`-th event opened now. */
interface PendingMessage {
  readonly kind: 'firing' | 'resolved';
  readonly event: { readonly id: string } | { readonly opening: number };
}

/** One policy's writes, gathered while walking its transitions. */
interface PolicyWrites {
  readonly evaluation: EvaluationCommit;
  readonly report: { opened: number; resolved: number; messages: number; notifications: number };
  readonly messages: PendingMessage[];
  /** Its open events and key states as they will be once the batch is written. */
  readonly events: Map<string | null, OpenAlertEvent>;
  readonly keys: Map<string | null, AlertKeyState>;
  /** Dimension values whose event opens now, with its place among the batch's new events. */
  readonly openings: Map<string | null, number>;
  /** Whether anything of its open state was written. */
  changed: boolean;
}

function firing(state: KeyState): FiringState {
  if (state.phase !== 'firing') throw new Error(`expected a firing state, got ${state.phase}`);
  return state;
}

/** The open state of an event just opened with `id`: what the next evaluation continues. */
function openedEvent(id: string, event: NewAlertEvent): OpenAlertEvent {
  return {
    id,
    dimensionKey: event.dimensionKey,
    labels: event.labels,
    noData: event.noData,
    triggerValues: event.triggerValues,
    watchFingerprint: event.watchFingerprint,
    startedAt: event.startedAt,
    lastNotifiedAt: event.lastNotifiedAt,
    notifyCount: event.notifyCount,
    falseSince: null,
    acknowledgedAt: null,
  };
}

/**
 * Writes one policy's stale endings, changes, resolutions and key states; its new events go into
 * `opening` for the batch to insert at once.
 */
async function writeTransitions(
  tx: Store,
  evaluation: EvaluationCommit,
  now: number,
  opening: NewAlertEvent[],
): Promise<PolicyWrites> {
  const { policy } = evaluation;
  const events = tx.alertEvents;
  const writes: PolicyWrites = {
    evaluation,
    report: { opened: 0, resolved: 0, messages: 0, notifications: 0 },
    messages: [],
    events: new Map(),
    keys: new Map(),
    openings: new Map(),
    changed: false,
  };
  // What the policy follows now; stale events and keys are left out, they end below.
  for (const followed of evaluation.followed.values()) {
    if (followed.event) writes.events.set(followed.key, followed.event);
    if (followed.keyState) writes.keys.set(followed.key, followed.keyState);
  }
  const resolveOrFail = async (id: string, reason: ResolveReason, values?: readonly RuleResult[]) => {
    if (!(await events.resolve(id, reason, now, values))) {
      throw new ConcurrentChangeError(`alert event ${id} was closed while its policy was evaluated`);
    }
    writes.report.resolved += 1;
    writes.changed = true;
  };
  const deleteKeyState = async (key: string | null) => {
    await events.deleteKeyState(policy.id, key);
    writes.keys.delete(key);
    writes.changed = true;
  };

  // The policy now watches something else: its old events end without a message (nothing recovered).
  for (const event of evaluation.staleEvents) await resolveOrFail(event.id, 'policy_changed');
  for (const stale of evaluation.staleKeys) {
    await events.deleteKeyState(policy.id, stale.dimensionKey);
    writes.changed = true;
  }

  for (const transition of evaluation.transitions) {
    const { key, step, before } = transition;
    const next = step.next;
    // A value without data keeps the values it last had.
    const results =
      transition.results.length > 0 ? transition.results : (transition.event?.triggerValues ?? []);

    if (step.opened) {
      const state = firing(next);
      writes.openings.set(key, opening.length);
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
        watchFingerprint: evaluation.fingerprint,
        startedAt: state.startedAt,
        lastEvaluatedAt: now,
        lastNotifiedAt: state.lastNotifiedAt,
        notifyCount: state.notifyCount,
      });
      writes.report.opened += 1;
      writes.changed = true;
      if (transition.keyState) await deleteKeyState(key);
      if (step.notify === 'firing') {
        writes.messages.push({ kind: 'firing', event: { opening: opening.length - 1 } });
      }
      continue;
    }

    if (before.phase === 'firing') {
      const event = transition.event!;
      if (step.resolved !== null) {
        await resolveOrFail(event.id, step.resolved, results);
        writes.events.delete(key);
        if (step.notify === 'resolved') writes.messages.push({ kind: 'resolved', event });
        continue;
      }
      const state = firing(next);
      const notifying = step.notify === 'firing';
      // An event whose rules keep holding with nothing to send needs no row write: its last evaluation
      // is its policy's, which finishMany records.
      if (!notifying && state.falseSince === before.falseSince) continue;
      const change = {
        falseSince: state.falseSince,
        lastNotifiedAt: state.lastNotifiedAt,
        notifyCount: state.notifyCount,
        triggerValues: results,
        labels: transition.labels,
      };
      if (!(await events.changeOpen(event.id, { ...change, lastEvaluatedAt: now }, notifying))) {
        throw new ConcurrentChangeError(
          `alert event ${event.id} was closed or acknowledged while its policy was evaluated`,
        );
      }
      writes.events.set(key, { ...event, ...change });
      writes.changed = true;
      if (notifying) writes.messages.push({ kind: 'firing', event });
      continue;
    }

    // Pending and suppressed keys: written while they last, deleted when the key is quiet again.
    if (next.phase === 'quiet') {
      if (transition.keyState) await deleteKeyState(key);
    } else if (next.phase === 'pending' || next.phase === 'suppressed') {
      const unchanged =
        before.phase === 'suppressed' && next.phase === 'suppressed' && before.falseSince === next.falseSince;
      if (!unchanged) {
        const keyState: AlertKeyState = {
          policyId: policy.id,
          dimensionKey: key,
          phase: next.phase,
          labels: transition.labels,
          watchFingerprint: evaluation.fingerprint,
          consecutiveHolds: next.phase === 'pending' ? next.holds : 0,
          since: next.phase === 'pending' ? next.since : (transition.keyState?.since ?? now),
          falseSince: next.phase === 'suppressed' ? next.falseSince : null,
          noData: next.phase === 'pending' ? next.noData : (transition.keyState?.noData ?? false),
        };
        await events.putKeyState(keyState);
        writes.keys.set(key, keyState);
        writes.changed = true;
      }
    }
  }
  return writes;
}

/**
 * Writes the evaluations of a batch of policies and enqueues their messages in one transaction; the
 * caller wakes the dispatcher afterwards. A policy whose lease another instance took is left unwritten
 * (`lease_lost`). Throws ConcurrentChangeError (and writes nothing) when a user closed or acknowledged
 * an event meanwhile: the caller then writes the policies one by one, so that only that one fails.
 * @example const outcomes = await commitEvaluations(store, { now, leaseOwner, committedAt, evaluations }, { publicUrl, locale: 'zh-CN' });
 */
export async function commitEvaluations(
  store: Store,
  batch: EvaluationBatch,
  messages: MessageOptions,
): Promise<CommitOutcome[]> {
  const { now } = batch;
  return store.transaction(async function writeEvaluations(tx) {
    // First: it locks the policies' rows (PostgreSQL) before any of their events, as users' writes do.
    const finished = await tx.policyEvaluations.finishMany(
      batch.evaluations.map((e) => ({ policyId: e.policy.id, revision: e.revision })),
      batch.leaseOwner,
      batch.committedAt,
      now,
    );
    // Gathered while walking the transitions, written after it: one insert per few hundred rows.
    const opening: NewAlertEvent[] = [];
    const written: PolicyWrites[] = [];
    for (const evaluation of batch.evaluations) {
      if (finished.has(evaluation.policy.id))
        written.push(await writeTransitions(tx, evaluation, now, opening));
    }

    const openedIds = opening.length > 0 ? await tx.alertEvents.openIds(opening) : [];
    const rows: NewNotification[] = [];
    const groups = new Map<string, readonly Contact[]>();
    for (const writes of written) {
      for (const [key, index] of writes.openings)
        writes.events.set(key, openedEvent(openedIds[index]!, opening[index]!));
      if (writes.messages.length === 0) continue;
      const { policy } = writes.evaluation;
      const targets: readonly OutboxTarget[] = outboxTargets(
        await contactsOf(tx, policy, groups),
        policy.notification.channels,
      );
      // One message per kind to each target, naming its events; the dispatcher renders it from them.
      for (const kind of ['firing', 'resolved'] as const) {
        const eventIds = writes.messages
          .filter((message) => message.kind === kind)
          .map((message) =>
            'opening' in message.event ? openedIds[message.event.opening]! : message.event.id,
          );
        if (eventIds.length === 0) continue;
        rows.push(...alertEventsRows(targets, { kind, policy, eventIds, ...messages }));
        writes.report.notifications += targets.length;
      }
      writes.report.messages += writes.messages.length;
    }
    if (rows.length > 0) await tx.notifications.enqueue(rows);

    const outcomes = new Map<string, CommitOutcome>();
    for (const writes of written) {
      const revision = finished.get(writes.evaluation.policy.id);
      outcomes.set(writes.evaluation.policy.id, {
        status: 'committed',
        report: writes.report,
        openState:
          revision === null || revision === undefined
            ? null
            : writes.changed
              ? {
                  revision,
                  changed: true,
                  state: { events: [...writes.events.values()], keys: [...writes.keys.values()] },
                }
              : { revision, changed: false },
      });
    }
    return batch.evaluations.map((e) => outcomes.get(e.policy.id) ?? ({ status: 'lease_lost' } as const));
  });
}
