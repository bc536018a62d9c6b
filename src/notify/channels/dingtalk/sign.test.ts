// The 加签 signature against the two test vectors of dingtalk-robot.md §2b, and how it enters the URL.
import { describe, expect, it } from 'vitest';
import { dingtalkSign, signedWebhookUrl } from './sign.js';

const VECTORS = [
  {
    timestamp: 1_735_693_200_000,
    secret: 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c',
    sign: 'BSe0QzwtBdzTlEnmaVptmDApFF/EyDdmvpE/DajHtoE=',
    encoded: 'BSe0QzwtBdzTlEnmaVptmDApFF%2FEyDdmvpE%2FDajHtoE%3D',
  },
  {
    timestamp: 1_700_000_000_000,
    secret: 'SEC0123456789abcdef',
    sign: 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=',
    encoded: 'TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D',
  },
] as const;

const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';

describe('dingtalkSign', () => {
  it.each(VECTORS)('computes base64(HMAC-SHA256) $sign for timestamp $timestamp', (vector) => {
    expect(dingtalkSign(vector.timestamp, vector.secret)).toBe(vector.sign);
  });
});

describe('signedWebhookUrl', () => {
  it.each(VECTORS)('puts timestamp $timestamp and the sign percent-encoded exactly once', (vector) => {
    const url = signedWebhookUrl(WEBHOOK, vector.secret, vector.timestamp);
    expect(url).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=${vector.timestamp}&sign=${vector.encoded}`,
    );
    expect(new URL(url).searchParams.get('sign')).toBe(vector.sign);
  });

  it('keeps the other query parameters of the user URL and their values', () => {
    const url = new URL(
      signedWebhookUrl(`${WEBHOOK}&source=ops%2Fteam&empty=`, VECTORS[1].secret, VECTORS[1].timestamp),
    );
    expect(url.pathname).toBe('/robot/send');
    expect([...url.searchParams.keys()]).toEqual(['access_token', 'source', 'empty', 'timestamp', 'sign']);
    expect(url.searchParams.get('source')).toBe('ops/team');
    expect(url.searchParams.get('access_token')).toBe('abc123');
  });

  it('replaces a stale timestamp and sign pasted into the webhook instead of adding a second pair', () => {
    const stale = `${WEBHOOK}&timestamp=1&sign=old`;
    const url = new URL(signedWebhookUrl(stale, VECTORS[1].secret, VECTORS[1].timestamp));
    expect(url.searchParams.getAll('timestamp')).toEqual([String(VECTORS[1].timestamp)]);
    expect(url.searchParams.getAll('sign')).toEqual([VECTORS[1].sign]);
  });

  it('signs every call with the time it is given, so a long-running process never sends a stale sign', () => {
    const first = new URL(signedWebhookUrl(WEBHOOK, VECTORS[1].secret, 1_700_000_000_000));
    const later = new URL(signedWebhookUrl(WEBHOOK, VECTORS[1].secret, 1_700_003_700_000));
    expect(later.searchParams.get('timestamp')).toBe('1700003700000');
    expect(later.searchParams.get('sign')).not.toBe(first.searchParams.get('sign'));
  });

  it('ignores spaces pasted around the webhook and truncates fractional milliseconds', () => {
    const url = new URL(signedWebhookUrl(`  ${WEBHOOK} `, VECTORS[1].secret, VECTORS[1].timestamp + 0.7));
    expect(url.searchParams.get('timestamp')).toBe(String(VECTORS[1].timestamp));
    expect(url.searchParams.get('access_token')).toBe('abc123');
  });
});
