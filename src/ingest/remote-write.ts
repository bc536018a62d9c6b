// Prometheus remote-write 1.0 (`POST /api/v1/write`, a snappy-compressed prompb.WriteRequest) into
// IngestSeries. This is ingestion's hot path, so the WriteRequest is read by hand off the wire (a quick
// pass for metadata, then the series), points gathered in arrays reused from series to series, no object
// per sample, and label text that series repeat decoded once per request. The bufbuild-generated prompb
// types in src/gen describe the same bytes; the tests check that both decoders agree.
import type { IngestSeries, SeriesTemporality } from '../domain/metric-series.js';
import { IngestDecodeError } from './decode-errors.js';
import { setLabel } from './series-groups.js';
import { snappyUncompress, type SnappyOutputBuffer } from './snappy-block.js';
import { WIRE_TYPE, WireReader } from './wire-reader.js';

export interface RemoteWriteLimits {
  /** The most bytes the snappy body may decompress to (Prometheus sends far less than 10 MB). */
  readonly maxDecodedBytes: number;
}

/** `MetricMetadata.MetricType` of prompb/types.proto. */
export const PROMETHEUS_METRIC_TYPE = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugeHistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
} as const;

/**
 * The labels naming the application a series belongs to, most specific first. The first one present
 * becomes the series' target and leaves its labels.
 */
export const TARGET_LABELS = ['service_name', 'application', 'app', 'service', 'job'] as const;

/** The value Prometheus writes to mark a series stale: a NaN with this bit pattern (model/value). */
const STALE_NAN_HIGH = 0x7ff0_0000;
const STALE_NAN_LOW = 0x0000_0002;

// Tags (field number << 3 | wire type) of the prompb fields read here.
const WRITE_REQUEST_TIMESERIES = (1 << 3) | WIRE_TYPE.lengthDelimited;
const WRITE_REQUEST_METADATA = (3 << 3) | WIRE_TYPE.lengthDelimited;
const TIMESERIES_LABEL = (1 << 3) | WIRE_TYPE.lengthDelimited;
const TIMESERIES_SAMPLE = (2 << 3) | WIRE_TYPE.lengthDelimited;
const LABEL_NAME = (1 << 3) | WIRE_TYPE.lengthDelimited;
const LABEL_VALUE = (2 << 3) | WIRE_TYPE.lengthDelimited;
const SAMPLE_VALUE = (1 << 3) | WIRE_TYPE.fixed64;
const SAMPLE_TIMESTAMP = (2 << 3) | WIRE_TYPE.varint;
const METADATA_TYPE = (1 << 3) | WIRE_TYPE.varint;
const METADATA_FAMILY = (2 << 3) | WIRE_TYPE.lengthDelimited;

/**
 * The metric types Prometheus has declared, remembered across requests: Prometheus sends metadata in
 * requests of their own, about once a minute, never beside the samples it describes. Bounded, so a
 * sender inventing family names cannot grow it without end; past the bound, new families are not kept.
 */
export class PrometheusMetadata {
  readonly #types = new Map<string, number>();
  readonly maxFamilies: number;

  constructor(maxFamilies = 100_000) {
    this.maxFamilies = maxFamilies;
  }

