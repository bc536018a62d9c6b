// Snappy block-format compression, for the remote-write requests Tocsin forwards. Greedy, as the reference
// compressor: 4-byte matches found through a hash table, 64 KiB blocks so every copy offset fits in two
// bytes, and a skip that speeds up over incompressible bytes. snappy-block.ts is its inverse.

const BLOCK_BYTES = 1 << 16;
const HASH_BITS = 14;
const MIN_MATCH = 4;

/**
 * Compresses `input` into one snappy block (not the framed stream format).
 * @example snappyCompress(toBinary(WriteRequestSchema, request))
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  // The reference implementation's bound (MaxCompressedLength): literal tags and short copies can make
  // the output a little longer than the input, never by more than a sixth.
  const out = new Uint8Array(32 + input.length + Math.ceil(input.length / 6));
  let outPos = writeVarint(out, 0, input.length);
  const table = new Int32Array(1 << HASH_BITS);
  for (let blockStart = 0; blockStart < input.length; blockStart += BLOCK_BYTES) {
    const blockEnd = Math.min(input.length, blockStart + BLOCK_BYTES);
    outPos = compressBlock(input, blockStart, blockEnd, out, outPos, table);
  }
  return out.subarray(0, outPos);
}

function compressBlock(
  input: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  outPos: number,
  table: Int32Array,
): number {
  table.fill(-1);
  let literalStart = start;
  let i = start;
  while (i + MIN_MATCH <= end) {
    const word = load32(input, i);
    const slot = Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
    const candidate = table[slot]!;
    table[slot] = i;
    if (candidate < start || load32(input, candidate) !== word) {
      // The longer nothing matched, the bigger the step: incompressible input is crossed quickly.
      i += 1 + ((i - literalStart) >> 5);
      continue;
    }
    let length = MIN_MATCH;
    while (i + length < end && input[candidate + length] === input[i + length]) length++;
    outPos = writeLiteral(input, literalStart, i, out, outPos);
    outPos = writeCopy(i - candidate, length, out, outPos);
    i += length;
    literalStart = i;
  }
  return writeLiteral(input, literalStart, end, out, outPos);
}

function load32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** A literal of input[from, to): its length minus one in the tag, or in 1–3 bytes after tag 60–62. */
function writeLiteral(input: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  const length = to - from;
  if (length === 0) return at;
  const n = length - 1;
  if (n < 60) {
    out[at++] = n << 2;
  } else if (n < 1 << 8) {
    out[at++] = 60 << 2;
    out[at++] = n;
  } else if (n < 1 << 16) {
    out[at++] = 61 << 2;
    out[at++] = n & 0xff;
    out[at++] = n >>> 8;
  } else {
    out[at++] = 62 << 2;
    out[at++] = n & 0xff;
    out[at++] = (n >>> 8) & 0xff;
    out[at++] = n >>> 16;
  }
  out.set(input.subarray(from, to), at);
  return at + length;
}

/** A copy of `length` bytes from `offset` back (offset < 64 KiB), split into copies of at most 64. */
function writeCopy(offset: number, length: number, out: Uint8Array, at: number): number {
  let left = length;
  // Pieces of 64 while that leaves at least 4 (a 1-byte-offset copy needs 4 to 11), then 60.
  while (left >= 68) {
    at = writeCopy2(offset, 64, out, at);
    left -= 64;
  }
  if (left > 64) {
    at = writeCopy2(offset, 60, out, at);
    left -= 60;
  }
  if (left <= 11 && offset < 2048) {
    out[at++] = 1 | ((left - 4) << 2) | ((offset >>> 8) << 5);
    out[at++] = offset & 0xff;
    return at;
  }
  return writeCopy2(offset, left, out, at);
}

function writeCopy2(offset: number, length: number, out: Uint8Array, at: number): number {
  out[at++] = 2 | ((length - 1) << 2);
  out[at++] = offset & 0xff;
  out[at++] = offset >>> 8;
  return at;
}
