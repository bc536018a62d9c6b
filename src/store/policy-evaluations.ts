// Each policy's evaluation status (last run, ok or the error) and the lease that lets one instance at a
// time evaluate it. Claiming is one conditional UPDATE: the tick must be newer than the last one claimed
// and the lease free (expired, or already ours), so instances sharing PostgreSQL never evaluate a policy
// twice for one tick nor two ticks of a policy at once; on SQLite there is one instance anyway.
// The row's updated_at is also the REVISION of the policy's open state (its open events and key states):
// every write of that state moves it forward, strictly (nextUpdatedAt) — an evaluation's commit (finish),
// a user's acknowledge or close and ending a policy's events (alert-events.ts) — and nothing else does: a
// claim leaves it alone. So the evaluator may keep a policy's open state in memory between ticks and
// trust it as long as the revision is the one it wrote. A successful evaluation's time is also the last
// evaluation of the open events it continued without writing them (alert-events.ts).
import { sql } from 'kysely';
import { settledLastEvaluatedAt } from './alert-events.js';
import type { PolicyEvaluationsTable } from './database.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';

export interface PolicyEvaluationStatus {
  readonly policyId: string;
  /** The last evaluation time claimed. */
  readonly tick: number;
  readonly lastEvaluatedAt: number | null;
  readonly lastStatus: 'ok' | 'error' | null;
  readonly lastError: string | null;
  /** Failed evaluations in a row. */
  readonly failures: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number;
}

