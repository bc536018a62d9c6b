// The metric store benchmark of issue 4: append throughput (10 000 series × 120 samples at 15 s, 10
// labels each, in requests of 500 series — all samples at once, and scrape by scrape), resident memory
// per series, the week-over-week query (avg per dimension value over the last 60 minutes and the same
// window a week earlier, from blocks on disk), restart time and disk use.
// `npx tsx --expose-gc bench/metric-store.ts`: prints a table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestSeries } from '../src/domain/metric-series.js';
import type { MetricStore, RangeQuery } from '../src/metrics/store/metric-store.js';
import { openMetricStore } from '../src/metrics/store/open-metric-store.js';

const SERIES = 10_000;
const SAMPLES = 120;
const STEP_MS = 15_000;
const REQUEST_SERIES = 500;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WEEK = 7 * 24 * HOUR;
/** "Now" of the query phase: half past an hour, so each window spans two hours. */
const NOW = Date.UTC(2025, 0, 15, 12, 30);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with: npx tsx --expose-gc bench/metric-store.ts');
const collect = gc;

/** Ten labels; `instance` has one value per series (the dimension of the query). */
function labelsOf(i: number): Record<string, string> {
  return {
    cluster: `cluster-${i % 3}`,
    env: i % 2 === 0 ? 'production' : 'staging',
    instance: `10.0.${Math.floor(i / 250)}.${i % 250}:8080`,
    job: 'order-service',
    method: ['GET', 'POST', 'PUT', 'DELETE'][i % 4] ?? 'GET',
    namespace: `team-${i % 7}`,
    pod: `order-service-${(i * 2654435761) % 1_000_000}`,
    region: `cn-hangzhou-${String.fromCharCode(97 + (i % 5))}`,
    status: String(200 + (i % 5)),
    uri: `/api/v1/orders/${i % 40}`,
  };
}

const LABELS = Array.from({ length: SERIES }, (_, i) => labelsOf(i));

function series(i: number, timestamps: number[], values: number[]): IngestSeries {
  return {
    scope: 'application',
    target: 'order-service',
    metric: 'http_server_duration_ms',
    labels: LABELS[i] ?? {},
    temporality: 'gauge',
    timestampsMs: timestamps,
    values,
  };
}

/** Requests of 500 series carrying `samples` samples each from `firstMs`. */
function* requests(firstMs: number, samples: number): Generator<IngestSeries[]> {
  for (let from = 0; from < SERIES; from += REQUEST_SERIES) {
    const batch: IngestSeries[] = [];
    for (let i = from; i < from + REQUEST_SERIES; i++) {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let s = 0; s < samples; s++) {
        timestamps.push(firstMs + s * STEP_MS + (i % 1000));
        values.push(20 + ((i * 31 + s * 17) % 97) * 0.37);
      }
      batch.push(series(i, timestamps, values));
    }
    yield batch;
  }
}

function settle(): void {
  for (let i = 0; i < 3; i++) collect();
}

interface Row {
  readonly label: string;
  readonly value: string;
}
const rows: Row[] = [];
const report = (label: string, value: string): void => {
  rows.push({ label, value });
  console.log(`${label.padEnd(58)} ${value}`);
};

/**
 * Milliseconds of CPU this process spent (user + system) in `work`. The machine is shared: wall time
 * counts other processes' turns, CPU time far less so. Wall time is added to `wall` when given.
 */
