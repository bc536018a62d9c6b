// The JSON of a policy preview: the backtest's dimension values, the most interesting first, cut to the
// limit, each rule described as the policy holds it next to its per-minute lists.
import type { AlertPolicy } from '../../domain/alert-policy.js';
import type { Backtest, BacktestDimension } from '../../evaluator/backtest.js';
import type { PolicyPreview } from './preview-schema.js';

function presentDimension(
  policy: AlertPolicy,
  dimension: BacktestDimension,
): PolicyPreview['dimensions'][number] {
  return {
    key: dimension.key,
    labels: dimension.labels,
    firing: dimension.firing.map(({ fromMs, openedAtMs, toMs, ongoing, noData }) => ({
      fromMs,
      openedAtMs,
      toMs,
      ongoing,
      noData,
    })),
    rules: dimension.rules.map((rule, i) => {
      const condition = policy.rules.conditions[i]!;
      return {
        metric: condition.metric ?? null,
        aggregation: condition.aggregation,
        windowMinutes: condition.windowMinutes,
        comparator: condition.comparator,
        baseline: condition.baseline ?? null,
        threshold: condition.threshold,
        series: rule.series,
        values: rule.values,
        ...(rule.baselineValues && { baselineValues: rule.baselineValues }),
        ...(rule.thresholdValues && { thresholdValues: rule.thresholdValues }),
        holds: rule.holds,
      };
    }),
  };
}

/** The answer of `:preview`: at most `limit` dimension values, and whether there were more. */
export function presentPolicyPreview(policy: AlertPolicy, backtest: Backtest, limit: number): PolicyPreview {
  return {
    fromMs: backtest.fromMs,
    toMs: backtest.toMs,
    stepMs: backtest.stepMs,
    totalDimensions: backtest.dimensions.length,
    truncated: backtest.dimensions.length > limit,
    dimensions: backtest.dimensions.slice(0, limit).map((dimension) => presentDimension(policy, dimension)),
  };
}
