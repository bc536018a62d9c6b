// The metric store's series in memory: identity keys, dense numeric ids (reused once a series is
// forgotten), the metrics they belong to, per-target and per-metric counts for the limits, and each
// series' small mutable state (last point seen, the cumulative counter's last value).
import type { IngestSeries, SeriesScope } from '../../domain/metric-series.js';

/** The metric a series belongs to: one (scope, target, metric name). Block files are split by these. */
export class MetricEntry {
  readonly series = new Set<Series>();
  /** Label name → number of this metric's series carrying it. */
  readonly labelUse = new Map<string, number>();
  /** Changes whenever a series is added or forgotten: cached query selections check it. */
  version = 0;
  /** The key of its target's series count (`scope|target`), made once rather than for every new series. */
  readonly targetKey: string;

  constructor(
    readonly key: string,
    readonly scope: SeriesScope,
    readonly target: string,
    readonly name: string,
  ) {
    this.targetKey = scope + '|' + target;
  }
}

/** One series: a metric plus one set of label values. */
export class Series {
  /** Newest point timestamp accepted (epoch ms); retention forgets a series by it. */
  lastSeenMs = Number.NEGATIVE_INFINITY;
  // The last point of a cumulative series, from which the next delta is taken; NaN until the first one.
  cumulativeTimeMs = Number.NaN;
  cumulativeValue = Number.NaN;
  cumulativeStartMs = Number.NaN;

  constructor(
    readonly id: number,
    readonly key: string,
    readonly entry: MetricEntry,
    /** Sorted; the array is shared by every series with the same label names. */
    readonly labelNames: readonly string[],
    /** Parallel to labelNames. */
    readonly labelValues: readonly string[],
  ) {}

  /** The value of label `name`, or undefined when the series does not carry it. */
  label(name: string): string | undefined {
    const names = this.labelNames;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.labelValues[i];
    return undefined;
  }
}

/** What a new series is refused for. */
export type SeriesLimit = 'series_limit_per_target' | 'series_limit_per_metric';

export interface SeriesLimits {
  readonly maxSeriesPerTarget: number;
  readonly maxSeriesPerMetric: number;
}

/** The key of a metric: length-prefixed parts cannot be forged by a name holding a separator. */
export function metricKeyOf(scope: SeriesScope, target: string, metric: string): string {
  return scope + '|' + target.length + ':' + target + metric.length + ':' + metric;
}

/**
 * The identity key of a series: its metric's key, then label names and values, sorted by name, joined by
 * NUL. One `join` builds a flat string (no JSON.stringify, no rope to flatten on lookup). Label names and
 * values are not escaped: two series could only share a key if one's label value embedded NUL plus the
 * other's next label, which we accept rather than scan every string.
 */
function seriesKeyOf(metricKey: string, names: readonly string[], values: readonly string[]): string {
  const parts: string[] = [metricKey];
  for (let i = 0; i < names.length; i++) parts.push(names[i] ?? '', values[i] ?? '');
  return parts.join('\u0000');
}

function namesInOrder(names: string[]): string[] {
  for (let i = 1; i < names.length; i++) {
    if ((names[i - 1] ?? '') >= (names[i] ?? '')) return names.sort();
  }
  return names;
}

export class SeriesRegistry {
  readonly #byKey = new Map<string, Series>();
  readonly #byId: (Series | undefined)[] = [];
  readonly #metrics = new Map<string, MetricEntry>();
  /** `scope|target` → series count, for maxSeriesPerTarget. */
  readonly #targetSeries = new Map<string, number>();
  /** Sorted label names joined by NUL → the one shared array. */
  readonly #nameSets = new Map<string, readonly string[]>();
  #freeIds: number[] = [];
  #nextId = 0;
  /** The sorted label names and the metric key of the input last given to `keyOf`. */
  #lastNames: string[] = [];
  #lastMetricKey = '';
  /** The shared label names given to the last series added. */
  #lastSharedNames: readonly string[] = [];

  constructor(readonly limits: SeriesLimits) {}

  get size(): number {
    return this.#byKey.size;
  }

  /** One more than the highest id in use: the length of arrays indexed by series id. */
  get idCapacity(): number {
    return this.#nextId;
  }

  /** The identity key of an input series: scope, target, metric and labels sorted by name. */
  keyOf(input: IngestSeries): string {
    const labels = input.labels;
    const names = namesInOrder(Object.keys(labels));
    const metricKey = metricKeyOf(input.scope, input.target, input.metric);
    const parts: string[] = [metricKey];
    for (const name of names) parts.push(name, labels[name] ?? '');
    this.#lastNames = names;
    this.#lastMetricKey = metricKey;
    // Same layout as seriesKeyOf, built straight from the input's object.
    return parts.join('\u0000');
  }

  get(key: string): Series | undefined {
    return this.#byKey.get(key);
  }

  byId(id: number): Series | undefined {
    return this.#byId[id];
  }

