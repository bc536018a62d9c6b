// Test helpers for the ingestion decoders: requests built with the bufbuild-generated encoders, OTLP/JSON
// as the specification writes it (hex ids, integer enums), hand-made wire bytes for unknown fields, and
// fast-check arbitraries for random but valid requests. Not part of the build (tsconfig.build.json).
import { create, toBinary, toJson, type JsonValue, type MessageInitShape } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import {
  ExportMetricsServiceRequestSchema,
  type ExportMetricsServiceRequest,
} from '../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.js';
import { WriteRequestSchema } from '../gen/prometheus/prompb/remote_pb.js';

export type WriteRequestInit = MessageInitShape<typeof WriteRequestSchema>;
export type OtlpRequestInit = MessageInitShape<typeof ExportMetricsServiceRequestSchema>;

/** A prompb.WriteRequest as bytes, encoded by the generated code. */
export function encodeWriteRequest(init: WriteRequestInit): Uint8Array {
  return toBinary(WriteRequestSchema, create(WriteRequestSchema, init));
}

/** A remote-write body: the WriteRequest snappy-compressed, as Prometheus sends it. */
export function remoteWriteBody(init: WriteRequestInit): Uint8Array {
  return compress(encodeWriteRequest(init));
}

/** An OTLP export request as protobuf bytes. */
export function encodeOtlpRequest(init: OtlpRequestInit): Uint8Array {
  return toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, init));
}

/**
 * An OTLP export request as OTLP/JSON bytes: enums as integers and trace/span ids in hex, as the OTLP
 * specification requires (bufbuild's proto3 JSON writes enum names and base64). With `int64AsNumbers`,
 * 64-bit integers are written as JSON numbers instead of strings (both are allowed).
 */
export function encodeOtlpJson(
  init: OtlpRequestInit,
  options: { int64AsNumbers?: boolean } = {},
): Uint8Array {
  const message: ExportMetricsServiceRequest = create(ExportMetricsServiceRequestSchema, init);
  const json = toJson(ExportMetricsServiceRequestSchema, message, { enumAsInteger: true });
  const text = JSON.stringify(json, function otlpJsonValue(this: unknown, key: string, value: JsonValue) {
    if ((key === 'traceId' || key === 'spanId') && typeof value === 'string') {
      return Buffer.from(value, 'base64').toString('hex');
    }
    if (
      options.int64AsNumbers &&
      INT64_JSON_KEYS.has(key) &&
      typeof value === 'string' &&
      /^-?\d+$/.test(value)
    ) {
      return Number(value);
    }
    return value;
  });
  return new TextEncoder().encode(text);
}

const INT64_JSON_KEYS = new Set([
  'startTimeUnixNano',
  'timeUnixNano',
  'asInt',
  'count',
  'intValue',
  'zeroCount',
]);

/** The bytes of one protobuf field: tag then payload (a varint, 8 or 4 bytes, or length + bytes). */
export function protoField(fieldNumber: number, wireType: number, payload: Uint8Array | number): Uint8Array {
  const tag = varint(fieldNumber * 8 + wireType);
  if (typeof payload === 'number') return concat(tag, varint(payload));
  if (wireType === 2) return concat(tag, varint(payload.length), payload);
  return concat(tag, payload);
}

/** A non-negative integer as a protobuf varint. */
export function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** The eight bytes (little-endian) of Prometheus's staleness marker, NaN 0x7ff0000000000002. */
export const STALE_NAN_BYTES = Uint8Array.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

/** `body` with every occurrence of the little-endian double `placeholder` replaced by the staleness marker. */
export function withStaleMarkers(body: Uint8Array, placeholder: number): Uint8Array {
  const needle = new Uint8Array(new Float64Array([placeholder]).buffer);
  const out = Uint8Array.from(body);
  for (let i = 0; i + 8 <= out.length; i++) {
    if (needle.every((byte, j) => out[i + j] === byte)) out.set(STALE_NAN_BYTES, i);
  }
  return out;
}

const labelNames = fc.constantFrom(
  '__name__',
  'job',
  'instance',
  'service_name',
  'application',
  'app',
  'service',
  'le',
  'host',
  'env',
  'région',
);
const labelValues = fc.oneof(
  fc.constantFrom(
    '',
    'api',
    'http_requests_total',
    'rpc_seconds_count',
    'queue_sum',
    'temperature',
    '10.0.0.7:9100',
  ),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
);

/** Random valid WriteRequests: unique label names per series, any doubles and int64 timestamps, metadata. */
export const writeRequestArb: fc.Arbitrary<WriteRequestInit> = fc.record({
  timeseries: fc.array(
    fc.record({
      labels: fc.uniqueArray(fc.record({ name: labelNames, value: labelValues }), {
        selector: (label) => label.name,
        maxLength: 8,
      }),
      samples: fc.array(
        fc.record({
          value: fc.double(),
          timestamp: fc.oneof(
            fc.bigInt({ min: 1_600_000_000_000n, max: 1_900_000_000_000n }),
            fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          ),
        }),
        { maxLength: 6 },
      ),
      exemplars: fc.array(
        fc.record({ value: fc.double(), timestamp: fc.bigInt({ min: 0n, max: 2n ** 50n }) }),
        {
          maxLength: 1,
        },
      ),
    }),
    { maxLength: 6 },
  ),
  metadata: fc.array(
    fc.record({
      type: fc.integer({ min: 0, max: 7 }),
      metricFamilyName: fc.constantFrom(
        'http_requests',
        'http_requests_total',
        'rpc_seconds',
        'queue',
        'temperature',
      ),
      help: fc.string({ maxLength: 20 }),
      unit: fc.constantFrom('', 'seconds'),
    }),
    { maxLength: 3 },
  ),
});

