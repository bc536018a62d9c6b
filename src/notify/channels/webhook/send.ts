// Delivers one rendered notification to one generic webhook: renders and signs the body, checks at send
// time where the host name points (SSRF), connects to exactly the checked address, does not follow
// redirects, and returns an outcome — it never throws. Retrying and recording belong to the dispatcher.
import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { webhookUrlProblem } from '../../../domain/network-address.js';
import type { ChannelSuccess } from '../../channel-outcome.js';
import type { RenderedNotification } from '../../rendered-notification.js';
import {
  classifyWebhookAnswer,
  MAX_QUOTED_ANSWER_BYTES,
  type WebhookAnswer,
  type WebhookFailure,
} from './answer-classification.js';
import { TOCSIN_OWNED_HEADERS, type WebhookConfig } from './config.js';
import {
  bareHostname,
  checkedDestination,
  pinnedLookup,
  resolveWithSystem,
  type ResolveHost,
} from './destination.js';
import { renderWebhookBody, type RenderedWebhookBody } from './render.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './sign.js';

export type { WebhookFailure, WebhookFailureClass } from './answer-classification.js';

export interface WebhookSuccess extends ChannelSuccess {
  readonly ok: true;
  readonly httpStatus: number;
  readonly requests: 1;
}

export type WebhookOutcome = WebhookSuccess | WebhookFailure;

export interface WebhookSendOptions {
  /** Epoch milliseconds: the signature's timestamp and the payload's `sentAt`. */
  readonly now: () => number;
  /** Covers resolving, connecting, sending and reading the start of the answer. */
  readonly timeoutMs: number;
  /** `TOCSIN_ALLOWED_WEBHOOK_ORIGINS`: origins that may resolve to internal addresses. */
  readonly allowedWebhookOrigins: readonly string[];
  /** Stable across retries of the same notification: `X-Tocsin-Notification` and the payload's `notificationId`. */
  readonly notificationId?: string;
  /** Defaults to the system resolver; tests point names at 127.0.0.1 with it. */
  readonly resolveHost?: ResolveHost;
}

const USER_AGENT = 'Tocsin-Webhook/1';

function notSent(detail: string): WebhookFailure {
  return { ok: false, retryable: false, class: 'permanent', reason: `not sent: ${detail}`, requests: 0 };
}

function transient(reason: string, requests: 0 | 1): WebhookFailure {
  return { ok: false, retryable: true, class: 'transient', reason, requests };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return (
    signal.aborted ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
  );
}

/** A socket or DNS error as a user reads it: `ECONNREFUSED connect ECONNREFUSED 10.1.2.3:443`. */
function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `${typeof code === 'string' && !errorMessage(error).includes(code) ? `${code} ` : ''}${errorMessage(error)}`;
}

/** Rejects when `signal` aborts; `dns.lookup` cannot be cancelled, so this only stops waiting for it. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>(function raceAbort(resolve, reject) {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function requestHeaders(
  webhook: WebhookConfig,
  rendered: RenderedWebhookBody,
  timestamp: number,
  notificationId: string | undefined,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(webhook.headers)) {
    if (!TOCSIN_OWNED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  if (rendered.contentType !== null) headers['Content-Type'] = rendered.contentType;
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent'))
    headers['User-Agent'] = USER_AGENT;
  headers['Content-Length'] = Buffer.byteLength(rendered.body, 'utf8');
  headers[TIMESTAMP_HEADER] = String(timestamp);
  if (webhook.secret) headers[SIGNATURE_HEADER] = webhookSignature(webhook.secret, timestamp, rendered.body);
  if (notificationId !== undefined)
    headers['X-Tocsin-Notification'] = notificationId.replace(/[^\x21-\x7e]/g, '');
  return headers;
}

/** Reads up to `MAX_QUOTED_ANSWER_BYTES` of the body, then lets the connection go (it is never reused). */
function readAnswerStart(response: IncomingMessage): Promise<WebhookAnswer> {
  return new Promise<WebhookAnswer>(function collectAnswer(resolve) {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      response.destroy();
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        headers: response.headers,
        bodyStart: Buffer.concat(chunks).subarray(0, MAX_QUOTED_ANSWER_BYTES),
      });
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= MAX_QUOTED_ANSWER_BYTES) finish();
    });
    response.on('end', finish);
    // The status already arrived and decides the outcome; a body cut short only shortens the quote.
    response.on('error', finish);
    response.on('close', finish);
  });
}

