// Property-based fuzzing of every ingestion decoder with hostile input: random bytes, and valid payloads
// truncated, bit-flipped, overwritten or spliced. Each decoder must either return well-formed series or
// throw one of the typed ingest errors — never a TypeError, RangeError or anything else — and must not
// hand back more than its decoded-size limit. A hang fails the test by its timeout.
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import type { IngestSeries } from '../domain/metric-series.js';
import { decodeBody } from './body.js';
import { IngestDecodeError, isIngestError } from './decode-errors.js';
import { decodeOtlpMetrics } from './otlp.js';
import { decodePush } from './push.js';
import { decodeRemoteWrite, decodeWriteRequest } from './remote-write.js';
import { snappyUncompress } from './snappy-block.js';
import {
  encodeOtlpJson,
  encodeOtlpRequest,
  encodeWriteRequest,
  otlpRequestArb,
  varint,
  writeRequestArb,
} from './test-support.js';

const LIMIT = 256 * 1024;
const RUNS = { numRuns: 300 };

/** Valid bytes damaged in one of the ways a network, a bug or an attacker would damage them. */
function damaged(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const truncated = fc
    .tuple(valid, fc.nat())
    .map(([bytes, at]) => bytes.subarray(0, at % (bytes.length + 1)));
  const flipped = fc.tuple(valid, fc.array(fc.nat(), { minLength: 1, maxLength: 6 })).map(([bytes, bits]) => {
    const out = Uint8Array.from(bytes);
    if (out.length === 0) return out;
    for (const bit of bits) out[(bit >>> 3) % out.length]! ^= 1 << (bit & 7);
    return out;
  });
  const overwritten = fc
    .tuple(valid, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 12 }))
    .map(([bytes, at, junk]) => {
      const out = Uint8Array.from(bytes);
      if (out.length > 0) out.set(junk.subarray(0, out.length - (at % out.length)), at % out.length);
      return out;
    });
  const spliced = fc.tuple(valid, fc.nat(), fc.uint8Array({ maxLength: 16 })).map(([bytes, at, junk]) => {
    const cut = at % (bytes.length + 1);
    return Uint8Array.from(Buffer.concat([bytes.subarray(0, cut), junk, bytes.subarray(cut)]));
  });
  return fc.oneof(truncated, flipped, overwritten, spliced);
}

const randomBytes = fc.uint8Array({ maxLength: 4096 });
const writeRequestBytes = writeRequestArb.map(encodeWriteRequest);
const otlpProtobufBytes = otlpRequestArb.map(encodeOtlpRequest);
const otlpJsonBytes = otlpRequestArb.map((init) => encodeOtlpJson(init));
const text = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** Runs a decoder; an error must be a typed ingest error, a result must hold well-formed series. */
function decodesOrRefuses(run: () => IngestSeries[] | Uint8Array | undefined): void {
  let result: IngestSeries[] | Uint8Array | undefined;
  try {
    result = run();
  } catch (error) {
    if (!isIngestError(error)) throw error;
    return;
  }
  if (result instanceof Uint8Array) expect(result.length).toBeLessThanOrEqual(LIMIT);
  else if (result) expectWellFormed(result);
}

async function decodesOrRefusesAsync(run: () => Promise<Uint8Array>): Promise<void> {
  try {
    expect((await run()).length).toBeLessThanOrEqual(LIMIT);
  } catch (error) {
    if (!isIngestError(error)) throw error;
  }
}

function expectWellFormed(series: readonly IngestSeries[]): void {
  for (const s of series) {
    expect(s.timestampsMs.length).toBe(s.values.length);
    expect(s.values.length).toBeGreaterThan(0);
    expect(typeof s.metric).toBe('string');
    expect(s.metric).not.toBe('');
    for (const [name, value] of Object.entries(s.labels)) {
      expect(typeof name).toBe('string');
      expect(typeof value).toBe('string');
    }
    for (const t of s.timestampsMs) expect(typeof t).toBe('number');
  }
}

describe('remote-write under hostile input', () => {
  it('decodeWriteRequest returns series or throws IngestDecodeError for random bytes', () => {
    fc.assert(
      fc.property(randomBytes, (bytes) => decodesOrRefuses(() => decodeWriteRequest(bytes))),
      RUNS,
    );
  });

  it('decodeWriteRequest returns series or throws IngestDecodeError for damaged requests', () => {
    fc.assert(
      fc.property(damaged(writeRequestBytes), (bytes) => decodesOrRefuses(() => decodeWriteRequest(bytes))),
      RUNS,
    );
  });

  it('decodeRemoteWrite copes with random bytes, damaged snappy bodies and snappy-wrapped damaged requests', () => {
    const bodies = fc.oneof(
      randomBytes,
      damaged(writeRequestBytes.map((raw) => compress(raw))),
      damaged(writeRequestBytes).map((raw) => compress(raw)),
    );
    fc.assert(
      fc.property(bodies, (body) =>
        decodesOrRefuses(() => decodeRemoteWrite(body, { maxDecodedBytes: LIMIT })),
      ),
      RUNS,
    );
  });
});

