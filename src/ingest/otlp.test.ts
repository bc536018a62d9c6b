// OTLP metrics into series: every metric kind and temporality, resource and attribute mapping, rejected
// points, OTLP/JSON's particulars, the same series from protobuf and JSON, the export response, and
// what the real OpenTelemetry JS SDK exporters send (protobuf, gzip, JSON) over a socket.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBinary, fromJsonString } from '@bufbuild/protobuf';
import { OTLPMetricExporter as OtlpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality as SdkTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestSeries } from '../domain/metric-series.js';
import { ExportMetricsServiceResponseSchema } from '../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.js';
import { AggregationTemporality } from '../gen/opentelemetry/proto/metrics/v1/metrics_pb.js';
import { decodeBody } from './body.js';
import { IngestDecodeError } from './decode-errors.js';
import { anyValueText, decodeOtlpMetrics, nanosToMs, otlpExportResponse, type OtlpFormat } from './otlp.js';
import { encodeOtlpJson, encodeOtlpRequest, otlpRequestArb, type OtlpRequestInit } from './test-support.js';

const T0_MS = 1_767_225_600_000;
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
const START = ns(T0_MS - 3_600_000);
const DELTA = AggregationTemporality.DELTA;
const CUMULATIVE = AggregationTemporality.CUMULATIVE;

const str = (value: string) => ({ value: { case: 'stringValue' as const, value } });
const attrs = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value: str(value) }));

/** One resource (order-service on web-1) with the given metrics. */
function request(
  metrics: NonNullable<OtlpRequestInit['resourceMetrics']>[number]['scopeMetrics'],
): OtlpRequestInit {
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: attrs({
            'service.name': 'order-service',
            'host.name': 'web-1',
            'service.instance.id': 'i-42',
            'process.pid': '1234',
          }),
        },
        scopeMetrics: metrics,
      },
    ],
  };
}

const point = (value: number, ms = T0_MS, extra: Record<string, string> = { method: 'GET' }) => ({
  attributes: attrs(extra),
  startTimeUnixNano: START,
  timeUnixNano: ns(ms),
  value: { case: 'asDouble' as const, value },
});

/** Decodes both the protobuf and the JSON form, checks they agree, and returns the result. */
function decodeBoth(init: OtlpRequestInit): ReturnType<typeof decodeOtlpMetrics> {
  const fromProtobuf = decodeOtlpMetrics(encodeOtlpRequest(init), 'protobuf');
  expect(decodeOtlpMetrics(encodeOtlpJson(init), 'json')).toEqual(fromProtobuf);
  return fromProtobuf;
}

const base = { scope: 'custom', target: 'order-service' } as const;
const resourceLabels = { host: 'web-1', instance: 'i-42' };

