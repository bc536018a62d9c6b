// DingTalk's send limit (dingtalk-robot.md §4, §9.7): per robot, a sliding 60 s window of accepted
// messages; the message past the limit puts the robot into a block (10 minutes by default) during
// which everything is refused. Time comes from the injected clock.

export interface RateLimitSettings {
  /** Accepted messages per rolling 60 s. DingTalk: 20. */
  readonly perMinute: number;
  /** How long a robot stays blocked after exceeding the limit. DingTalk: 10. 0 = no block. */
  readonly blockMinutes: number;
  /** Whether a refused call during the block restarts it (undocumented; default false). */
  readonly rejectionExtendsBlock: boolean;
}

export interface RateLimitStatus {
  /** Accepted messages in the last 60 s. */
  readonly sentInWindow: number;
  /** Epoch ms at which the block ends, or null when not blocked. */
  readonly blockedUntil: number | null;
}

const WINDOW_MS = 60_000;

interface RobotWindow {
  sentAt: number[];
  blockedUntil: number | null;
}

/** Per-token sliding windows. `admit` is called once per message that passed every other check. */
export class RateLimiter {
  readonly #settings: RateLimitSettings;
  readonly #windows = new Map<string, RobotWindow>();

  constructor(settings: RateLimitSettings) {
    this.#settings = settings;
  }

  #window(token: string, nowMs: number): RobotWindow {
    let window = this.#windows.get(token);
    if (!window) {
      window = { sentAt: [], blockedUntil: null };
      this.#windows.set(token, window);
    }
    if (window.blockedUntil !== null && nowMs >= window.blockedUntil) window.blockedUntil = null;
    window.sentAt = window.sentAt.filter((sentAt) => nowMs - sentAt < WINDOW_MS);
    return window;
  }

  /** Counts the message and returns true, or returns false (limited) without counting it. */
  admit(token: string, nowMs: number): boolean {
    const window = this.#window(token, nowMs);
    const blockMs = this.#settings.blockMinutes * 60_000;
    if (window.blockedUntil !== null) {
      if (this.#settings.rejectionExtendsBlock) window.blockedUntil = nowMs + blockMs;
      return false;
    }
    if (window.sentAt.length >= this.#settings.perMinute) {
      if (blockMs > 0) window.blockedUntil = nowMs + blockMs;
      return false;
    }
    window.sentAt.push(nowMs);
    return true;
  }

  status(token: string, nowMs: number): RateLimitStatus {
    const window = this.#window(token, nowMs);
    return { sentInWindow: window.sentAt.length, blockedUntil: window.blockedUntil };
  }

  reset(): void {
    this.#windows.clear();
  }
}
