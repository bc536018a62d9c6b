import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DAY,
  HOUR,
  MIN,
  plain,
  rangeQuery,
  scratchStore,
  series,
  T0,
  type ScratchStore,
} from './test-support.js';

let scratch: ScratchStore;
afterEach(() => scratch.cleanup());

/** Two series of `latency` on host a and b, three minutes from T0. */
function appendLatency(): void {
  scratch.store.append([
    series('latency', { host: 'a' }, [
      [T0 + 1_000, 10],
      [T0 + 20_000, 30],
      [T0 + 40_000, 20],
      [T0 + 2 * MIN + 5_000, 7],
    ]),
    series('latency', { host: 'b' }, [
      [T0 + 10_000, 100],
      [T0 + MIN + 10_000, 50],
      [T0 + 2 * MIN + 10_000, 1],
      [T0 + 2 * MIN + 20_000, 3],
    ]),
  ]);
}

describe('metric store: per-minute aggregation', () => {
  it.each([
    ['avg', [20, null, 7]],
    ['sum', [60, null, 7]],
    ['min', [10, null, 7]],
    ['max', [30, null, 7]],
    ['last', [20, null, 7]],
    ['count', [3, null, 1]],
  ] as const)(
    'turns a series minute into its %s; NaN for a minute without points',
    (minuteValue, expected) => {
      scratch = scratchStore();
      appendLatency();
      const result = scratch.store.query(
        rangeQuery('latency', T0, T0 + 3 * MIN, { filters: { host: 'a' }, minuteValue }),
      );
      expect(result).toMatchObject({ fromMs: T0, stepMs: MIN });
      expect(plain(result.groups)).toEqual([{ key: null, values: expected, seriesCount: 1 }]);
    },
  );

  it.each([
    ['sum', [120, 50, 9]],
    ['avg', [60, 50, 4.5]],
    ['min', [20, 50, 2]],
    ['max', [100, 50, 7]],
  ] as const)('combines the series of a group minute by minute by %s', (across, expected) => {
    scratch = scratchStore();
    appendLatency();
    const result = scratch.store.query(
      rangeQuery('latency', T0, T0 + 3 * MIN, { minuteValue: 'avg', across }),
    );
    expect(plain(result.groups)).toEqual([{ key: null, values: expected, seriesCount: 2 }]);
  });

  it('groups by a label, putting series without it under null, and counts contributing series', () => {
    scratch = scratchStore();
    appendLatency();
    scratch.store.append([
      series('latency', { host: 'a', pod: 'p2' }, [[T0 + 5_000, 40]]),
      series('latency', {}, [[T0 + 5_000, 1]]),
    ]);
    const result = scratch.store.query(rangeQuery('latency', T0, T0 + 2 * MIN, { groupBy: 'host' }));
    expect(plain(result.groups)).toEqual([
      { key: null, values: [1, null], seriesCount: 1 },
      { key: 'a', values: [100, null], seriesCount: 2 },
      { key: 'b', values: [100, 50], seriesCount: 1 },
    ]);
  });

  it('keeps the last point by timestamp, whatever order the points arrive in', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('heap', {}, [
        [T0 + 50_000, 5],
        [T0 + 10_000, 9],
      ]),
    ]);
    scratch.store.append([series('heap', {}, [[T0 + 30_000, 4]])]);
    const result = scratch.store.query(rangeQuery('heap', T0, T0 + MIN, { minuteValue: 'last' }));
    expect(plain(result.groups)[0]?.values).toEqual([5]);
    const count = scratch.store.query(rangeQuery('heap', T0, T0 + MIN, { minuteValue: 'count' }));
    expect(plain(count.groups)[0]?.values).toEqual([3]);
  });

  it('sums delta points into what happened in each minute', () => {
    scratch = scratchStore();
    const gc = (points: [number, number][]) =>
      series('JVM_FullGC', { host: 'a' }, points, { temporality: 'delta' });
    scratch.store.append([
      gc([
        [T0 + 1_000, 2],
        [T0 + 30_000, 1],
      ]),
    ]);
    scratch.store.append([gc([[T0 + MIN + 1_000, 4]])]);
    const result = scratch.store.query(rangeQuery('JVM_FullGC', T0, T0 + 2 * MIN));
    expect(plain(result.groups)[0]?.values).toEqual([3, 4]);
  });

  it('turns a cumulative counter into deltas, through a sender restart', () => {
    scratch = scratchStore();
    const start = T0 - HOUR;
    const requests = (points: [number, number][], startTimeMs: number) =>
      series('http_requests_total', { uri: '/pay' }, points, { temporality: 'cumulative', startTimeMs });
    scratch.store.append([requests([[T0 + 5_000, 1000]], start)]);
    scratch.store.append([
      requests(
        [
          [T0 + 20_000, 1010],
          [T0 + 50_000, 1030],
        ],
        start,
      ),
    ]);
    // The sender restarted at T0 + 70 s: a new start time, the counter from 0.
    scratch.store.append([requests([[T0 + MIN + 20_000, 6]], T0 + MIN + 10_000)]);
    scratch.store.append([
      requests(
        [
          [T0 + 2 * MIN + 20_000, 9],
          [T0 + 2 * MIN + 10_000, 8],
        ],
        T0 + MIN + 10_000,
      ),
    ]);
    const result = scratch.store.query(rangeQuery('http_requests_total', T0, T0 + 3 * MIN));
    expect(plain(result.groups)[0]?.values).toEqual([30, 6, 3]);
  });

  it('counts the first point of a counter that just started', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('jobs_total', {}, [[T0 + 40_000, 3]], { temporality: 'cumulative', startTimeMs: T0 + 30_000 }),
    ]);
    expect(plain(scratch.store.query(rangeQuery('jobs_total', T0, T0 + MIN)).groups)[0]?.values).toEqual([3]);
  });

  it('reads every target of the scope when target is null, and filters by labels', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('cpu', { host: 'a' }, [[T0, 1]], { target: 'a-service' }),
      series('cpu', { host: 'b' }, [[T0, 2]], { target: 'b-service' }),
      series('cpu', { host: 'b', core: '1' }, [[T0, 4]], { target: 'b-service' }),
    ]);
    const all = scratch.store.query(rangeQuery('cpu', T0, T0 + MIN, { target: null, groupBy: 'host' }));
    expect(plain(all.groups).map((g) => [g.key, g.values[0]])).toEqual([
      ['a', 1],
      ['b', 6],
    ]);
    const filtered = scratch.store.query(
      rangeQuery('cpu', T0, T0 + MIN, { target: null, filters: { core: '1' } }),
    );
    expect(plain(filtered.groups)).toEqual([{ key: null, values: [4], seriesCount: 1 }]);
    expect(scratch.store.query(rangeQuery('cpu', T0, T0 + MIN, { target: 'c-service' })).groups).toEqual([]);
  });
});