  /** Records the type of a metric family (a PROMETHEUS_METRIC_TYPE value). */
  remember(family: string, type: number): void {
    if (this.#types.size >= this.maxFamilies && !this.#types.has(family)) return;
    this.#types.set(family, type);
  }

  /** The declared type of a metric family, or undefined when never declared. */
  typeOf(family: string): number | undefined {
    return this.#types.get(family);
  }

  get size(): number {
    return this.#types.size;
  }
}

/**
 * Decompresses and decodes a remote-write body into one IngestSeries per time series, in request order.
 * Series without `__name__` or without samples are left out; staleness markers are dropped silently;
 * other NaN and infinite values are kept for the store to reject. Native histograms and exemplars are
 * skipped. Pass `metadata` kept between requests so that declared counter types take effect, and a
 * `buffer` kept between requests to decompress into (the series keep nothing of it).
 * @throws PayloadTooLargeError beyond `limits.maxDecodedBytes`; IngestDecodeError for a corrupt body.
 * @example const series = decodeRemoteWrite(body, { maxDecodedBytes: 32 << 20 }, metadata, buffer)
 */
export function decodeRemoteWrite(
  snappyBody: Uint8Array,
  limits: RemoteWriteLimits,
  metadata?: PrometheusMetadata,
  buffer?: SnappyOutputBuffer,
): IngestSeries[] {
  return decodeWriteRequest(snappyUncompress(snappyBody, limits.maxDecodedBytes, buffer), metadata);
}

/**
 * Decodes an uncompressed prompb.WriteRequest; see decodeRemoteWrite. The request's own metadata is
 * read first (it may follow the series on the wire) and added to `metadata`.
 * @throws IngestDecodeError for a corrupt message, naming the time series at fault.
 */
export function decodeWriteRequest(bytes: Uint8Array, metadata = new PrometheusMetadata()): IngestSeries[] {
  const reader = new WireReader(bytes);
  readMetadata(reader, metadata);
  const temporalityOf = memoize((metric: string) => prometheusTemporality(metric, metadata));
  // New for each request: the label slots remember offsets into `bytes`.
  const labels = new LabelScratch();
  const points = new PointScratch();
  const series: IngestSeries[] = [];
  let index = 0;
  reader.pos = 0;
  while (reader.pos < bytes.length) {
    const tag = reader.tag();
    if (tag !== WRITE_REQUEST_TIMESERIES) {
      reader.skip(tag & 7, tag >>> 3);
      continue;
    }
    try {
      const end = reader.lengthDelimitedEnd();
      const decoded = readTimeSeries(reader, end, labels, points, temporalityOf);
      if (decoded) series.push(decoded);
    } catch (error) {
      throw inTimeSeries(error, index);
    }
    index++;
  }
  return series;
}

/**
 * How a Prometheus series' points combine: counters and the `_count`/`_sum`/`_bucket` of histograms and
 * summaries are cumulative, the rest gauges. Declared metadata decides; lacking it, the name's suffix
 * (`_total`, `_count`, `_sum`, `_bucket`) does.
 * @example prometheusTemporality('http_requests_total', new PrometheusMetadata()) // 'cumulative'
 */
export function prometheusTemporality(
  metric: string,
  metadata: Pick<PrometheusMetadata, 'typeOf'>,
): SeriesTemporality {
  const own = metadata.typeOf(metric);
  if (own !== undefined && own !== PROMETHEUS_METRIC_TYPE.unknown) {
    return own === PROMETHEUS_METRIC_TYPE.counter ? 'cumulative' : 'gauge';
  }
  const suffix = CUMULATIVE_SUFFIXES.find((s) => metric.endsWith(s));
  if (suffix === undefined) return 'gauge';
  const family = metadata.typeOf(metric.slice(0, -suffix.length));
  switch (family) {
    case PROMETHEUS_METRIC_TYPE.counter:
      return suffix === '_total' ? 'cumulative' : 'gauge';
    case PROMETHEUS_METRIC_TYPE.histogram:
    case PROMETHEUS_METRIC_TYPE.summary:
      return suffix === '_total' ? 'gauge' : 'cumulative';
    case PROMETHEUS_METRIC_TYPE.gauge:
    case PROMETHEUS_METRIC_TYPE.gaugeHistogram:
    case PROMETHEUS_METRIC_TYPE.info:
    case PROMETHEUS_METRIC_TYPE.stateset:
      return 'gauge';
    default:
      // No usable metadata: Prometheus naming conventions decide.
      return 'cumulative';
  }
}

const CUMULATIVE_SUFFIXES = ['_total', '_count', '_sum', '_bucket'] as const;

/** Reads every WriteRequest.metadata entry into `metadata`, skipping the series. */
function readMetadata(reader: WireReader, metadata: PrometheusMetadata): void {
  const length = reader.bytes.length;
  let index = 0;
  let seriesIndex = 0;
  while (reader.pos < length) {
    const tag = reader.tag();
    if (tag === WRITE_REQUEST_TIMESERIES) {
      try {
        reader.skip(tag & 7, tag >>> 3);
      } catch (error) {
        throw inTimeSeries(error, seriesIndex);
      }
      seriesIndex++;
      continue;
    }
    if (tag !== WRITE_REQUEST_METADATA) {
      reader.skip(tag & 7, tag >>> 3);
      continue;
    }
    const end = reader.lengthDelimitedEnd();
    let type: number = PROMETHEUS_METRIC_TYPE.unknown;
    let family = '';
    while (reader.pos < end) {
      const field = reader.tag();
      if (field === METADATA_TYPE) type = reader.uint32();
      else if (field === METADATA_FAMILY) family = reader.string(reader.lengthDelimitedEnd());
      else reader.skip(field & 7, field >>> 3);
    }
    if (reader.pos !== end) throw overrun(`metadata[${index}]`);
    if (family !== '') metadata.remember(family, type);
    index++;
  }
}

/** One TimeSeries, or null when it has no name or no samples left. */
function readTimeSeries(
  reader: WireReader,
  end: number,
  labels: LabelScratch,
  points: PointScratch,
  temporalityOf: (metric: string) => SeriesTemporality,
): IngestSeries | null {
  const view = reader.view;
  const bytes = reader.bytes;
  points.clear();
  labels.clear();
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === TIMESERIES_SAMPLE) {
      const sampleEnd = reader.lengthDelimitedEnd();
      let value = 0;
      let timestamp = 0;
      let stale = false;
      const at = reader.pos;
      // Prometheus writes the value, then the timestamp: that layout is read without parsing the tags.
      // Anything else (fields left out, reordered, repeated, unknown) goes through the loop below.
      if (bytes[at] === SAMPLE_VALUE && bytes[at + 9] === SAMPLE_TIMESTAMP && at + 10 < sampleEnd) {
        value = view.getFloat64(at + 1, true);
        stale =
          value !== value &&
          view.getUint32(at + 5, true) === STALE_NAN_HIGH &&
          view.getUint32(at + 1, true) === STALE_NAN_LOW;
        reader.pos = at + 10;
        timestamp = reader.int64();
      }
      while (reader.pos < sampleEnd) {
        const field = reader.tag();
        if (field === SAMPLE_VALUE) {
          value = reader.double();
          // Only a NaN can be the marker; its payload is read from the buffer, not from the number.
          stale =
            value !== value &&
            view.getUint32(reader.pos - 4, true) === STALE_NAN_HIGH &&
            view.getUint32(reader.pos - 8, true) === STALE_NAN_LOW;
        } else if (field === SAMPLE_TIMESTAMP) {
          timestamp = reader.int64();
        } else {
          reader.skip(field & 7, field >>> 3);
        }
      }
      if (reader.pos !== sampleEnd) throw overrun('a sample');
      if (!stale) {
        points.add(timestamp, value);
      }
    } else if (tag === TIMESERIES_LABEL) {
      const labelEnd = reader.lengthDelimitedEnd();
      const slot = 2 * labels.labelsRead++;
      let name = '';
      let value = '';
      while (reader.pos < labelEnd) {
        const field = reader.tag();
        if (field === LABEL_NAME) name = labels.text(reader, slot, reader.lengthDelimitedEnd());
        else if (field === LABEL_VALUE) value = labels.text(reader, slot + 1, reader.lengthDelimitedEnd());
        else reader.skip(field & 7, field >>> 3);
      }
      if (reader.pos !== labelEnd) throw overrun('a label');
      labels.add(name, value);
    } else {
      // Exemplars (3), native histograms (4) and anything newer.
      reader.skip(tag & 7, tag >>> 3);
    }
  }
  if (reader.pos !== end) throw overrun('the time series');
  if (labels.metric === '' || points.count === 0) return null;
  const metric = labels.metric;
  return {
    scope: 'custom',
    target: labels.target(),
    metric,
    labels: labels.toRecord(),
    temporality: temporalityOf(metric),
    timestampsMs: points.times.slice(0, points.count),
    values: points.values.slice(0, points.count),
  };
}

