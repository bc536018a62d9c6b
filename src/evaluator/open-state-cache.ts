// What the evaluator knows of each policy's open state (open events, pending and suppressed keys) between
// ticks, with the revision it was written at. Reading 50,000 open events back at every tick cost more
// than evaluating them; the revision on the policy's evaluation row (store/policy-evaluations.ts) moves
// with every other write of that state — a user's acknowledge or close, another instance's evaluation —
// so a state whose revision is still the claimed one is exactly what the database holds.
import type { PolicyOpenState } from '../store/alert-events.js';

export class OpenStateCache {
  readonly #states = new Map<string, { readonly revision: number; readonly state: PolicyOpenState }>();

  /** The policy's open state if it is known at `revision`; undefined when it must be read. */
  get(policyId: string, revision: number): PolicyOpenState | undefined {
    const known = this.#states.get(policyId);
    return known?.revision === revision ? known.state : undefined;
  }

  set(policyId: string, revision: number, state: PolicyOpenState): void {
    this.#states.set(policyId, { revision, state });
  }

  delete(policyId: string): void {
    this.#states.delete(policyId);
  }

  /** Forgets the policies not in `policyIds` (disabled or deleted since). */
  retainOnly(policyIds: ReadonlySet<string>): void {
    for (const policyId of this.#states.keys()) if (!policyIds.has(policyId)) this.#states.delete(policyId);
  }
}
