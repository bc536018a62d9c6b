// The charts' arithmetic: value ticks that are round and cover every value, time ticks on round minutes
// of the local clock, and downsampling that keeps means and gaps.
import { describe, expect, it } from 'vitest';
import { downsample, formatValue, timeTicks, valueScale } from './chart-scale';

const MINUTE = 60_000;

describe('valueScale', () => {
  it('starts at 0 for positive values and ends on a round step above the largest', () => {
    expect(valueScale([3, 7.2])).toEqual({ min: 0, max: 8, ticks: [0, 2, 4, 6, 8] });
  });

  it('covers negative values and tiny ranges without floating-point noise', () => {
    const scale = valueScale([-3, 0.4]);
    expect(scale.min).toBeLessThanOrEqual(-3);
    expect(scale.max).toBeGreaterThanOrEqual(0.4);
    expect(valueScale([0.1, 0.3]).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('gives a usable scale for no values, one value and all zeros', () => {
    for (const values of [[], [5], [0, 0]]) {
      const scale = valueScale(values);
      expect(scale.max).toBeGreaterThan(scale.min);
      expect(scale.ticks.length).toBeGreaterThan(1);
    }
  });
});

describe('timeTicks', () => {
  it('puts hourly ticks on the local hour across three hours', () => {
    const from = Date.parse('2025-01-06T10:17:00Z');
    const ticks = timeTicks(from, from + 3 * 60 * MINUTE, 4);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const tick of ticks) {
      expect(new Date(tick).getMinutes()).toBe(0);
      expect(tick).toBeGreaterThanOrEqual(from);
    }
  });

  it('uses finer steps for shorter spans, every tick within the span', () => {
    const from = Date.parse('2025-01-06T10:03:00Z');
    const to = from + 30 * MINUTE;
    const ticks = timeTicks(from, to, 6);
    expect(ticks[1]! - ticks[0]!).toBe(5 * MINUTE);
    expect(ticks.every((tick) => tick >= from && tick <= to)).toBe(true);
  });
});

describe('downsample', () => {
  it('averages the minutes each point stands for, and keeps gaps as null', () => {
    expect(downsample([1, 3, null, 5], 2)).toEqual({ values: [2, 5], factor: 2 });
    expect(downsample([null, null, 4, 6], 2)).toEqual({ values: [null, 5], factor: 2 });
  });

  it('leaves short series alone', () => {
    expect(downsample([1, null, 2], 10)).toEqual({ values: [1, null, 2], factor: 1 });
  });

  it('brings a week of minutes under the point budget', () => {
    const week = Array.from({ length: 7 * 1440 }, (_, i) => i % 60);
    expect(downsample(week, 600).values.length).toBeLessThanOrEqual(600);
  });
});

describe('formatValue', () => {
  it('shortens large values and trims long fractions', () => {
    expect(formatValue(1200)).toBe('1200');
    expect(formatValue(12_500)).toBe('12.5k');
    expect(formatValue(3_400_000)).toBe('3.4M');
    expect(formatValue(0.123456)).toBe('0.1235');
  });
});
