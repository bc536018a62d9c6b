// The webhook signature: `X-Tocsin-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed by
// the contact's webhook secret, with the same timestamp in `X-Tocsin-Timestamp` (Unix seconds). Signing
// the timestamp lets receivers refuse replays; docs/channels.md shows how to verify. Keep them in sync.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Tocsin-Signature';
export const TIMESTAMP_HEADER = 'X-Tocsin-Timestamp';

/**
 * The value of `X-Tocsin-Signature` for a body sent at `timestamp` (Unix seconds).
 * @example webhookSignature('0123456789abcdef', 1735693200, '{"version":1}') // 'sha256=…'
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

/**
 * What a receiver does: recompute the signature over the exact bytes received, compare in constant time,
 * and refuse timestamps further than `toleranceSeconds` from its own clock (replays).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly signature: string; readonly timestamp: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