describe('metric store: what it refuses', () => {
  it('refuses points past the retention, too far ahead, and NaN or infinite values, naming each', () => {
    scratch = scratchStore({ retentionMs: 2 * DAY, maxFutureSkewMs: 5 * MIN });
    const now = scratch.clock.now;
    const result = scratch.store.append([
      series('cpu', {}, [
        [now - 2 * DAY - 1, 1],
        [now - 2 * DAY + MIN, 2],
        [now + 5 * MIN, 3],
        [now + 5 * MIN + 1, 4],
        [now, Number.NaN],
        [now, Number.POSITIVE_INFINITY],
      ]),
    ]);
    expect(result.acceptedPoints).toBe(2);
    expect(result.rejections).toEqual([
      expect.objectContaining({ reason: 'too_old', points: 1, series: 1 }),
      expect.objectContaining({ reason: 'too_far_in_future', points: 1, series: 1 }),
      expect.objectContaining({ reason: 'invalid_value', points: 2, series: 1 }),
    ]);
    expect(result.rejections[0]?.detail).toContain('order-service / cpu');
    expect(result.rejections[0]?.detail).toContain('retention 2 d');
    expect(scratch.store.stats()).toMatchObject({ acceptedPointsTotal: 2, rejectedPointsTotal: 4 });
  });

  it('refuses new series beyond the per-target limit and keeps taking the existing ones', () => {
    scratch = scratchStore({ maxSeriesPerTarget: 2 });
    const point = [[T0, 1]] as const;
    scratch.store.append([series('a', { i: '1' }, point), series('b', { i: '2' }, point)]);
    const result = scratch.store.append([
      series('a', { i: '1' }, point),
      series('c', { i: '3' }, [
        [T0, 1],
        [T0 + 1, 2],
      ]),
      series('c', { i: '4' }, point),
      series('a', { i: '1' }, point, { target: 'other-service' }),
    ]);
    expect(result.acceptedPoints).toBe(2);
    expect(result.rejections).toEqual([
      {
        reason: 'series_limit_per_target',
        points: 3,
        series: 2,
        detail: 'order-service / c: limit 2 series per target',
      },
    ]);
    expect(scratch.store.stats().series).toBe(3);
  });

  it('refuses new series beyond the per-metric limit', () => {
    scratch = scratchStore({ maxSeriesPerMetric: 1 });
    scratch.store.append([series('heap', { host: 'a' }, [[T0, 1]])]);
    const result = scratch.store.append([
      series('heap', { host: 'b' }, [[T0, 1]]),
      series('cpu', {}, [[T0, 1]]),
    ]);
    expect(result.rejections).toEqual([
      expect.objectContaining({
        reason: 'series_limit_per_metric',
        detail: 'order-service / heap: limit 1 series per metric',
      }),
    ]);
    expect(result.acceptedPoints).toBe(1);
  });

  it('creates no series for input whose points are all refused', () => {
    scratch = scratchStore();
    scratch.store.append([series('cpu', {}, [[scratch.clock.now + DAY, 1]])]);
    expect(scratch.store.stats().series).toBe(0);
    expect(scratch.store.listMetrics()).toEqual([]);
  });
});