describe('OTLP under hostile input', () => {
  it('protobuf: returns a result or throws IngestDecodeError for random and damaged bodies', () => {
    fc.assert(
      fc.property(fc.oneof(randomBytes, damaged(otlpProtobufBytes)), (body) =>
        decodesOrRefuses(() => decodeOtlpMetrics(body, 'protobuf').series),
      ),
      RUNS,
    );
  });

  it('JSON: returns a result or throws IngestDecodeError for random bytes and damaged bodies', () => {
    fc.assert(
      fc.property(fc.oneof(randomBytes, damaged(otlpJsonBytes)), (body) =>
        decodesOrRefuses(() => decodeOtlpMetrics(body, 'json').series),
      ),
      RUNS,
    );
  });

  it('JSON: returns a result or throws IngestDecodeError for any JSON value at any level of a request', () => {
    const shapes = fc.jsonValue({ maxDepth: 4 }).chain((x) =>
      fc.constantFrom(
        x,
        { resourceMetrics: x },
        { resourceMetrics: [{ resource: x, scopeMetrics: [] }] },
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [x] }] }] },
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', sum: x }] }] }] },
        { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [x] } }] }] }] },
        {
          resourceMetrics: [
            {
              scopeMetrics: [{ metrics: [{ name: 'm', histogram: { dataPoints: [{ exemplars: [x] }] } }] }],
            },
          ],
        },
        { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: x }] } }] },
      ),
    );
    fc.assert(
      fc.property(shapes, (value) => decodesOrRefuses(() => decodeOtlpMetrics(text(value), 'json').series)),
      RUNS,
    );
  });

  it('refuses attribute values nested too deep (100 000 in JSON, 2 000 in protobuf) with IngestDecodeError', () => {
    const depth = 100_000;
    const json =
      '{"resourceMetrics":[{"resource":{"attributes":[{"key":"k","value":' +
      '{"arrayValue":{"values":['.repeat(depth) +
      ']}}'.repeat(depth) +
      '}]}}]}';
    expect(() => decodeOtlpMetrics(new TextEncoder().encode(json), 'json')).toThrow(IngestDecodeError);
    // The same nesting in protobuf: AnyValue.array_value(5) { ArrayValue.values(1) { … } }, built inside out.
    let nested = new Uint8Array(0);
    for (let i = 0; i < 2_000; i++) {
      const values = Buffer.concat([Uint8Array.from([0x0a]), varint(nested.length), nested]);
      nested = Uint8Array.from(Buffer.concat([Uint8Array.from([0x2a]), varint(values.length), values]));
    }
    const keyValue = Buffer.concat([
      Uint8Array.from([0x0a, 0x01, 0x6b, 0x12]),
      varint(nested.length),
      nested,
    ]);
    const resource = Buffer.concat([Uint8Array.from([0x0a]), varint(keyValue.length), keyValue]);
    const resourceMetrics = Buffer.concat([Uint8Array.from([0x0a]), varint(resource.length), resource]);
    const request = Buffer.concat([Uint8Array.from([0x0a]), varint(resourceMetrics.length), resourceMetrics]);
    expect(() => decodeOtlpMetrics(request, 'protobuf')).toThrow(/maximum recursion depth/);
  });
});

describe('content decoding under hostile input', () => {
  const valid = fc.uint8Array({ maxLength: 2048 });

  it.each(['gzip', 'deflate', 'snappy'])(
    '%s: returns at most the limit or throws a typed error',
    async (coding) => {
      const encode = coding === 'gzip' ? gzipSync : coding === 'deflate' ? deflateSync : compress;
      const bodies = fc.oneof(randomBytes, damaged(valid.map((bytes) => Uint8Array.from(encode(bytes)))));
      await fc.assert(
        fc.asyncProperty(bodies, (body) =>
          decodesOrRefusesAsync(() => decodeBody(body, coding, { maxDecodedBytes: LIMIT })),
        ),
        { numRuns: 200 },
      );
    },
  );

  it('snappy: never returns more than the limit, even a small one', () => {
    fc.assert(
      fc.property(
        fc.oneof(randomBytes, damaged(valid.map((bytes) => compress(bytes)))),
        fc.nat({ max: 4096 }),
        (body, limit) => {
          try {
            expect(snappyUncompress(body, limit).length).toBeLessThanOrEqual(limit);
          } catch (error) {
            if (!isIngestError(error)) throw error;
          }
        },
      ),
      RUNS,
    );
  });
});

describe('JSON push under hostile input', () => {
  it('returns series or field problems for any JSON value, never throwing', () => {
    const sample = fc.record(
      {
        kind: fc.jsonValue({ maxDepth: 1 }),
        target: fc.jsonValue({ maxDepth: 1 }),
        metric: fc.oneof(fc.constantFrom('m', 'a.b', ''), fc.string()),
        labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue({ maxDepth: 2 })),
        value: fc.oneof(fc.double(), fc.jsonValue({ maxDepth: 1 })),
        timestamp: fc.oneof(fc.integer(), fc.double(), fc.jsonValue({ maxDepth: 1 })),
        type: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    );
    const bodies = fc.oneof(
      fc.jsonValue(),
      fc.record({ samples: fc.oneof(fc.array(sample, { maxLength: 5 }), fc.jsonValue()) }),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const result = decodePush(body, { nowMs: 0 });
        if (result.ok) expectWellFormed(result.value);
        else expect(result.problems.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
