// OTLP/HTTP metrics (`POST /v1/metrics`, protobuf or JSON) into IngestSeries, and the export response
// that tells the client what was rejected. Mapping: the resource's `service.name` is the target,
// `host.name` and `service.instance.id` become the labels `host` and `instance` (other resource
// attributes would only multiply series), data-point attributes are labels; histograms and summaries
// become `<name>_count` / `_sum` (and `_min` / `_max`) series.
import { create, fromBinary, toBinary, toJsonString } from '@bufbuild/protobuf';
import {
  ExportMetricsServiceRequestSchema,
  ExportMetricsServiceResponseSchema,
  type ExportMetricsServiceRequest,
} from '../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.js';
import type { AnyValue, KeyValue } from '../gen/opentelemetry/proto/common/v1/common_pb.js';
import {
  AggregationTemporality,
  type ExponentialHistogramDataPoint,
  type HistogramDataPoint,
  type Metric,
  type NumberDataPoint,
  type SummaryDataPoint,
} from '../gen/opentelemetry/proto/metrics/v1/metrics_pb.js';
import type { IngestSeries, SeriesTemporality } from '../domain/metric-series.js';
import { IngestDecodeError } from './decode-errors.js';
import { parseOtlpJson } from './otlp-json.js';
import { SeriesGroups, setLabel, type SeriesHead } from './series-groups.js';

export type OtlpFormat = 'protobuf' | 'json';

export interface OtlpDecodeResult {
  readonly series: IngestSeries[];
  /** OTLP data points not turned into series; the export response reports them to the client. */
  readonly rejectedDataPoints: number;
  /** Why, for people: each distinct reason once, at most MAX_ERRORS of them. */
  readonly errors: string[];
}

/** Distinct rejection reasons kept per request; the response's error_message need not be a log. */
const MAX_ERRORS = 20;

/** The data-point flag OTLP sets on a point that carries no value (a staleness marker). */
const NO_RECORDED_VALUE = 1;

/** Resource attributes (semantic conventions) that become labels, and the label names they get. */
const RESOURCE_LABELS = [
  ['host.name', 'host'],
  ['service.instance.id', 'instance'],
] as const;

/** Nested attribute values (arrays, maps) are written as JSON down to this depth, then `"…"`. */
const MAX_VALUE_DEPTH = 8;

/**
 * Decodes an OTLP metrics export request. Data points that cannot be stored (no value, no time, no
 * usable temporality) are counted in `rejectedDataPoints` with a reason in `errors`; the rest of the
 * request is still decoded (OTLP partial success).
 * @throws IngestDecodeError when the body is not an ExportMetricsServiceRequest in `format`.
 * @example const { series, rejectedDataPoints } = decodeOtlpMetrics(body, 'protobuf')
 */
export function decodeOtlpMetrics(body: Uint8Array, format: OtlpFormat): OtlpDecodeResult {
  const request = format === 'json' ? parseOtlpJson(body) : parseOtlpProtobuf(body);
  return otlpRequestToSeries(request);
}

/**
 * Parses a binary OTLP metrics export request.
 * @throws IngestDecodeError when it is not one.
 */
export function parseOtlpProtobuf(body: Uint8Array): ExportMetricsServiceRequest {
  try {
    // Unknown fields are not kept: nothing would read them, and they would hold on to memory.
    return fromBinary(ExportMetricsServiceRequestSchema, body, { readUnknownFields: false });
  } catch (error) {
    // bufbuild's reader throws plain Errors for truncated or malformed input, a RangeError for nesting
    // too deep to follow; for a pure decoder, all of them mean a bad body.
    const reason = error instanceof Error ? error.message : String(error);
    throw new IngestDecodeError(`not an OTLP ExportMetricsServiceRequest in protobuf: ${reason}`, {
      cause: error,
    });
  }
}

/** Maps a decoded export request to series; see decodeOtlpMetrics. */
export function otlpRequestToSeries(request: ExportMetricsServiceRequest): OtlpDecodeResult {
  const mapping = new OtlpMapping();
  for (const resourceMetrics of request.resourceMetrics) {
    const attributes = resourceMetrics.resource?.attributes ?? [];
    const target = attributeText(attributes, 'service.name') ?? '';
    const resourceLabels: Record<string, string> = {};
    for (const [attribute, label] of RESOURCE_LABELS) {
      const value = attributeText(attributes, attribute);
      if (value !== undefined) resourceLabels[label] = value;
    }
    for (const scopeMetrics of resourceMetrics.scopeMetrics) {
      for (const metric of scopeMetrics.metrics) mapping.addMetric(target, resourceLabels, metric);
    }
  }
  return mapping.result();
}

/**
 * The body of the export response for a decoded request: empty on full success, else a partial_success
 * naming how many data points were rejected and why (the client must not retry them).
 * @example reply.type(response.contentType).send(response.body)
 */
