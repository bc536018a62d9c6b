// Unit tests of the 加签 algorithm against the test vectors of dingtalk-robot.md §2b.
import { describe, expect, it } from 'vitest';
import { computeSign, verifySignature } from './signature.js';
import { VECTOR_1, VECTOR_2 } from './test-support.js';

const HOUR = 3_600_000;

describe('computeSign', () => {
  it('reproduces both sign test vectors of the protocol notes', () => {
    expect(computeSign(String(VECTOR_1.timestamp), VECTOR_1.secret)).toBe(VECTOR_1.sign);
    expect(computeSign(String(VECTOR_2.timestamp), VECTOR_2.secret)).toBe(VECTOR_2.sign);
  });

  it('encodes to the documented query value with a single encodeURIComponent', () => {
    expect(encodeURIComponent(VECTOR_1.sign)).toBe(VECTOR_1.encodedSign);
    expect(encodeURIComponent(VECTOR_2.sign)).toBe(VECTOR_2.encodedSign);
  });
});

describe('verifySignature', () => {
  const base = { secret: VECTOR_2.secret, timestamp: String(VECTOR_2.timestamp), toleranceMs: HOUR };

  it('accepts the right sign exactly one hour before or after the timestamp, and rejects a millisecond more', () => {
    const ok = { ...base, sign: VECTOR_2.sign };
    expect(verifySignature({ ...ok, nowMs: VECTOR_2.timestamp + HOUR })).toBe('ok');
    expect(verifySignature({ ...ok, nowMs: VECTOR_2.timestamp - HOUR })).toBe('ok');
    expect(verifySignature({ ...ok, nowMs: VECTOR_2.timestamp + HOUR + 1 })).toBe('expired');
    expect(verifySignature({ ...ok, nowMs: VECTOR_2.timestamp - HOUR - 1 })).toBe('expired');
  });

  it('calls a missing sign or a missing timestamp a mismatch, as DingTalk does', () => {
    expect(verifySignature({ ...base, sign: undefined, nowMs: VECTOR_2.timestamp })).toBe('sign-mismatch');
    expect(
      verifySignature({ ...base, timestamp: undefined, sign: VECTOR_2.sign, nowMs: VECTOR_2.timestamp }),
    ).toBe('sign-mismatch');
  });

  it('checks the window before the sign, so a stale wrong sign is reported as expired', () => {
    expect(verifySignature({ ...base, sign: 'wrong', nowMs: VECTOR_2.timestamp + 2 * HOUR })).toBe('expired');
  });

  it('rejects a sign made with another secret or one whose "+" was decoded to a space', () => {
    const other = computeSign(base.timestamp, 'SECother');
    expect(verifySignature({ ...base, sign: other, nowMs: VECTOR_2.timestamp })).toBe('sign-mismatch');
    expect(
      verifySignature({ ...base, sign: VECTOR_2.sign.replace('/', ' '), nowMs: VECTOR_2.timestamp }),
    ).toBe('sign-mismatch');
  });

  it('treats a timestamp that is not decimal milliseconds as invalid', () => {
    expect(verifySignature({ ...base, timestamp: '1700000000', sign: 'x', nowMs: VECTOR_2.timestamp })).toBe(
      'expired',
    );
    expect(verifySignature({ ...base, timestamp: 'abc', sign: 'x', nowMs: VECTOR_2.timestamp })).toBe(
      'expired',
    );
  });
});
