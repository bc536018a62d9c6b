// What the evaluator knows of each policy's open state (open events, pending and suppressed keys) between
// ticks, with the revision it was written at. Reading 50,000 open events back at every tick cost more
// than evaluating them; the revision on the policy's evaluation row (store/policy-evaluations.ts) moves
// with every other write of that state — a user's acknowledge or close, another instance's evaluation —
// so a state whose revision is still the claimed one is exactly what the database holds. The state sorted
// by dimension value for the policy's watch is kept with it: most evaluations change nothing, and sorting
// 50,000 open events anew every tick made garbage the collector then paid for.
import type { PolicyOpenState } from '../store/alert-events.js';
import type { SortedState } from './key-transitions.js';

interface Known {
  readonly revision: number;
  readonly state: PolicyOpenState;
  /** The state sorted for the watch with this fingerprint, once an evaluation did. */
  sorted: { readonly fingerprint: string; readonly value: SortedState } | null;
}

export class OpenStateCache {
  readonly #states = new Map<string, Known>();

  /** The policy's open state if it is known at `revision`; undefined when it must be read. */
  get(policyId: string, revision: number): PolicyOpenState | undefined {
    const known = this.#states.get(policyId);
    return known?.revision === revision ? known.state : undefined;
  }

  /** The state known at `revision` sorted for the watch `fingerprint`, made by `sort` once. */
  sorted(policyId: string, revision: number, fingerprint: string, sort: () => SortedState): SortedState {
    const known = this.#states.get(policyId);
    if (known?.revision !== revision) return sort();
    if (known.sorted?.fingerprint !== fingerprint) known.sorted = { fingerprint, value: sort() };
    return known.sorted.value;
  }

  set(policyId: string, revision: number, state: PolicyOpenState): void {
    this.#states.set(policyId, { revision, state, sorted: null });
  }

  /**
   * The state known at `from` is, unchanged, the state at `to` (an evaluation wrote nothing of it but
   * its revision moved); forgotten when it was not known at `from`.
   */
  advance(policyId: string, from: number, to: number): void {
    const known = this.#states.get(policyId);
    if (known?.revision === from) this.#states.set(policyId, { ...known, revision: to });
    else this.#states.delete(policyId);
  }

  delete(policyId: string): void {
    this.#states.delete(policyId);
  }

  /** Forgets the policies not in `policyIds` (disabled or deleted since). */
  retainOnly(policyIds: ReadonlySet<string>): void {
    for (const policyId of this.#states.keys()) if (!policyIds.has(policyId)) this.#states.delete(policyId);
  }
}