describe('metric store: metric names and label values', () => {
  it('lists metrics with their series count and label names, by scope and target', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('cpu', { host: 'a' }, [[T0, 1]]),
      series('cpu', { host: 'b', core: '0' }, [[T0, 1]]),
      series('heap', {}, [[T0, 1]], { target: 'pay-service' }),
    ]);
    expect(scratch.store.listMetrics({ target: 'order-service' })).toEqual([
      { scope: 'application', target: 'order-service', metric: 'cpu', series: 2, labels: ['core', 'host'] },
    ]);
    expect(scratch.store.listMetrics({ scope: 'browser' })).toEqual([]);
    expect(scratch.store.listMetrics().map((m) => m.metric)).toEqual(['cpu', 'heap']);
  });

  it('gives label values of the most recently seen series first, at most the limit', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('cpu', { host: 'old' }, [[T0, 1]]),
      series('cpu', { host: 'new' }, [[T0 + 10 * MIN, 1]]),
      series('cpu', { host: 'mid' }, [[T0 + 5 * MIN, 1]]),
      series('cpu', { host: 'mid', core: '1' }, [[T0 + 6 * MIN, 1]]),
    ]);
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'host')).toEqual([
      'new',
      'mid',
      'old',
    ]);
    expect(scratch.store.labelValues('application', null, 'cpu', 'host', 2)).toEqual(['new', 'mid']);
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'zone')).toEqual([]);
  });
});

describe('metric store: retention', () => {
  it('deletes whole hours past the retention and forgets series not seen since', () => {
    scratch = scratchStore({ retentionMs: 2 * DAY });
    scratch.store.append([
      series('cpu', { host: 'gone' }, [[T0 + MIN, 1]]),
      series('cpu', { host: 'kept' }, [[T0 + MIN, 2]]),
    ]);
    scratch.clock.now = T0 + 2 * HOUR;
    scratch.store.compact();
    expect(scratch.store.stats().blocks).toBe(1);

    scratch.clock.now = T0 + 2 * DAY - 10 * MIN;
    scratch.store.append([series('cpu', { host: 'kept' }, [[scratch.clock.now, 3]])]);
    scratch.clock.now = T0 + 2 * DAY + 2 * HOUR;
    scratch.store.compact();
    expect(scratch.store.stats()).toMatchObject({ series: 1 });
    expect(
      scratch.store.query(rangeQuery('cpu', T0, T0 + 2 * MIN)).groups.every((g) => g.seriesCount === 0),
    ).toBe(true);
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'host')).toEqual(['kept']);

    scratch.reopen();
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'host')).toEqual(['kept']);
    const recent = scratch.store.query(rangeQuery('cpu', T0 + 2 * DAY - 10 * MIN, T0 + 2 * DAY - 9 * MIN));
    expect(plain(recent.groups)[0]?.values).toEqual([3]);
  });

  it('gives a forgotten series id to a new series without mixing their data', () => {
    scratch = scratchStore({ retentionMs: DAY });
    scratch.store.append([series('cpu', { host: 'gone' }, [[T0 + MIN, 1]])]);
    scratch.clock.now = T0 + DAY + 3 * HOUR;
    scratch.store.compact();
    scratch.store.append([series('disk', { host: 'new' }, [[scratch.clock.now, 5]])]);
    scratch.reopen();
    expect(scratch.store.listMetrics().map((m) => m.metric)).toEqual(['disk']);
    const now = Math.floor(scratch.clock.now / MIN) * MIN;
    expect(plain(scratch.store.query(rangeQuery('disk', now, now + MIN)).groups)[0]?.values).toEqual([5]);
  });
});

describe('metric store: stats', () => {
  it('reports series, head, blocks and bytes', () => {
    scratch = scratchStore();
    appendLatency();
    expect(scratch.store.stats()).toMatchObject({
      series: 2,
      headSeriesMinutes: 20,
      blocks: 0,
      acceptedPointsTotal: 8,
    });
    expect(scratch.store.stats().diskBytes).toBeGreaterThan(0);
    scratch.clock.now = T0 + 2 * HOUR;
    scratch.store.compact();
    expect(scratch.store.stats()).toMatchObject({ headSeriesMinutes: 0, blocks: 1 });
  });
});

describe('metric store: compaction timer', () => {
  it('compacts on its own timer and stops it at close', () => {
    vi.useFakeTimers();
    try {
      scratch = scratchStore({ compactEveryMs: 60_000 });
      scratch.store.append([series('cpu', {}, [[T0 + MIN, 1]])]);
      scratch.clock.now = T0 + 2 * HOUR;
      vi.advanceTimersByTime(60_000);
      expect(scratch.store.stats().blocks).toBe(1);
      scratch.store.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