describe('decodeOtlpMetrics', () => {
  it('maps a gauge: service.name is the target, host.name and service.instance.id labels, attributes labels', () => {
    const result = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'jvm.memory.used',
              unit: 'By',
              data: { case: 'gauge', value: { dataPoints: [point(512)] } },
            },
          ],
        },
      ]),
    );
    expect(result).toEqual({
      series: [
        {
          ...base,
          metric: 'jvm.memory.used',
          unit: 'By',
          labels: { ...resourceLabels, method: 'GET' },
          temporality: 'gauge',
          timestampsMs: [T0_MS],
          values: [512],
        },
      ],
      rejectedDataPoints: 0,
      errors: [],
    });
  });

  it.each([
    [true, CUMULATIVE, 'cumulative', T0_MS - 3_600_000],
    [true, DELTA, 'delta', undefined],
    [false, CUMULATIVE, 'gauge', undefined],
    [false, DELTA, 'delta', undefined],
  ] as const)(
    'maps a sum (monotonic %s, temporality %i) to %s',
    (isMonotonic, aggregationTemporality, temporality, startTimeMs) => {
      const { series } = decodeBoth(
        request([
          {
            metrics: [
              {
                name: 'http.requests',
                data: { case: 'sum', value: { isMonotonic, aggregationTemporality, dataPoints: [point(7)] } },
              },
            ],
          },
        ]),
      );
      expect(series).toEqual([
        {
          ...base,
          metric: 'http.requests',
          labels: { ...resourceLabels, method: 'GET' },
          temporality,
          startTimeMs,
          timestampsMs: [T0_MS],
          values: [7],
        },
      ]);
    },
  );

  it('reads integer points and keeps millisecond precision of nanosecond times', () => {
    const { series } = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'queue.size',
              data: {
                case: 'gauge',
                value: {
                  dataPoints: [
                    {
                      timeUnixNano: 1_767_225_600_123_999_999n,
                      value: { case: 'asInt', value: 9_007_199_254_740_993n },
                    },
                  ],
                },
              },
            },
          ],
        },
      ]),
    );
    expect(series[0]).toMatchObject({ timestampsMs: [1_767_225_600_123], values: [9_007_199_254_740_992] });
  });

  it('gathers the points of one series, in one request, into one series; other attributes make other series', () => {
    const { series } = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'cpu',
              data: {
                case: 'gauge',
                value: { dataPoints: [point(1, T0_MS), point(3, T0_MS, { method: 'POST' })] },
              },
            },
          ],
        },
        {
          metrics: [
            { name: 'cpu', data: { case: 'gauge', value: { dataPoints: [point(2, T0_MS + 60_000)] } } },
          ],
        },
      ]),
    );
    expect(series.map((s) => [s.labels.method, s.values])).toEqual([
      ['GET', [1, 2]],
      ['POST', [3]],
    ]);
  });

  it.each([
    ['histogram', CUMULATIVE, 'cumulative'],
    ['histogram', DELTA, 'delta'],
    ['exponentialHistogram', CUMULATIVE, 'cumulative'],
    ['exponentialHistogram', DELTA, 'delta'],
  ] as const)(
    'turns a %s (temporality %i) into _count, _sum as %s and _max, _min gauges',
    (kind, aggregationTemporality, temporality) => {
      const dataPoint = {
        attributes: attrs({ route: '/orders' }),
        startTimeUnixNano: START,
        timeUnixNano: ns(T0_MS),
        count: 4n,
        sum: 100,
        min: 5,
        max: 60,
      };
      const { series } = decodeBoth(
        request([
          {
            metrics: [
              {
                name: 'http.server.duration',
                unit: 'ms',
                data: { case: kind, value: { aggregationTemporality, dataPoints: [dataPoint] } },
              },
            ],
          },
        ]),
      );
      const labels = { ...resourceLabels, route: '/orders' };
      const startTimeMs = temporality === 'cumulative' ? T0_MS - 3_600_000 : undefined;
      expect(series).toEqual([
        {
          ...base,
          metric: 'http.server.duration_count',
          labels,
          temporality,
          startTimeMs,
          timestampsMs: [T0_MS],
          values: [4],
        },
        {
          ...base,
          metric: 'http.server.duration_sum',
          unit: 'ms',
          labels,
          temporality,
          startTimeMs,
          timestampsMs: [T0_MS],
          values: [100],
        },
        {
          ...base,
          metric: 'http.server.duration_max',
          unit: 'ms',
          labels,
          temporality: 'gauge',
          timestampsMs: [T0_MS],
          values: [60],
        },
        {
          ...base,
          metric: 'http.server.duration_min',
          unit: 'ms',
          labels,
          temporality: 'gauge',
          timestampsMs: [T0_MS],
          values: [5],
        },
      ]);
    },
  );

  it('turns a histogram point without sum, min and max into _count alone', () => {
    const { series } = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'h',
              data: {
                case: 'histogram',
                value: {
                  aggregationTemporality: DELTA,
                  dataPoints: [{ timeUnixNano: ns(T0_MS), count: 2n }],
                },
              },
            },
          ],
        },
      ]),
    );
    expect(series.map((s) => s.metric)).toEqual(['h_count']);
  });

  it('turns a summary into cumulative _count and _sum', () => {
    const { series } = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'rpc.latency',
              unit: 's',
              data: {
                case: 'summary',
                value: {
                  dataPoints: [
                    {
                      startTimeUnixNano: START,
                      timeUnixNano: ns(T0_MS),
                      count: 10n,
                      sum: 2.5,
                      quantileValues: [{ quantile: 0.99, value: 0.9 }],
                    },
                  ],
                },
              },
            },
          ],
        },
      ]),
    );
    expect(series.map((s) => [s.metric, s.temporality, s.startTimeMs, s.values[0]])).toEqual([
      ['rpc.latency_count', 'cumulative', T0_MS - 3_600_000, 10],
      ['rpc.latency_sum', 'cumulative', T0_MS - 3_600_000, 2.5],
    ]);
  });

  it('rejects and counts points flagged as without value, without a value, without a time, of unnamed metrics or unspecified temporality', () => {
    const result = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'flagged',
              data: { case: 'gauge', value: { dataPoints: [{ ...point(1), flags: 1 }, point(2)] } },
            },
            { name: 'empty', data: { case: 'gauge', value: { dataPoints: [{ timeUnixNano: ns(T0_MS) }] } } },
            {
              name: 'timeless',
              data: { case: 'gauge', value: { dataPoints: [{ value: { case: 'asDouble', value: 1 } }] } },
            },
            { name: '', data: { case: 'gauge', value: { dataPoints: [point(1), point(2)] } } },
            {
              name: 'unspecified',
              data: { case: 'sum', value: { isMonotonic: true, dataPoints: [point(1)] } },
            },
            {
              name: 'hist',
              data: {
                case: 'histogram',
                value: {
                  aggregationTemporality: DELTA,
                  dataPoints: [{ timeUnixNano: ns(T0_MS), count: 1n, flags: 1 }],
                },
              },
            },
          ],
        },
      ]),
    );
    expect(result.series.map((s) => s.metric)).toEqual(['flagged']);
    expect(result.rejectedDataPoints).toBe(7);
    expect(result.errors).toEqual([
      'flagged: a data point flagged as having no recorded value',
      'empty: a data point without a value',
      'timeless: a data point without time_unix_nano',
      'a metric without a name',
      'unspecified: a sum without aggregation_temporality',
      'hist: a data point flagged as having no recorded value',
    ]);
  });

  it("keeps OpenTelemetry's default service name as given and uses '' without one", () => {
    const init: OtlpRequestInit = {
      resourceMetrics: [
        {
          resource: { attributes: attrs({ 'service.name': 'unknown_service:node' }) },
          scopeMetrics: [
            { metrics: [{ name: 'a', data: { case: 'gauge', value: { dataPoints: [point(1)] } } }] },
          ],
        },
        {
          scopeMetrics: [
            { metrics: [{ name: 'b', data: { case: 'gauge', value: { dataPoints: [point(1)] } } }] },
          ],
        },
      ],
    };
    expect(decodeBoth(init).series.map((s) => [s.target, s.labels])).toEqual([
      ['unknown_service:node', { method: 'GET' }],
      ['', { method: 'GET' }],
    ]);
  });

  it('lets a data-point attribute override a resource label of the same name', () => {
    const { series } = decodeBoth(
      request([
        {
          metrics: [
            {
              name: 'g',
              data: { case: 'gauge', value: { dataPoints: [point(1, T0_MS, { host: 'peer' })] } },
            },
          ],
        },
      ]),
    );
    expect(series[0]!.labels).toEqual({ host: 'peer', instance: 'i-42' });
  });

  it('decodes OTLP/JSON as the specification writes it: int64 as numbers or strings, enums as integers, hex ids, unknown fields', () => {
    const json = {
      resourceMetrics: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }],
            droppedAttributesCount: 0,
            futureField: 1,
          },
          scopeMetrics: [
            {
              scope: { name: 'my-meter' },
              metrics: [
                {
                  name: 'orders',
                  unit: '1',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        attributes: [
                          { key: 'paid', value: { boolValue: true } },
                          { key: 'tries', value: { intValue: '3' } },
                          { key: 'ratio', value: { doubleValue: 0.5 } },
                          {
                            key: 'tags',
                            value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } },
                          },
                          { key: 'raw', value: { bytesValue: 'AQI=' } },
                        ],
                        startTimeUnixNano: '1767222000000000000',
                        timeUnixNano: 1767225600000000000,
                        asInt: 42,
                        exemplars: [
                          {
                            timeUnixNano: '1767225600000000000',
                            asDouble: 1,
                            traceId: '5b8efff798038103d269b633813fc60c',
                            spanId: 'eee19b7ec3c1b174',
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const result = decodeOtlpMetrics(new TextEncoder().encode(JSON.stringify(json)), 'json');
    expect(result.series).toEqual([
      {
        scope: 'custom',
        target: 'checkout',
        metric: 'orders',
        unit: '1',
        labels: { paid: 'true', tries: '3', ratio: '0.5', tags: '["a","2"]', raw: 'AQI=' },
        temporality: 'cumulative',
        startTimeMs: 1_767_222_000_000,
        timestampsMs: [1_767_225_600_000],
        values: [42],
      },
    ]);
  });

  it('gives the same series for int64 written as JSON numbers', () => {
    const init = request([
      {
        metrics: [
          {
            name: 'c',
            data: {
              case: 'sum',
              value: { isMonotonic: true, aggregationTemporality: CUMULATIVE, dataPoints: [point(5)] },
            },
          },
        ],
      },
    ]);
    expect(decodeOtlpMetrics(encodeOtlpJson(init, { int64AsNumbers: true }), 'json')).toEqual(
      decodeOtlpMetrics(encodeOtlpRequest(init), 'protobuf'),
    );
  });

  it('gives the same result from the protobuf and the JSON form of any request', () => {
    fc.assert(
      fc.property(otlpRequestArb, (init) => {
        const fromProtobuf = decodeOtlpMetrics(encodeOtlpRequest(init), 'protobuf');
        const fromJson = decodeOtlpMetrics(encodeOtlpJson(init), 'json');
        // JSON cannot write -0; everything else must match exactly.
        expect({ ...fromJson, series: withoutNegativeZero(fromJson.series) }).toEqual({
          ...fromProtobuf,
          series: withoutNegativeZero(fromProtobuf.series),
        });
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['protobuf', Uint8Array.from([0x0a, 0x05, 0x0a])],
    ['json', new TextEncoder().encode('{"resourceMetrics": [')],
    ['json', new TextEncoder().encode('{"resourceMetrics": [{"scopeMetrics": 3}]}')],
    ['json', new TextEncoder().encode('[]')],
    ['json', Uint8Array.from([0x7b, 0xff, 0x7d])],
  ] as const)('refuses a malformed %s body with IngestDecodeError', (format: OtlpFormat, body) => {
    expect(() => decodeOtlpMetrics(body, format)).toThrow(IngestDecodeError);
  });
});

describe('otlpExportResponse', () => {
  it('is empty on full success', () => {
    const { body, contentType } = otlpExportResponse({ rejectedDataPoints: 0, errors: [] }, 'protobuf');
    expect([contentType, body.length]).toEqual(['application/x-protobuf', 0]);
    expect(otlpExportResponse({ rejectedDataPoints: 0, errors: [] }, 'json').body.toString()).toBe('{}');
  });

  it('names the rejected points and the reasons in partial_success, in both formats', () => {
    const result = { rejectedDataPoints: 3, errors: ['a', 'b'] };
    const binary = fromBinary(
      ExportMetricsServiceResponseSchema,
      otlpExportResponse(result, 'protobuf').body,
    );
    const json = fromJsonString(
      ExportMetricsServiceResponseSchema,
      otlpExportResponse(result, 'json').body.toString(),
    );
    for (const response of [binary, json]) {
      expect(response.partialSuccess).toMatchObject({ rejectedDataPoints: 3n, errorMessage: 'a; b' });
    }
  });
});

describe('anyValueText and nanosToMs', () => {
  it('writes nested maps as JSON and cuts nesting at depth 8', () => {
    let value: Parameters<typeof anyValueText>[0] = undefined;
    for (let i = 0; i < 12; i++) {
      value = {
        $typeName: 'opentelemetry.proto.common.v1.AnyValue',
        value: {
          case: 'kvlistValue',
          value: {
            $typeName: 'opentelemetry.proto.common.v1.KeyValueList',
            values: [{ $typeName: 'opentelemetry.proto.common.v1.KeyValue', key: 'k', value }],
          },
        },
      };
    }
    expect(anyValueText(value)).toBe('{"k":'.repeat(8) + '"…"' + '}'.repeat(8));
  });

  it('rounds nanoseconds down to milliseconds exactly, far beyond 2^53 nanoseconds', () => {
    expect(nanosToMs(18_446_744_073_709_551_615n)).toBe(18_446_744_073_709);
    expect(nanosToMs(999_999n)).toBe(0);
  });
});

describe('the OpenTelemetry JS SDK exporters', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    if (server) await once(server, 'close');
    server = undefined;
  });

  async function capture(
    exporter: (url: string) => PushMetricExporter,
  ): Promise<{ body: Buffer; headers: IncomingMessage['headers'] }> {
    const received: { body: Buffer; headers: IncomingMessage['headers'] }[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks), headers: req.headers });
        const json = req.headers['content-type']?.includes('json');
        res
          .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
          .end(json ? '{}' : '');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const reader = new PeriodicExportingMetricReader({
      exporter: exporter(`http://127.0.0.1:${port}/v1/metrics`),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'order-service',
        'host.name': 'web-1',
        'process.pid': 99,
      }),
      readers: [reader],
    });
    const meter = provider.getMeter('tocsin-test');
    meter.createCounter('orders', { unit: '1' }).add(3, { region: 'hz' });
    meter.createUpDownCounter('queue.depth').add(-2);
    meter.createHistogram('checkout.duration', { unit: 'ms' }).record(120, { route: '/pay' });
    meter.createGauge('pool.size').record(8);
    await reader.forceFlush();
    // Shutting down exports once more; the first export is the one under test.
    await provider.shutdown();
    expect(received.length).toBeGreaterThanOrEqual(1);
    return received[0]!;
  }

  function expectSdkSeries(series: IngestSeries[], counterTemporality: 'cumulative' | 'delta'): void {
    const byMetric = Object.fromEntries(series.map((s) => [s.metric, s]));
    expect(Object.keys(byMetric).sort()).toEqual([
      'checkout.duration_count',
      'checkout.duration_max',
      'checkout.duration_min',
      'checkout.duration_sum',
      'orders',
      'pool.size',
      'queue.depth',
    ]);
    expect(byMetric.orders).toMatchObject({
      target: 'order-service',
      labels: { host: 'web-1', region: 'hz' },
      temporality: counterTemporality,
      unit: '1',
      values: [3],
    });
    expect(byMetric['queue.depth']).toMatchObject({ temporality: 'gauge', values: [-2] });
    expect(byMetric['checkout.duration_sum']).toMatchObject({
      labels: { route: '/pay' },
      temporality: counterTemporality,
      unit: 'ms',
      values: [120],
    });
    expect(byMetric['pool.size']).toMatchObject({ temporality: 'gauge', values: [8] });
    const now = Date.now();
    for (const s of series) expect(Math.abs(s.timestampsMs[0]! - now)).toBeLessThan(60_000);
    if (counterTemporality === 'cumulative') expect(byMetric.orders!.startTimeMs).toBeLessThanOrEqual(now);
  }

  it('decodes what the protobuf exporter sends, gzip-compressed, with cumulative temporality', async () => {
    const { body, headers } = await capture(
      (url) => new OtlpProtoExporter({ url, compression: 'gzip' as CompressionAlgorithm }),
    );
    expect(headers['content-encoding']).toBe('gzip');
    const raw = await decodeBody(body, headers['content-encoding'], { maxDecodedBytes: 1 << 20 });
    const result = decodeOtlpMetrics(raw, 'protobuf');
    expect(result.rejectedDataPoints).toBe(0);
    expectSdkSeries(result.series, 'cumulative');
  });

  it('decodes what the JSON exporter sends, with delta temporality', async () => {
    const { body, headers } = await capture(
      (url) => new OtlpJsonExporter({ url, temporalityPreference: SdkTemporality.DELTA }),
    );
    expect(headers['content-type']).toContain('application/json');
    const result = decodeOtlpMetrics(body, 'json');
    expect(result.rejectedDataPoints).toBe(0);
    expectSdkSeries(result.series, 'delta');
  });
});

function withoutNegativeZero(series: IngestSeries[]): IngestSeries[] {
  return series.map((s) => ({ ...s, values: s.values.map((v) => (Object.is(v, -0) ? 0 : v)) }));
}