function exchange(
  url: URL,
  address: LookupAddress,
  method: string,
  headers: OutgoingHttpHeaders,
  body: string,
  signal: AbortSignal,
): Promise<WebhookAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookAnswer>(function sendRequest(resolve, reject) {
    const outgoing = request({
      protocol: url.protocol,
      hostname: bareHostname(url),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      // The pinned address is the point: a pooled socket or a fresh DNS answer would bypass the check.
      agent: false,
      lookup: pinnedLookup(address),
      signal,
    });
    outgoing.on('response', (response) => {
      readAnswerStart(response).then(resolve, reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function deliver(
  webhook: WebhookConfig,
  notification: RenderedNotification,
  options: WebhookSendOptions,
): Promise<WebhookOutcome> {
  const problem = webhookUrlProblem(webhook.url.trim(), options.allowedWebhookOrigins);
  if (problem !== null) return notSent(`the webhook URL ${problem}`);
  const url = new URL(webhook.url.trim());
  const sentAt = options.now();
  let rendered: RenderedWebhookBody;
  try {
    rendered = renderWebhookBody(notification, webhook, { notificationId: options.notificationId, sentAt });
  } catch (error) {
    return notSent(errorMessage(error));
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  let destination;
  try {
    destination = await untilAborted(
      checkedDestination(url, options.allowedWebhookOrigins, options.resolveHost ?? resolveWithSystem),
      signal,
    );
  } catch (error) {
    if (isTimeout(error, signal))
      return transient(`could not resolve ${url.hostname} within ${options.timeoutMs} ms`, 0);
    return transient(`could not resolve ${url.hostname}: ${describeNetworkError(error)}`, 0);
  }
  if (destination.kind === 'refused') return notSent(`refused: ${destination.reason}`);
  const headers = requestHeaders(webhook, rendered, Math.floor(sentAt / 1000), options.notificationId);
  let answer: WebhookAnswer;
  try {
    answer = await exchange(url, destination.address, webhook.method, headers, rendered.body, signal);
  } catch (error) {
    if (isTimeout(error, signal)) {
      return transient(
        `no answer within ${options.timeoutMs} ms (timeout); the receiver may still have got the message`,
        1,
      );
    }
    return transient(`network error: ${describeNetworkError(error)}`, 1);
  }
  if (answer.status >= 200 && answer.status < 300)
    return { ok: true, httpStatus: answer.status, requests: 1 };
  return classifyWebhookAnswer(answer, options.now());
}

/**
 * Sends `notification` to `webhook` once and tells the dispatcher what happened. Never throws.
 * @example
 * const outcome = await sendWebhook(contact.webhook, notification, {
 *   now: () => clock.now(), timeoutMs: 10_000, allowedWebhookOrigins: config.allowedWebhookOrigins, notificationId,
 * });
 * if (!outcome.ok && outcome.retryable) retryLater(outcome.retryAfterMs);
 */
export async function sendWebhook(
  webhook: WebhookConfig,
  notification: RenderedNotification,
  options: WebhookSendOptions,
): Promise<WebhookOutcome> {
  try {
    return await deliver(webhook, notification, options);
  } catch (error) {
    // deliver catches what the network does; this is a bug (e.g. a throwing injected clock).
    return notSent(`unexpected error: ${errorMessage(error)}`);
  }
}