  /**
   * Whether one more series of `input`, the input last given to `keyOf`, would pass the limits of its
   * target or of its metric.
   */
  refusal(input: IngestSeries): SeriesLimit | null {
    const entry = this.#metrics.get(this.#lastMetricKey);
    const targetKey = entry ? entry.targetKey : input.scope + '|' + input.target;
    const targetCount = this.#targetSeries.get(targetKey) ?? 0;
    if (targetCount >= this.limits.maxSeriesPerTarget) return 'series_limit_per_target';
    if (entry && entry.series.size >= this.limits.maxSeriesPerMetric) return 'series_limit_per_metric';
    return null;
  }

  /** Creates the series of `input`, whose key `keyOf` just returned; the caller checked `refusal`. */
  create(input: IngestSeries, key: string): Series {
    const names = this.#lastNames;
    const values = names.map((name) => input.labels[name] ?? '');
    const id = this.#freeIds.pop() ?? this.#nextId++;
    return this.#add(id, key, input.scope, input.target, input.metric, names, values, this.#lastMetricKey);
  }

  /** Re-creates a series read from the series log, under its recorded id. */
  restore(
    id: number,
    scope: SeriesScope,
    target: string,
    metric: string,
    names: readonly string[],
    values: readonly string[],
  ): Series {
    const metricKey = metricKeyOf(scope, target, metric);
    const key = seriesKeyOf(metricKey, names, values);
    const existing = this.#byId[id];
    if (existing) this.forget(existing);
    const sameKey = this.#byKey.get(key);
    if (sameKey) this.forget(sameKey);
    if (id >= this.#nextId) this.#nextId = id + 1;
    return this.#add(id, key, scope, target, metric, names, values, metricKey);
  }

  /** After a restore, the ids below idCapacity not in use become free for new series. */
  collectFreeIds(): void {
    this.#freeIds = [];
    for (let id = this.#nextId - 1; id >= 0; id--) if (!this.#byId[id]) this.#freeIds.push(id);
  }

  forget(series: Series): void {
    if (this.#byId[series.id] !== series) return;
    this.#byKey.delete(series.key);
    this.#byId[series.id] = undefined;
    this.#freeIds.push(series.id);
    const entry = series.entry;
    entry.series.delete(series);
    entry.version++;
    for (const name of series.labelNames) {
      const use = (entry.labelUse.get(name) ?? 1) - 1;
      if (use > 0) entry.labelUse.set(name, use);
      else entry.labelUse.delete(name);
    }
    if (entry.series.size === 0) this.#metrics.delete(entry.key);
    const targetKey = entry.targetKey;
    const count = (this.#targetSeries.get(targetKey) ?? 1) - 1;
    if (count > 0) this.#targetSeries.set(targetKey, count);
    else this.#targetSeries.delete(targetKey);
  }

  all(): IterableIterator<Series> {
    return this.#byKey.values();
  }

  metrics(): IterableIterator<MetricEntry> {
    return this.#metrics.values();
  }

  metric(key: string): MetricEntry | undefined {
    return this.#metrics.get(key);
  }

  /** The metrics named `metric` of one target, or of every target of the scope when target is null. */
  metricsMatching(scope: SeriesScope, target: string | null, metric: string): MetricEntry[] {
    if (target !== null) {
      const entry = this.#metrics.get(metricKeyOf(scope, target, metric));
      return entry ? [entry] : [];
    }
    const found: MetricEntry[] = [];
    for (const entry of this.#metrics.values())
      if (entry.scope === scope && entry.name === metric) found.push(entry);
    return found;
  }

  /** The one shared array of these label names; series in a row mostly have the previous one's. */
  #sharedNames(names: readonly string[]): readonly string[] {
    const last = this.#lastSharedNames;
    if (last.length === names.length && last.every((name, i) => name === names[i])) return last;
    const nameSetKey = names.join('\u0000');
    let shared = this.#nameSets.get(nameSetKey);
    if (!shared) {
      shared = [...names];
      this.#nameSets.set(nameSetKey, shared);
    }
    this.#lastSharedNames = shared;
    return shared;
  }

  #add(
    id: number,
    key: string,
    scope: SeriesScope,
    target: string,
    metric: string,
    names: readonly string[],
    values: readonly string[],
    metricKey: string,
  ): Series {
    let entry = this.#metrics.get(metricKey);
    if (!entry) {
      entry = new MetricEntry(metricKey, scope, target, metric);
      this.#metrics.set(metricKey, entry);
    }
    const sharedNames = this.#sharedNames(names);
    const series = new Series(id, key, entry, sharedNames, values);
    this.#byKey.set(key, series);
    this.#byId[id] = series;
    entry.series.add(series);
    entry.version++;
    for (const name of sharedNames) entry.labelUse.set(name, (entry.labelUse.get(name) ?? 0) + 1);
    const targetKey = entry.targetKey;
    this.#targetSeries.set(targetKey, (this.#targetSeries.get(targetKey) ?? 0) + 1);
    return series;
  }
}
