// The backtest over in-memory histories: an event fires for exactly the minutes the lifecycle says
// (forEvaluations 1 and 3, the recovery delay), percent-change rules answer the value they needed,
// missing minutes follow the fill, all/any combine the rules, a value without data opens a no-data
// event under `alert`, and the data is read with one fetch per rule, not one per minute.
import { describe, expect, it } from 'vitest';
import { seedPolicy } from '../../test/seed-fixtures.js';
import type { DimensionSeries, PolicyDataSource, WindowRequest } from '../datasources/policy-data.js';
import { alertPolicyInputSchema, type AlertPolicy } from '../domain/alert-policy.js';
import { backtestPolicy, type Backtest, type BacktestRange } from './backtest.js';
import { backtestSpanRanges, fetchBacktestSpans } from './backtest-windows.js';

const MIN = 60_000;
const T = Date.parse('2025-01-06T02:00:00Z');
const at = (minutes: number) => T + minutes * MIN;
/** One hour of minutes from T: evaluations at T+1 min … T+60 min. */
const HOUR: BacktestRange = { fromMs: T, toMs: at(60) };

/** A metric's value in a minute (NaN: none). */
type History = (minuteMs: number) => number;

/** Per metric and host a history; records every request. */
class MemoryDataSource implements PolicyDataSource {
  readonly requests: WindowRequest[] = [];
  constructor(readonly metrics: Record<string, Record<string, History>>) {}

  fetchWindow(request: WindowRequest): Promise<readonly DimensionSeries[]> {
    this.requests.push(request);
    const minutes = (request.toMs - request.fromMs) / MIN;
    const hosts = this.metrics[request.condition.metric ?? ''] ?? {};
    const series = Object.entries(hosts).map(([host, history]) => ({
      key: host,
      labels: { host },
      values: Float64Array.from({ length: minutes }, (_, i) => history(request.fromMs + i * MIN)),
    }));
    // As the built-in store does: a series without any value in the window is not answered.
    return Promise.resolve(series.filter((one) => one.values.some(Number.isFinite)));
  }
}

/** `high` in the minutes [from, to) (offsets from T), `low` elsewhere. */
const between =
  (from: number, to: number, high = 10, low = 1): History =>
  (minute) =>
    minute >= at(from) && minute < at(to) ? high : low;

function customPolicy(patch: Record<string, unknown> = {}): AlertPolicy {
  const input = alertPolicyInputSchema.parse(
    seedPolicy(['g1'], {
      kind: 'custom',
      target: 'order-service',
      metricType: undefined,
      rules: {
        match: 'all',
        conditions: [
          { metric: 'load', windowMinutes: 1, aggregation: 'max', comparator: 'gt', threshold: 5 },
        ],
      },
      ...patch,
    }),
  );
  return { ...input, id: 'p1', createdAt: T, updatedAt: T };
}

async function backtest(
  policy: AlertPolicy,
  metrics: Record<string, Record<string, History>>,
  range = HOUR,
): Promise<Backtest & { source: MemoryDataSource }> {
  const source = new MemoryDataSource(metrics);
  return { ...backtestPolicy(policy, await fetchBacktestSpans(source, policy, range), range), source };
}

function firingOf(result: Backtest, key: string | null) {
  const dimension = result.dimensions.find((d) => d.key === key);
  if (!dimension) throw new Error(`no dimension ${key}`);
  return dimension.firing;
}

