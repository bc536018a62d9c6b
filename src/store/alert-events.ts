// Alert events and the evaluation state of their keys: the evaluator's named operations (open, mark
// recovering or notified, resolve, pending and suppressed keys) and the users' (list, get, acknowledge,
// close), plus the retention sweep. Writes that race a user's close or acknowledgement are guarded in
// their WHERE clause and report whether they applied, so the caller can roll its transaction back. Every
// write of a policy's open state moves the revision on its policy_evaluations row forward (see
// policy-evaluations.ts): the users' writes and resolvePolicy here, the evaluator's through its finish.
// An evaluation writes only the events it changes: an open event it merely continued was evaluated when
// its policy last was successfully (policy_evaluations), which reads add in and endings write down.
import {
  sql,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type Transaction,
  type UpdateObject,
} from 'kysely';
import type {
  AlertEvent,
  AlertEventSource,
  AlertEventState,
  AlertmanagerEventDetails,
  ResolveReason,
} from '../domain/alert-event.js';
import type { Severity } from '../domain/alert-policy.js';
import type { RuleResult } from '../domain/condition-evaluation.js';
import type { PolicyKind } from '../domain/metric-types.js';
import type { AlertEventsTable, AlertKeyStatesTable, Database } from './database.js';
import { insertRows } from './bulk-insert.js';
import { decodeCursor, toPage, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';

/** What the evaluator (or the Alertmanager bridge) knows of an event when it opens it. */
export interface NewAlertEvent {
  /** `policy` unless given. */
  readonly source?: AlertEventSource;
  /** The policy's id; for an Alertmanager event, its route's. */
  readonly policyId: string;
  readonly policyName: string;
  /** Null for an Alertmanager event, which has no policy. */
  readonly policyKind: PolicyKind | null;
  readonly severity: Severity;
  readonly dimensionName: string | null;
  readonly dimensionKey: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly noData: boolean;
  readonly triggerValues: readonly RuleResult[];
  readonly watchFingerprint: string;
  readonly startedAt: number;
  readonly lastEvaluatedAt: number;
  readonly lastNotifiedAt: number | null;
  readonly notifyCount: number;
  /** An Alertmanager event's alert and route. */
  readonly alertmanager?: AlertmanagerEventDetails | null;
}

/** A change to an open event at one evaluation: the recovery clock, a message sent, fresh values. */
export interface OpenEventChange {
  readonly falseSince: number | null;
  readonly lastNotifiedAt: number | null;
  readonly notifyCount: number;
  readonly triggerValues: readonly RuleResult[];
  readonly labels: Readonly<Record<string, string>>;
  readonly lastEvaluatedAt: number;
}

/** What an evaluation continues of an open event: who it is, its lifecycle bookkeeping, its last values. */
export type OpenAlertEvent = Pick<
  AlertEvent,
  | 'id'
  | 'dimensionKey'
  | 'labels'
  | 'noData'
  | 'triggerValues'
  | 'watchFingerprint'
  | 'startedAt'
  | 'lastNotifiedAt'
  | 'notifyCount'
  | 'falseSince'
  | 'acknowledgedAt'
>;

/** A policy's open state: its open events and its pending and suppressed keys. */
export interface PolicyOpenState {
  readonly events: readonly OpenAlertEvent[];
  readonly keys: readonly AlertKeyState[];
}

export const KEY_PHASES = ['pending', 'suppressed'] as const;
export type KeyPhase = (typeof KEY_PHASES)[number];

/** The evaluation state of a key without an open event. */
export interface AlertKeyState {
  readonly policyId: string;
  readonly dimensionKey: string | null;
  readonly phase: KeyPhase;
  readonly labels: Readonly<Record<string, string>>;
  readonly watchFingerprint: string;
  /** Pending: holding evaluations in a row so far. */
  readonly consecutiveHolds: number;
  /** Pending: the first of them. Suppressed: when the user closed the event. */
  readonly since: number;
  readonly falseSince: number | null;
  readonly noData: boolean;
}

export interface AlertEventListQuery {
  /** 1 to 1000. */
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly state?: AlertEventState | undefined;
  readonly source?: AlertEventSource | undefined;
  readonly policyId?: string | undefined;
  readonly severity?: Severity | undefined;
  /** Epoch ms: only events still firing at or after this instant (resolved at or after it, or open). */
  readonly from?: number | undefined;
  /** Epoch ms: only events that started before this instant. */
  readonly to?: number | undefined;
}

/** What a user's acknowledge or close found. */
export type UserActionResult =
  | { readonly outcome: 'done'; readonly event: AlertEvent }
  /** Nothing to change: already acknowledged, or already resolved; the event as it is. */
  | { readonly outcome: 'unchanged'; readonly event: AlertEvent }
  | { readonly outcome: 'not_found' };

/** Dimension values are stored as text, '' for none: a unique index needs a value, not NULL. */
export function storedKey(key: string | null): string {
  return key ?? '';
}

function keyOf(stored: string): string | null {
  return stored === '' ? null : stored;
}

/** The columns an event keeps as JSON, parsed. */
type EventJson = Pick<AlertEvent, 'labels' | 'triggerValues' | 'alertmanager'>;

/** An event row as read, with its policy's last successful evaluation (null when none, or not a policy's). */
type EventRow = AlertEventsTable & { readonly policy_evaluated_at: number | null };

/**
 * When an open event's policy was last evaluated successfully: that evaluation continued the event,
 * whether or not it wrote it. Null for events that are not open, or have no such evaluation.
 */
function policyEvaluatedAt(eb: ExpressionBuilder<Database, 'alert_events'>) {
  return eb
    .selectFrom('policy_evaluations')
    .select('policy_evaluations.last_evaluated_at')
    .whereRef('policy_evaluations.policy_id', '=', 'alert_events.policy_id')
    .where('policy_evaluations.last_status', '=', 'ok')
    .where(sql<boolean>`alert_events.state = 'firing' and alert_events.source = 'policy'`);
}

/**
 * An event's last evaluation, as the new value of its last_evaluated_at column: written down when an
 * event ends, or when its policy's status changes (a failed evaluation), so that it is not lost.
 */
export function settledLastEvaluatedAt(): RawBuilder<number> {
  const evaluated = sql<number | null>`(select policy_evaluations.last_evaluated_at from policy_evaluations
    where policy_evaluations.policy_id = alert_events.policy_id and policy_evaluations.last_status = 'ok'
    and alert_events.state = 'firing' and alert_events.source = 'policy')`;
  return sql<number>`case when ${evaluated} > alert_events.last_evaluated_at then ${evaluated} else alert_events.last_evaluated_at end`;
}

function fromRow(row: EventRow): AlertEvent {
  return eventOf(row, {
    labels: JSON.parse(row.labels) as Record<string, string>,
    triggerValues: JSON.parse(row.trigger_values) as RuleResult[],
    alertmanager: row.details === null ? null : (JSON.parse(row.details) as AlertmanagerEventDetails),
  });
}

function eventOf(row: EventRow, json: EventJson): AlertEvent {
  return {
    id: row.id,
    source: row.source as AlertEventSource,
    policyId: row.policy_id,
    policyName: row.policy_name,
    policyKind: row.policy_kind === '' ? null : (row.policy_kind as PolicyKind),
    severity: row.severity as Severity,
    dimensionName: row.dimension_name,
    dimensionKey: keyOf(row.dimension_key),
    labels: json.labels,
    state: row.state as AlertEventState,
    noData: row.no_data === 1,
    triggerValues: json.triggerValues,
    watchFingerprint: row.watch_fingerprint,
    startedAt: row.started_at,
    resolvedAt: row.resolved_at,
    resolveReason: row.resolve_reason as ResolveReason | null,
    lastEvaluatedAt: Math.max(row.last_evaluated_at, row.policy_evaluated_at ?? -Infinity),
    lastNotifiedAt: row.last_notified_at,
    notifyCount: row.notify_count,
    falseSince: row.false_since,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    alertmanager: json.alertmanager,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function keyStateFromRow(row: AlertKeyStatesTable): AlertKeyState {
  return {
    policyId: row.policy_id,
    dimensionKey: keyOf(row.dimension_key),
    phase: row.phase as KeyPhase,
    labels: JSON.parse(row.labels) as Record<string, string>,
    watchFingerprint: row.watch_fingerprint,
    consecutiveHolds: row.consecutive_holds,
    since: row.since,
    falseSince: row.false_since,
    noData: row.no_data === 1,
  };
}

/** The bridge's events, as the condition of their partial indexes (migrations 0004 and 0005) says it. */
const BRIDGE_EVENTS = sql<boolean>`source = 'alertmanager'`;
const OPEN_BRIDGE_EVENTS = sql<boolean>`source = 'alertmanager' and state = 'firing'`;

/** Rows touched per statement, well under either database's limit of bound parameters. */
const CHUNK = 500;

export class AlertEventStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Runs `work` in a transaction, or in the caller's when the store is already bound to one. */
  #inTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const db = this.#ctx.db;
    return db.isTransaction
      ? work(db)
      : db.transaction().execute(function runInTransaction(trx: Transaction<Database>) {
          return work(trx);
        });
  }

  /** Events as read: each with its policy's last successful evaluation. */
  #selectEvents(db: Kysely<Database> = this.#ctx.db) {
    return db
      .selectFrom('alert_events')
      .selectAll('alert_events')
      .select((eb) => policyEvaluatedAt(eb).as('policy_evaluated_at'));
  }

  // ── the evaluator's operations ──────────────────────────────────────────────────────────────────

  /** The policy's open events and its pending and suppressed keys: everything its evaluation continues. */
  async openStateOf(policyId: string): Promise<PolicyOpenState> {
    return (await this.openStatesOf([policyId])).get(policyId)!;
  }

  /** The open state of each of `policyIds` (every one of them in the answer), in two statements a chunk. */
  async openStatesOf(policyIds: readonly string[]): Promise<Map<string, PolicyOpenState>> {
    const states = new Map<string, { events: OpenAlertEvent[]; keys: AlertKeyState[] }>();
    for (const policyId of policyIds) states.set(policyId, { events: [], keys: [] });
    const db = this.#ctx.db;
    for (let i = 0; i < policyIds.length; i += CHUNK) {
      const chunk = policyIds.slice(i, i + CHUNK);
      const events = await db
        .selectFrom('alert_events')
        .select([
          'id',
          'policy_id',
          'dimension_key',
          'labels',
          'no_data',
          'trigger_values',
          'watch_fingerprint',
          'started_at',
          'last_notified_at',
          'notify_count',
          'false_since',
          'acknowledged_at',
        ])
        .where('policy_id', 'in', chunk)
        .where('source', '=', 'policy')
        .where('state', '=', 'firing')
        // The order of the unique open-key index (policy_id, dimension_key WHERE firing) makes SQLite read
        // the policies' open events through it; without it, lacking statistics, SQLite picked the state
        // index and read every open event of every policy — 15 ms a policy at 50,000 open events.
        .orderBy('policy_id')
        .orderBy('dimension_key')
        .execute();
      for (const row of events) {
        states.get(row.policy_id)!.events.push({
          id: row.id,
          dimensionKey: keyOf(row.dimension_key),
          labels: JSON.parse(row.labels) as Record<string, string>,
          noData: row.no_data === 1,
          triggerValues: JSON.parse(row.trigger_values) as RuleResult[],
          watchFingerprint: row.watch_fingerprint,
          startedAt: row.started_at,
          lastNotifiedAt: row.last_notified_at,
          notifyCount: row.notify_count,
          falseSince: row.false_since,
          acknowledgedAt: row.acknowledged_at,
        });
      }
      const keys = await db
        .selectFrom('alert_key_states')
        .selectAll()
        .where('policy_id', 'in', chunk)
        .execute();
      for (const row of keys) states.get(row.policy_id)!.keys.push(keyStateFromRow(row));
    }
    return states;
  }

  /** Opens events as firing; call inside the evaluation's transaction. */
  async open(events: readonly NewAlertEvent[]): Promise<AlertEvent[]> {
    const rows = events.map((event) => this.#openRow(event));
    await insertRows(this.#ctx.db, 'alert_events', rows);
    // The events as written, from the caller's objects: parsing back the JSON just written would only
    // cost time.
    return rows.map((row, i) => {
      const event = events[i]!;
      return eventOf(
        { ...row, policy_evaluated_at: null },
        {
          labels: event.labels,
          triggerValues: event.triggerValues,
          alertmanager: event.alertmanager ?? null,
        },
      );
    });
  }

  /**
   * Opens events as firing and answers only their ids, in order: the evaluator's way, as a storm opens
   * tens of thousands at once and it has the rest of each event already. The rows are made a chunk at
   * a time, so they die young instead of filling the old generation of the heap.
   */
  async openIds(events: readonly NewAlertEvent[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < events.length; i += CHUNK) {
      const rows = events.slice(i, i + CHUNK).map((event) => this.#openRow(event));
      await insertRows(this.#ctx.db, 'alert_events', rows);
      for (const row of rows) ids.push(row.id);
    }
    return ids;
  }

  #openRow(event: NewAlertEvent): AlertEventsTable {
    const now = this.#ctx.now();
    return {
      id: this.#ctx.newId(),
      source: event.source ?? 'policy',
      policy_id: event.policyId,
      policy_name: event.policyName,
      // The column is NOT NULL: '' stands for an event without a policy kind (Alertmanager's).
      policy_kind: event.policyKind ?? '',
      severity: event.severity,
      dimension_name: event.dimensionName,
      dimension_key: storedKey(event.dimensionKey),
      labels: JSON.stringify(event.labels),
      state: 'firing',
      no_data: event.noData ? 1 : 0,
      trigger_values: JSON.stringify(event.triggerValues),
      watch_fingerprint: event.watchFingerprint,
      started_at: event.startedAt,
      resolved_at: null,
      resolve_reason: null,
      last_evaluated_at: event.lastEvaluatedAt,
      last_notified_at: event.lastNotifiedAt,
      notify_count: event.notifyCount,
      false_since: null,
      acknowledged_at: null,
      acknowledged_by: null,
      closed_at: null,
      closed_by: null,
      details: event.alertmanager ? JSON.stringify(event.alertmanager) : null,
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Records an evaluation's change to an open event. Returns false when the event is no longer open
   * (a user closed it meanwhile) or, with `unacknowledged`, when a user acknowledged it meanwhile — then
   * a firing message must not go out, and the caller rolls back.
   */
  async changeOpen(id: string, change: OpenEventChange, unacknowledged: boolean): Promise<boolean> {
    let update = this.#ctx.db
      .updateTable('alert_events')
      .set({
        false_since: change.falseSince,
        last_notified_at: change.lastNotifiedAt,
        notify_count: change.notifyCount,
        trigger_values: JSON.stringify(change.triggerValues),
        labels: JSON.stringify(change.labels),
        last_evaluated_at: change.lastEvaluatedAt,
        updated_at: this.#ctx.now(),
      })
      .where('id', '=', id)
      .where('state', '=', 'firing');
    if (unacknowledged) update = update.where('acknowledged_at', 'is', null);
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Resolves an open event for `reason` at `at`, with the values that resolved it when given. Returns
   * false when it was no longer open.
   */
  async resolve(
    id: string,
    reason: ResolveReason,
    at: number,
    triggerValues?: readonly RuleResult[],
  ): Promise<boolean> {
    const values: UpdateObject<Database, 'alert_events'> = {
      state: 'resolved',
      resolved_at: at,
      resolve_reason: reason,
      last_evaluated_at: at,
      updated_at: this.#ctx.now(),
    };
    if (triggerValues) values.trigger_values = JSON.stringify(triggerValues);
    const result = await this.#ctx.db
      .updateTable('alert_events')
      .set(values)
      .where('id', '=', id)
      .where('state', '=', 'firing')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Ends everything open of a policy — its firing events and its pending and suppressed keys — for
   * `reason` (the policy was disabled or deleted). Returns how many events it resolved.
   */
  async resolvePolicy(policyId: string, reason: ResolveReason, at: number): Promise<number> {
    return this.#inTransaction(async (db) => {
      await this.#moveRevision(db, policyId);
      const result = await db
        .updateTable('alert_events')
        .set({
          state: 'resolved',
          resolved_at: at,
          resolve_reason: reason,
          last_evaluated_at: settledLastEvaluatedAt(),
          updated_at: this.#ctx.now(),
        })
        .where('policy_id', '=', policyId)
        .where('state', '=', 'firing')
        .executeTakeFirst();
      await db.deleteFrom('alert_key_states').where('policy_id', '=', policyId).execute();
      return Number(result.numUpdatedRows);
    });
  }

  /**
   * The ids of policies with an open event or a pending or suppressed key. Alertmanager events are not
   * a policy's: their routes end them, not the evaluator.
   */
  async policiesWithOpenState(): Promise<string[]> {
    const db = this.#ctx.db;
    const fromEvents = await db
      .selectFrom('alert_events')
      .select('policy_id')
      .distinct()
      .where('state', '=', 'firing')
      .where('source', '=', 'policy')
      .execute();
    const fromKeys = await db.selectFrom('alert_key_states').select('policy_id').distinct().execute();
    return [...new Set([...fromEvents, ...fromKeys].map((row) => row.policy_id))];
  }

  /** Creates or replaces the state of a key without an open event. */
  async putKeyState(state: AlertKeyState): Promise<void> {
    const row: AlertKeyStatesTable = {
      policy_id: state.policyId,
      dimension_key: storedKey(state.dimensionKey),
      phase: state.phase,
      labels: JSON.stringify(state.labels),
      watch_fingerprint: state.watchFingerprint,
      consecutive_holds: state.consecutiveHolds,
      since: state.since,
      false_since: state.falseSince,
      no_data: state.noData ? 1 : 0,
      updated_at: this.#ctx.now(),
    };
    const { policy_id: _p, dimension_key: _k, ...changes } = row;
    await this.#ctx.db
      .insertInto('alert_key_states')
      .values(row)
      .onConflict((oc) => oc.columns(['policy_id', 'dimension_key']).doUpdateSet(changes))
      .execute();
  }

  async deleteKeyState(policyId: string, dimensionKey: string | null): Promise<void> {
    await this.#ctx.db
      .deleteFrom('alert_key_states')
      .where('policy_id', '=', policyId)
      .where('dimension_key', '=', storedKey(dimensionKey))
      .execute();
  }

  // ── the Alertmanager bridge's operations ────────────────────────────────────────────────────────

  /** The newest event of an alert (its fingerprint) on a route, open or resolved. */
  async latestAlertmanagerEvent(routeId: string, fingerprint: string): Promise<AlertEvent | undefined> {
    const row = await this.#selectEvents()
      // A literal, not a parameter: the planners use the partial index only when they see its condition.
      .where(BRIDGE_EVENTS)
      .where('policy_id', '=', routeId)
      .where('dimension_key', '=', fingerprint)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** The open Alertmanager events of an alert (its fingerprint), on every route. */
  async openAlertmanagerEvents(fingerprint: string): Promise<AlertEvent[]> {
    const rows = await this.#selectEvents()
      .where(OPEN_BRIDGE_EVENTS)
      .where('dimension_key', '=', fingerprint)
      .execute();
    // Sorted here: asked to order by id, SQLite walked the state index, through every open event.
    return rows.map(fromRow).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  // ── the users' operations ───────────────────────────────────────────────────────────────────────

  async get(id: string): Promise<AlertEvent | undefined> {
    const row = await this.#selectEvents().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The events of `ids` that exist, in the order of `ids` (the dispatcher renders a message's events). */
  async getMany(ids: readonly string[]): Promise<AlertEvent[]> {
    const found = new Map<string, AlertEvent>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.#selectEvents()
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) found.set(row.id, fromRow(row));
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** Events newest first, filtered, paged by the last id seen. */
  async list(query: AlertEventListQuery): Promise<Page<AlertEvent>> {
    let select = this.#selectEvents()
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    const before = query.cursor ? decodeCursor(query.cursor) : null;
    if (before) select = select.where('id', '<', before);
    if (query.state) select = select.where('state', '=', query.state);
    if (query.source) select = select.where('source', '=', query.source);
    if (query.policyId) select = select.where('policy_id', '=', query.policyId);
    if (query.severity) select = select.where('severity', '=', query.severity);
    if (query.to !== undefined) select = select.where('started_at', '<', query.to);
    const from = query.from;
    if (from !== undefined) {
      select = select.where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]));
    }
    return toPage(await select.execute(), query.limit, fromRow);
  }

  /**
   * A user acknowledges the event: no more firing messages for it. The first acknowledgement is kept;
   * acknowledging again changes nothing.
   */
  async acknowledge(id: string, by: string, at: number): Promise<UserActionResult> {
    return this.#inTransaction(async (db) => {
      await this.#moveRevisionOfEvent(db, id);
      const result = await db
        .updateTable('alert_events')
        .set({ acknowledged_at: at, acknowledged_by: by, updated_at: this.#ctx.now() })
        .where('id', '=', id)
        .where('acknowledged_at', 'is', null)
        .executeTakeFirst();
      const event = await this.#selectEvents(db).where('id', '=', id).executeTakeFirst();
      if (!event) return { outcome: 'not_found' };
      return { outcome: result.numUpdatedRows > 0n ? 'done' : 'unchanged', event: fromRow(event) };
    });
  }

  /**
   * A user closes a firing event: it resolves now with reason `closed`, and its key is suppressed —
   * nothing new opens for it until its rules stop holding. A resolved event is left as it is.
   */
  async close(id: string, by: string, at: number): Promise<UserActionResult> {
    return this.#inTransaction(async (db) => {
      await this.#moveRevisionOfEvent(db, id);
      const row = await db
        .updateTable('alert_events')
        .set({
          state: 'resolved',
          resolved_at: at,
          resolve_reason: 'closed',
          closed_at: at,
          closed_by: by,
          last_evaluated_at: settledLastEvaluatedAt(),
          updated_at: this.#ctx.now(),
        })
        .where('id', '=', id)
        .where('state', '=', 'firing')
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const existing = await this.#selectEvents(db).where('id', '=', id).executeTakeFirst();
        return existing ? { outcome: 'unchanged', event: fromRow(existing) } : { outcome: 'not_found' };
      }
      // Resolved now: its last evaluation is the one just written down.
      const closed = fromRow({ ...row, policy_evaluated_at: null });
      // The bridge knows a closed occurrence by the event itself (bridgeStep); no key state is its.
      if (row.source !== 'policy') return { outcome: 'done', event: closed };
      const suppressed: AlertKeyStatesTable = {
        policy_id: row.policy_id,
        dimension_key: row.dimension_key,
        phase: 'suppressed',
        labels: row.labels,
        watch_fingerprint: row.watch_fingerprint,
        consecutive_holds: 0,
        since: at,
        false_since: null,
        no_data: row.no_data,
        updated_at: this.#ctx.now(),
      };
      const { policy_id: _p, dimension_key: _k, ...changes } = suppressed;
      await db
        .insertInto('alert_key_states')
        .values(suppressed)
        .onConflict((oc) => oc.columns(['policy_id', 'dimension_key']).doUpdateSet(changes))
        .execute();
      return { outcome: 'done', event: closed };
    });
  }

  /**
   * Moves the revision of the policy's open state forward (policy-evaluations.ts). First in its
   * transaction: on PostgreSQL it locks the policy's evaluation row before any of its events, in the
   * order the evaluator's commit takes them, so the two never wait for each other.
   */
  async #moveRevision(db: Kysely<Database>, policyId: string): Promise<void> {
    await db
      .updateTable('policy_evaluations')
      .set({ updated_at: nextUpdatedAt(this.#ctx.now()) })
      .where('policy_id', '=', policyId)
      .execute();
  }

  /** Moves the revision of the open state of the policy of event `id`, if it is a policy's. */
  async #moveRevisionOfEvent(db: Kysely<Database>, id: string): Promise<void> {
    await db
      .updateTable('policy_evaluations')
      .set({ updated_at: nextUpdatedAt(this.#ctx.now()) })
      .where('policy_id', '=', (eb) =>
        eb.selectFrom('alert_events').select('policy_id').where('id', '=', id).where('source', '=', 'policy'),
      )
      .execute();
  }

  /** Deletes events resolved before `before` (the retention); returns how many. */
  async pruneResolved(before: number): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom('alert_events')
      .where('state', '=', 'resolved')
      .where('resolved_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** How many events are in each state (for tests, metrics and the console). */
  async countByState(): Promise<Record<AlertEventState, number>> {
    const rows = await this.#ctx.db
      .selectFrom('alert_events')
      .select(['state', (eb) => eb.fn.countAll<number | string>().as('count')])
      .groupBy('state')
      .execute();
    const counts = { firing: 0, resolved: 0 };
    for (const row of rows) counts[row.state as AlertEventState] = Number(row.count);
    return counts;
  }
}
