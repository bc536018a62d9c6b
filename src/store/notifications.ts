// The outbox's named operations — enqueue, claim, mark sent / retrying / failed, list — and the shared
// per-target rate budget (reserve a send slot, pause a target). One query code path for both dialects;
// PostgreSQL adds `FOR UPDATE SKIP LOCKED` to claims so several instances never take the same row.
import { sql, type Kysely, type Transaction, type UpdateObject } from 'kysely';
import { ID_PATTERN } from '../domain/ids.js';
import { insertRows } from './bulk-insert.js';
import type { Database, Dialect, NotificationsTable } from './database.js';
import { decodeCursor, toPage, type Page } from './paging.js';
import type { StoreContext } from './store-context.js';

export const NOTIFICATION_STATES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

/** A channel's answer as recorded: DingTalk errcode/errmsg, an HTTP status, an SMTP reply. */
export type ChannelAnswer = Readonly<Record<string, string | number>>;

/** What a producer asks to be sent to one channel target; the store adds the delivery state. */
export interface NewNotification {
  readonly channel: string;
  readonly contactId: string;
  readonly targetKey: string;
  /** Where it goes, secrets masked. */
  readonly target: string;
  readonly kind: string;
  readonly severity: string;
  readonly policyId: string | null;
  /** The event the notification is about, when it is about exactly one. */
  readonly eventId: string | null;
  /** The events of a message the dispatcher renders when it sends it (oldest first); else absent. */
  readonly eventIds?: readonly string[] | null;
  /** JSON-serialisable content (the notify layer's NotificationRequest, or what rendering needs). */
  readonly payload: unknown;
}

/** A stored notification: what was asked, and its delivery state (kept in the row, never half-failed). */
export interface NotificationRecord extends NewNotification {
  readonly id: string;
  readonly eventIds: readonly string[] | null;
  readonly state: NotificationState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly leaseUntil: number | null;
  readonly lastError: string | null;
  readonly answer: ChannelAnswer | null;
  readonly messageId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly sentAt: number | null;
}

export interface NotificationListQuery {
  /** 1 to 1000. */
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly state?: NotificationState | undefined;
  readonly channel?: string | undefined;
  readonly contactId?: string | undefined;
  readonly policyId?: string | undefined;
  readonly eventId?: string | undefined;
}

/** A rolling-window budget: at most `limit` sends per `windowMs` to one target. */
export interface RateBudget {
  readonly limit: number;
  readonly windowMs: number;
}

/** A reserved slot, or when the target may be tried again. */
export type SlotReservation = { readonly ok: true } | { readonly ok: false; readonly retryAt: number };

function fromRow(row: NotificationsTable): NotificationRecord {
  return recordOf(
    row,
    JSON.parse(row.payload) as unknown,
    row.event_ids === null ? null : (JSON.parse(row.event_ids) as string[]),
  );
}

