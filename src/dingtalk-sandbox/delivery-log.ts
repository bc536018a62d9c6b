// What the sandbox saw: every request to the robot endpoint (an attempt, accepted or not) and every
// message a robot accepted, with the mentions that would notify. Both lists are bounded; the oldest
// records are dropped first.
import type { FaultKind } from './fault-injection.js';
import type { MentionOutcome } from './mentions.js';
import type { MessageType } from './message-schemas.js';

export interface SandboxAttempt {
  readonly id: number;
  /** Epoch ms on the sandbox clock. */
  readonly receivedAt: number;
  readonly method: string;
  readonly path: string;
  /** The query, decoded as DingTalk decodes it (`+` is a space). */
  readonly query: Readonly<Record<string, string>>;
  readonly token: string | null;
  readonly clientIp: string;
  /** null when the connection was dropped by a `disconnect` fault. */
  readonly httpStatus: number | null;
  /** null when the answer was not a DingTalk JSON body (HTTP fault, disconnect). */
  readonly errcode: number | null;
  readonly errmsg: string | null;
  /** The parsed JSON body, or null when absent, too large or not JSON. */
  readonly body: unknown;
  readonly bodyBytes: number;
  /** The injected fault that produced this answer, if any. */
  readonly fault: FaultKind | null;
  /** The message delivered (or, for a repeated msgUuid, delivered earlier), if accepted. */
  readonly messageId: number | null;
  readonly duplicate: boolean;
}

export interface ReceivedMessage {
  readonly id: number;
  readonly receivedAt: number;
  readonly token: string;
  readonly msgtype: MessageType;
  readonly body: Readonly<Record<string, unknown>>;
  readonly bodyBytes: number;
  readonly msgUuid: string | null;
  readonly mentions: MentionOutcome;
}

export class DeliveryLog {
  readonly #limit: number;
  #attempts: SandboxAttempt[] = [];
  #messages: ReceivedMessage[] = [];
  #nextAttemptId = 1;
  #nextMessageId = 1;

  constructor(limit: number) {
    this.#limit = limit;
  }

  addAttempt(attempt: Omit<SandboxAttempt, 'id'>): SandboxAttempt {
    const recorded = { id: this.#nextAttemptId++, ...attempt };
    this.#attempts.push(recorded);
    if (this.#attempts.length > this.#limit) this.#attempts.shift();
    return recorded;
  }

  addMessage(message: Omit<ReceivedMessage, 'id'>): ReceivedMessage {
    const recorded = { id: this.#nextMessageId++, ...message };
    this.#messages.push(recorded);
    if (this.#messages.length > this.#limit) this.#messages.shift();
    return recorded;
  }

  /** Oldest first; only the robot's when `token` is given. */
  attempts(token?: string): readonly SandboxAttempt[] {
    return token === undefined ? [...this.#attempts] : this.#attempts.filter((a) => a.token === token);
  }

  /** Oldest first; only the robot's when `token` is given. */
  messages(token?: string): readonly ReceivedMessage[] {
    return token === undefined ? [...this.#messages] : this.#messages.filter((m) => m.token === token);
  }

  reset(): void {
    this.#attempts = [];
    this.#messages = [];
  }
}
