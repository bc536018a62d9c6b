// DingTalk's 加签 (dingtalk-robot.md §2b): a fresh millisecond timestamp and HMAC-SHA256 sign for every
// request, put into the webhook's query encoded exactly once.
import { createHmac } from 'node:crypto';

/** base64(HMAC-SHA256(key = secret, data = `${timestampMs}\n${secret}`)); the `SEC` prefix is part of the key. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The webhook URL to POST to at `nowMs`: `timestamp` and `sign` set (replacing any stale ones), every
 * other query parameter of the user's URL kept. URLSearchParams encodes the raw base64 once; encoding
 * it ourselves first would double-encode it, the commonest cause of `sign not match` (§2b).
 * Sign per request, never once at start-up: DingTalk rejects timestamps more than an hour old.
 * @example signedWebhookUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SEC…', Date.now())
 */
export function signedWebhookUrl(webhook: string, secret: string, nowMs: number): string {
  // A trailing space pasted with the URL broke other clients (DolphinScheduler #14036).
  const url = new URL(webhook.trim());
  const timestampMs = Math.trunc(nowMs);
  url.searchParams.set('timestamp', String(timestampMs));
  url.searchParams.set('sign', dingtalkSign(timestampMs, secret));
  return url.toString();
}
