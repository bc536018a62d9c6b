// Snappy block-format decompression (the `Content-Encoding: snappy` of Prometheus remote-write), strict
// about every length. Ours rather than snappyjs's `uncompress`: a 9-byte body with a literal length of
// 2^31 sends snappyjs 0.7 into a loop of two billion steps (snappy-block.test.ts keeps that body), and it
// accepts output shorter than declared.
import { IngestDecodeError, PayloadTooLargeError } from './decode-errors.js';

/**
 * At most this many output bytes per input byte: a 3-byte copy yields at most 64 bytes. A declared length
 * above it cannot be honest, so it is refused before anything is allocated.
 */
const MAX_EXPANSION = 22;

/**
 * The uncompressed length a snappy block declares (its leading varint), without decompressing.
 * @throws IngestDecodeError when the varint is missing, truncated or above 2^32 - 1.
 */
export function snappyDeclaredLength(input: Uint8Array): {
  readonly length: number;
  readonly headerBytes: number;
} {
  let length = 0;
  for (let i = 0; i < 5 && i < input.length; i++) {
    const byte = input[i]!;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      if (length > 0xffff_ffff) break;
      return { length, headerBytes: i + 1 };
    }
  }
  throw new IngestDecodeError(
    'not a snappy block: the uncompressed length at its start is missing or invalid',
  );
}

/**
 * Memory that snappyUncompress decompresses into, kept from one body to the next. A fresh buffer per
 * request costs new pages, which the kernel must map and zero: for a 250 kB remote-write body more than
 * the decompression itself on the bench machine (a virtual machine, where that is dear). What
 * snappyUncompress returns from it is valid until its next call with the same buffer.
 */
export class SnappyOutputBuffer {
  #bytes = new Uint8Array(0);

  /** Bodies decompressing to more than this get memory of their own, so that one cannot pin a lot of it. */
  constructor(readonly maxKeptBytes = 16 * 1024 * 1024) {}

  /** `length` bytes, contents undefined. */
  take(length: number): Uint8Array {
    if (length > this.maxKeptBytes) return new Uint8Array(length);
    if (this.#bytes.length < length) {
      this.#bytes = new Uint8Array(Math.min(this.maxKeptBytes, Math.max(length, this.#bytes.length * 2)));
    }
    return this.#bytes.subarray(0, length);
  }
}

/**
 * Decompresses one snappy block (not the framed stream format), into memory of its own or, given
 * `into`, into that reused buffer.
 * @throws PayloadTooLargeError when the declared length exceeds `maxLength`, checked before allocating;
 *   IngestDecodeError for anything corrupt: a length that does not match, a copy before the start.
 * @example snappyUncompress(body, 32 * 1024 * 1024)
 */
export function snappyUncompress(
  input: Uint8Array,
  maxLength: number,
  into?: SnappyOutputBuffer,
): Uint8Array {
  const { length, headerBytes } = snappyDeclaredLength(input);
  if (length > maxLength) {
    throw new PayloadTooLargeError(
      `the snappy body would decompress to ${length} bytes; at most ${maxLength} are allowed`,
      maxLength,
    );
  }
  if (length > (input.length - headerBytes) * MAX_EXPANSION) {
    throw corrupt(`it declares ${length} bytes, more than ${input.length} compressed bytes can hold`);
  }
  // Every byte of the output is written (the length is checked at the end), so reused memory needs no
  // clearing.
  const out = into ? into.take(length) : new Uint8Array(length);
  const end = input.length;
  let pos = headerBytes;
  let outPos = 0;
  while (pos < end) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: the length minus one is in the tag, or in the 1–4 bytes after it (tag values 60–63).
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > end) throw corrupt('a literal length is cut off');
        len = 0;
        for (let i = extra - 1; i >= 0; i--) len = len * 256 + input[pos + i]!;
        len += 1;
        pos += extra;
      }
      if (pos + len > end) throw corrupt('a literal runs past the end of the body');
      if (outPos + len > length) throw corrupt('it holds more bytes than it declares');
      // A loop beats creating a subarray for the short literals between copies.
      if (len < 32) {
        for (let i = 0; i < len; i++) out[outPos + i] = input[pos + i]!;
      } else {
        out.set(input.subarray(pos, pos + len), outPos);
      }
      pos += len;
      outPos += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > end) throw corrupt('a copy is cut off');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos]!;
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > end) throw corrupt('a copy is cut off');
      len = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > end) throw corrupt('a copy is cut off');
      len = (tag >>> 2) + 1;
      offset =
        input[pos]! + input[pos + 1]! * 0x100 + input[pos + 2]! * 0x1_0000 + input[pos + 3]! * 0x100_0000;
      pos += 4;
    }
    if (offset === 0 || offset > outPos) throw corrupt('a copy refers to bytes before the start');
    if (outPos + len > length) throw corrupt('it holds more bytes than it declares');
    const from = outPos - offset;
    if (offset >= len && len >= 16) {
      out.copyWithin(outPos, from, from + len);
    } else {
      // Byte by byte when short, and when offset < len: the copy then repeats bytes it has just written.
      for (let i = 0; i < len; i++) out[outPos + i] = out[from + i]!;
    }
    outPos += len;
  }
  if (outPos !== length) throw corrupt(`it holds ${outPos} bytes but declares ${length}`);
  return out;
}

function corrupt(why: string): IngestDecodeError {
  return new IngestDecodeError(`corrupt snappy body: ${why}`);
}