describe('backtestPolicy', () => {
  it('fires from the first holding evaluation to the first that does not, with forEvaluations 1 and no recovery delay', async () => {
    const result = await backtest(customPolicy({ recoveryMinutes: 0 }), {
      load: { a: between(10, 20), b: () => 1 },
    });
    // Minute 10 is evaluated at its end, T+11 min; minute 20 is the first below, evaluated at T+21 min.
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(11), openedAtMs: at(11), toMs: at(21), ongoing: false, noData: false },
    ]);
    expect(firingOf(result, 'b')).toEqual([]);
    const [a] = result.dimensions;
    expect(a!.key).toBe('a');
    expect(a!.rules[0]!.series.slice(9, 12)).toEqual([1, 10, 10]);
    expect(a!.rules[0]!.holds.slice(9, 12)).toEqual([false, true, true]);
    expect(a!.outcomes.slice(19, 21)).toEqual(['holds', 'clear']);
    expect(a!.rules[0]!.baselineValues).toBeNull();
    expect(result).toMatchObject({ fromMs: T, toMs: at(60), stepMs: MIN });
  });

  it('opens only after forEvaluations holding evaluations in a row, the event starting at the first of them', async () => {
    const result = await backtest(customPolicy({ recoveryMinutes: 0, forEvaluations: 3 }), {
      // Two minutes high: too short to fire. Then ten minutes: fires, starting at the first.
      load: { a: (m) => (m >= at(5) && m < at(7) ? 10 : between(30, 40)(m)) },
    });
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(31), openedAtMs: at(33), toMs: at(41), ongoing: false, noData: false },
    ]);
  });

  it('keeps firing through the recovery delay and across a short dip, as one interval', async () => {
    const result = await backtest(customPolicy({ recoveryMinutes: 5 }), {
      // High 10–20, one low minute, high again 21–25.
      load: { a: (m) => (m === at(20) ? 1 : between(10, 25)(m)) },
    });
    // False from T+26 (minute 25's evaluation); resolved once false for 5 minutes: T+31.
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(11), openedAtMs: at(11), toMs: at(31), ongoing: false, noData: false },
    ]);
  });

  it('reports an event still firing at the end as ongoing, ending at the last evaluation', async () => {
    const result = await backtest(customPolicy(), { load: { a: between(50, 90) } });
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(51), openedAtMs: at(51), toMs: at(60), ongoing: true, noData: false },
    ]);
  });

  it('answers the baseline and the value a percent-change rule needed, on the evaluations’ axis', async () => {
    const rule = {
      metric: 'gc',
      windowMinutes: 5,
      aggregation: 'avg',
      comparator: 'increase_pct',
      baseline: 'hour_ago',
      threshold: 100,
    };
    const policy = customPolicy({ rules: { match: 'all', conditions: [rule] } });
    // 2 a minute until T+40 min, then 5 on host a; 2 throughout on host b.
    const result = await backtest(policy, { gc: { a: between(40, 999, 5, 2), b: () => 2 } });
    const a = result.dimensions.find((d) => d.key === 'a')!.rules[0]!;
    expect(a.baselineValues!.every((value) => value === 2)).toBe(true);
    expect(a.thresholdValues!.every((value) => value === 4)).toBe(true);
    // The 5-minute average reaches 4 (+100 %) at the window 38–43: (2+2+5+5+5)/5 = 3.8, 39–44: 4.4.
    expect(a.values[42]).toBeCloseTo(3.8);
    expect(a.values[43]).toBeCloseTo(4.4);
    expect(a.holds.slice(42, 44)).toEqual([false, true]);
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(44), openedAtMs: at(44), toMs: at(60), ongoing: true, noData: false },
    ]);
    expect(firingOf(result, 'b')).toEqual([]);
    // Host a fired, so it comes first.
    expect(result.dimensions.map((d) => d.key)).toEqual(['a', 'b']);
  });

  it('puts the needed value below the baseline for decrease_pct', async () => {
    const rule = {
      metric: 'pv',
      windowMinutes: 1,
      aggregation: 'sum',
      comparator: 'decrease_pct',
      baseline: 'previous_window',
      threshold: 50,
    };
    const result = await backtest(customPolicy({ rules: { match: 'all', conditions: [rule] } }), {
      pv: { site: between(30, 31, 40, 100) },
    });
    const site = result.dimensions[0]!.rules[0]!;
    expect(site.thresholdValues![29]).toBe(50);
    expect(site.values[30]).toBe(40);
    expect(site.holds[30]).toBe(true);
    // The minute after compares 100 with 40: the needed value is 20, and 100 is no decrease.
    expect(site.thresholdValues![31]).toBe(20);
  });

  it('fills missing minutes with zero under noData zero, and leaves them out under none', async () => {
    const rule = { metric: 'up', windowMinutes: 3, aggregation: 'avg', comparator: 'lt', threshold: 1 };
    const stops: History = (m) => (m < at(20) ? 1 : Number.NaN);
    const zero = await backtest(
      customPolicy({ rules: { match: 'all', conditions: [rule] }, noData: 'zero', recoveryMinutes: 0 }),
      { up: { a: stops } },
    );
    // Minute 20 is the first without data: its window 18–20 reads 1, 1, 0. The event it opens keeps the
    // value followed once no window has data, so it goes on reading zeros.
    expect(firingOf(zero, 'a')).toEqual([
      { fromMs: at(21), openedAtMs: at(21), toMs: at(60), ongoing: true, noData: false },
    ]);
    const values = zero.dimensions[0]!.rules[0]!.values;
    expect(values[20]).toBeCloseTo(2 / 3);
    expect(values.slice(22, 24)).toEqual([0, 0]);
    expect(zero.dimensions[0]!.rules[0]!.series.slice(19, 21)).toEqual([1, null]);

    const none = await backtest(customPolicy({ rules: { match: 'all', conditions: [rule] } }), {
      up: { a: stops },
    });
    expect(firingOf(none, 'a')).toEqual([]);
    // Minutes without data are left out of the average; once no window holds data, the value is no longer
    // evaluated (a value seen nowhere has nothing to say in traverse mode).
    expect(none.dimensions[0]!.rules[0]!.values.slice(20, 23)).toEqual([1, 1, null]);
    expect(none.dimensions[0]!.outcomes.slice(20, 23)).toEqual(['clear', 'clear', null]);
  });

  it('opens a no-data event under noDataAction alert for the value of a specified policy', async () => {
    const policy = customPolicy({
      dimension: { mode: 'specified', key: 'host', value: 'a' },
      noDataAction: 'alert',
      recoveryMinutes: 0,
    });
    const result = await backtest(policy, {
      load: { a: (m) => (m < at(30) ? 1 : Number.NaN), other: () => 10 },
    });
    // Only the specified value is watched; the other host's high load is not its concern.
    expect(result.dimensions.map((d) => d.key)).toEqual(['a']);
    expect(firingOf(result, 'a')).toEqual([
      { fromMs: at(31), openedAtMs: at(31), toMs: at(60), ongoing: true, noData: true },
    ]);
  });

  it('combines the rules under all and any', async () => {
    const rules = (match: string) => ({
      match,
      conditions: [
        { metric: 'cpu', windowMinutes: 1, aggregation: 'max', comparator: 'gt', threshold: 5 },
        { metric: 'load', windowMinutes: 1, aggregation: 'max', comparator: 'gt', threshold: 5 },
      ],
    });
    const metrics = { cpu: { a: between(10, 30) }, load: { a: between(20, 40) } };
    const all = await backtest(customPolicy({ rules: rules('all'), recoveryMinutes: 0 }), metrics);
    expect(firingOf(all, 'a').map(({ fromMs, toMs }) => [fromMs, toMs])).toEqual([[at(21), at(31)]]);
    const any = await backtest(customPolicy({ rules: rules('any'), recoveryMinutes: 0 }), metrics);
    expect(firingOf(any, 'a').map(({ fromMs, toMs }) => [fromMs, toMs])).toEqual([[at(11), at(41)]]);
    expect(any.dimensions[0]!.rules.map((rule) => rule.holds[15])).toEqual([true, false]);
  });

  it('reads each rule with one fetch over the whole span, and a baseline a week away with one more', async () => {
    const day = { fromMs: T, toMs: at(24 * 60) };
    const rules = {
      match: 'any',
      conditions: [
        { metric: 'load', windowMinutes: 5, aggregation: 'avg', comparator: 'gt', threshold: 5 },
        {
          metric: 'gc',
          windowMinutes: 5,
          aggregation: 'avg',
          comparator: 'increase_pct',
          baseline: 'hour_ago',
          threshold: 100,
        },
        {
          metric: 'pv',
          windowMinutes: 10,
          aggregation: 'sum',
          comparator: 'decrease_pct',
          baseline: 'week_ago',
          threshold: 50,
        },
      ],
    };
    const result = await backtest(customPolicy({ rules }), { load: {}, gc: {}, pv: {} }, day);
    const spans = result.source.requests.map((r) => [r.condition.metric, r.fromMs - T, r.toMs - T]);
    expect(spans).toEqual([
      ['load', -4 * MIN, 24 * 60 * MIN],
      ['gc', -64 * MIN, 24 * 60 * MIN],
      ['pv', -9 * MIN, 24 * 60 * MIN],
      ['pv', -(7 * 24 * 60 + 9) * MIN, -6 * 24 * 60 * MIN],
    ]);
    expect(backtestSpanRanges(rules.conditions[0] as never, day).baseline).toBeNull();
  });

  it('answers a day of 100 hosts in well under a second', async () => {
    const hosts = Object.fromEntries(
      Array.from({ length: 100 }, (_, h) => [`10.0.1.${h}`, between(600 + h, 660 + h, 5, 2)]),
    );
    const rule = {
      metric: 'gc',
      windowMinutes: 5,
      aggregation: 'avg',
      comparator: 'increase_pct',
      baseline: 'hour_ago',
      threshold: 100,
    };
    const policy = customPolicy({ rules: { match: 'all', conditions: [rule] } });
    const day = { fromMs: T, toMs: at(24 * 60) };
    const spans = await fetchBacktestSpans(new MemoryDataSource({ gc: hosts }), policy, day);
    // CPU time, not wall time: the machine is shared, and a busy neighbour must not fail the test.
    const started = process.cpuUsage();
    const result = backtestPolicy(policy, spans, day);
    const { user, system } = process.cpuUsage(started);
    expect(result.dimensions).toHaveLength(100);
    expect(result.dimensions.every((d) => d.firing.length === 1)).toBe(true);
    // About 150–300 ms, the first (cold) run included.
    expect((user + system) / 1000).toBeLessThan(1000);
  });
});
