// Each policy's evaluation status (last run, ok or the error) and the lease that lets one instance at a
// time evaluate it. Claiming is one conditional UPDATE: the tick must be newer than the last one claimed
// and the lease free (expired, or already ours), so instances sharing PostgreSQL never evaluate a policy
// twice for one tick nor two ticks of a policy at once; on SQLite there is one instance anyway.
import { sql } from 'kysely';
import type { PolicyEvaluationsTable } from './database.js';
import type { StoreContext } from './store-context.js';

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
    await this.#ctx.db
      .insertInto('policy_evaluations')
      .values({
        policy_id: policyId,
        tick: 0,
        lease_owner: null,
        lease_until: 0,
        failures: 0,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('policy_id').doNothing())
      .execute();
    const result = await this.#ctx.db
      .updateTable('policy_evaluations')
      .set({ tick, lease_owner: owner, lease_until: now + leaseMs, updated_at: now })
      .where('policy_id', '=', policyId)
      .where('tick', '<', tick)
      .where((eb) => eb.or([eb('lease_until', '<=', now), eb('lease_owner', '=', owner)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
    const result = await this.#ctx.db
      .updateTable('policy_evaluations')
      .set({
        lease_owner: null,
        lease_until: 0,
        last_evaluated_at: now,
        last_status: outcome.ok ? 'ok' : 'error',
        last_error: outcome.ok ? null : outcome.error.slice(0, 2000),
        failures: outcome.ok ? 0 : sql<number>`failures + 1`,
        updated_at: now,
      })
      .where('policy_id', '=', policyId)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Frees every lease, as after a crash. Only for a store no other instance uses (the embedded SQLite
   * file): there no one else can be mid-evaluation, so waiting out the leases would only skip ticks.
   */
  async releaseAll(now: number): Promise<void> {
    await this.#ctx.db
      .updateTable('policy_evaluations')
      .set({ lease_owner: null, lease_until: 0, updated_at: now })
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

  /** Forgets the status of policies that no longer exist. */
  async deleteOrphans(): Promise<void> {
    await this.#ctx.db
      .deleteFrom('policy_evaluations')
      .where('policy_id', 'not in', (eb) => eb.selectFrom('alert_policies').select('id'))
      .execute();
  }
}
