// The compressor against two decoders, ours (snappy-block.ts) and snappyjs's, over random and repetitive
// bytes, and the sizes it reaches on what it is for: remote-write requests.
import fc from 'fast-check';
import { uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from './snappy-compress.js';
import { snappyUncompress } from './snappy-block.js';

/** Bytes with long repeats at every distance, the shape copies are made of. */
const repetitiveBytes = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3000 })), {
    maxLength: 60,
  })
  .map((pieces) => {
    const parts: Uint8Array[] = [];
    for (const [piece, times] of pieces) for (let i = 0; i < times % 50; i++) parts.push(piece);
    return new Uint8Array(Buffer.concat(parts));
  });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

describe('snappyCompress', () => {
  it('is undone by the strict decoder and by snappyjs, for any bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200_000 }), repetitiveBytes), (input) => {
        const compressed = snappyCompress(input);
        expect(sameBytes(snappyUncompress(compressed, input.length), input)).toBe(true);
        expect(sameBytes(new Uint8Array(uncompress(compressed)), input)).toBe(true);
        expect(compressed.length).toBeLessThanOrEqual(32 + input.length + Math.ceil(input.length / 6));
      }),
      { numRuns: 200 },
    );
  });

  it('crosses 64 KiB block boundaries and long runs', () => {
    const input = new Uint8Array(300_000);
    for (let i = 0; i < input.length; i++) input[i] = i % 251 < 200 ? 7 : i % 13;
    const compressed = snappyCompress(input);
    expect(sameBytes(snappyUncompress(compressed, input.length), input)).toBe(true);
    expect(compressed.length).toBeLessThan(input.length / 10);
  });

  it('compresses an empty input to its length alone', () => {
    expect(snappyCompress(new Uint8Array(0))).toEqual(new Uint8Array([0]));
  });

  it('shrinks label-heavy text several times, as remote-write needs', () => {
    const text = Array.from(
      { length: 2000 },
      (_, i) =>
        `jvm_gc_collection_seconds_count{gc="G1 Old Generation",instance="10.0.0.${i % 50}:9404"} ${i}\n`,
    ).join('');
    const input = new TextEncoder().encode(text);
    expect(snappyCompress(input).length).toBeLessThan(input.length / 4);
  });
});
