// What every channel's send returns to the dispatcher: delivered, or failed with whether a retry can
// help. Channels never throw and never touch the outbox; the dispatcher decides what to do next.

/**
 * Why a send failed, as far as the dispatcher cares:
 * - `rate_limited`: the receiver asked us to slow down; wait at least `retryAfterMs` before the next try.
 * - `transient`: a network error, timeout or temporary refusal; retry with backoff.
 * - `resign`: DingTalk still refused a freshly signed request's timestamp (this server's clock is off).
 * - `permanent`: retrying the same message would fail the same way; the user must fix something.
 */
export type ChannelFailureClass = 'rate_limited' | 'transient' | 'resign' | 'permanent';

export interface ChannelSuccess {
  readonly ok: true;
  /** The HTTP status of the answer, for HTTP channels. */
  readonly httpStatus?: number;
  /** Requests (or SMTP transactions) this send made. */
  readonly requests?: number;
}

export interface ChannelFailure {
  readonly ok: false;
  readonly retryable: boolean;
  readonly class: ChannelFailureClass;
  /** What happened and what to fix; safe to show users (never a token, secret or password). */
  readonly reason: string;
  /** Wait at least this long before trying this target again. */
  readonly retryAfterMs?: number;
  /** HTTP channels: the status of the last answer, when there was one. */
  readonly httpStatus?: number;
  /** DingTalk: the answer's errcode and errmsg verbatim. */
  readonly errcode?: number;
  readonly errmsg?: string;
  /** E-mail: the SMTP reply code and the server's reply line, when the server answered. */
  readonly smtpCode?: number;
  readonly smtpResponse?: string;
  readonly requests?: number;
}

/** The shared outcome; each channel's own outcome type is assignable to it. */
export type ChannelOutcome = ChannelSuccess | ChannelFailure;
