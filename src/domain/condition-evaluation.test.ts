// The math of an evaluation: windows, aggregation with each noData fill, every comparator, percent change
// against each baseline with zero and missing baselines, all/any, and which dimension values are looked at.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, NoDataFill } from './alert-policy.js';
import {
  aggregateWindow,
  combineResults,
  conditionWindows,
  evaluateCondition,
  evaluateDimensions,
  type WindowSeries,
} from './condition-evaluation.js';

const T = Date.parse('2025-01-06T10:00:00Z');
const MIN = 60_000;
const values = (...points: number[]) => Float64Array.from(points);

function rule(patch: Partial<Condition> = {}): Condition {
  return {
    metric: 'JVM_FullGC',
    windowMinutes: 5,
    aggregation: 'avg',
    comparator: 'gt',
    threshold: 10,
    ...patch,
  };
}

/** The seed's rule: JVM_FullGC, 5-minute average, up 100% or more on an hour ago. */
const seedRule = rule({ comparator: 'increase_pct', baseline: 'hour_ago', threshold: 100 });

function series(key: string | null, ...points: number[]): WindowSeries {
  return { key, labels: key === null ? {} : { host: key }, values: values(...points) };
}

describe('conditionWindows', () => {
  it('reads the last N complete minutes, leaving out the minute in progress', () => {
    expect(conditionWindows(rule(), T + 30_000)).toEqual({
      current: { fromMs: T - 5 * MIN, toMs: T },
      baseline: null,
    });
  });

  it.each([
    ['previous_window', 5 * MIN],
    ['hour_ago', 60 * MIN],
    ['day_ago', 1440 * MIN],
    ['week_ago', 7 * 1440 * MIN],
  ] as const)('puts the %s baseline %i ms before the window, with the same length', (baseline, shift) => {
    const windows = conditionWindows(rule({ comparator: 'increase_pct', baseline }), T);
    expect(windows.baseline).toEqual({ fromMs: T - 5 * MIN - shift, toMs: T - shift });
  });
});

describe('aggregateWindow', () => {
  const gappy = values(2, NaN, 4, NaN, 6);

  it.each([
    ['avg', 'none', 4],
    ['sum', 'none', 12],
    ['max', 'none', 6],
    ['min', 'none', 2],
    ['count', 'none', 3],
    ['avg', 'zero', 12 / 5],
    ['min', 'zero', 0],
    ['count', 'zero', 5],
    ['avg', 'one', 14 / 5],
    ['sum', 'one', 14],
  ] as const)('%s with fill %s of [2, –, 4, –, 6] is %d', (aggregation, fill, expected) => {
    expect(aggregateWindow(gappy, 5, aggregation, fill)).toBeCloseTo(expected, 10);
  });

  it('has no value for a window without data under fill none, and the fill for the other fills', () => {
    expect(aggregateWindow(values(NaN, NaN), 2, 'avg', 'none')).toBeNull();
    expect(aggregateWindow(undefined, 2, 'avg', 'none')).toBeNull();
    expect(aggregateWindow(undefined, 2, 'sum', 'zero')).toBe(0);
    expect(aggregateWindow(undefined, 2, 'sum', 'one')).toBe(2);
  });

  it('treats infinite points as missing and an overflowing sum as no value', () => {
    expect(aggregateWindow(values(Infinity, 3), 2, 'max', 'none')).toBe(3);
    expect(aggregateWindow(values(1e308, 1e308), 2, 'sum', 'none')).toBeNull();
  });

  it('reads only the window length, filling a short series', () => {
    expect(aggregateWindow(values(1, 2, 3, 4), 2, 'sum', 'none')).toBe(3);
    expect(aggregateWindow(values(1), 3, 'sum', 'zero')).toBe(1);
  });
});

