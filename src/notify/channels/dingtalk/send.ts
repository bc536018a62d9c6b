// Delivers one rendered notification to one DingTalk robot: signs afresh, POSTs the JSON body, reads
// DingTalk's errcode whatever the HTTP status, and returns an outcome — it never throws (§8). Retrying
// later, rate budgets and recording the result belong to the dispatcher.
import type { RenderedNotification } from '../../rendered-notification.js';
import {
  classifyDingtalkError,
  isExpiredTimestampAnswer,
  type DingtalkFailure,
} from './answer-classification.js';
import type { DingtalkRobotConfig } from './config.js';
import { renderDingtalkMessage, type RenderedDingtalkMessage } from './render.js';
import { signedWebhookUrl } from './sign.js';

export type { DingtalkFailure, DingtalkFailureClass } from './answer-classification.js';

export interface DingtalkSuccess {
  readonly ok: true;
  readonly errcode: 0;
  readonly includedItems: number;
  readonly omittedItems: number;
  /** HTTP requests this send made (2 after a re-signed retry). */
  readonly requests: number;
}

export type DingtalkOutcome = DingtalkSuccess | DingtalkFailure;

export interface DingtalkSendOptions {
  /** Epoch milliseconds; read afresh for every signature, so pass a clock, not a captured time. */
  readonly now: () => number;
  /** Covers connecting, sending and reading the answer. */
  readonly timeoutMs: number;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /**
   * A key stable across retries of the same logical message (e.g. the notification id), sent as
   * `msgUuid` so that DingTalk, where it honours it, does not deliver a retried message twice.
   */
  readonly msgUuid?: string;
}

/** What one HTTP exchange produced: a DingTalk answer, or a failure that had no usable answer. */
type Exchange =
  | {
      readonly kind: 'answer';
      readonly errcode: number;
      readonly errmsg: string;
      readonly httpStatus: number;
    }
  | { readonly kind: 'failure'; readonly failure: Omit<DingtalkFailure, 'requests'> };

const MAX_QUOTED_BODY = 200;

function transient(reason: string, httpStatus?: number): Exchange {
  return {
    kind: 'failure',
    failure: {
      ok: false,
      retryable: true,
      class: 'transient',
      reason,
      ...(httpStatus !== undefined && { httpStatus }),
    },
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer from DingTalk within ${timeoutMs} ms (timeout); the message may still have been delivered`;
  }
  // undici reports "fetch failed" and puts the socket error (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (cause === undefined) return `network error: ${message}`;
  return `network error: ${message} (${typeof code === 'string' ? `${code} ` : ''}${cause.message})`;
}

function parseAnswer(text: string): { readonly errcode: number; readonly errmsg: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
    if (typeof errcode !== 'number' || !Number.isInteger(errcode)) return undefined;
    return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
  } catch {
    return undefined;
  }
}

async function postOnce(
  robot: DingtalkRobotConfig,
  message: RenderedDingtalkMessage,
  options: DingtalkSendOptions,
): Promise<Exchange> {
  const url = robot.secret
    ? signedWebhookUrl(robot.webhook, robot.secret, options.now())
    : robot.webhook.trim();
  const fetchFn = options.fetch ?? globalThis.fetch;
  let httpStatus: number;
  let text: string;
  try {
    // One signal for the whole exchange: a server that answers headers but stalls the body still times out.
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: message.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    httpStatus = response.status;
    text = await response.text();
  } catch (error) {
    return transient(describeFetchError(error, options.timeoutMs));
  }
  // DingTalk answers business errors with HTTP 200, and some proxies errors with a JSON body on 4xx or
  // 5xx: the errcode decides, whatever the status (§1, §8.3).
  const answer = parseAnswer(text);
  if (answer !== undefined) return { kind: 'answer', ...answer, httpStatus };
  const quotedBody = text.replace(/\s+/g, ' ').trim().slice(0, MAX_QUOTED_BODY);
  const what = `HTTP ${httpStatus} without a DingTalk answer${quotedBody === '' ? '' : `: ${quotedBody}`}`;
  if (httpStatus === 429) {
    return {
      kind: 'failure',
      failure: {
        ok: false,
        retryable: true,
        class: 'rate_limited',
        reason: `${what} — rate limited by a proxy in front of DingTalk`,
        retryAfterMs: 60_000,
        httpStatus,
      },
    };
  }
  return transient(`${what} — DingTalk or a proxy failed, retry later`, httpStatus);
}

/** A failure before anything reached DingTalk that a retry would repeat. */
function notSent(detail: string): DingtalkFailure {
  return { ok: false, retryable: false, class: 'permanent', reason: `not sent: ${detail}`, requests: 0 };
}

function outcomeOf(
  exchange: Exchange,
  robot: DingtalkRobotConfig,
  message: RenderedDingtalkMessage,
  requests: number,
): DingtalkOutcome {
  if (exchange.kind === 'failure') return { ...exchange.failure, requests };
  if (exchange.errcode === 0) {
    return {
      ok: true,
      errcode: 0,
      includedItems: message.includedItems,
      omittedItems: message.omittedItems,
      requests,
    };
  }
  return classifyDingtalkError(exchange, robot, requests);
}

/**
 * Sends `notification` to `robot` once — twice when DingTalk says the signature's timestamp expired,
 * re-signed with a fresh `now()` — and tells the dispatcher what happened. Never throws.
 * @example
 * const outcome = await sendDingtalk(contact.dingtalk, notification, { now: () => clock.now(), timeoutMs: 5_000 });
 * if (!outcome.ok && outcome.retryable) retryLater(outcome.retryAfterMs);
 */
export async function sendDingtalk(
  robot: DingtalkRobotConfig,
  notification: RenderedNotification,
  options: DingtalkSendOptions,
): Promise<DingtalkOutcome> {
  if (!URL.canParse(robot.webhook.trim())) {
    return notSent('the webhook is not a valid URL');
  }
  let message: RenderedDingtalkMessage;
  try {
    message = renderDingtalkMessage(notification, robot, { msgUuid: options.msgUuid });
  } catch (error) {
    return notSent(error instanceof Error ? error.message : String(error));
  }
  try {
    const first = await postOnce(robot, message, options);
    if (first.kind === 'answer' && robot.secret && isExpiredTimestampAnswer(first.errcode, first.errmsg)) {
      // A signed URL built from a stale time (a paused process, a clock that jumped) deserves one more
      // try straight away; if that fails too the clock itself is wrong and the dispatcher must know.
      return outcomeOf(await postOnce(robot, message, options), robot, message, 2);
    }
    return outcomeOf(first, robot, message, 1);
  } catch (error) {
    // postOnce catches network errors itself; this is a bug (e.g. a throwing injected clock).
    return notSent(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
