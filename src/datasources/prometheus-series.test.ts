// Reading a range query's answer: canonical keys, Prometheus's special values, the minute grid, and the
// answers refused (too many series, series that differ only in their metric name, malformed ones).
import { describe, expect, it } from 'vitest';
import {
  canonicalLabelKey,
  parseSampleValue,
  seriesOfQueryData,
  type MinuteGrid,
} from './prometheus-series.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const S0 = T0 / 1000;
const GRID: MinuteGrid = { firstMs: T0, stepMs: 60_000, length: 4 };

function read(data: unknown, maxSeries?: number) {
  const reading = seriesOfQueryData(data, GRID, maxSeries);
  if (!reading.ok) throw new Error(`${reading.failure}: ${reading.problem}`);
  return reading.series.map((s) => ({ key: s.key, labels: s.labels, values: [...s.values] }));
}

function matrix(...series: { metric: Record<string, string>; values: [number, string][] }[]) {
  return { resultType: 'matrix', result: series };
}

describe('canonicalLabelKey', () => {
  it('sorts the labels by name and leaves the metric name out', () => {
    expect(canonicalLabelKey({ job: 'node', __name__: 'up', instance: '10.0.0.7:9100' })).toBe(
      '{instance="10.0.0.7:9100",job="node"}',
    );
  });

  it('is {} for a series without labels', () => {
    expect(canonicalLabelKey({})).toBe('{}');
    expect(canonicalLabelKey({ __name__: 'up' })).toBe('{}');
  });

  it('escapes backslashes, quotes and newlines in values as PromQL does', () => {
    expect(canonicalLabelKey({ path: 'C:\\tmp', msg: 'say "hi"\nbye' })).toBe(
      '{msg="say \\"hi\\"\\nbye",path="C:\\\\tmp"}',
    );
  });
});

describe('parseSampleValue', () => {
  it("reads Prometheus's NaN, +Inf and -Inf, which Number does not", () => {
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads decimals and exponents, and nothing else', () => {
    expect(parseSampleValue('42')).toBe(42);
    expect(parseSampleValue('-0.25')).toBe(-0.25);
    expect(parseSampleValue('1e+06')).toBe(1_000_000);
    expect(parseSampleValue('')).toBeNaN();
    expect(parseSampleValue('twelve')).toBeNaN();
  });
});

describe('seriesOfQueryData', () => {
  it('places each sample on its minute, NaN where Prometheus returned no point, series in key order', () => {
    const data = matrix(
      {
        metric: { __name__: 'app_queue_depth', queue: 'payments' },
        values: [
          [S0 + 60, '50'],
          [S0 + 180, '+Inf'],
        ],
      },
      {
        metric: { __name__: 'app_queue_depth', queue: 'orders' },
        values: [
          [S0, '5'],
          [S0 + 120, 'NaN'],
        ],
      },
    );
    expect(read(data)).toEqual([
      {
        key: '{queue="orders"}',
        labels: { __name__: 'app_queue_depth', queue: 'orders' },
        values: [5, Number.NaN, Number.NaN, Number.NaN],
      },
      {
        key: '{queue="payments"}',
        labels: { __name__: 'app_queue_depth', queue: 'payments' },
        values: [Number.NaN, 50, Number.NaN, Number.POSITIVE_INFINITY],
      },
    ]);
  });

  it('drops samples off the grid instead of shifting them', () => {
    const data = matrix({
      metric: {},
      values: [
        [S0 - 60, '1'],
        [S0 + 240, '2'],
        [S0 + 60.0004, '3'],
      ],
    });
    expect(read(data)).toEqual([{ key: '{}', labels: {}, values: [Number.NaN, 3, Number.NaN, Number.NaN] }]);
  });

  it('reads an instant vector by its timestamps and a scalar as one series without labels', () => {
    const vector = { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [S0 + 180, '7'] }] };
    expect(read(vector)).toEqual([
      { key: '{job="a"}', labels: { job: 'a' }, values: [Number.NaN, Number.NaN, Number.NaN, 7] },
    ]);
    const scalar = { resultType: 'scalar', result: [S0 + 120, '1'] };
    expect(read(scalar)).toEqual([
      { key: '{}', labels: {}, values: [Number.NaN, Number.NaN, 1, Number.NaN] },
    ]);
  });

  it('leaves the minutes of a native histogram series without values', () => {
    const data = {
      resultType: 'matrix',
      result: [{ metric: { le: 'x' }, histograms: [[S0, { count: '1' }]] }],
    };
    expect(read(data)[0]!.values.every(Number.isNaN)).toBe(true);
  });

  it('refuses more series than the cap, saying how many and how to narrow the expression', () => {
    const data = matrix(
      ...['a', 'b', 'c'].map((job) => ({ metric: { job }, values: [[S0, '1']] as [number, string][] })),
    );
    expect(seriesOfQueryData(data, GRID, 2)).toEqual({
      ok: false,
      failure: 'too_many_series',
      problem: expect.stringMatching(/^answered 3 series, more than the 2 one policy may watch; aggregate/),
    });
    expect(read(data, 3)).toHaveLength(3);
  });

  it('refuses two series that differ only in their metric name, since they would be one dimension value', () => {
    const data = matrix(
      { metric: { __name__: 'up', job: 'a' }, values: [[S0, '1']] },
      { metric: { __name__: 'scrape_samples_scraped', job: 'a' }, values: [[S0, '404']] },
    );
    const reading = seriesOfQueryData(data, GRID);
    expect(reading).toMatchObject({ ok: false, failure: 'duplicate_series' });
    expect(!reading.ok && reading.problem).toMatch(
      /\{job="a"\} apart from their metric names \(up, scrape_samples_scraped\)/,
    );
  });

  it('refuses strings and malformed answers with a reason instead of throwing', () => {
    expect(seriesOfQueryData({ resultType: 'string', result: [S0, 'x'] }, GRID)).toMatchObject({
      ok: false,
      failure: 'bad_query',
    });
    for (const data of [
      null,
      { resultType: 'matrix', result: {} },
      { resultType: 'matrix', result: [{ metric: { job: 1 }, values: [] }] },
      { resultType: 'matrix', result: [{ metric: {}, values: [['x', '1']] }] },
      { resultType: 'histogram', result: [] },
    ]) {
      expect(seriesOfQueryData(data, GRID)).toMatchObject({ ok: false, failure: 'bad_response' });
    }
  });
});