function timed(work: () => void, wall?: { ms: number }): number {
  const start = process.cpuUsage();
  const startWall = performance.now();
  work();
  if (wall) wall.ms += performance.now() - startWall;
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-metrics-'));
try {
  // 1. Append, all 120 samples of a series in one request, into a new store; memory per series.
  {
    const clock = { now: NOW };
    const store = openMetricStore({ dir: join(dir, 'batch'), now: () => clock.now, compactEveryMs: null });
    const inputs = [...requests(NOW - SAMPLES * STEP_MS, SAMPLES)];
    settle();
    const before = process.memoryUsage();
    const wall = { ms: 0 };
    let cpuMs = 0;
    let points = 0;
    for (const batch of inputs)
      cpuMs += timed(() => {
        points += store.append(batch).acceptedPoints;
      }, wall);
    // Measured while the inputs are still held, so only what the store kept counts.
    settle();
    const after = process.memoryUsage();
    inputs.length = 0;
    report(
      'append, 120 samples per series per request (new series)',
      `${(points / cpuMs / 1000).toFixed(2)} M points/s CPU, ${(points / wall.ms / 1000).toFixed(2)} M/s wall`,
    );
    report('  RSS growth per series', `${((after.rss - before.rss) / SERIES / 1024).toFixed(2)} KiB`);
    report(
      '  of which JS heap / typed arrays per series',
      `${((after.heapUsed - before.heapUsed) / SERIES / 1024).toFixed(2)} KiB / ${((after.arrayBuffers - before.arrayBuffers) / SERIES / 1024).toFixed(2)} KiB`,
    );
    report('  write-ahead log bytes per point', ((store.stats().walBytes ?? 0) / points).toFixed(1));

    // The next 30 minutes of the same series: the steady state of a batching sender.
    const next = [...requests(NOW, SAMPLES)];
    clock.now = NOW + SAMPLES * STEP_MS;
    let steadyMs = 0;
    let steadyPoints = 0;
    for (const batch of next)
      steadyMs += timed(() => {
        steadyPoints += store.append(batch).acceptedPoints;
      });
    report(
      'append, 120 samples per request, existing series',
      `${(steadyPoints / steadyMs / 1000).toFixed(2)} M points/s CPU`,
    );
    store.close();
    const wallReopen = { ms: 0 };
    timed(
      () => openMetricStore({ dir: join(dir, 'batch'), now: () => clock.now, compactEveryMs: null }).close(),
      wallReopen,
    );
    report('  restart: series log, replay of 2.4 M points', `${wallReopen.ms.toFixed(0)} ms`);
  }

  // 2. Append scrape by scrape: each request carries one sample of 500 series.
  {
    settle();
    const clock = { now: NOW };
    const store = openMetricStore({ dir: join(dir, 'scrape'), now: () => clock.now, compactEveryMs: null });
    const wall = { ms: 0 };
    let cpuMs = 0;
    let points = 0;
    const first = NOW - SAMPLES * STEP_MS;
    for (let s = 0; s < SAMPLES; s++) {
      const inputs = [...requests(first + s * STEP_MS, 1)];
      for (const batch of inputs)
        cpuMs += timed(() => {
          points += store.append(batch).acceptedPoints;
        }, wall);
    }
    report(
      'append, one sample per series per request (scrapes)',
      `${(points / cpuMs / 1000).toFixed(2)} M points/s CPU, ${(points / wall.ms / 1000).toFixed(2)} M/s wall`,
    );
    store.close();
  }

  // 3. Week-over-week query: the week-ago hours in blocks on disk, the last hour in head and blocks.
  {
    settle();
    const clock = { now: 0 };
    const queryDir = join(dir, 'query');
    let store: MetricStore = openMetricStore({ dir: queryDir, now: () => clock.now, compactEveryMs: null });
    const load = (fromMs: number, toMs: number): void => {
      // Ten minutes per request round, the clock following the data as in real life.
      for (let slice = fromMs; slice < toMs; slice += 10 * MINUTE) {
        clock.now = slice + 10 * MINUTE;
        for (const batch of requests(slice, (10 * MINUTE) / STEP_MS)) store.append(batch);
        store.compact();
      }
    };
    load(NOW - WEEK - 2 * HOUR, NOW - WEEK + HOUR);
    load(NOW - 2 * HOUR, NOW);
    clock.now = NOW;
    store.compact();
    store.close();
    store = openMetricStore({ dir: queryDir, now: () => clock.now, compactEveryMs: null });
    const stats = store.stats();
    report(
      'query setup: blocks / disk bytes per series-hour',
      `${stats.blocks} / ${(stats.diskBytes / SERIES / stats.blocks).toFixed(0)} B`,
    );

    const window = (toMs: number): RangeQuery => ({
      scope: 'application',
      target: 'order-service',
      metric: 'http_server_duration_ms',
      groupBy: 'instance',
      fromMs: toMs - 60 * MINUTE,
      toMs,
      minuteValue: 'avg',
      across: 'avg',
    });
    const both = (): number => {
      const current = store.query(window(NOW));
      const weekAgo = store.query(window(NOW - WEEK));
      return current.groups.length + weekAgo.groups.length;
    };
    let groups = 0;
    const cold = timed(() => (groups = both()));
    report(
      'query avg by instance (10 000 values), now + week ago, cold, CPU ms',
      `${cold.toFixed(1)} ms (${groups} groups)`,
    );
    const runs = 20;
    const warm = timed(() => {
      for (let i = 0; i < runs; i++) both();
    });
    report('  the same, warm (block cache), mean of 20', `${(warm / runs).toFixed(1)} ms`);
    const weekOnly = timed(() => {
      for (let i = 0; i < runs; i++) store.query(window(NOW - WEEK));
    });
    report('  week-ago window alone (blocks), warm', `${(weekOnly / runs).toFixed(1)} ms`);
    const one = store.query({ ...window(NOW), groupBy: null, filters: { instance: '10.0.3.7:8080' } });
    report(
      '  one series (filter), now',
      `${timed(() => store.query({ ...window(NOW), groupBy: null, filters: { instance: '10.0.3.7:8080' } })).toFixed(2)} ms, ${one.groups[0]?.seriesCount ?? 0} series`,
    );
    report(
      '  listMetrics / labelValues(instance, 100)',
      `${timed(() => store.listMetrics()).toFixed(2)} ms / ${timed(() => store.labelValues('application', 'order-service', 'http_server_duration_ms', 'instance', 100)).toFixed(2)} ms`,
    );
    store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