const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const anyValue = fc.oneof(
  fc.record({
    value: fc.record({ case: fc.constant('stringValue' as const), value: fc.string({ maxLength: 20 }) }),
  }),
  fc.record({ value: fc.record({ case: fc.constant('boolValue' as const), value: fc.boolean() }) }),
  fc.record({
    value: fc.record({
      case: fc.constant('intValue' as const),
      value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    }),
  }),
  fc.record({ value: fc.record({ case: fc.constant('doubleValue' as const), value: fc.double() }) }),
  fc.record({
    value: fc.record({ case: fc.constant('bytesValue' as const), value: fc.uint8Array({ maxLength: 8 }) }),
  }),
  fc.record({
    value: fc.record({
      case: fc.constant('arrayValue' as const),
      value: fc.record({
        values: fc.array(
          fc.record({ value: fc.record({ case: fc.constant('stringValue' as const), value: fc.string() }) }),
          {
            maxLength: 3,
          },
        ),
      }),
    }),
  }),
);
const attributes = fc.array(
  fc.record({
    key: fc.constantFrom('http.method', 'http.route', 'host', 'le', 'region', ''),
    value: anyValue,
  }),
  { maxLength: 3 },
);
const exemplar = fc.record({
  timeUnixNano: nanos,
  value: fc.record({ case: fc.constant('asDouble' as const), value: fc.double() }),
  traceId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  spanId: fc.uint8Array({ minLength: 8, maxLength: 8 }),
});
const flags = fc.constantFrom(0, 0, 0, 1);
const numberPoint = fc.record({
  attributes,
  startTimeUnixNano: nanos,
  timeUnixNano: nanos,
  value: fc.oneof(
    fc.record({ case: fc.constant('asDouble' as const), value: fc.double() }),
    fc.record({
      case: fc.constant('asInt' as const),
      value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    }),
    fc.constant({ case: undefined }),
  ),
  exemplars: fc.array(exemplar, { maxLength: 1 }),
  flags,
});
const optionalDouble = fc.option(fc.double(), { nil: undefined });
const histogramPoint = fc.record({
  attributes,
  startTimeUnixNano: nanos,
  timeUnixNano: nanos,
  count: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  sum: optionalDouble,
  bucketCounts: fc.array(fc.bigInt({ min: 0n, max: 1000n }), { maxLength: 4 }),
  explicitBounds: fc.array(fc.double(), { maxLength: 3 }),
  exemplars: fc.array(exemplar, { maxLength: 1 }),
  flags,
  min: optionalDouble,
  max: optionalDouble,
});
const exponentialPoint = fc.record({
  attributes,
  startTimeUnixNano: nanos,
  timeUnixNano: nanos,
  count: fc.bigInt({ min: 0n, max: 1000n }),
  sum: optionalDouble,
  scale: fc.integer({ min: -10, max: 20 }),
  zeroCount: fc.bigInt({ min: 0n, max: 10n }),
  positive: fc.record({
    offset: fc.integer({ min: -5, max: 5 }),
    bucketCounts: fc.array(fc.bigInt({ min: 0n, max: 9n }), { maxLength: 3 }),
  }),
  flags,
  min: optionalDouble,
  max: optionalDouble,
});
const summaryPoint = fc.record({
  attributes,
  startTimeUnixNano: nanos,
  timeUnixNano: nanos,
  count: fc.bigInt({ min: 0n, max: 1000n }),
  sum: fc.double(),
  quantileValues: fc.array(fc.record({ quantile: fc.double({ min: 0, max: 1 }), value: fc.double() }), {
    maxLength: 2,
  }),
  flags,
});
const temporality = fc.constantFrom(0, 1, 2);
const metricData = fc.oneof(
  fc.record({
    case: fc.constant('gauge' as const),
    value: fc.record({ dataPoints: fc.array(numberPoint, { maxLength: 3 }) }),
  }),
  fc.record({
    case: fc.constant('sum' as const),
    value: fc.record({
      dataPoints: fc.array(numberPoint, { maxLength: 3 }),
      aggregationTemporality: temporality,
      isMonotonic: fc.boolean(),
    }),
  }),
  fc.record({
    case: fc.constant('histogram' as const),
    value: fc.record({
      dataPoints: fc.array(histogramPoint, { maxLength: 2 }),
      aggregationTemporality: temporality,
    }),
  }),
  fc.record({
    case: fc.constant('exponentialHistogram' as const),
    value: fc.record({
      dataPoints: fc.array(exponentialPoint, { maxLength: 2 }),
      aggregationTemporality: temporality,
    }),
  }),
  fc.record({
    case: fc.constant('summary' as const),
    value: fc.record({ dataPoints: fc.array(summaryPoint, { maxLength: 2 }) }),
  }),
  fc.constant({ case: undefined }),
);

/** Random valid OTLP export requests covering every metric kind, temporality and attribute type. */
export const otlpRequestArb: fc.Arbitrary<OtlpRequestInit> = fc.record({
  resourceMetrics: fc.array(
    fc.record({
      resource: fc.record({
        attributes: fc.array(
          fc.record({
            key: fc.constantFrom('service.name', 'host.name', 'service.instance.id', 'os.type'),
            value: anyValue,
          }),
          { maxLength: 3 },
        ),
      }),
      scopeMetrics: fc.array(
        fc.record({
          scope: fc.record({
            name: fc.constantFrom('io.opentelemetry.jvm', 'my-meter'),
            version: fc.constant('1.0'),
          }),
          metrics: fc.array(
            fc.record({
              name: fc.constantFrom('http.server.duration', 'jvm.gc.count', 'queue.size', ''),
              description: fc.string({ maxLength: 10 }),
              unit: fc.constantFrom('', 'ms', 'By', '1'),
              data: metricData,
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
});
