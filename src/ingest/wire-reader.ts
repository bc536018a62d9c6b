// A minimal reader of the protobuf wire format for hand-written hot-path decoders (remote-write):
// varints, fixed-width numbers read straight from the buffer, length-delimited fields, and skipping of
// unknown fields of every wire type. Every read is bounds-checked and throws IngestDecodeError, so a
// corrupt body can neither read past the buffer nor loop.
import { IngestDecodeError } from './decode-errors.js';

/** Protobuf wire types (the low three bits of a field's tag). */
export const WIRE_TYPE = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;

/** Groups nested deeper than this are refused rather than followed. */
const MAX_GROUP_DEPTH = 64;

/** Reads one protobuf message (and the messages nested in it) from a byte buffer, front to back. */
export class WireReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** The same bytes as a Buffer (no copy), for decoding text. */
  readonly #text: Buffer;
  /** The offset of the next byte to read. */
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint of at most 32 significant bits (tags, lengths, enums), as an unsigned number. */
  uint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos >= bytes.length) throw truncated();
    let byte = bytes[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    let scale = 0x80;
    for (let i = 1; i < 5; i++) {
      if (pos >= bytes.length) throw truncated();
      byte = bytes[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        // Protobuf keeps the low 32 bits of a wider varint for 32-bit fields.
        return value > 0xffff_ffff ? value % 0x1_0000_0000 : value;
      }
      scale *= 0x80;
    }
    // A negative int32 is written as 10 bytes; keep the low 32 bits and skip the sign extension.
    this.pos = pos;
    this.skipVarintTail(5);
    return value % 0x1_0000_0000;
  }

  /**
   * A varint holding an int64, as a number: exact up to 2^53, rounded beyond (millisecond timestamps
   * and counts are far below). Negative values (10 bytes, two's complement) come out negative.
   */
  int64(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    // Fast path: up to 7 bytes (49 bits) sum exactly in a double. Kept small so that V8 inlines it
    // into the sample loop; Math.pow (`2 ** shift`) here once dominated the whole decode.
    if (pos + 7 <= bytes.length) {
      let value = 0;
      let scale = 1;
      for (let i = 0; i < 7; i++) {
        const byte = bytes[pos++]!;
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) {
          this.pos = pos;
          return value;
        }
        scale *= 0x80;
      }
    }
    return this.#wideInt64(this.pos);
  }

  /** The general case: near the end of the buffer, or wider than 49 bits (negative values take 10 bytes). */
  #wideInt64(start: number): number {
    const bytes = this.bytes;
    let pos = start;
    let wide = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw truncated();
      const byte = bytes[pos++]!;
      wide |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) {
        this.pos = pos;
        return Number(BigInt.asIntN(64, wide));
      }
    }
    throw new IngestDecodeError('corrupt protobuf: a varint is longer than 10 bytes');
  }

  /** A little-endian double (wire type fixed64). */
  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.bytes.length) throw truncated();
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** The end offset of a length-delimited field whose length comes next; `pos` is left at its start. */
  lengthDelimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.bytes.length) {
      throw new IngestDecodeError(
        `corrupt protobuf: a field of ${length} bytes runs past the end of the body (truncated?)`,
      );
    }
    return end;
  }

  /** UTF-8 text from `pos` to `end` (invalid sequences become U+FFFD); `pos` moves to `end`. */
  string(end: number): string {
    const start = this.pos;
    this.pos = end;
    // Buffer#toString decodes natively into a flat string: faster than TextDecoder on short label text,
    // and than building strings char by char (which also leaves cons-strings to flatten when hashed).
    return this.#text.toString('utf8', start, end);
  }

  /**
   * Skips the value of a field whose tag was just read, whatever its wire type, groups included.
   * @throws IngestDecodeError for wire types 6 and 7, an unmatched end-group, or a truncated value.
   */
  skip(wireType: number, fieldNumber: number): void {
    switch (wireType) {
      case WIRE_TYPE.varint:
        this.skipVarintTail(10);
        return;
      case WIRE_TYPE.fixed64:
        this.advance(8);
        return;
      case WIRE_TYPE.lengthDelimited:
        this.pos = this.lengthDelimitedEnd();
        return;
      case WIRE_TYPE.fixed32:
        this.advance(4);
        return;
      case WIRE_TYPE.startGroup:
        this.skipGroup(fieldNumber);
        return;
      case WIRE_TYPE.endGroup:
        throw new IngestDecodeError(
          `corrupt protobuf: an end-group for field ${fieldNumber} without its start`,
        );
      default:
        throw new IngestDecodeError(`corrupt protobuf: wire type ${wireType} does not exist`);
    }
  }

  /** The tag of the next field (field number << 3 | wire type); field number 0 is refused. */
  tag(): number {
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw new IngestDecodeError('corrupt protobuf: field number 0');
    return tag;
  }

  private advance(count: number): void {
    if (this.pos + count > this.bytes.length) throw truncated();
    this.pos += count;
  }

  /** Skips the rest of a varint of at most `maxBytes` bytes. */
  private skipVarintTail(maxBytes: number): void {
    const bytes = this.bytes;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= bytes.length) throw truncated();
      if (bytes[this.pos++]! < 0x80) return;
    }
    throw new IngestDecodeError('corrupt protobuf: a varint is longer than 10 bytes');
  }

  /** Skips fields up to the end-group matching `fieldNumber`, following nested groups without recursion. */
  private skipGroup(fieldNumber: number): void {
    const open = [fieldNumber];
    while (open.length > 0) {
      const tag = this.tag();
      const wireType = tag & 7;
      const field = tag >>> 3;
      if (wireType === WIRE_TYPE.startGroup) {
        if (open.length >= MAX_GROUP_DEPTH)
          throw new IngestDecodeError('corrupt protobuf: groups nested too deep');
        open.push(field);
      } else if (wireType === WIRE_TYPE.endGroup) {
        if (open.pop() !== field) throw new IngestDecodeError('corrupt protobuf: mismatched end-group');
      } else {
        this.skip(wireType, field);
      }
    }
  }
}

function truncated(): IngestDecodeError {
  return new IngestDecodeError('corrupt protobuf: the body ends in the middle of a field (truncated?)');
}
