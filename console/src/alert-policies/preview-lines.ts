// What the policy dialog's preview chart draws, from a `:preview` answer: per dimension value the
// rule's aggregate, its threshold (for percent-change rules the value to reach, which moves with the
// shifted baseline), and the intervals in which an event would have fired. Pure, so the chart stays dumb.
import type { ChartInterval, ChartLine } from '../charts/time-series-chart';
import { seriesColor, THRESHOLD_COLOR } from '../charts/palette';
import type { PolicyPreview, PreviewDimension } from '../api/types';

/** More lines than this make a chart nobody can read; the API sends the most interesting first. */
export const MAX_PREVIEW_LINES = 8;

export interface PreviewLabels {
  /** A dimension value's name; null is dimension mode none (everything added up). */
  readonly dimension: (key: string | null) => string;
  readonly threshold: string;
  readonly baseline: string;
  /** The raw metric per minute, and the rule's aggregate over its window (one dimension value shown). */
  readonly perMinute: string;
  readonly aggregate: string;
}

export interface PreviewPicture {
  readonly lines: readonly ChartLine[];
  readonly intervals: readonly ChartInterval[];
  /** The dimension values drawn, and of those the ones that would have fired. */
  readonly shown: readonly PreviewDimension[];
  readonly fired: readonly PreviewDimension[];
}

/**
 * The lines and shaded intervals of rule `ruleIndex`, for every dimension value drawn (`only`: just that
 * one, with its raw metric and baseline as well).
 */
export function previewPicture(
  preview: PolicyPreview,
  ruleIndex: number,
  only: string | null | undefined,
  labels: PreviewLabels,
): PreviewPicture {
  const shown =
    only === undefined
      ? preview.dimensions.slice(0, MAX_PREVIEW_LINES)
      : preview.dimensions.filter((dimension) => dimension.key === only);
  const lines: ChartLine[] = [];
  shown.forEach((dimension, index) => {
    const rule = dimension.rules[ruleIndex];
    if (!rule) return;
    const color = seriesColor(index);
    const name = labels.dimension(dimension.key);
    if (only !== undefined) {
      lines.push({ name: labels.perMinute, values: rule.series, color, thin: true });
    }
    lines.push({ name: only === undefined ? name : labels.aggregate, values: rule.values, color });
    if (only !== undefined && rule.baselineValues) {
      lines.push({ name: labels.baseline, values: rule.baselineValues, color: '#8c8c8c', dashed: true });
    }
    if (rule.thresholdValues) {
      // Each value has its own threshold (its baseline moved by the percentage); one legend entry for all.
      lines.push({
        name: `${labels.threshold} · ${name}`,
        values: rule.thresholdValues,
        color: THRESHOLD_COLOR,
        dashed: true,
        legendGroup: labels.threshold,
      });
    }
  });
  const firstRule = shown[0]?.rules[ruleIndex];
  if (firstRule && !firstRule.thresholdValues) {
    const minutes = firstRule.values.length;
    lines.push({
      name: `${labels.threshold} ${firstRule.threshold}`,
      values: Array.from({ length: minutes }, () => firstRule.threshold),
      color: THRESHOLD_COLOR,
      dashed: true,
    });
  }
  const fired = shown.filter((dimension) => dimension.firing.length > 0);
  return { lines, intervals: fired.flatMap((dimension) => dimension.firing), shown, fired };
}
