// Helpers for the metric store's own tests: a store in a scratch directory on a movable clock, series
// builders and a logger that records what the store complained about.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestSeries, SeriesTemporality } from '../../domain/metric-series.js';
import type { MetricStore, RangeGroup, RangeQuery } from './metric-store.js';
import { openMetricStore, type MetricStoreLog, type MetricStoreOptions } from './open-metric-store.js';

/** 2025-01-15T12:00:00Z: an hour boundary, so tests can count minutes from it. */
export const T0 = Date.UTC(2025, 0, 15, 12, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export interface ScratchStore {
  readonly dir: string;
  readonly clock: { now: number };
  readonly warnings: string[];
  store: MetricStore;
  /** Closes the store and opens it again on the same directory. */
  reopen(): void;
  /** Opens the directory again WITHOUT closing the store first, as after kill -9. */
  reopenAfterCrash(): void;
  cleanup(): void;
}

export function scratchStore(
  options: Partial<MetricStoreOptions> = {},
  startMs = T0 + 30 * MIN,
): ScratchStore {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-metric-store-'));
  const clock = { now: startMs };
  const warnings: string[] = [];
  const log: MetricStoreLog = {
    warn: (details, message) => warnings.push(`${message} ${JSON.stringify(details)}`),
  };
  const open = (): MetricStore =>
    openMetricStore({ dir, now: () => clock.now, compactEveryMs: null, log, ...options });
  const abandoned: MetricStore[] = [];
  const scratch: ScratchStore = {
    dir,
    clock,
    warnings,
    store: open(),
    reopen() {
      scratch.store.close();
      scratch.store = open();
      abandoned.push(scratch.store);
    },
    reopenAfterCrash() {
      abandoned.push(scratch.store);
      scratch.store = open();
    },
    cleanup() {
      for (const store of [...abandoned, scratch.store]) {
        try {
          store.close();
        } catch {
          // A store left behind by a simulated crash may already be closed.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return scratch;
}

/** One input series; points as [timeMs, value] pairs. */
export function series(
  metric: string,
  labels: Record<string, string>,
  points: readonly (readonly [number, number])[],
  options: { temporality?: SeriesTemporality; target?: string; startTimeMs?: number } = {},
): IngestSeries {
  return {
    scope: 'application',
    target: options.target ?? 'order-service',
    metric,
    labels,
    temporality: options.temporality ?? 'gauge',
    startTimeMs: options.startTimeMs,
    timestampsMs: points.map(([time]) => time),
    values: points.map(([, value]) => value),
  };
}

/** A query of metric `metric` of order-service over [fromMs, toMs). */
export function rangeQuery(
  metric: string,
  fromMs: number,
  toMs: number,
  overrides: Partial<RangeQuery> = {},
): RangeQuery {
  return {
    scope: 'application',
    target: 'order-service',
    metric,
    groupBy: null,
    fromMs,
    toMs,
    minuteValue: 'sum',
    across: 'sum',
    ...overrides,
  };
}

/** Groups as plain data, NaN as null, sorted by key: easy to compare with toEqual. */
export function plain(
  groups: readonly RangeGroup[],
): { key: string | null; values: (number | null)[]; seriesCount: number }[] {
  return groups
    .map((group) => ({
      key: group.key,
      values: [...group.values].map((value) => (Number.isNaN(value) ? null : value)),
      seriesCount: group.seriesCount,
    }))
    .sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
}
