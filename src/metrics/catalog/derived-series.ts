// Building blocks of the derivation: the host a series was measured on, the derived series itself (raw
// labels kept, ARMS dimensions added, values scaled), and the factor that turns a time unit into ms.
import type { IngestSeries, SeriesTemporality } from '../../domain/metric-series.js';

/** The derivation rules' output list; rules push into it so a batch allocates one array. */
export type DerivedSink = IngestSeries[];

/**
 * The host of a series: its `host` label (OTLP `host.name` is decoded to `host`), else `hostname`, else
 * `instance` without its port (the Prometheus scrape address; OTLP's `service.instance.id`), else
 * `host.name`. Undefined when none is there.
 * @example hostOf({ instance: '10.0.0.7:9100' }) // '10.0.0.7'
 */
export function hostOf(labels: Readonly<Record<string, string>>): string | undefined {
  const direct = labels.host || labels.hostname;
  if (direct) return direct;
  const instance = labels.instance;
  if (instance) return withoutPort(instance);
  return labels['host.name'] || undefined;
}

/** `10.0.0.7:9100` → `10.0.0.7`, `[::1]:9100` → `::1`; a bare host or IPv6 address stays as it is. */
export function withoutPort(instance: string): string {
  if (instance.startsWith('[')) {
    const end = instance.indexOf(']');
    return end > 0 ? instance.slice(1, end) : instance;
  }
  const colon = instance.indexOf(':');
  // Two colons or more without brackets: an IPv6 address, which has no port written this way.
  if (colon < 0 || instance.indexOf(':', colon + 1) >= 0) return instance;
  return instance.slice(0, colon);
}

/** Milliseconds per one of an OTLP (UCUM) time unit; undefined when it is not a time unit. */
const MS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['s', 1000],
  ['ms', 1],
  ['us', 0.001],
  ['μs', 0.001],
  ['ns', 0.000001],
  ['min', 60_000],
  ['h', 3_600_000],
]);

/**
 * What to multiply a time series' values by to get milliseconds: from the series' own OTLP unit when the
 * decoder kept it, else from the unit the semantic conventions give the metric.
 */
export function msFactor(raw: IngestSeries, conventionalUnit: 's' | 'ms'): number {
  const unit = 'unit' in raw && typeof raw.unit === 'string' ? raw.unit : undefined;
  return (unit !== undefined ? MS_PER_UNIT.get(unit) : undefined) ?? MS_PER_UNIT.get(conventionalUnit)!;
}

/**
 * ARMS dimensions to set on a derived series: a value sets the label, `null` clears a raw label of that
 * name (Micrometer's `exception="None"` is no exception dimension), undefined leaves the labels alone.
 */
export type Dimensions = Readonly<Record<string, string | null | undefined>>;

/**
 * The raw labels with the ARMS dimensions set. The raw labels stay so that distinct source streams stay
 * distinct series (cumulative counters are turned into deltas per series; two merged streams would read
 * as restarts). A raw label a dimension overwrites or clears is kept as `source_<name>`.
 */
export function withDimensions(
  labels: Readonly<Record<string, string>>,
  dimensions: Dimensions,
): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const name in dimensions) {
    const value = dimensions[name];
    if (value === undefined) continue;
    const previous = labels[name];
    if (previous !== undefined && previous !== value) out[`source_${name}`] = previous;
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

export interface DeriveOptions {
  /** Multiplies every value (seconds → ms: 1000; fraction → percent: 100). Default 1. */
  readonly scale?: number;
  /** Default: the raw series' own. */
  readonly temporality?: SeriesTemporality;
}

/** Emits the application series `metric` with the raw points (scaled) and the raw labels plus `dimensions`. */
export function emitDerived(
  out: DerivedSink,
  raw: IngestSeries,
  metric: string,
  dimensions: Dimensions,
  options: DeriveOptions = {},
): void {
  const scale = options.scale ?? 1;
  out.push({
    scope: 'application',
    target: raw.target,
    metric,
    labels: withDimensions(raw.labels, dimensions),
    temporality: options.temporality ?? raw.temporality,
    ...(raw.startTimeMs !== undefined && { startTimeMs: raw.startTimeMs }),
    timestampsMs: raw.timestampsMs,
    values: scale === 1 ? raw.values : raw.values.map((value) => value * scale),
  });
}

/**
 * A counter's temporality: Prometheus counters are cumulative even when a remote-write sender gave no
 * metadata and the decoder took them for gauges.
 */
export function counterTemporality(raw: IngestSeries): SeriesTemporality {
  return raw.temporality === 'gauge' ? 'cumulative' : raw.temporality;
}
