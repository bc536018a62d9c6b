// The built-in metric store's contract: series in, per-minute aggregates out. The implementation lives
// beside this file; the API, the metric catalog and the evaluator depend only on these types.
import type { IngestSeries, SeriesScope } from '../../domain/metric-series.js';

/** Why points or series were not stored; each is named back to the sender. */
export type RejectionReason =
  | 'series_limit_per_target' // the target already has the most series allowed
  | 'series_limit_per_metric' // the metric already has the most series allowed
  | 'too_old' // older than the retention
  | 'too_far_in_future' // more than the allowed clock skew ahead of now
  | 'invalid_value'; // NaN or ±Infinity (Prometheus staleness markers are skipped silently, not rejected)

export interface Rejection {
  readonly reason: RejectionReason;
  /** Points not stored for this reason. */
  readonly points: number;
  /** Series (or, for limits, new series refused) concerned. */
  readonly series: number;
  /** For people: which target/metric and limit, e.g. `order-service / http_requests_total: limit 20000 series`. */
  readonly detail: string;
}

export interface AppendResult {
  readonly acceptedPoints: number;
  readonly rejections: readonly Rejection[];
}

/** How one series' points within one minute become that minute's value. */
export type MinuteValue = 'avg' | 'sum' | 'min' | 'max' | 'last' | 'count';
/** How the series of one group combine, minute by minute (ARMS sums them). */
export type AcrossSeries = 'sum' | 'avg' | 'min' | 'max';

export interface RangeQuery {
  readonly scope: SeriesScope;
  /** null: every target (their series are grouped like any other series). */
  readonly target: string | null;
  /** The stored metric name. */
  readonly metric: string;
  /** Label equality filters; every one must hold. */
  readonly filters?: Readonly<Record<string, string>>;
  /** Split into one group per value of this label; null: one group of all matching series. */
  readonly groupBy: string | null;
  /** Minute-aligned epoch milliseconds; the range is [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly minuteValue: MinuteValue;
  readonly across: AcrossSeries;
  /**
   * The caller reads the groups' values before it next queries the store and keeps none of them, so the
   * store may answer in memory it reuses from query to query. A large answer (10 000 groups × 60 minutes
   * is 4.8 MB) otherwise costs fresh pages, which the kernel must map and zero: on the bench machine more
   * than the query itself. Default false: the values are the caller's to keep.
   */
  readonly reuseValues?: boolean;
}

export interface RangeGroup {
  /** The value of the groupBy label; null for the single group of groupBy null (and for series lacking the label). */
  readonly key: string | null;
  /** One value per minute from fromMs; NaN where no series of the group had a point in that minute. */
  readonly values: Float64Array;
  /** Series that contributed at least one point in the range. */
  readonly seriesCount: number;
  /**
   * With `reuseValues`, the store's own memory: `values` is `cells[cellsFrom … cellsFrom + minutes)`, so a
   * reader may read it there without having `values` made.
   */
  readonly cells?: Float64Array;
  readonly cellsFrom?: number;
  readonly minutes?: number;
}

export interface RangeResult {
  readonly fromMs: number;
  readonly stepMs: number; // always one minute
  readonly groups: readonly RangeGroup[];
}

export interface MetricNameSummary {
  readonly scope: SeriesScope;
  readonly target: string;
  readonly metric: string;
  readonly series: number;
  /** Label names seen on its series. */
  readonly labels: readonly string[];
}

export interface MetricStoreStats {
  /** Series known (within the retention). */
  readonly series: number;
  /** Minute cells allocated in memory for hours not yet in blocks (in chunks of ten minutes). */
  readonly headSeriesMinutes: number;
  /** Bytes of memory held by the head's cells. */
  readonly headBytes?: number;
  /** Block files, each one hour of aggregates. */
  readonly blocks: number;
  /** Bytes of decoded block data cached for queries. */
  readonly blockCacheBytes?: number;
  /** Bytes of the current write-ahead log (replayed at the next start). */
  readonly walBytes?: number;
  /** Bytes of every file of the store. */
  readonly diskBytes: number;
  readonly acceptedPointsTotal: number;
  readonly rejectedPointsTotal: number;
}

export interface MetricStore {
  /**
   * Aggregates the points into their minutes and makes them durable (written before it returns). Points
   * may come in any order: a gauge or delta point within the retention is merged into its minute whenever
   * it arrives; a cumulative point not after the series' last one is ignored.
   */
  append(series: readonly IngestSeries[]): AppendResult;
  /**
   * Per group, one value per minute of [fromMs, toMs): each series' minute by `minuteValue`, the group's
   * series combined by `across`. Groups come in no particular order.
   */
  query(query: RangeQuery): RangeResult;
  /** Metric names known, optionally of one scope/target, for the explorer and the catalog. */
  listMetrics(filter?: { scope?: SeriesScope; target?: string }): MetricNameSummary[];
  /** Distinct values of one label of a metric, most recent series first, at most `limit`. */
  labelValues(
    scope: SeriesScope,
    target: string | null,
    metric: string,
    label: string,
    limit?: number,
  ): string[];
  stats(): MetricStoreStats;
  /** Writes closed hours to blocks, drops what is past retention. Called by the store's own timer too. */
  compact(): void;
  /** Flushes and stops the timers; the store must not be used afterwards. */
  close(): void;
}
