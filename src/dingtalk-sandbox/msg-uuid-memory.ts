// The `msgUuid` idempotency key (dingtalk-robot.md §1, §9.10): a message whose msgUuid this robot
// accepted within the window is answered `0 ok` and not delivered again. Whether the live endpoint
// honours msgUuid is uncertain; the window is configurable.

export class MsgUuidMemory {
  readonly #windowMs: number;
  /** token → msgUuid → accepted at (epoch ms) and the id of the message delivered then. */
  readonly #seen = new Map<string, Map<string, { readonly at: number; readonly messageId: number }>>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The id of the message already delivered under this msgUuid, if within the window. */
  delivered(token: string, msgUuid: string, nowMs: number): number | undefined {
    const entry = this.#seen.get(token)?.get(msgUuid);
    return entry !== undefined && nowMs - entry.at <= this.#windowMs ? entry.messageId : undefined;
  }

  remember(token: string, msgUuid: string, nowMs: number, messageId: number): void {
    let forRobot = this.#seen.get(token);
    if (!forRobot) {
      forRobot = new Map();
      this.#seen.set(token, forRobot);
    }
    forRobot.set(msgUuid, { at: nowMs, messageId });
  }

  reset(): void {
    this.#seen.clear();
  }
}