/**
 * The points of the series being read, in arrays reused from one series to the next: each series then
 * gets arrays of exactly its length, copied once, rather than arrays grown (and copied) as points come.
 */
class PointScratch {
  readonly times: number[] = [];
  readonly values: number[] = [];
  count = 0;

  clear(): void {
    this.count = 0;
  }

  add(timeMs: number, value: number): void {
    const at = this.count++;
    if (at < this.times.length) {
      this.times[at] = timeMs;
      this.values[at] = value;
    } else {
      this.times.push(timeMs);
      this.values.push(value);
    }
  }
}

/** The labels of the series being read, kept in arrays reused from one series to the next. */
class LabelScratch {
  readonly #names: string[] = [];
  readonly #values: string[] = [];
  #count = 0;
  /** Labels read of the current series, empty values included: the position of the next one. */
  labelsRead = 0;
  /** The value of `__name__`. */
  metric = '';
  /** Index of the label chosen as target, and its rank in TARGET_LABELS (lower wins). */
  #targetIndex = -1;
  #targetRank: number = TARGET_LABELS.length;
  // Per slot (the name or the value of the label at one position in a series), the text last decoded
  // there and where its bytes are in the request. Series repeat most of their label text — every name, in
  // the same order, and values such as env or region — so it is compared byte for byte rather than
  // decoded again: no new string, and one whose hash V8 already knows when the store looks it up.
  readonly #texts: string[] = [];
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  /** The text from `reader.pos` to `end`, where `reader.pos` moves; `slot`'s when the bytes are the same. */
  text(reader: WireReader, slot: number, end: number): string {
    const start = reader.pos;
    const previous = this.#starts[slot];
    if (previous !== undefined && this.#ends[slot]! - previous === end - start) {
      const bytes = reader.bytes;
      let same = true;
      for (let i = 0; i < end - start && same; i++) same = bytes[start + i] === bytes[previous + i];
      if (same) {
        reader.pos = end;
        return this.#texts[slot]!;
      }
    }
    const text = reader.string(end);
    this.#texts[slot] = text;
    this.#starts[slot] = start;
    this.#ends[slot] = end;
    return text;
  }

