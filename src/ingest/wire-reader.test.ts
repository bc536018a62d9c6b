// The protobuf wire reader against bufbuild's writer: varints of every width, negative int64, doubles,
// and skipping of every wire type (groups included); and its refusals of truncated or invalid input.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IngestDecodeError } from './decode-errors.js';
import { concat, protoField, varint } from './test-support.js';
import { WIRE_TYPE, WireReader } from './wire-reader.js';

describe('WireReader', () => {
  it('reads any int64 varint as the nearest number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const reader = new WireReader(new BinaryWriter().int64(value).finish());
        expect(reader.int64()).toBe(Number(value));
        expect(reader.pos).toBe(reader.bytes.length);
      }),
    );
  });

  it('reads millisecond timestamps exactly', () => {
    for (const ms of [
      0,
      1,
      127,
      128,
      2 ** 28 - 1,
      2 ** 28,
      1_767_225_600_123,
      2 ** 49 - 1,
      2 ** 49,
      2 ** 53 - 1,
    ]) {
      expect(new WireReader(new BinaryWriter().int64(ms).finish()).int64()).toBe(ms);
    }
  });

  it('reads uint32 varints, keeping the low 32 bits of wider ones as protobuf does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        expect(new WireReader(new BinaryWriter().uint32(value).finish()).uint32()).toBe(value);
      }),
    );
    // int32 -1 is written as ten bytes.
    const reader = new WireReader(new BinaryWriter().int32(-1).finish());
    expect(reader.uint32()).toBe(0xffff_ffff);
    expect(reader.pos).toBe(10);
  });

  it('reads little-endian doubles at any offset', () => {
    fc.assert(
      fc.property(fc.double(), fc.integer({ min: 0, max: 7 }), (value, offset) => {
        const bytes = concat(new Uint8Array(offset), new BinaryWriter().double(value).finish());
        const reader = new WireReader(bytes.subarray(offset));
        expect(reader.double()).toBe(value);
      }),
    );
  });

  it('skips a field of each wire type, nested groups included, to the next field', () => {
    const group = concat(
      varint((7 << 3) | WIRE_TYPE.startGroup),
      protoField(1, WIRE_TYPE.varint, 300),
      varint((8 << 3) | WIRE_TYPE.startGroup),
      protoField(2, WIRE_TYPE.fixed32, Uint8Array.from([1, 2, 3, 4])),
      varint((8 << 3) | WIRE_TYPE.endGroup),
      varint((7 << 3) | WIRE_TYPE.endGroup),
    );
    const fields = [
      protoField(1, WIRE_TYPE.varint, 2 ** 40),
      protoField(2, WIRE_TYPE.fixed64, new Uint8Array(8)),
      protoField(3, WIRE_TYPE.lengthDelimited, new Uint8Array(200)),
      protoField(4, WIRE_TYPE.fixed32, new Uint8Array(4)),
      group,
    ];
    const reader = new WireReader(concat(...fields, protoField(9, WIRE_TYPE.varint, 42)));
    for (let i = 0; i < fields.length; i++) {
      const tag = reader.tag();
      reader.skip(tag & 7, tag >>> 3);
    }
    expect(reader.tag()).toBe((9 << 3) | WIRE_TYPE.varint);
    expect(reader.uint32()).toBe(42);
  });

  it.each([
    ['wire type 6', Uint8Array.from([(1 << 3) | 6])],
    ['wire type 7', Uint8Array.from([(1 << 3) | 7])],
    ['an end-group without its start', Uint8Array.from([(1 << 3) | 4])],
    ['a mismatched end-group', Uint8Array.from([(1 << 3) | 3, (2 << 3) | 4])],
    ['an unterminated group', Uint8Array.from([(1 << 3) | 3, 0x08, 0x01])],
    ['field number 0', Uint8Array.from([0x00, 0x00])],
    ['an 11-byte varint', Uint8Array.from([0x08, ...new Array<number>(10).fill(0xff), 0x01])],
    ['a truncated fixed64', Uint8Array.from([0x09, 1, 2, 3])],
    ['a length past the end', Uint8Array.from([0x0a, 0x05, 1, 2])],
  ])('refuses %s with IngestDecodeError', (_, bytes) => {
    const reader = new WireReader(bytes);
    expect(() => {
      const tag = reader.tag();
      reader.skip(tag & 7, tag >>> 3);
    }).toThrow(IngestDecodeError);
  });

  it('refuses groups nested too deep instead of following them', () => {
    const open = varint((1 << 3) | WIRE_TYPE.startGroup);
    const reader = new WireReader(concat(...new Array<Uint8Array>(100).fill(open)));
    const tag = reader.tag();
    expect(() => reader.skip(tag & 7, tag >>> 3)).toThrow(/nested too deep/);
  });

  it('decodes UTF-8 strings, short and long, replacing invalid sequences', () => {
    for (const text of ['', 'job', 'région', '服务', 'x'.repeat(100), 'é'.repeat(40)]) {
      const bytes = new TextEncoder().encode(text);
      expect(new WireReader(bytes).string(bytes.length)).toBe(text);
    }
    expect(new WireReader(Uint8Array.from([0x61, 0xff])).string(2)).toBe('a\ufffd');
  });
});
