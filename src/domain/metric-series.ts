// The one shape every ingestion protocol (OTLP, remote-write, JSON push, browser beacons) is decoded into
// and the metric store takes in: a series — what was measured, where, split by which labels — with its
// points. Decoders fill it; the metric catalog derives the ARMS metrics from it; the store aggregates it
// per minute.

/** Which family a series belongs to; the same words as the policy kinds that read it. */
export const SERIES_SCOPES = ['application', 'browser', 'custom'] as const;
export type SeriesScope = (typeof SERIES_SCOPES)[number];

/**
 * How a series' points combine over time:
 * - `gauge`: each point is a measurement (heap used, CPU); a minute keeps their count, sum, min, max, last.
 * - `delta`: each point is what happened since the previous one (GC runs, milliseconds spent); a minute's
 *   sum is what happened in that minute.
 * - `cumulative`: a counter since `startTimeMs` (OTLP cumulative sums, Prometheus `_total`); the store turns
 *   it into deltas per series, and a new start time or a drop of the value means the sender restarted.
 */
export const SERIES_TEMPORALITIES = ['gauge', 'delta', 'cumulative'] as const;
export type SeriesTemporality = (typeof SERIES_TEMPORALITIES)[number];

export interface IngestSeries {
  readonly scope: SeriesScope;
  /** The application (OTLP `service.name`) or site the series belongs to; '' when none was given. */
  readonly target: string;
  readonly metric: string;
  /** The dimensions: label name → value. Never holds the scope, target or metric name. */
  readonly labels: Readonly<Record<string, string>>;
  readonly temporality: SeriesTemporality;
  /** The unit the sender declared (OTLP metric `unit`, UCUM: `ms`, `By`, `1`), when it declared one. */
  readonly unit?: string | undefined;
  /** Cumulative series only: when the counter started, in epoch milliseconds, if the sender said. */
  readonly startTimeMs?: number | undefined;
  /** Epoch milliseconds, parallel to `values`. Points need not be in order. */
  readonly timestampsMs: readonly number[];
  readonly values: readonly number[];
}

/** Milliseconds in one minute: the grain of the metric store, of ARMS and of the evaluator. */
export const MINUTE_MS = 60_000;
