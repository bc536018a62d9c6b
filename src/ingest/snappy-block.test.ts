// The snappy block decoder against snappyjs's compressor, and its refusals: lies about the length,
// copies before the start, truncation, and the body that sends snappyjs's own decoder into a long loop.
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { IngestDecodeError, PayloadTooLargeError } from './decode-errors.js';
import { snappyDeclaredLength, snappyUncompress } from './snappy-block.js';

const MB = 1024 * 1024;

describe('snappyUncompress', () => {
  it('restores what snappyjs compressed, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        expect(snappyUncompress(compress(bytes), MB)).toEqual(bytes);
      }),
    );
  });

  it('restores repetitive input (long copies that overlap what they write)', () => {
    const text = new TextEncoder().encode('abcabcabc'.repeat(10_000) + 'x'.repeat(70_000));
    expect(snappyUncompress(compress(text), MB)).toEqual(text);
  });

  it('restores an empty body', () => {
    expect(snappyUncompress(compress(new Uint8Array(0)), MB)).toEqual(new Uint8Array(0));
  });

  it('refuses a declared length over the limit with 413 before decompressing', () => {
    const body = compress(new Uint8Array(2000));
    expect(() => snappyUncompress(body, 1999)).toThrow(PayloadTooLargeError);
    expect(snappyUncompress(body, 2000)).toHaveLength(2000);
  });

  it('refuses a declared length the compressed bytes cannot possibly hold, without allocating it', () => {
    // 4 GiB - 1 declared by a 7-byte body.
    const body = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61]);
    expect(() => snappyUncompress(body, 2 ** 32)).toThrow(/more than 7 compressed bytes can hold/);
  });

  it('refuses a body whose literal length is 2^31 in 9 bytes (snappyjs 0.7 loops two billion times on it)', () => {
    const body = Uint8Array.from([10, 0xfc, 0, 0, 0, 0x80, 1, 2, 3]);
    expect(() => snappyUncompress(body, MB)).toThrow(IngestDecodeError);
  });

  it('refuses output shorter than declared', () => {
    const body = compress(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const lying = Uint8Array.from(body);
    lying[0] = 20;
    expect(() => snappyUncompress(lying, MB)).toThrow(/holds 8 bytes but declares 20/);
  });

  it('refuses output longer than declared', () => {
    const body = compress(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    const lying = Uint8Array.from(body);
    lying[0] = 4;
    expect(() => snappyUncompress(lying, MB)).toThrow(/more bytes than it declares/);
  });

  it('refuses a copy from before the start of the output', () => {
    // Declares 8 bytes; literal "ab", then a 1-byte-offset copy of 4 bytes from offset 5.
    const body = Uint8Array.from([8, 0x04, 0x61, 0x62, 0x01, 0x05]);
    expect(() => snappyUncompress(body, MB)).toThrow(/before the start/);
  });

  it('refuses every truncation of a valid body', () => {
    const body = compress(new TextEncoder().encode('remote write '.repeat(200)));
    for (let length = 0; length < body.length; length++) {
      expect(() => snappyUncompress(body.subarray(0, length), MB)).toThrow(IngestDecodeError);
    }
  });
});

describe('snappyDeclaredLength', () => {
  it('reads the leading varint', () => {
    expect(snappyDeclaredLength(Uint8Array.from([0xac, 0x02, 0x00]))).toEqual({
      length: 300,
      headerBytes: 2,
    });
  });

  it('refuses a missing, endless or over-32-bit varint', () => {
    expect(() => snappyDeclaredLength(new Uint8Array(0))).toThrow(IngestDecodeError);
    expect(() => snappyDeclaredLength(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(
      IngestDecodeError,
    );
    expect(() => snappyDeclaredLength(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x1f]))).toThrow(
      IngestDecodeError,
    );
  });
});
