// What Tocsin received over OTLP, JSON push or browser beacons, as a Prometheus remote-write request for
// the store it forwards to. Names follow Prometheus's own OTLP translation where it matters to queries:
// dots and other characters a Prometheus name cannot hold become `_`, and the application or site (OTLP
// `service.name`) becomes `job`. Remote-write requests are forwarded as they came and never pass here.
import { create, toBinary } from '@bufbuild/protobuf';
import type { IngestSeries } from '../../domain/metric-series.js';
import { WriteRequestSchema } from '../../gen/prometheus/prompb/remote_pb.js';
import type { TimeSeries } from '../../gen/prometheus/prompb/types_pb.js';
import { TimeSeriesSchema } from '../../gen/prometheus/prompb/types_pb.js';
import { snappyCompress } from '../snappy-compress.js';

/** Labels the target is written under, in order of preference, when the series has none of that name. */
const TARGET_LABELS = ['job', 'service_name'] as const;

/** A Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function prometheusMetricName(name: string): string {
  const sanitized = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
}

/** A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function prometheusLabelName(name: string): string {
  const sanitized = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
}

/**
 * The Prometheus labels of one series, sorted by name as remote-write requires. Two labels that become
 * the same name (`http.method` and `http_method`) keep the first; empty values are left out, as
 * Prometheus treats them as absent.
 */
export function prometheusLabels(series: IngestSeries): [name: string, value: string][] {
  const labels = new Map<string, string>([['__name__', prometheusMetricName(series.metric)]]);
  for (const [name, value] of Object.entries(series.labels)) {
    const promName = prometheusLabelName(name);
    if (value !== '' && !labels.has(promName)) labels.set(promName, value);
  }
  if (series.target !== '') {
    const free = TARGET_LABELS.find((name) => !labels.has(name));
    if (free !== undefined) labels.set(free, series.target);
  }
  return [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The series as a prompb.WriteRequest, samples in time order; null when no series has a sample. */
export function encodeWriteRequest(series: readonly IngestSeries[]): Uint8Array | null {
  const timeseries: TimeSeries[] = [];
  for (const one of series) {
    if (one.values.length === 0) continue;
    const order = one.timestampsMs
      .map((_, i) => i)
      .sort((a, b) => one.timestampsMs[a]! - one.timestampsMs[b]!);
    timeseries.push(
      create(TimeSeriesSchema, {
        labels: prometheusLabels(one).map(([name, value]) => ({ name, value })),
        samples: order.map((i) => ({ value: one.values[i]!, timestamp: BigInt(one.timestampsMs[i]!) })),
      }),
    );
  }
  if (timeseries.length === 0) return null;
  return toBinary(WriteRequestSchema, create(WriteRequestSchema, { timeseries }));
}

/** The body of a remote-write POST: the request snappy-compressed; null when there is nothing to send. */
export function remoteWriteBody(series: readonly IngestSeries[]): Uint8Array | null {
  const request = encodeWriteRequest(series);
  return request === null ? null : snappyCompress(request);
}
