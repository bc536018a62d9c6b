// The hand-written remote-write reader against payloads encoded by the bufbuild-generated prompb code:
// mapping (name, target, labels), temporality with and without metadata, staleness markers, unknown
// fields, big requests, and agreement with a plain model built on the generated decoder.
import { fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import type { IngestSeries } from '../domain/metric-series.js';
import { WriteRequestSchema } from '../gen/prometheus/prompb/remote_pb.js';
import { IngestDecodeError, PayloadTooLargeError } from './decode-errors.js';
import {
  decodeRemoteWrite,
  decodeWriteRequest,
  PROMETHEUS_METRIC_TYPE,
  PrometheusMetadata,
  prometheusTemporality,
  TARGET_LABELS,
} from './remote-write.js';
import {
  concat,
  encodeWriteRequest,
  protoField,
  remoteWriteBody,
  withStaleMarkers,
  varint,
  writeRequestArb,
} from './test-support.js';
import { SnappyOutputBuffer } from './snappy-block.js';
import { WIRE_TYPE } from './wire-reader.js';

const LIMITS = { maxDecodedBytes: 16 * 1024 * 1024 };
const T0 = 1_767_225_600_000;

function labels(record: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(record).map(([name, value]) => ({ name, value }));
}

function samples(...values: number[]): { value: number; timestamp: bigint }[] {
  return values.map((value, i) => ({ value, timestamp: BigInt(T0 + i * 15_000) }));
}

describe('decodeRemoteWrite', () => {
  it('maps __name__ to the metric, job to the target and keeps the other labels', () => {
    const body = remoteWriteBody({
      timeseries: [
        {
          labels: labels({ __name__: 'node_load1', job: 'node', instance: '10.0.0.7:9100', env: 'prod' }),
          samples: samples(0.5, 0.75),
        },
      ],
    });
    expect(decodeRemoteWrite(body, LIMITS)).toEqual([
      {
        scope: 'custom',
        target: 'node',
        metric: 'node_load1',
        labels: { instance: '10.0.0.7:9100', env: 'prod' },
        temporality: 'gauge',
        timestampsMs: [T0, T0 + 15_000],
        values: [0.5, 0.75],
      },
    ]);
  });

  it('takes the target from service_name, application, app, service, job in that order, removing only that label', () => {
    const all = { service_name: 's', application: 'a', app: 'p', service: 'v', job: 'j' };
    for (let i = 0; i < TARGET_LABELS.length; i++) {
      const present = Object.fromEntries(Object.entries(all).slice(i));
      const [series] = decodeRemoteWrite(
        remoteWriteBody({
          timeseries: [{ labels: labels({ ...present, __name__: 'up' }), samples: samples(1) }],
        }),
        LIMITS,
      );
      expect(series!.target).toBe(all[TARGET_LABELS[i]!]);
      expect(Object.keys(series!.labels)).toEqual(Object.keys(present).slice(1));
    }
  });

  it("gives '' as target when no target label is present, and treats empty label values as absent", () => {
    const [series] = decodeRemoteWrite(
      remoteWriteBody({
        timeseries: [{ labels: labels({ __name__: 'up', job: '', zone: '' }), samples: samples(1) }],
      }),
      LIMITS,
    );
    expect(series).toMatchObject({ target: '', labels: {} });
  });

  it('leaves out series without __name__ or without samples', () => {
    const body = remoteWriteBody({
      timeseries: [
        { labels: labels({ job: 'x' }), samples: samples(1) },
        { labels: labels({ __name__: 'empty' }), samples: [] },
        { labels: labels({ __name__: 'kept' }), samples: samples(2) },
      ],
    });
    expect(decodeRemoteWrite(body, LIMITS).map((s) => s.metric)).toEqual(['kept']);
  });

  it('reads _total, _count, _sum and _bucket as cumulative without metadata, everything else as gauge', () => {
    const names = [
      'http_requests_total',
      'rpc_seconds_count',
      'rpc_seconds_sum',
      'rpc_seconds_bucket',
      'temperature',
    ];
    const body = remoteWriteBody({
      timeseries: names.map((name) => ({ labels: labels({ __name__: name }), samples: samples(1) })),
    });
    expect(decodeRemoteWrite(body, LIMITS).map((s) => s.temporality)).toEqual([
      'cumulative',
      'cumulative',
      'cumulative',
      'cumulative',
      'gauge',
    ]);
  });

  it('lets metadata in the same request decide, even when it follows the series', () => {
    const timeseries = ['requests', 'queue_count', 'latency_sum', 'temp_total'].map((name) => ({
      labels: labels({ __name__: name }),
      samples: samples(1),
    }));
    const metadata = [
      { type: PROMETHEUS_METRIC_TYPE.counter, metricFamilyName: 'requests' },
      { type: PROMETHEUS_METRIC_TYPE.gauge, metricFamilyName: 'queue_count' },
      { type: PROMETHEUS_METRIC_TYPE.summary, metricFamilyName: 'latency' },
      { type: PROMETHEUS_METRIC_TYPE.gauge, metricFamilyName: 'temp_total' },
    ];
    const raw = concat(encodeWriteRequest({ timeseries }), encodeWriteRequest({ metadata }));
    expect(decodeRemoteWrite(compress(raw), LIMITS).map((s) => s.temporality)).toEqual([
      'cumulative',
      'gauge',
      'cumulative',
      'gauge',
    ]);
  });

  it('remembers metadata sent in an earlier request, as Prometheus sends it', () => {
    const memory = new PrometheusMetadata();
    decodeRemoteWrite(
      remoteWriteBody({
        metadata: [{ type: PROMETHEUS_METRIC_TYPE.gaugeHistogram, metricFamilyName: 'queue_wait' }],
      }),
      LIMITS,
      memory,
    );
    const body = remoteWriteBody({
      timeseries: [{ labels: labels({ __name__: 'queue_wait_bucket', le: '1' }), samples: samples(3) }],
    });
    expect(decodeRemoteWrite(body, LIMITS, memory)[0]!.temporality).toBe('gauge');
    expect(decodeRemoteWrite(body, LIMITS)[0]!.temporality).toBe('cumulative');
  });

  it('drops Prometheus staleness markers silently and keeps other NaNs for the store to reject', () => {
    const placeholder = 1234.5678;
    const raw = encodeWriteRequest({
      timeseries: [
        { labels: labels({ __name__: 'up' }), samples: samples(1, placeholder, NaN, 4) },
        { labels: labels({ __name__: 'gone' }), samples: samples(placeholder) },
      ],
    });
    const series = decodeRemoteWrite(compress(withStaleMarkers(raw, placeholder)), LIMITS);
    expect(series).toHaveLength(1);
    expect(series[0]!.values).toEqual([1, NaN, 4]);
    expect(series[0]!.timestampsMs).toEqual([T0, T0 + 30_000, T0 + 45_000]);
  });

  it('reads samples whose fields are reordered, repeated (the last wins) or left out, not only value then timestamp', () => {
    const double = (value: number) =>
      protoField(1, WIRE_TYPE.fixed64, new Uint8Array(new Float64Array([value]).buffer));
    const sample = (...fields: Uint8Array[]) => protoField(2, WIRE_TYPE.lengthDelimited, concat(...fields));
    const name = protoField(
      1,
      WIRE_TYPE.lengthDelimited,
      concat(
        protoField(1, WIRE_TYPE.lengthDelimited, new TextEncoder().encode('__name__')),
        protoField(2, WIRE_TYPE.lengthDelimited, new TextEncoder().encode('up')),
      ),
    );
    const raw = protoField(
      1,
      WIRE_TYPE.lengthDelimited,
      concat(
        name,
        sample(double(1), protoField(2, WIRE_TYPE.varint, T0)),
        sample(protoField(2, WIRE_TYPE.varint, T0 + 1), double(2)),
        sample(double(3), protoField(2, WIRE_TYPE.varint, T0 + 2), double(4)),
        sample(double(5), protoField(2, WIRE_TYPE.varint, 1), protoField(2, WIRE_TYPE.varint, T0 + 3)),
        sample(protoField(2, WIRE_TYPE.varint, T0 + 4)),
        sample(double(6)),
      ),
    );
    const series = decodeWriteRequest(raw);
    expect(series[0]!.values).toEqual([1, 2, 4, 5, 0, 6]);
    expect(series[0]!.timestampsMs).toEqual([T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4, 0]);
  });

  it('decodes bodies one after another into one reused buffer, the series keeping nothing of it', () => {
    const buffer = new SnappyOutputBuffer();
    const first = encodeWriteRequest({
      timeseries: [{ labels: labels({ __name__: 'up', job: 'api' }), samples: samples(1, 2) }],
    });
    const second = encodeWriteRequest({
      timeseries: [{ labels: labels({ __name__: 'down', job: 'web' }), samples: samples(3) }],
    });
    const decodedFirst = decodeRemoteWrite(compress(first), LIMITS, undefined, buffer);
    const decodedSecond = decodeRemoteWrite(compress(second), LIMITS, undefined, buffer);
    expect(decodedFirst).toEqual(decodeRemoteWrite(compress(first), LIMITS));
    expect(decodedSecond).toEqual(decodeRemoteWrite(compress(second), LIMITS));
  });

  it('skips unknown fields of every wire type at every level, exemplars and native histograms', () => {
    const unknown = concat(
      protoField(20, WIRE_TYPE.varint, 2 ** 35),
      protoField(21, WIRE_TYPE.fixed64, new Uint8Array(8)),
      protoField(22, WIRE_TYPE.lengthDelimited, Uint8Array.from([1, 2, 3])),
      protoField(23, WIRE_TYPE.fixed32, new Uint8Array(4)),
      protoField(24, WIRE_TYPE.startGroup, protoField(1, WIRE_TYPE.varint, 5)),
      varint((24 << 3) | WIRE_TYPE.endGroup),
    );
    const label = (name: string, value: string): Uint8Array =>
      protoField(
        1,
        WIRE_TYPE.lengthDelimited,
        concat(
          unknown,
          protoField(1, WIRE_TYPE.lengthDelimited, new TextEncoder().encode(name)),
          protoField(2, WIRE_TYPE.lengthDelimited, new TextEncoder().encode(value)),
        ),
      );
    const sample = protoField(
      2,
      WIRE_TYPE.lengthDelimited,
      concat(
        unknown,
        protoField(1, WIRE_TYPE.fixed64, new Uint8Array(new Float64Array([7]).buffer)),
        protoField(2, WIRE_TYPE.varint, T0),
      ),
    );
    const exemplar = protoField(3, WIRE_TYPE.lengthDelimited, encodeWriteRequest({ timeseries: [] }));
    const histogram = protoField(
      4,
      WIRE_TYPE.lengthDelimited,
      Uint8Array.from([0x08, 0x05, 0x19, ...new Array<number>(8).fill(0)]),
    );
    const series = protoField(
      1,
      WIRE_TYPE.lengthDelimited,
      concat(label('__name__', 'up'), unknown, sample, exemplar, histogram, label('job', 'j')),
    );
    const raw = concat(unknown, series, unknown);
    expect(fromBinary(WriteRequestSchema, raw).timeseries).toHaveLength(1);
    expect(decodeRemoteWrite(compress(raw), LIMITS)).toEqual([
      {
        scope: 'custom',
        target: 'j',
        metric: 'up',
        labels: {},
        temporality: 'gauge',
        timestampsMs: [T0],
        values: [7],
      },
    ]);
  });

  it('keeps a label named __proto__ as a label', () => {
    const [series] = decodeRemoteWrite(
      remoteWriteBody({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'up' },
              { name: '__proto__', value: 'x' },
            ],
            samples: samples(1),
          },
        ],
      }),
      LIMITS,
    );
    expect(Object.entries(series!.labels)).toEqual([['__proto__', 'x']]);
  });

  it('reads label text series repeat, and text of the same length that differs, at any position', () => {
    const body = remoteWriteBody({
      timeseries: [
        { labels: labels({ __name__: 'up', env: 'prod', pod: 'pod-1' }), samples: samples(1, 2, 3) },
        { labels: labels({ __name__: 'up', env: 'prod', pod: 'pod-2' }), samples: samples(4) },
        // Same lengths at the same positions, other bytes; then the labels in another order.
        { labels: labels({ __name__: 'ok', enx: 'test', pod: 'pod-2' }), samples: samples(5, 6) },
        { labels: labels({ pod: 'pod-1', __name__: 'up', env: 'prod' }), samples: samples(7) },
      ],
    });
    const series = decodeRemoteWrite(body, LIMITS);
    expect(series.map((s) => [s.metric, s.labels, s.values, s.timestampsMs.length])).toEqual([
      ['up', { env: 'prod', pod: 'pod-1' }, [1, 2, 3], 3],
      ['up', { env: 'prod', pod: 'pod-2' }, [4], 1],
      ['ok', { enx: 'test', pod: 'pod-2' }, [5, 6], 2],
      ['up', { pod: 'pod-1', env: 'prod' }, [7], 1],
    ]);
    // Each series has arrays of its own, though they are gathered in one reused scratch.
    expect(series[0]!.values).not.toBe(series[1]!.values);
  });

  it('decodes a request of 2 000 series × 120 samples × 10 labels', () => {
    const timeseries = Array.from({ length: 2000 }, (_, s) => ({
      labels: labels(
        Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [i === 0 ? '__name__' : `label_${i}`, `v${s}_${i}`]),
        ),
      ),
      samples: Array.from({ length: 120 }, (_, i) => ({
        value: s + i / 1000,
        timestamp: BigInt(T0 + i * 1000),
      })),
    }));
    const series = decodeRemoteWrite(remoteWriteBody({ timeseries }), LIMITS);
    expect(series).toHaveLength(2000);
    expect(series.reduce((sum, s) => sum + s.values.length, 0)).toBe(240_000);
    expect(series[1999]).toMatchObject({ metric: 'v1999_0', labels: { label_9: 'v1999_9' } });
    expect(series[1999]!.values[119]).toBe(1999.119);
    expect(series[1999]!.timestampsMs[119]).toBe(T0 + 119_000);
  });

  it('refuses a body decompressing beyond the limit with 413', () => {
    const body = remoteWriteBody({
      timeseries: [{ labels: labels({ __name__: 'up' }), samples: samples(1, 2, 3) }],
    });
    expect(() => decodeRemoteWrite(body, { maxDecodedBytes: 10 })).toThrow(PayloadTooLargeError);
  });

  it('refuses a body that is not snappy with 400', () => {
    expect(() => decodeRemoteWrite(encodeWriteRequest({ timeseries: [] }).fill(0xff, 0, 1), LIMITS)).toThrow(
      IngestDecodeError,
    );
  });

  it('names the time series at fault in a corrupt request', () => {
    const good = { labels: labels({ __name__: 'up' }), samples: samples(1) };
    const raw = encodeWriteRequest({ timeseries: [good, good] });
    // Cut the second series' last sample in half, keeping the outer lengths consistent by truncating.
    const error = captureError(() => decodeWriteRequest(raw.subarray(0, raw.length - 4)));
    expect(error).toBeInstanceOf(IngestDecodeError);
    expect((error as IngestDecodeError).field).toBe('timeseries[1]');
  });

  it('agrees with a plain model over the bufbuild-decoded request, for any request', () => {
    fc.assert(
      fc.property(writeRequestArb, (init) => {
        const raw = encodeWriteRequest(init);
        expect(decodeWriteRequest(raw)).toEqual(model(raw));
        expect(decodeRemoteWrite(compress(raw), LIMITS)).toEqual(model(raw));
      }),
      { numRuns: 300 },
    );
  });
});

