// The JSON of the metric catalog, of a metric query's answer (NaN → null, as JSON has no NaN) and of the
// metric names known to the store.
import { describeFormula, type CatalogMetricType } from '../../metrics/catalog/index.js';
import type { MetricAggregateGroup, MetricAggregateResult, MetricQueryResult } from '../../metrics/query.js';
import type { MetricNameSummary } from '../../metrics/store/metric-store.js';

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

export function presentMetricType(type: CatalogMetricType) {
  return {
    name: type.name,
    kind: type.kind,
    zh: type.zh,
    en: type.en,
    dimensions: type.dimensions,
    metrics: type.metrics.map((metric) => ({
      name: metric.name,
      unit: metric.unit,
      zh: metric.zh,
      en: metric.en,
      dimensions: metric.dimensions,
      /** How a JSON push of this name is read when the sample does not say. */
      pushTemporality: metric.temporality,
      /** Alternatives, first with a value wins per group and minute. */
      formulas: metric.formulas.map(describeFormula),
      sources: metric.sources.map((source) => ({
        family: source.family,
        metric: source.metric,
        stored: source.stored,
        how: source.how,
      })),
    })),
  };
}

export function presentQueryResult(
  result: MetricQueryResult | MetricAggregateResult,
  query: {
    kind: string;
    target: string | null;
    metric: string;
    groupBy: string | null;
    aggregation: string | null;
    /** false: each group's aggregate only, without the per-minute values. */
    withValues: boolean;
  },
) {
  return {
    kind: query.kind,
    target: query.target,
    metric: query.metric,
    unit: result.catalogMetric?.unit ?? null,
    groupBy: query.groupBy,
    aggregation: query.aggregation,
    fromMs: result.fromMs,
    toMs: result.toMs,
    stepMs: result.stepMs,
    groups: result.groups.map((group: MetricQueryResult['groups'][number] | MetricAggregateGroup) => ({
      key: group.key,
      ...(query.withValues && 'values' in group && { values: Array.from(group.values, orNull) }),
      aggregate: group.aggregate === undefined ? null : orNull(group.aggregate),
    })),
  };
}

export function presentMetricSummary(summary: MetricNameSummary) {
  return {
    kind: summary.scope,
    target: summary.target,
    metric: summary.metric,
    series: summary.series,
    labels: summary.labels,
  };
}