describe('evaluateCondition', () => {
  it.each([
    ['gt', 10, false],
    ['gt', 9.9, true],
    ['gte', 10, true],
    ['lt', 10.1, true],
    ['lte', 10, true],
    ['eq', 10, true],
    ['ne', 10, false],
  ] as const)('compares an average of 10 by %s %d: %s', (comparator, threshold, holds) => {
    const result = evaluateCondition(
      rule({ comparator, threshold }),
      'none',
      values(10, 10, 10, 10, 10),
      undefined,
    );
    expect(result).toMatchObject({ value: 10, holds, baselineValue: null, changePct: null });
  });

  it('never holds without data, whatever the comparator', () => {
    for (const comparator of ['lt', 'ne', 'lte'] as const) {
      expect(evaluateCondition(rule({ comparator }), 'none', undefined, undefined).holds).toBe(false);
    }
  });

  it('fires the seed rule when the 5-minute average doubled on the same minutes an hour ago', () => {
    const result = evaluateCondition(seedRule, 'none', values(4, 4, 4, 4, 4), values(2, 2, 2, 2, 2));
    expect(result).toEqual({
      metric: 'JVM_FullGC',
      aggregation: 'avg',
      comparator: 'increase_pct',
      baseline: 'hour_ago',
      threshold: 100,
      value: 4,
      baselineValue: 2,
      changePct: 100,
      holds: true,
    });
    expect(evaluateCondition(seedRule, 'none', values(3.9, 4, 4, 4, 4), values(2, 2, 2, 2, 2)).holds).toBe(
      false,
    );
  });

  it('measures a decrease against the absolute baseline', () => {
    const drop = rule({ comparator: 'decrease_pct', baseline: 'previous_window', threshold: 50 });
    expect(evaluateCondition(drop, 'none', values(4, 4, 4, 4, 4), values(10, 10, 10, 10, 10))).toMatchObject({
      changePct: -60,
      holds: true,
    });
    expect(
      evaluateCondition(drop, 'none', values(-15, -15, -15, -15, -15), values(-10, -10, -10, -10, -10)),
    ).toMatchObject({ changePct: -50, holds: true });
  });

  it('cannot fire on a zero or missing baseline under fill none or zero, reporting no change', () => {
    for (const fill of ['none', 'zero'] as const) {
      const zero = evaluateCondition(seedRule, fill, values(5, 5, 5, 5, 5), values(0, 0, 0, 0, 0));
      expect(zero).toMatchObject({ value: 5, baselineValue: null, changePct: null, holds: false });
      const missing = evaluateCondition(seedRule, fill, values(5, 5, 5, 5, 5), undefined);
      expect(missing).toMatchObject({ baselineValue: null, changePct: null, holds: false });
    }
  });

  it('divides by 1 for a zero or missing baseline under fill one', () => {
    const zero = evaluateCondition(seedRule, 'one', values(5, 5, 5, 5, 5), values(0, 0, 0, 0, 0));
    expect(zero).toMatchObject({ baselineValue: 1, changePct: 400, holds: true });
    const missing = evaluateCondition(seedRule, 'one', values(5, 5, 5, 5, 5), undefined);
    expect(missing).toMatchObject({ baselineValue: 1, changePct: 400, holds: true });
  });

  it('never fires on a division by zero, nor reports an infinite change (property)', () => {
    const point = fc.oneof(
      fc.constant(Number.NaN),
      fc.constant(0),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
    );
    const window = fc.array(point, { minLength: 0, maxLength: 5 }).map((p) => Float64Array.from(p));
    fc.assert(
      fc.property(
        fc.constantFrom('increase_pct', 'decrease_pct'),
        fc.constantFrom('avg', 'sum', 'max', 'min', 'count'),
        fc.constantFrom<NoDataFill>('none', 'zero', 'one'),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        window,
        fc.option(window, { nil: undefined }),
        (comparator, aggregation, fill, threshold, current, baseline) => {
          const condition = rule({ comparator, aggregation, threshold, baseline: 'previous_window' });
          const result = evaluateCondition(condition, fill, current, baseline);
          if (result.changePct !== null) expect(Number.isFinite(result.changePct)).toBe(true);
          if (result.holds) {
            expect(result.baselineValue).not.toBeNull();
            expect(result.baselineValue).not.toBe(0);
            expect(result.changePct).not.toBeNull();
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('combineResults', () => {
  const held = { value: 1, holds: true };
  const failed = { value: 1, holds: false };
  const empty = { value: null, holds: false };

  it('holds under all only when every rule holds; a rule without data keeps it from firing', () => {
    expect(combineResults('all', [held, held])).toBe('holds');
    expect(combineResults('all', [held, failed])).toBe('clear');
    expect(combineResults('all', [held, empty])).toBe('clear');
  });

  it('holds under any when one rule holds, even if another has no data', () => {
    expect(combineResults('any', [failed, held])).toBe('holds');
    expect(combineResults('any', [empty, held])).toBe('holds');
    expect(combineResults('any', [failed, empty])).toBe('clear');
  });

  it('is no_data only when no rule had any data', () => {
    expect(combineResults('all', [empty, empty])).toBe('no_data');
    expect(combineResults('any', [empty])).toBe('no_data');
  });
});

describe('evaluateDimensions', () => {
  const seedPolicy = { rules: { match: 'all' as const, conditions: [seedRule] }, noData: 'none' as const };

  it('fires the seed policy for exactly the hosts whose FullGC doubled', () => {
    const evaluations = evaluateDimensions(
      seedPolicy,
      [
        {
          current: [series('h1', 4, 4, 4, 4, 4), series('h2', 3, 3, 3, 3, 3), series('h3', 1, 1, 1, 1, 1)],
          baseline: [series('h1', 2, 2, 2, 2, 2), series('h2', 2, 2, 2, 2, 2)],
        },
      ],
      [],
    );
    expect(evaluations.map((e) => [e.key, e.outcome])).toEqual([
      ['h1', 'holds'],
      ['h2', 'clear'],
      ['h3', 'clear'],
    ]);
    expect(evaluations[0]!.labels).toEqual({ host: 'h1' });
  });

  it('looks at known values without data (no_data), and leaves unknown baseline-only values alone under fill none', () => {
    const evaluations = evaluateDimensions(
      seedPolicy,
      [{ current: [], baseline: [series('gone', 2, 2, 2, 2, 2)] }],
      [{ key: 'h9', labels: { host: 'h9' } }],
    );
    expect(evaluations.map((e) => [e.key, e.outcome])).toEqual([['h9', 'no_data']]);
  });

  it('evaluates values seen only in the baseline when a fill makes missing minutes count', () => {
    const drop = rule({ comparator: 'decrease_pct', baseline: 'day_ago', threshold: 90 });
    const evaluations = evaluateDimensions(
      { rules: { match: 'all', conditions: [drop] }, noData: 'zero' },
      [{ current: [], baseline: [series('gone', 2, 2, 2, 2, 2)] }],
      [],
    );
    expect(evaluations).toMatchObject([
      { key: 'gone', outcome: 'holds', results: [{ value: 0, changePct: -100 }] },
    ]);
  });

  it('combines rules per value, a value missing from one rule counting as no data for that rule', () => {
    const evaluations = evaluateDimensions(
      {
        rules: {
          match: 'any',
          conditions: [rule({ threshold: 100 }), rule({ metric: 'JVM_ThreadCount', threshold: 5 })],
        },
        noData: 'none',
      },
      [
        { current: [series('a', 1, 1, 1, 1, 1), series('b', 200, 200, 200, 200, 200)], baseline: [] },
        { current: [series('a', 9, 9, 9, 9, 9)], baseline: [] },
      ],
      [],
    );
    expect(evaluations.map((e) => [e.key, e.outcome, e.results.map((r) => r.value)])).toEqual([
      ['a', 'holds', [1, 9]],
      ['b', 'holds', [200, null]],
    ]);
  });
});