function recordOf(
  row: NotificationsTable,
  payload: unknown,
  eventIds: readonly string[] | null,
): NotificationRecord {
  return {
    id: row.id,
    channel: row.channel,
    contactId: row.contact_id,
    targetKey: row.target_key,
    target: row.target,
    kind: row.kind,
    severity: row.severity,
    policyId: row.policy_id,
    eventId: row.event_id,
    eventIds,
    payload,
    state: row.state as NotificationState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    answer: row.answer === null ? null : (JSON.parse(row.answer) as ChannelAnswer),
    messageId: row.message_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

function answerText(answer: ChannelAnswer | null): string | null {
  return answer === null ? null : JSON.stringify(answer);
}

// Keeps statements well under SQLite's 32766 bound parameters and PostgreSQL's 65535.
const UPDATE_CHUNK = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class NotificationStore {
  readonly #ctx: StoreContext;
  readonly #dialect: Dialect;

  constructor(ctx: StoreContext, dialect: Dialect) {
    this.#ctx = ctx;
    this.#dialect = dialect;
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

  /**
   * Adds rows as `queued`, due now. Call it inside the producer's transaction (the outbox): the state
   * change and the notifications it causes land together or not at all.
   */
  async enqueue(rows: readonly NewNotification[]): Promise<NotificationRecord[]> {
    const now = this.#ctx.now();
    const values: NotificationsTable[] = rows.map((row) => ({
      id: this.#ctx.newId(),
      channel: row.channel,
      contact_id: row.contactId,
      target_key: row.targetKey,
      target: row.target,
      kind: row.kind,
      severity: row.severity,
      policy_id: row.policyId,
      event_id: row.eventId,
      event_ids: row.eventIds ? JSON.stringify(row.eventIds) : null,
      payload: JSON.stringify(row.payload),
      state: 'queued',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      last_error: null,
      answer: null,
      message_id: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    }));
    await insertRows(this.#ctx.db, 'notifications', values);
    // The rows as written, with the producer's payloads: a storm enqueues thousands, and parsing back
    // the JSON just written would only cost time.
    return values.map((value, i) => recordOf(value, rows[i]!.payload, rows[i]!.eventIds ?? null));
  }

  /**
   * Takes up to `limit` rows that are due — queued or retrying with next_attempt_at ≤ now, or sending
   * with an expired lease (their claimer died) — and leases them to the caller until now + leaseMs.
   * One statement: on SQLite it runs under the write lock, on PostgreSQL the inner select locks its
   * rows and skips those another instance is claiming, so no row is ever claimed twice at once.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<NotificationRecord[]> {
    return this.#claim(now, limit, leaseMs, null);
  }

  /**
   * Claims the due rows of one target only: what else waits for a robot whose message is about to go
   * out, so it rides in that message instead of spending another slot of the robot's budget.
   */
  async claimDueForTarget(
    targetKey: string,
    now: number,
    limit: number,
    leaseMs: number,
  ): Promise<NotificationRecord[]> {
    return this.#claim(now, limit, leaseMs, targetKey);
  }

  async #claim(
    now: number,
    limit: number,
    leaseMs: number,
    targetKey: string | null,
  ): Promise<NotificationRecord[]> {
    const db = this.#ctx.db;
    let due = db
      .selectFrom('notifications')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', 'in', ['queued', 'retrying']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('state', '=', 'sending'), eb('lease_until', '<=', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit);
    if (targetKey !== null) due = due.where('target_key', '=', targetKey);
    const locked = this.#dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
    const rows = await db
      .updateTable('notifications')
      .set({ state: 'sending', lease_until: now + leaseMs, updated_at: now })
      .where('id', 'in', locked)
      .returningAll()
      .execute();
    // Oldest first, so merged messages list events in the order they happened.
    return rows.map(fromRow).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Delivered: the rows of one message share `messageId`. Only rows still being sent are touched. */
  async markSent(ids: readonly string[], messageId: string, answer: ChannelAnswer | null, now: number) {
    await this.#update(ids, {
      state: 'sent',
      attempts: sql<number>`attempts + 1`,
      lease_until: null,
      last_error: null,
      answer: answerText(answer),
      message_id: messageId,
      sent_at: now,
      updated_at: now,
    });
  }

  /** A send failed in a way a later try may fix: counts the attempt and sets the next one. */
  async markRetrying(
    ids: readonly string[],
    nextAttemptAt: number,
    error: string,
    answer: ChannelAnswer | null,
    now: number,
  ) {
    await this.#update(ids, {
      state: 'retrying',
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      last_error: error,
      answer: answerText(answer),
      updated_at: now,
    });
  }

  /**
   * Puts claimed rows back without counting an attempt (the target was paused or out of budget), due
   * again at `nextAttemptAt`.
   */
  async release(ids: readonly string[], nextAttemptAt: number, now: number) {
    await this.#update(ids, {
      state: 'retrying',
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      updated_at: now,
    });
  }

  /**
   * Makes the target's rows waiting out a backoff due now: a send to it just succeeded, so whatever made
   * them fail (an outage, a timeout) is over and they need not wait up to the longest backoff.
   */
  async retryTargetNow(targetKey: string, now: number): Promise<void> {
    await this.#ctx.db
      .updateTable('notifications')
      .set({ next_attempt_at: now, updated_at: now })
      .where('target_key', '=', targetKey)
      .where('state', '=', 'retrying')
      .where('next_attempt_at', '>', now)
      .execute();
  }

  /**
   * Makes every row left `sending` due now, as after a crash. Only for a store no other instance uses
   * (the embedded SQLite file): there no other dispatcher can be mid-send, so waiting out the leases
   * would only delay the notifications.
   */
  async releaseInFlight(now: number): Promise<number> {
    const result = await this.#ctx.db
      .updateTable('notifications')
      .set({ state: 'retrying', next_attempt_at: now, lease_until: null, updated_at: now })
      .where('state', '=', 'sending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Given up: `attempted` says whether a send was made (false e.g. when the contact was deleted). */
  async markFailed(
    ids: readonly string[],
    error: string,
    answer: ChannelAnswer | null,
    now: number,
    attempted = true,
  ) {
    await this.#update(ids, {
      state: 'failed',
      attempts: attempted ? sql<number>`attempts + 1` : sql<number>`attempts`,
      lease_until: null,
      last_error: error,
      answer: answerText(answer),
      updated_at: now,
    });
  }

  async #update(ids: readonly string[], values: UpdateObject<Database, 'notifications'>): Promise<void> {
    for (const chunk of chunks(ids, UPDATE_CHUNK)) {
      await this.#ctx.db
        .updateTable('notifications')
        .set(values)
        .where('id', 'in', chunk)
        // A row whose lease expired and that another dispatcher took over is no longer ours to finish.
        .where('state', '=', 'sending')
        .execute();
    }
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const row = await this.#ctx.db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** The sending history, newest first, paged by the last id seen. */
  async list(query: NotificationListQuery): Promise<Page<NotificationRecord>> {
    let select = this.#ctx.db
      .selectFrom('notifications')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    const before = query.cursor ? decodeCursor(query.cursor) : null;
    if (before) select = select.where('id', '<', before);
    if (query.state) select = select.where('state', '=', query.state);
    if (query.channel) select = select.where('channel', '=', query.channel);
    if (query.contactId) select = select.where('contact_id', '=', query.contactId);
    if (query.policyId) select = select.where('policy_id', '=', query.policyId);
    const eventId = query.eventId;
    if (eventId) {
      select = select.where((eb) => {
        const aboutIt = eb('event_id', '=', eventId);
        // Only a well-formed id can be looked for inside the JSON arrays (ids are [0-9a-z]: no LIKE
        // wildcards); the policy of the event narrows the rows to look in to that policy's.
        if (!ID_PATTERN.test(eventId)) return aboutIt;
        const itsPolicy = eb.selectFrom('alert_events').select('policy_id').where('id', '=', eventId);
        return eb.or([
          aboutIt,
          eb.and([eb('policy_id', '=', itsPolicy), eb('event_ids', 'like', `%"${eventId}"%`)]),
        ]);
      });
    }
    return toPage(await select.execute(), query.limit, fromRow);
  }

  /**
   * Deletes the history that is over — sent or failed rows last changed before `before` (the retention);
   * rows still to be sent are kept whatever their age. Returns how many were deleted.
   */
  async pruneFinished(before: number): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom('notifications')
      .where('state', 'in', ['sent', 'failed'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** How many rows are in each state (for tests, metrics and the console). */
  async countByState(): Promise<Record<NotificationState, number>> {
    const rows = await this.#ctx.db
      .selectFrom('notifications')
      .select(['state', (eb) => eb.fn.countAll<number | string>().as('count')])
      .groupBy('state')
      .execute();
    const counts = { queued: 0, sending: 0, sent: 0, retrying: 0, failed: 0 };
    for (const row of rows) counts[row.state as NotificationState] = Number(row.count);
    return counts;
  }

  /**
   * Reserves one send slot for `targetKey` at `now`, or says when to try again: the target is paused,
   * or `budget.limit` sends already happened in the rolling window. The target's row is written first,
   * which locks it (a row lock on PostgreSQL, the write lock on SQLite), so instances sharing the
   * database reserve one after the other and never exceed the budget together. Conservative by design:
   * a slot stays used even if the send then fails, as the receiver may have counted it.
   */
  async reserveSlot(targetKey: string, now: number, budget: RateBudget): Promise<SlotReservation> {
    return this.#inTransaction(async function reserve(db) {
      await db
        .insertInto('rate_targets')
        .values({ target_key: targetKey, paused_until: 0, updated_at: now })
        .onConflict((oc) => oc.column('target_key').doUpdateSet({ updated_at: now }))
        .execute();
      const target = await db
        .selectFrom('rate_targets')
        .select('paused_until')
        .where('target_key', '=', targetKey)
        .executeTakeFirstOrThrow();
      if (target.paused_until > now) return { ok: false, retryAt: target.paused_until };
      const windowStart = now - budget.windowMs;
      await db
        .deleteFrom('rate_sends')
        .where('target_key', '=', targetKey)
        .where('sent_at', '<=', windowStart)
        .execute();
      const recent = await db
        .selectFrom('rate_sends')
        .select('sent_at')
        .where('target_key', '=', targetKey)
        .orderBy('sent_at', 'desc')
        .limit(budget.limit)
        .execute();
      if (recent.length >= budget.limit) {
        // The limit-th most recent send leaves the window first among those that keep it full.
        return { ok: false, retryAt: recent[budget.limit - 1]!.sent_at + budget.windowMs };
      }
      await db.insertInto('rate_sends').values({ target_key: targetKey, sent_at: now }).execute();
      return { ok: true };
    });
  }

  /** Sends nothing to `targetKey` before `until` (the receiver asked us to slow down); never shortens a pause. */
  async pauseTarget(targetKey: string, until: number, now: number): Promise<void> {
    await this.#ctx.db
      .insertInto('rate_targets')
      .values({ target_key: targetKey, paused_until: until, updated_at: now })
      .onConflict((oc) =>
        oc.column('target_key').doUpdateSet({
          paused_until: sql<number>`case when rate_targets.paused_until > ${until} then rate_targets.paused_until else ${until} end`,
          updated_at: now,
        }),
      )
      .execute();
  }

  /** Sends counted in the window ending at `now` (for tests and the console). */
  async sendsInWindow(targetKey: string, now: number, windowMs: number): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('rate_sends')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('target_key', '=', targetKey)
      .where('sent_at', '>', now - windowMs)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
