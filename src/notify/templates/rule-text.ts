// One rule of a policy in words, with the values it was evaluated on: "JVM_FullGC 5 分钟平均值
// 环比上小时增长 120% (阈值 100%)", "Host_CPU_Usage 10-minute maximum 92.5% > 90%". Plain text, or
// markdown when given an escape for the metric name (custom metric names are user input).
import type { Condition } from '../../domain/alert-policy.js';
import { findMetricType, type PolicyKind } from '../../domain/metric-types.js';
import type { NotificationLocale } from '../rendered-notification.js';
import { COMPARATOR_SYMBOLS, comparedBy, TEMPLATE_WORDS } from './template-words.js';
import { formatPercent, formatValue, type ValueUnit } from './value-format.js';

/** What the evaluator found for one rule of the event, in the order of the policy's conditions. */
export interface ConditionResult {
  /** The rule's aggregate over its window; null when there was no data. */
  readonly value: number | null;
  /** Percent-change rules: the same aggregate over the baseline window; null when it had no data. */
  readonly baselineValue?: number | null;
  /**
   * Percent-change rules: (value − baseline) / baseline × 100; null when undefined (no baseline, or a
   * baseline of 0). Left out, it is computed from `value` and `baselineValue`.
   */
  readonly changePct?: number | null;
}

/** What a rule's wording depends on besides the rule itself. */
export interface RuleContext {
  readonly kind: PolicyKind;
  readonly metricType: string | null;
  readonly locale: NotificationLocale;
}

/** The unit of the rule's metric: catalog metrics have one; custom and PromQL values read as numbers. */
export function ruleUnit(condition: Condition, context: Omit<RuleContext, 'locale'>): ValueUnit {
  if (context.metricType === null || condition.metric === undefined) return 'none';
  const metric = findMetricType(context.metricType)?.metrics.find((m) => m.name === condition.metric);
  return metric?.unit ?? 'none';
}

function isPercentChange(condition: Condition): boolean {
  return condition.comparator === 'increase_pct' || condition.comparator === 'decrease_pct';
}

/** The change in percent of a result, computed when the evaluator left it out. */
export function changeOf(result: ConditionResult): number | null {
  if (result.changePct !== undefined) return result.changePct;
  const { value, baselineValue } = result;
  if (value === null || baselineValue === undefined || baselineValue === null || baselineValue === 0) {
    return null;
  }
  return ((value - baselineValue) / Math.abs(baselineValue)) * 100;
}

/**
 * Whether the rule held for `result`. Used only to choose the wording ("92.5% > 90%" against
 * "45% (阈值 > 90%)"); the evaluator decides when events fire and resolve.
 */
export function ruleHolds(condition: Condition, result: ConditionResult): boolean {
  const { threshold } = condition;
  if (isPercentChange(condition)) {
    const change = changeOf(result);
    if (change === null) return false;
    return condition.comparator === 'increase_pct' ? change >= threshold : -change >= threshold;
  }
  const { value } = result;
  if (value === null) return false;
  switch (condition.comparator) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
    case 'eq':
      return value === threshold;
    default:
      return value !== threshold;
  }
}

function subjectOf(condition: Condition, context: RuleContext, escapeName: (name: string) => string): string {
  // Metric names as ARMS users know them (JVM_FullGC); the display names are the console's.
  return condition.metric === undefined
    ? TEMPLATE_WORDS[context.locale].promql
    : escapeName(condition.metric);
}

/**
 * The rule in words with its values, in `context.locale`. The metric name is the only user-provided
 * part (custom metrics); `escapeName` escapes it for markdown, leaving our own `>` `<` alone.
 * @example ruleText({ metric: 'JVM_FullGC', windowMinutes: 5, aggregation: 'avg', comparator: 'increase_pct', baseline: 'hour_ago', threshold: 100 }, { value: 2.2, baselineValue: 1 }, { kind: 'application', metricType: 'JVM_Monitoring', locale: 'zh-CN' })
 * // 'JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)'
 */
export function ruleText(
  condition: Condition,
  result: ConditionResult,
  context: RuleContext,
  escapeName: (name: string) => string = (name) => name,
): string {
  const { locale } = context;
  const words = TEMPLATE_WORDS[locale];
  const head = `${subjectOf(condition, context, escapeName)} ${words.window(condition.windowMinutes, condition.aggregation)}`;
  if (isPercentChange(condition)) {
    const baselineKind = condition.baseline ?? 'previous_window';
    const baseline = words.baseline(baselineKind, condition.windowMinutes);
    const by = comparedBy(locale, baselineKind);
    const direction = condition.comparator === 'increase_pct' ? 'up' : 'down';
    const threshold = formatPercent(condition.threshold, locale);
    const change = changeOf(result);
    if (change === null) {
      return `${head} ${words.noBaseline(baseline, by)} ${words.changeThreshold(threshold, direction)}`;
    }
    const up = change > 0 || (change === 0 && direction === 'up');
    // The threshold says its direction only when the change went the other way, where it would mislead.
    const shownDirection = (up ? 'up' : 'down') === direction ? null : direction;
    return `${head} ${words.change(up, formatPercent(change, locale), baseline, by)} ${words.changeThreshold(threshold, shownDirection)}`;
  }
  const unit = ruleUnit(condition, context);
  const symbol = COMPARATOR_SYMBOLS[condition.comparator as keyof typeof COMPARATOR_SYMBOLS];
  const threshold = formatValue(condition.threshold, unit, locale);
  if (result.value === null) return `${head} ${words.thresholdNotMet(words.noData, symbol, threshold)}`;
  const value = formatValue(result.value, unit, locale);
  return ruleHolds(condition, result)
    ? `${head} ${value} ${symbol} ${threshold}`
    : `${head} ${words.thresholdNotMet(value, symbol, threshold)}`;
}

/** The rule's value for the "current value" line: "2.2 (上小时 1)" for percent-change rules. */
export function ruleValueText(condition: Condition, result: ConditionResult, context: RuleContext): string {
  const words = TEMPLATE_WORDS[context.locale];
  const unit = ruleUnit(condition, context);
  const value = result.value === null ? words.noData : formatValue(result.value, unit, context.locale);
  if (!isPercentChange(condition)) return value;
  const baseline = words.baseline(condition.baseline ?? 'previous_window', condition.windowMinutes);
  const baselineValue =
    result.baselineValue === undefined || result.baselineValue === null
      ? words.noData
      : formatValue(result.baselineValue, unit, context.locale);
  return words.valueWithBaseline(value, baseline, baselineValue);
}