  clear(): void {
    this.#count = 0;
    this.labelsRead = 0;
    this.metric = '';
    this.#targetIndex = -1;
    this.#targetRank = TARGET_LABELS.length;
  }

  add(name: string, value: string): void {
    // An empty value is the same as no label at all in Prometheus.
    if (value === '') return;
    if (name === '__name__') {
      this.metric = value;
      return;
    }
    const rank = targetRank(name);
    if (rank < this.#targetRank) {
      this.#targetRank = rank;
      this.#targetIndex = this.#count;
    }
    this.#names[this.#count] = name;
    this.#values[this.#count] = value;
    this.#count++;
  }

  target(): string {
    return this.#targetIndex < 0 ? '' : this.#values[this.#targetIndex]!;
  }

  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (let i = 0; i < this.#count; i++) {
      if (i === this.#targetIndex) continue;
      setLabel(record, this.#names[i]!, this.#values[i]!);
    }
    return record;
  }
}

function targetRank(name: string): number {
  switch (name) {
    case 'service_name':
      return 0;
    case 'application':
      return 1;
    case 'app':
      return 2;
    case 'service':
      return 3;
    case 'job':
      return 4;
    default:
      return TARGET_LABELS.length;
  }
}

function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return function cached(key: string): T {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** A nested message whose last field ends beyond the message's declared length. */
function overrun(what: string): IngestDecodeError {
  return new IngestDecodeError(`corrupt remote-write body: ${what} runs past its declared length`);
}

function inTimeSeries(error: unknown, index: number): unknown {
  if (!(error instanceof IngestDecodeError) || error.field !== undefined) return error;
  return new IngestDecodeError(`${error.message} (in timeseries[${index}])`, {
    field: `timeseries[${index}]`,
    cause: error,
  });
}
