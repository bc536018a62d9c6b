// Turning a cumulative counter (OTLP cumulative sums, Prometheus `_total`) into what happened between two
// of its points, per series, including the sender restarting its counter.
import { MINUTE_MS } from '../../domain/metric-series.js';

/** The last point of a cumulative series; all NaN before its first point. */
export interface CumulativeState {
  cumulativeTimeMs: number;
  cumulativeValue: number;
  cumulativeStartMs: number;
}

/**
 * The delta that the point (timeMs, value, startMs) adds, updating `state`; NaN when the point adds
 * nothing to store. The rules:
 * - the first point of a series gives the whole value when its counter started in the same or the
 *   previous minute (a fresh counter), else nothing (we do not know since when it counted);
 * - a point not after the last one (replayed, out of order) is ignored and leaves the state as it was;
 * - a lower value or a changed start time is a sender restart: the delta is the new value when the new
 *   counter started after the previous point (or no start time is known, as Prometheus `increase` does),
 *   else 0 — we cannot tell how much of it the previous point already counted;
 * - otherwise the delta is the difference.
 */
export function cumulativeDelta(
  state: CumulativeState,
  timeMs: number,
  value: number,
  startMs: number | undefined,
): number {
  const start = startMs ?? Number.NaN;
  const lastTime = state.cumulativeTimeMs;
  if (Number.isNaN(lastTime)) {
    state.cumulativeTimeMs = timeMs;
    state.cumulativeValue = value;
    state.cumulativeStartMs = start;
    const fresh = Math.floor(start / MINUTE_MS) >= Math.floor(timeMs / MINUTE_MS) - 1;
    return fresh ? value : Number.NaN;
  }
  if (!(timeMs > lastTime)) return Number.NaN;
  const lastStart = state.cumulativeStartMs;
  const startChanged = !Number.isNaN(start) && !Number.isNaN(lastStart) && start !== lastStart;
  const restarted = value < state.cumulativeValue || startChanged;
  let delta: number;
  if (!restarted) delta = value - state.cumulativeValue;
  else if (Number.isNaN(start) || start > lastTime) delta = value;
  else delta = 0;
  state.cumulativeTimeMs = timeMs;
  state.cumulativeValue = value;
  state.cumulativeStartMs = start;
  return delta;
}