export function otlpExportResponse(
  result: Pick<OtlpDecodeResult, 'rejectedDataPoints' | 'errors'>,
  format: OtlpFormat,
): { readonly contentType: string; readonly body: Buffer } {
  const partial = result.rejectedDataPoints > 0 || result.errors.length > 0;
  const response = create(ExportMetricsServiceResponseSchema, {
    partialSuccess: partial
      ? { rejectedDataPoints: BigInt(result.rejectedDataPoints), errorMessage: result.errors.join('; ') }
      : undefined,
  });
  return format === 'json'
    ? {
        contentType: 'application/json',
        body: Buffer.from(toJsonString(ExportMetricsServiceResponseSchema, response)),
      }
    : {
        contentType: 'application/x-protobuf',
        body: Buffer.from(toBinary(ExportMetricsServiceResponseSchema, response)),
      };
}

/** Epoch nanoseconds to epoch milliseconds, rounded down, exact for any instant a date can hold. */
export function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1_000_000n);
}

/**
 * An attribute value as label text: strings as they are, numbers and booleans as JSON writes them,
 * bytes in base64, arrays and maps as JSON. Unset values are ''.
 */
export function anyValueText(value: AnyValue | undefined): string {
  const inner = value?.value;
  if (inner === undefined) return '';
  switch (inner.case) {
    case 'stringValue':
      return inner.value;
    case 'boolValue':
    case 'doubleValue':
      return String(inner.value);
    case 'intValue':
      return inner.value.toString();
    case 'bytesValue':
      return Buffer.from(inner.value).toString('base64');
    case 'arrayValue':
    case 'kvlistValue':
      return JSON.stringify(anyValueJson(value, 0));
    case undefined:
      return '';
  }
}

type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

function anyValueJson(value: AnyValue | undefined, depth: number): PlainValue {
  const inner = value?.value;
  if (inner === undefined) return null;
  if (depth >= MAX_VALUE_DEPTH && (inner.case === 'arrayValue' || inner.case === 'kvlistValue')) return '…';
  switch (inner.case) {
    case 'stringValue':
    case 'boolValue':
      return inner.value;
    case 'doubleValue':
      return Number.isFinite(inner.value) ? inner.value : String(inner.value);
    case 'intValue':
      return inner.value.toString();
    case 'bytesValue':
      return Buffer.from(inner.value).toString('base64');
    case 'arrayValue':
      return inner.value.values.map((item) => anyValueJson(item, depth + 1));
    case 'kvlistValue': {
      const map: { [key: string]: PlainValue } = {};
      for (const entry of inner.value.values) {
        Object.defineProperty(map, entry.key, {
          value: anyValueJson(entry.value, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return map;
    }
    case undefined:
      return null;
  }
}

function attributeText(attributes: readonly KeyValue[], key: string): string | undefined {
  // The last occurrence wins, as it would in a map.
  for (let i = attributes.length - 1; i >= 0; i--) {
    if (attributes[i]!.key === key) return anyValueText(attributes[i]!.value);
  }
  return undefined;
}

type DataPoint = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

/** The state of one request's mapping: the series gathered and what was rejected. */
class OtlpMapping {
  readonly #groups = new SeriesGroups();
  readonly #errors = new Set<string>();
  #rejected = 0;

  addMetric(target: string, resourceLabels: Readonly<Record<string, string>>, metric: Metric): void {
    const { data } = metric;
    if (data.case === undefined) return;
    const points: readonly DataPoint[] = data.value.dataPoints;
    if (metric.name === '') {
      this.#reject(points.length, 'a metric without a name');
      return;
    }
    const unit = metric.unit === '' ? undefined : metric.unit;
    const base = { scope: 'custom', target, unit } as const;
    const name = metric.name;
    switch (data.case) {
      case 'gauge':
        for (const point of data.value.dataPoints) {
          this.#addNumber({ ...base, metric: name }, 'gauge', resourceLabels, point);
        }
        return;
      case 'sum': {
        const temporality = sumTemporality(data.value.aggregationTemporality, data.value.isMonotonic);
        if (temporality === undefined) {
          this.#reject(points.length, `${shortName(name)}: a sum without aggregation_temporality`);
          return;
        }
        for (const point of data.value.dataPoints) {
          this.#addNumber({ ...base, metric: name }, temporality, resourceLabels, point);
        }
        return;
      }
      case 'histogram':
      case 'exponentialHistogram': {
        const temporality = histogramTemporality(data.value.aggregationTemporality);
        if (temporality === undefined) {
          this.#reject(points.length, `${shortName(name)}: a histogram without aggregation_temporality`);
          return;
        }
        for (const point of data.value.dataPoints) {
          this.#addDistribution(name, unit, target, temporality, resourceLabels, point);
        }
        return;
      }
      case 'summary':
        for (const point of data.value.dataPoints) {
          this.#addDistribution(name, unit, target, 'cumulative', resourceLabels, point);
        }
        return;
    }
  }

  result(): OtlpDecodeResult {
    return { series: this.#groups.toSeries(), rejectedDataPoints: this.#rejected, errors: [...this.#errors] };
  }

  #addNumber(
    head: Pick<SeriesHead, 'scope' | 'target' | 'metric' | 'unit'>,
    temporality: SeriesTemporality,
    resourceLabels: Readonly<Record<string, string>>,
    point: NumberDataPoint,
  ): void {
    const timestampMs = this.#timestampOf(head.metric, point);
    if (timestampMs === undefined) return;
    let value: number;
    if (point.value.case === 'asDouble') value = point.value.value;
    else if (point.value.case === 'asInt') value = Number(point.value.value);
    else {
      this.#reject(1, `${shortName(head.metric)}: a data point without a value`);
      return;
    }
    const labels = pointLabels(resourceLabels, point.attributes);
    this.#groups.add(
      { ...head, labels, temporality, startTimeMs: startTimeOf(temporality, point) },
      timestampMs,
      value,
    );
  }

  /** A histogram, exponential histogram or summary point: `_count`, `_sum`, and `_min` / `_max` gauges. */
  #addDistribution(
    name: string,
    unit: string | undefined,
    target: string,
    temporality: SeriesTemporality,
    resourceLabels: Readonly<Record<string, string>>,
    point: HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint,
  ): void {
    const timestampMs = this.#timestampOf(name, point);
    if (timestampMs === undefined) return;
    const labels = pointLabels(resourceLabels, point.attributes);
    const startTimeMs = startTimeOf(temporality, point);
    const head = { scope: 'custom', target, labels } as const;
    // A count has no unit of its own: it counts observations, whatever they measure.
    this.#groups.add(
      { ...head, metric: `${name}_count`, temporality, startTimeMs },
      timestampMs,
      Number(point.count),
    );
    if (point.sum !== undefined) {
      this.#groups.add(
        { ...head, metric: `${name}_sum`, unit, temporality, startTimeMs },
        timestampMs,
        point.sum,
      );
    }
    if ('max' in point && point.max !== undefined) {
      this.#groups.add(
        { ...head, metric: `${name}_max`, unit, temporality: 'gauge' },
        timestampMs,
        point.max,
      );
    }
    if ('min' in point && point.min !== undefined) {
      this.#groups.add(
        { ...head, metric: `${name}_min`, unit, temporality: 'gauge' },
        timestampMs,
        point.min,
      );
    }
  }

  /** The point's time in epoch ms, or undefined (and the point rejected) when it has no value or time. */
  #timestampOf(metric: string, point: DataPoint): number | undefined {
    if ((point.flags & NO_RECORDED_VALUE) !== 0) {
      this.#reject(1, `${shortName(metric)}: a data point flagged as having no recorded value`);
      return undefined;
    }
    if (point.timeUnixNano === 0n) {
      this.#reject(1, `${shortName(metric)}: a data point without time_unix_nano`);
      return undefined;
    }
    return nanosToMs(point.timeUnixNano);
  }

  #reject(points: number, reason: string): void {
    this.#rejected += points;
    if (points > 0 && this.#errors.size < MAX_ERRORS) this.#errors.add(reason);
  }
}

