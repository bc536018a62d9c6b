// Time is injected everywhere (STYLE.md §6): the evaluator, silences, budgets and retries are tested by
// moving a clock, never by sleeping.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