describe('prometheusTemporality', () => {
  const memory = (entries: Record<string, number>): PrometheusMetadata => {
    const metadata = new PrometheusMetadata();
    for (const [family, type] of Object.entries(entries)) metadata.remember(family, type);
    return metadata;
  };

  it.each([
    ['http_requests_total', {}, 'cumulative'],
    ['http_requests_total', { http_requests_total: PROMETHEUS_METRIC_TYPE.counter }, 'cumulative'],
    ['http_requests_total', { http_requests: PROMETHEUS_METRIC_TYPE.counter }, 'cumulative'],
    ['requests', { requests: PROMETHEUS_METRIC_TYPE.counter }, 'cumulative'],
    ['rpc_seconds_bucket', { rpc_seconds: PROMETHEUS_METRIC_TYPE.histogram }, 'cumulative'],
    ['rpc_seconds', { rpc_seconds: PROMETHEUS_METRIC_TYPE.summary }, 'gauge'],
    ['rpc_seconds_count', { rpc_seconds: PROMETHEUS_METRIC_TYPE.summary }, 'cumulative'],
    ['queue_bucket', { queue: PROMETHEUS_METRIC_TYPE.gaugeHistogram }, 'gauge'],
    ['queue_count', { queue_count: PROMETHEUS_METRIC_TYPE.gauge }, 'gauge'],
    ['build_info_total', { build_info: PROMETHEUS_METRIC_TYPE.info }, 'gauge'],
    ['odd_total', { odd_total: PROMETHEUS_METRIC_TYPE.unknown }, 'cumulative'],
    ['temperature', {}, 'gauge'],
  ] as const)('%s with metadata %o is %s', (metric, entries, expected) => {
    expect(prometheusTemporality(metric, memory(entries))).toBe(expected);
  });

  it('stops remembering new families at its bound, still updating known ones', () => {
    const metadata = new PrometheusMetadata(2);
    metadata.remember('a', 1);
    metadata.remember('b', 2);
    metadata.remember('c', 1);
    metadata.remember('a', 2);
    expect([metadata.size, metadata.typeOf('a'), metadata.typeOf('c')]).toEqual([2, 2, undefined]);
  });
});

