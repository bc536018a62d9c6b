// The sandbox's notion of "now". It is injected so tests move time (signature expiry, the rate-limit
// window and its 10-minute block) instead of sleeping. Structurally the same as the service's Clock.

export interface SandboxClock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: SandboxClock = { now: () => Date.now() };

/** A clock that only moves when told to: the one tests use. */
export interface ManualClock extends SandboxClock {
  /** Sets the time to `epochMs`. */
  set(epochMs: number): void;
  /** Moves the time forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void;
}

/**
 * Creates a clock frozen at `startMs` until it is set or advanced.
 * @example const clock = createManualClock(1_735_693_200_000); clock.advance(61_000);
 */
export function createManualClock(startMs: number): ManualClock {
  let current = startMs;
  return {
    now: function now() {
      return current;
    },
    set: function set(epochMs: number) {
      current = epochMs;
    },
    advance: function advance(ms: number) {
      current += ms;
    },
  };
}