function fromRow(row: PolicyEvaluationsTable): PolicyEvaluationStatus {
  return {
    policyId: row.policy_id,
    tick: row.tick,
    lastEvaluatedAt: row.last_evaluated_at,
    lastStatus: row.last_status as 'ok' | 'error' | null,
    lastError: row.last_error,
    failures: row.failures,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

/** Policies per statement: two parameters each, far under either database's limit. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class PolicyEvaluationStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Claims the evaluation of `policyId` for `tick` by `owner` until `now + leaseMs`. Returns false when
   * the tick was already claimed or another owner's lease is still running.
   */
  async claim(policyId: string, tick: number, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return (await this.claimMany([policyId], tick, owner, now, leaseMs)).has(policyId);
  }

  /**
   * Claims the evaluation of each of `policyIds` for `tick` as `claim` does, in a few statements whatever
   * their number. Returns the policies claimed, each with the revision of its open state.
   */
  async claimMany(
    policyIds: readonly string[],
    tick: number,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<Map<string, number>> {
    const claimed = new Map<string, number>();
    for (const chunk of chunks(policyIds, CHUNK)) {
      await this.#ctx.db
        .insertInto('policy_evaluations')
        .values(
          chunk.map((policyId) => ({
            policy_id: policyId,
            tick: 0,
            lease_owner: null,
            lease_until: 0,
            failures: 0,
            updated_at: now,
          })),
        )
        .onConflict((oc) => oc.column('policy_id').doNothing())
        .execute();
      const rows = await this.#ctx.db
        .updateTable('policy_evaluations')
        // Not updated_at: a claim changes no open state, and would make every cached one stale.
        .set({ tick, lease_owner: owner, lease_until: now + leaseMs })
        .where('policy_id', 'in', chunk)
        .where('tick', '<', tick)
        .where((eb) => eb.or([eb('lease_until', '<=', now), eb('lease_owner', '=', owner)]))
        .returning(['policy_id', 'updated_at'])
        .execute();
      for (const row of rows) claimed.set(row.policy_id, row.updated_at);
    }
    return claimed;
  }

  /**
   * Ends `owner`'s evaluation: records its outcome and frees the lease. Returns false when the lease is
   * no longer `owner`'s (it ran out and another instance claimed the policy): inside the evaluation's
   * transaction that means roll back, another instance's result counts.
   */
  async finish(
    policyId: string,
    owner: string,
    now: number,
    outcome: { readonly ok: true } | { readonly ok: false; readonly error: string },
  ): Promise<boolean> {
    if (!outcome.ok) {
      // The open events' last evaluation was the last successful one: written down before the status
      // that told it is replaced.
      await this.#ctx.db
        .updateTable('alert_events')
        .set({ last_evaluated_at: settledLastEvaluatedAt() })
        .where('policy_id', '=', policyId)
        .where('source', '=', 'policy')
        .where('state', '=', 'firing')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('policy_evaluations')
              .select('policy_id')
              .where('policy_id', '=', policyId)
              .where('lease_owner', '=', owner),
          ),
        )
        .execute();
    }
    const result = await this.#ctx.db
      .updateTable('policy_evaluations')
      .set({
        lease_owner: null,
        lease_until: 0,
        last_evaluated_at: now,
        last_status: outcome.ok ? 'ok' : 'error',
        last_error: outcome.ok ? null : outcome.error.slice(0, 2000),
        failures: outcome.ok ? 0 : sql<number>`failures + 1`,
        updated_at: nextUpdatedAt(now),
      })
      .where('policy_id', '=', policyId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Ends `owner`'s successful evaluations of several policies at once, as `finish` does, recording
   * `evaluatedAt` (the evaluation time, when their open events were last evaluated); call it first in
   * the transaction that writes them (on PostgreSQL it locks their rows, which a user's acknowledge or
   * close takes first too). Each policy is given with the revision its evaluation started from. Returns,
   * for each policy still `owner`'s, its new revision when nothing else changed its open state since the
   * given one, or null when something did; a policy whose lease was lost is left out.
   */
  async finishMany(
    evaluations: readonly { readonly policyId: string; readonly revision: number }[],
    owner: string,
    now: number,
    evaluatedAt: number,
  ): Promise<Map<string, number | null>> {
    const finished = new Map<string, number | null>();
    const done = {
      lease_owner: null,
      lease_until: 0,
      last_evaluated_at: evaluatedAt,
      last_status: 'ok',
      last_error: null,
      failures: 0,
      updated_at: nextUpdatedAt(now),
    } as const;
    for (const chunk of chunks(evaluations, CHUNK)) {
      const unchanged = await this.#ctx.db
        .updateTable('policy_evaluations')
        .set(done)
        .where('lease_owner', '=', owner)
        .where((eb) =>
          eb(
            eb.refTuple('policy_id', 'updated_at'),
            'in',
            chunk.map((e) => eb.tuple(e.policyId, e.revision)),
          ),
        )
        .returning(['policy_id', 'updated_at'])
        .execute();
      for (const row of unchanged) finished.set(row.policy_id, row.updated_at);
      const changed = chunk.filter((e) => !finished.has(e.policyId)).map((e) => e.policyId);
      if (changed.length === 0) continue;
      const rows = await this.#ctx.db
        .updateTable('policy_evaluations')
        .set(done)
        .where('lease_owner', '=', owner)
        .where('policy_id', 'in', changed)
        .returning('policy_id')
        .execute();
      for (const row of rows) finished.set(row.policy_id, null);
    }
    return finished;
  }

  /**
   * Frees every lease, as after a crash. Only for a store no other instance uses (the embedded SQLite
   * file): there no one else can be mid-evaluation, so waiting out the leases would only skip ticks.
   */
  async releaseAll(now: number): Promise<void> {
    await this.#ctx.db
      .updateTable('policy_evaluations')
      .set({ lease_owner: null, lease_until: 0, updated_at: nextUpdatedAt(now) })
      .where('lease_owner', 'is not', null)
      .execute();
  }

  async get(policyId: string): Promise<PolicyEvaluationStatus | undefined> {
    const row = await this.#ctx.db
      .selectFrom('policy_evaluations')
      .selectAll()
      .where('policy_id', '=', policyId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * Forgets the status of policies that no longer exist, once their events are ended (until then it
   * tells when the open ones were last evaluated).
   */
  async deleteOrphans(): Promise<void> {
    await this.#ctx.db
      .deleteFrom('policy_evaluations')
      .where('policy_id', 'not in', (eb) => eb.selectFrom('alert_policies').select('id'))
      .where('policy_id', 'not in', (eb) =>
        eb
          .selectFrom('alert_events')
          .select('policy_id')
          .where('source', '=', 'policy')
          .where('state', '=', 'firing'),
      )
      .execute();
  }
}
