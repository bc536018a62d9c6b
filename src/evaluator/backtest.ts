// Backtesting a policy (the preview): every evaluation over a past span replayed minute by minute with the
// evaluator's own steps — the values it watches and follows (watchedData, knownDimensions), the rule math
// (evaluateDimensions) and the event lifecycle (planTransitions) — from series fetched once per rule for
// the whole span. Pure: series in; per dimension value its values, verdicts and firing intervals out.
import type { DimensionSeries } from '../datasources/policy-data.js';
import type { AlertPolicy, Condition } from '../domain/alert-policy.js';
import {
  conditionWindows,
  evaluateDimensions,
  isPercentChange,
  type ConditionData,
  type EvaluationOutcome,
  type TimeRange,
  type WindowSeries,
} from '../domain/condition-evaluation.js';
import { MINUTE_MS } from '../domain/metric-series.js';
import {
  knownDimensions,
  lifecyclePolicyOf,
  planTransitions,
  watchedData,
  type FollowedKey,
} from './key-transitions.js';

/**
 * The minutes a backtest covers, [fromMs, toMs), minute-aligned. Each minute is evaluated at its end, as
 * the evaluator does at the next minute boundary: the evaluation of minute i reads the window that ends
 * with it, so the last one is the evaluation at `toMs`.
 */
export interface BacktestRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** What one fetchWindow call answered: every dimension value's per-minute series over [fromMs, toMs). */
export interface SeriesSpan extends TimeRange {
  readonly series: readonly DimensionSeries[];
}

/** What one rule read for a backtest; `baseline` may be the very span of `current` when they overlap. */
export interface RuleSpans {
  readonly current: SeriesSpan;
  /** Percent-change rules only. */
  readonly baseline: SeriesSpan | null;
}

/** A stretch of time in which an event would have been firing for one dimension value. */
export interface FiringInterval {
  /** When the event would have opened: the first of its holding evaluations. */
  readonly fromMs: number;
  /** When it would have resolved, the recovery delay included; the last evaluation while `ongoing`. */
  readonly toMs: number;
  /**
   * The evaluation at which the event would have opened (its first message, inside the effective
   * window): `fromMs` itself, or with forEvaluations K the K-th holding evaluation in a row.
   */
  readonly openedAtMs: number;
  /** Still firing at the last evaluation. */
  readonly ongoing: boolean;
  /** Opened because data was missing (noDataAction `alert`). */
  readonly noData: boolean;
}

/** One rule over the backtest, for one dimension value; every list has one entry per minute. */
export interface BacktestRule {
  /** The metric's value in each minute; null where it had none. */
  readonly series: (number | null)[];
  /** The rule's aggregate over the window ending with each minute; null: no data, or not evaluated. */
  readonly values: (number | null)[];
  /** Percent-change rules: the baseline each value was compared with (null: none to divide by). */
  readonly baselineValues: (number | null)[] | null;
  /**
   * Percent-change rules: the value the aggregate needed to reach for the rule to hold,
   * baseline ± |baseline| × threshold / 100 (+ for increase_pct, − for decrease_pct).
   */
  readonly thresholdValues: (number | null)[] | null;
  /** Whether the rule held; null where the dimension value was not evaluated. */
  readonly holds: (boolean | null)[];
}

/** One dimension value over the backtest. */
export interface BacktestDimension {
  /** The dimension value; null for dimension mode `none`. */
  readonly key: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** Each minute's verdict under all/any; null where the value was not evaluated (no data, not followed). */
  readonly outcomes: (EvaluationOutcome | null)[];
  /** One per rule, in the policy's order. */
  readonly rules: readonly BacktestRule[];
  readonly firing: readonly FiringInterval[];
}

export interface Backtest {
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  /** Every dimension value evaluated at least once, those that fired first (see rankDimensions). */
  readonly dimensions: readonly BacktestDimension[];
}

/** Window answers a span index keeps: an hour-ago baseline is the window answered 60 minutes before. */
const RECENT_ANSWERS = 64;

interface IndexedSeries {
  readonly series: DimensionSeries;
  /**
   * counts[i]: how many of the first i minutes are not NaN — the data sources' own test of whether a
   * series is in a window's answer (±Infinity is an answer, which the rule math then reads as no data).
   */
  readonly counts: Int32Array;
}

/**
 * One span's series by dimension value, with running counts of the minutes that have a value, so that
 * which series have data in a window — what a data source asked for that window would answer — costs one
 * subtraction per series.
 */
class SpanIndex {
  readonly #fromMs: number;
  readonly #minutes: number;
  readonly #entries: readonly IndexedSeries[];
  readonly #byKey: ReadonlyMap<string | null, IndexedSeries>;
  readonly #recent = new Map<number, readonly WindowSeries[]>();

