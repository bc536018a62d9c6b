import { describe, expect, it } from 'vitest';
import { cumulativeDelta, type CumulativeState } from './cumulative-delta.js';

const T = Date.UTC(2025, 0, 15, 12, 0);
const MIN = 60_000;

function fresh(): CumulativeState {
  return { cumulativeTimeMs: Number.NaN, cumulativeValue: Number.NaN, cumulativeStartMs: Number.NaN };
}

describe('cumulativeDelta', () => {
  it('gives nothing for the first point of a counter that started long ago', () => {
    const state = fresh();
    expect(cumulativeDelta(state, T, 500, T - 60 * MIN)).toBeNaN();
    expect(cumulativeDelta(state, T, 500, undefined)).toBeNaN();
    expect(state.cumulativeValue).toBe(500);
  });

  it('counts the whole first value of a counter started in the same or the previous minute', () => {
    expect(cumulativeDelta(fresh(), T + 30_000, 7, T + 1_000)).toBe(7);
    expect(cumulativeDelta(fresh(), T + 30_000, 7, T - 59_000)).toBe(7);
    expect(cumulativeDelta(fresh(), T + 30_000, 7, T - MIN - 1)).toBeNaN();
  });

  it('gives the difference between consecutive points', () => {
    const state = fresh();
    cumulativeDelta(state, T, 10, T - 10 * MIN);
    expect(cumulativeDelta(state, T + 15_000, 14, T - 10 * MIN)).toBe(4);
    expect(cumulativeDelta(state, T + 30_000, 14, T - 10 * MIN)).toBe(0);
  });

  it('ignores points not after the last one and keeps its state', () => {
    const state = fresh();
    cumulativeDelta(state, T, 10, undefined);
    cumulativeDelta(state, T + 30_000, 20, undefined);
    expect(cumulativeDelta(state, T + 15_000, 15, undefined)).toBeNaN();
    expect(cumulativeDelta(state, T + 30_000, 20, undefined)).toBeNaN();
    expect(cumulativeDelta(state, T + 45_000, 26, undefined)).toBe(6);
  });

  it('takes a drop without a start time for a restart counting the new value', () => {
    const state = fresh();
    cumulativeDelta(state, T, 100, undefined);
    expect(cumulativeDelta(state, T + 15_000, 3, undefined)).toBe(3);
    expect(cumulativeDelta(state, T + 30_000, 5, undefined)).toBe(2);
  });

  it('counts the new value when the new start time is after the previous point', () => {
    const state = fresh();
    cumulativeDelta(state, T, 100, T - 10 * MIN);
    expect(cumulativeDelta(state, T + 30_000, 120, T + 10_000)).toBe(120);
  });

  it('counts 0 for a restart whose start time is not after the previous point', () => {
    const state = fresh();
    cumulativeDelta(state, T, 100, T - 10 * MIN);
    expect(cumulativeDelta(state, T + 30_000, 40, T - 5 * MIN)).toBe(0);
    expect(cumulativeDelta(state, T + 45_000, 45, T - 5 * MIN)).toBe(5);
  });
});