/** What decodeWriteRequest must return, written plainly over the generated decoder's result. */
function model(raw: Uint8Array): IngestSeries[] {
  const request = fromBinary(WriteRequestSchema, raw);
  const metadata = new PrometheusMetadata();
  for (const entry of request.metadata) {
    if (entry.metricFamilyName !== '') metadata.remember(entry.metricFamilyName, entry.type);
  }
  const out: IngestSeries[] = [];
  for (const series of request.timeseries) {
    const present = series.labels.filter((label) => label.value !== '');
    const metric = present.find((label) => label.name === '__name__')?.value ?? '';
    const targetName = TARGET_LABELS.find((name) => present.some((label) => label.name === name));
    const kept = series.samples.filter((sample) => !isStaleMarker(sample.value));
    if (metric === '' || kept.length === 0) continue;
    const seriesLabels: Record<string, string> = {};
    for (const label of present) {
      if (label.name !== '__name__' && label.name !== targetName) {
        Object.defineProperty(seriesLabels, label.name, {
          value: label.value,
          enumerable: true,
          writable: true,
        });
      }
    }
    out.push({
      scope: 'custom',
      target: present.find((label) => label.name === targetName)?.value ?? '',
      metric,
      labels: seriesLabels,
      temporality: prometheusTemporality(metric, metadata),
      timestampsMs: kept.map((sample) => Number(sample.timestamp)),
      values: kept.map((sample) => sample.value),
    });
  }
  return out;
}

function isStaleMarker(value: number): boolean {
  const view = new DataView(new Float64Array([value]).buffer);
  return view.getUint32(4, true) === 0x7ff0_0000 && view.getUint32(0, true) === 2;
}

function captureError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