  constructor(span: TimeRange, series: readonly DimensionSeries[]) {
    this.#fromMs = span.fromMs;
    this.#minutes = (span.toMs - span.fromMs) / MINUTE_MS;
    this.#entries = series.map((one) => {
      const counts = new Int32Array(this.#minutes + 1);
      for (let i = 0; i < this.#minutes; i++) {
        const value = one.values[i];
        counts[i + 1] = counts[i]! + (value !== undefined && !Number.isNaN(value) ? 1 : 0);
      }
      return { series: one, counts };
    });
    const byKey = new Map<string | null, IndexedSeries>();
    for (const entry of this.#entries) if (!byKey.has(entry.series.key)) byKey.set(entry.series.key, entry);
    this.#byKey = byKey;
  }

  #offsets(range: TimeRange): [number, number] {
    const start = (range.fromMs - this.#fromMs) / MINUTE_MS;
    const end = (range.toMs - this.#fromMs) / MINUTE_MS;
    if (!(start >= 0 && end <= this.#minutes && Number.isInteger(start) && Number.isInteger(end))) {
      throw new RangeError(`[${range.fromMs}, ${range.toMs}) is not whole minutes of the fetched span`);
    }
    return [start, end];
  }

  /**
   * The series with at least one value in `window`, their values over it: a data source's answer. The
   * latest answers are kept: a baseline window (the N minutes before, or an hour before) is a window
   * this index answered a little earlier, and collecting garbage is where a long replay spends its time.
   */
  windowSeries(window: TimeRange): readonly WindowSeries[] {
    const [start, end] = this.#offsets(window);
    const id = start * (this.#minutes + 1) + end;
    const known = this.#recent.get(id);
    if (known) return known;
    const answer: WindowSeries[] = [];
    for (const { series, counts } of this.#entries) {
      if (counts[end]! - counts[start]! > 0) {
        answer.push({ key: series.key, labels: series.labels, values: series.values.subarray(start, end) });
      }
    }
    this.#recent.set(id, answer);
    // Maps keep their insertion order: the first key is the oldest answer.
    if (this.#recent.size > RECENT_ANSWERS) this.#recent.delete(this.#recent.keys().next().value!);
    return answer;
  }

  /** The per-minute values of `key` over `range`, null where there is none. */
  points(key: string | null, range: TimeRange): (number | null)[] {
    const [start, end] = this.#offsets(range);
    const values = this.#byKey.get(key)?.series.values;
    const points: (number | null)[] = [];
    for (let i = start; i < end; i++) {
      const value = values?.[i];
      points.push(value !== undefined && Number.isFinite(value) ? value : null);
    }
    return points;
  }
}

/** What the replay gathers for one dimension value. */
interface DimensionRecord {
  readonly key: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly outcomes: (EvaluationOutcome | null)[];
  readonly values: (number | null)[][];
  readonly baselineValues: ((number | null)[] | null)[];
  readonly holds: (boolean | null)[][];
  readonly firing: FiringInterval[];
  open: Pick<FiringInterval, 'fromMs' | 'openedAtMs' | 'noData'> | null;
}

/** The value a percent-change rule's aggregate must reach against `baseline` (the divisor it used). */
function thresholdValueOf(condition: Condition, baseline: number | null): number | null {
  if (baseline === null) return null;
  const margin = (Math.abs(baseline) * condition.threshold) / 100;
  return condition.comparator === 'increase_pct' ? baseline + margin : baseline - margin;
}

/**
 * How far a dimension value went toward holding its first rule: its highest value (lowest for `lt`,
 * `lte` and `decrease_pct`; the change for percent-change rules); −Infinity without any value.
 */
function peakOf(condition: Condition | undefined, rule: BacktestRule | undefined): number {
  if (!condition || !rule) return -Infinity;
  const lower =
    condition.comparator === 'lt' ||
    condition.comparator === 'lte' ||
    condition.comparator === 'decrease_pct';
  let peak = -Infinity;
  rule.values.forEach((value, i) => {
    let measure = value;
    if (measure !== null && rule.baselineValues) {
      const baseline = rule.baselineValues[i] ?? null;
      measure = baseline === null ? null : ((measure - baseline) / Math.abs(baseline)) * 100;
    }
    if (measure === null || !Number.isFinite(measure)) return;
    const signed = lower ? -measure : measure;
    if (signed > peak) peak = signed;
  });
  return peak;
}

function firingMsOf(dimension: BacktestDimension): number {
  return dimension.firing.reduce((sum, interval) => sum + (interval.toMs - interval.fromMs), 0);
}

/**
 * The dimension values most worth a look first: the longest firing, then those whose rules held most
 * often (a pending run that never reached forEvaluations), then those that came nearest to holding the
 * first rule, then by value.
 */
export function rankDimensions(
  policy: Pick<AlertPolicy, 'rules'>,
  dimensions: readonly BacktestDimension[],
): BacktestDimension[] {
  const first = policy.rules.conditions[0];
  const ranked = dimensions.map((dimension) => ({
    dimension,
    firingMs: firingMsOf(dimension),
    holding: dimension.outcomes.filter((outcome) => outcome === 'holds').length,
    peak: peakOf(first, dimension.rules[0]),
  }));
  ranked.sort(
    (a, b) =>
      b.firingMs - a.firingMs ||
      b.holding - a.holding ||
      (a.peak === b.peak ? 0 : a.peak < b.peak ? 1 : -1) ||
      compareKeys(a.dimension.key, b.dimension.key),
  );
  return ranked.map((entry) => entry.dimension);
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * Replays the evaluations of `policy` at the end of every minute of `range` over `data` (one RuleSpans
 * per rule, covering what backtestSpanRanges asks), starting with nothing pending or firing: per
 * dimension value, the minutes' values and verdicts and the intervals in which an event would have fired.
 * The effective window is left out: it decides when messages go, never when events open or resolve.
 * @example backtestPolicy(policy, await fetchBacktestSpans(source, policy, range), range).dimensions[0].firing
 */
export function backtestPolicy(
  policy: AlertPolicy,
  data: readonly RuleSpans[],
  range: BacktestRange,
): Backtest {
  const conditions = policy.rules.conditions;
  if (data.length !== conditions.length) {
    throw new RangeError(`${data.length} rule spans for ${conditions.length} rules`);
  }
  const minutes = (range.toMs - range.fromMs) / MINUTE_MS;
  // A data source may answer more than the policy watches (other hosts of a `specified` policy).
  const watched = watchedData(
    policy,
    data.map((spans) => ({ current: spans.current.series, baseline: spans.baseline?.series ?? [] })),
  );
  const indexes = data.map((spans, r) => {
    const current = new SpanIndex(spans.current, watched[r]!.current);
    const baseline =
      spans.baseline === null
        ? null
        : spans.baseline === spans.current
          ? current
          : new SpanIndex(spans.baseline, watched[r]!.baseline);
    return { current, baseline };
  });
  const lifecycle = lifecyclePolicyOf(policy);
  const followed = new Map<string | null, FollowedKey>();
  const records = new Map<string | null, DimensionRecord>();
  const recordOf = (key: string | null, labels: Readonly<Record<string, string>>): DimensionRecord => {
    let record = records.get(key);
    if (!record) {
      const nothing = (): null[] => new Array<null>(minutes).fill(null);
      record = {
        key,
        labels,
        outcomes: nothing(),
        values: conditions.map(nothing),
        baselineValues: conditions.map((condition) => (isPercentChange(condition) ? nothing() : null)),
        holds: conditions.map(nothing),
        firing: [],
        open: null,
      };
      records.set(key, record);
    }
    return record;
  };

  for (let minute = 0; minute < minutes; minute++) {
    const now = range.fromMs + (minute + 1) * MINUTE_MS;
    const windows: ConditionData[] = conditions.map((condition, r) => {
      const { current, baseline } = conditionWindows(condition, now);
      const index = indexes[r]!;
      return {
        current: index.current.windowSeries(current),
        baseline: baseline && index.baseline ? index.baseline.windowSeries(baseline) : [],
      };
    });
    const evaluations = evaluateDimensions(policy, windows, knownDimensions(policy, followed));
    for (const evaluation of evaluations) {
      const record = recordOf(evaluation.key, evaluation.labels);
      record.outcomes[minute] = evaluation.outcome;
      for (let r = 0; r < evaluation.results.length; r++) {
        const result = evaluation.results[r]!;
        record.values[r]![minute] = result.value;
        record.holds[r]![minute] = result.holds;
        const baselines = record.baselineValues[r];
        if (baselines) baselines[minute] = result.baselineValue;
      }
    }
    const transitions = planTransitions({ followed, evaluations, lifecycle, now, mayNotify: true });
    for (const { key, labels, step } of transitions) {
      const next = step.next;
      if (next.phase === 'quiet') followed.delete(key);
      else followed.set(key, { key, labels, event: null, keyState: null, state: next });
      const record = recordOf(key, labels);
      if (step.resolved && record.open) {
        record.firing.push({ ...record.open, toMs: now, ongoing: false });
        record.open = null;
      }
      if (step.opened && next.phase === 'firing') {
        record.open = { fromMs: next.startedAt, openedAtMs: now, noData: next.noData };
      }
    }
  }

  const dimensions: BacktestDimension[] = [];
  for (const record of records.values()) {
    if (record.open) record.firing.push({ ...record.open, toMs: range.toMs, ongoing: true });
    dimensions.push({
      key: record.key,
      labels: record.labels,
      outcomes: record.outcomes,
      firing: record.firing,
      rules: conditions.map((condition, r) => {
        const baselineValues = record.baselineValues[r] ?? null;
        return {
          series: indexes[r]!.current.points(record.key, range),
          values: record.values[r]!,
          baselineValues,
          thresholdValues: baselineValues && baselineValues.map((b) => thresholdValueOf(condition, b)),
          holds: record.holds[r]!,
        };
      }),
    });
  }
  return {
    fromMs: range.fromMs,
    toMs: range.toMs,
    stepMs: MINUTE_MS,
    dimensions: rankDimensions(policy, dimensions),
  };
}
