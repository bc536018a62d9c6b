// The 加签 (sign request) check of dingtalk-robot.md §2b: sign = base64(HMAC-SHA256(key = secret,
// data = timestamp + "\n" + secret)), sent percent-encoded once in the query next to the timestamp.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The base64 signature DingTalk expects for `timestamp` (decimal milliseconds, as sent) and `secret`.
 * @example computeSign('1700000000000', 'SEC0123456789abcdef') // 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk='
 */
export function computeSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

export type SignatureVerdict = 'ok' | 'sign-mismatch' | 'expired';

export interface SignatureCheck {
  readonly secret: string;
  /** The decoded query values (`+` already turned into a space), absent when not sent. */
  readonly timestamp: string | undefined;
  readonly sign: string | undefined;
  readonly nowMs: number;
  /** |now − timestamp| above this is expired; DingTalk documents one hour. */
  readonly toleranceMs: number;
}

/**
 * Judges one request's signature. A missing timestamp or sign is a mismatch (that is what DingTalk
 * answers, §2b); with both present the window is checked before the sign (§9.6, order uncertain).
 */
export function verifySignature(check: SignatureCheck): SignatureVerdict {
  const { timestamp, sign } = check;
  if (timestamp === undefined || timestamp === '' || sign === undefined || sign === '') {
    return 'sign-mismatch';
  }
  if (!/^\d{1,16}$/.test(timestamp)) return 'expired';
  if (Math.abs(check.nowMs - Number(timestamp)) > check.toleranceMs) return 'expired';
  const expected = Buffer.from(computeSign(timestamp, check.secret), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'sign-mismatch';
}
