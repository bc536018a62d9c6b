// What a webhook receiver's HTTP answer means for delivery: 2xx delivered; 408, 425, 429 and 5xx worth
// retrying (429 and 503 after Retry-After); redirects and other 4xx permanent, quoting the status and the
// start of the answer so the user can see what the receiver disliked.
import type { ChannelFailure } from '../../channel-outcome.js';

export type WebhookFailureClass = 'rate_limited' | 'transient' | 'permanent';

export interface WebhookFailure extends ChannelFailure {
  readonly class: WebhookFailureClass;
  /** HTTP requests this send made: 0 when refused before sending, else 1. */
  readonly requests: 0 | 1;
}

/** The parts of an HTTP answer that decide the outcome. */
export interface WebhookAnswer {
  readonly status: number;
  readonly statusText: string;
  /** Header values by lower-case name, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The first `MAX_QUOTED_ANSWER_BYTES` of the body. */
  readonly bodyStart: Buffer;
}

export const MAX_QUOTED_ANSWER_BYTES = 300;

/** Without a Retry-After, a 429 waits this long: long enough not to hammer, short enough for alerts. */
export const DEFAULT_RATE_LIMIT_RETRY_AFTER_MS = 60_000;

/** A receiver asking for a day's pause is misconfigured; alerts should not wait longer than this. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

function headerValue(answer: WebhookAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds from `nowMs`; undefined if absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

function quotedBody(answer: WebhookAnswer): string {
  // A cut in the middle of a UTF-8 sequence decodes to U+FFFD rather than failing.
  const text = new TextDecoder().decode(answer.bodyStart).replace(/\s+/g, ' ').trim();
  return text === '' ? '' : `: ${text}`;
}

function statusLine(answer: WebhookAnswer): string {
  return `HTTP ${answer.status}${answer.statusText === '' ? '' : ` ${answer.statusText}`}`;
}

/** A redirect target without its query string, which may carry a token. */
function locationHint(answer: WebhookAnswer): string {
  const location = headerValue(answer, 'location');
  if (location === undefined) return '';
  return ` to ${location.replace(/[?#].*$/, '')}`;
}

function permanentHint(status: number): string {
  if (status === 401 || status === 403)
    return "check the credentials in the contact's headers and its signing secret";
  if (status === 404 || status === 410) return 'check the webhook URL';
  if (status === 405) return 'check the webhook method (POST, PUT or PATCH)';
  if (status === 413) return 'the receiver limits the body size; shorten the body template';
  if (status === 400 || status === 415 || status === 422)
    return 'the receiver refused the body; check the body template and Content-Type header';
  return 'refused by the receiver';
}

/** The failure for a non-2xx answer (the caller handles 2xx). */
export function classifyWebhookAnswer(answer: WebhookAnswer, nowMs: number): WebhookFailure {
  const { status } = answer;
  const common = { ok: false, httpStatus: status, requests: 1 } as const;
  const what = `${statusLine(answer)}${quotedBody(answer)}`;
  if (status >= 300 && status < 400) {
    return {
      ...common,
      retryable: false,
      class: 'permanent',
      reason: `${statusLine(answer)} redirect${locationHint(answer)} — redirects are not followed (one could lead to an internal address); set the webhook URL to the final address`,
    };
  }
  const wait = retryAfterMs(headerValue(answer, 'retry-after'), nowMs);
  if (status === 429) {
    return {
      ...common,
      retryable: true,
      class: 'rate_limited',
      retryAfterMs: wait ?? DEFAULT_RATE_LIMIT_RETRY_AFTER_MS,
      reason: `${what} — rate limited by the receiver`,
    };
  }
  if (RETRYABLE_STATUSES.has(status) || (status >= 500 && status < 600)) {
    return {
      ...common,
      retryable: true,
      class: 'transient',
      ...(wait !== undefined && { retryAfterMs: wait }),
      reason: `${what} — the receiver failed or timed out, retry later`,
    };
  }
  return { ...common, retryable: false, class: 'permanent', reason: `${what} — ${permanentHint(status)}` };
}
