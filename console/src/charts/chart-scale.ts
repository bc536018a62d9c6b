// The arithmetic of the console's charts: "nice" value ticks and time ticks that fall on round minutes of
// the user's own clock (a tick at 14:00 in Shanghai, not at 06:00 UTC).

const MINUTE_MS = 60_000;
/** Time tick spacings, in minutes, from which the one giving about `count` ticks is chosen. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440] as const;

export interface ValueScale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/**
 * Round ticks spanning every value (and 0 when the values are all positive, so a doubled line looks
 * doubled).
 * @example valueScale([3, 7.2]) // { min: 0, max: 8, ticks: [0, 2, 4, 6, 8] }
 */
export function valueScale(values: readonly number[], count = 5): ValueScale {
  let low = Math.min(0, ...values);
  let high = Math.max(...values, 0);
  if (!Number.isFinite(low) || !Number.isFinite(high)) [low, high] = [0, 1];
  if (high === low) high = low + 1;
  const rough = (high - low) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= rough) ?? 10) * magnitude;
  const min = Math.floor(low / step) * step;
  const max = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let tick = min; tick <= max + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return { min, max, ticks };
}

/**
 * Instants in [fromMs, toMs] on round minutes of the local clock, about `count` of them.
 * @example timeTicks(Date.parse('2025-01-06T10:00Z'), Date.parse('2025-01-06T13:00Z'), 4) // hourly
 */
export function timeTicks(fromMs: number, toMs: number, count = 6): readonly number[] {
  const spanMinutes = Math.max(1, (toMs - fromMs) / MINUTE_MS);
  const stepMinutes = TIME_STEPS.find((step) => spanMinutes / step <= count) ?? 1440;
  const stepMs = stepMinutes * MINUTE_MS;
  // Local time's offset, so a 60-minute step falls on the local hour (whole-hour zones and half-hour ones).
  const offsetMs = -new Date(fromMs).getTimezoneOffset() * MINUTE_MS;
  const first = Math.ceil((fromMs + offsetMs) / stepMs) * stepMs - offsetMs;
  const ticks: number[] = [];
  for (let tick = first; tick <= toMs; tick += stepMs) ticks.push(tick);
  return ticks;
}

/** A short label for a value tick: 1200 → 1.2k, 0.25 → 0.25. */
export function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${Number((value / 1e9).toPrecision(3))}G`;
  if (magnitude >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (magnitude >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(4)));
}

/**
 * At most `maxPoints` values, each the mean of the minutes it stands for (null where none had one): a week
 * of minutes is 10 080 points, more than a chart has pixels.
 * @example downsample([1, 3, null, 5], 2) // { values: [2, 5], factor: 2 }
 */
export function downsample(
  values: readonly (number | null)[],
  maxPoints: number,
): { values: (number | null)[]; factor: number } {
  const factor = Math.max(1, Math.ceil(values.length / maxPoints));
  if (factor === 1) return { values: [...values], factor };
  const result: (number | null)[] = [];
  for (let start = 0; start < values.length; start += factor) {
    let sum = 0;
    let count = 0;
    for (const value of values.slice(start, start + factor)) {
      if (value !== null) {
        sum += value;
        count += 1;
      }
    }
    result.push(count === 0 ? null : sum / count);
  }
  return { values: result, factor };
}
