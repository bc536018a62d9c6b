// Asking a data source for what a backtest of a policy reads: per rule, the per-minute series over the
// whole previewed span — one fetchWindow call covering every window the rule reads, its baseline windows
// too when they overlap, else one more call for them — never one call per minute.
import type { PolicyDataSource } from '../datasources/policy-data.js';
import type { AlertPolicy, Condition } from '../domain/alert-policy.js';
import { conditionWindows, type TimeRange } from '../domain/condition-evaluation.js';
import { MINUTE_MS } from '../domain/metric-series.js';
import type { BacktestRange, RuleSpans } from './backtest.js';

/** The stretches of time one rule reads over a backtest: its windows, and its baseline windows. */
export interface RuleSpanRanges {
  readonly current: TimeRange;
  /** Percent-change rules only. */
  readonly baseline: TimeRange | null;
}

/**
 * What `condition` reads when evaluated at the end of every minute of `range`: from the window of the
 * first evaluation to that of the last, by the evaluator's own window rules (conditionWindows).
 * @example backtestSpanRanges({ windowMinutes: 5, comparator: 'gt' }, { fromMs: T, toMs: T + 60 * 60_000 }).current // T−4 min to T+60 min
 */
export function backtestSpanRanges(
  condition: Pick<Condition, 'windowMinutes' | 'comparator' | 'baseline'>,
  range: BacktestRange,
): RuleSpanRanges {
  const first = conditionWindows(condition, range.fromMs + MINUTE_MS);
  const last = conditionWindows(condition, range.toMs);
  return {
    current: { fromMs: first.current.fromMs, toMs: last.current.toMs },
    baseline:
      first.baseline && last.baseline ? { fromMs: first.baseline.fromMs, toMs: last.baseline.toMs } : null,
  };
}

/** One range for both when they overlap or touch (previous_window, hour_ago over hours); else null. */
function mergedRange(current: TimeRange, baseline: TimeRange): TimeRange | null {
  if (baseline.fromMs > current.toMs || baseline.toMs < current.fromMs) return null;
  return {
    fromMs: Math.min(current.fromMs, baseline.fromMs),
    toMs: Math.max(current.toMs, baseline.toMs),
  };
}

/**
 * The series every rule of `policy` reads over a backtest of `range`, in the rules' order: one
 * fetchWindow call per rule (two for a baseline a day or a week away), the rules' calls in parallel.
 * @example backtestPolicy(policy, await fetchBacktestSpans(source, policy, range), range)
 */
export async function fetchBacktestSpans(
  source: PolicyDataSource,
  policy: AlertPolicy,
  range: BacktestRange,
): Promise<RuleSpans[]> {
  return Promise.all(
    policy.rules.conditions.map(async function fetchRuleSpans(condition): Promise<RuleSpans> {
      const ranges = backtestSpanRanges(condition, range);
      const fetchSpan = async (span: TimeRange) => ({
        ...span,
        series: await source.fetchWindow({ policy, condition, ...span }),
      });
      if (!ranges.baseline) return { current: await fetchSpan(ranges.current), baseline: null };
      const merged = mergedRange(ranges.current, ranges.baseline);
      if (merged) {
        const both = await fetchSpan(merged);
        return { current: both, baseline: both };
      }
      const [current, baseline] = await Promise.all([fetchSpan(ranges.current), fetchSpan(ranges.baseline)]);
      return { current, baseline };
    }),
  );
}