/** A metric name short enough for an error message (the response must not echo megabytes back). */
function shortName(name: string): string {
  return name.length <= 100 ? name : `${name.slice(0, 100)}…`;
}

/**
 * A sum's temporality: a monotonic cumulative sum is a counter; a non-monotonic one (an up-down counter)
 * reports a level, so a gauge; a delta sum, monotonic or not, is what changed in its interval.
 */
function sumTemporality(
  aggregation: AggregationTemporality,
  monotonic: boolean,
): SeriesTemporality | undefined {
  switch (aggregation) {
    case AggregationTemporality.CUMULATIVE:
      return monotonic ? 'cumulative' : 'gauge';
    case AggregationTemporality.DELTA:
      return 'delta';
    default:
      return undefined;
  }
}

function histogramTemporality(aggregation: AggregationTemporality): SeriesTemporality | undefined {
  switch (aggregation) {
    case AggregationTemporality.CUMULATIVE:
      return 'cumulative';
    case AggregationTemporality.DELTA:
      return 'delta';
    default:
      return undefined;
  }
}

/** Cumulative series carry their start; 0 means the sender did not say. */
function startTimeOf(temporality: SeriesTemporality, point: DataPoint): number | undefined {
  if (temporality !== 'cumulative' || point.startTimeUnixNano === 0n) return undefined;
  return nanosToMs(point.startTimeUnixNano);
}

/** The resource's labels overlaid with the point's attributes (keys as given; empty keys dropped). */
function pointLabels(
  resourceLabels: Readonly<Record<string, string>>,
  attributes: readonly KeyValue[],
): Record<string, string> {
  const labels: Record<string, string> = { ...resourceLabels };
  for (const attribute of attributes) {
    if (attribute.key !== '') setLabel(labels, attribute.key, anyValueText(attribute.value));
  }
  return labels;
}
