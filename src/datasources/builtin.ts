// The built-in data source: a policy's rule over the built-in metric store. The policy's kind, target and
// dimension become a metric query (src/metrics/query.ts): `traverse` groups by the dimension key,
// `specified` filters on key = value, `none` adds every series up per minute as ARMS does.
import type { AlertPolicy } from '../domain/alert-policy.js';
import { queryMetric } from '../metrics/query.js';
import type { MetricStore } from '../metrics/store/metric-store.js';
import type { DimensionSeries, PolicyDataSource, WindowRequest } from './policy-data.js';

/** What the dimension of a policy asks of the query: the label to group by and the filters. */
function dimensionQuery(policy: AlertPolicy): {
  groupBy: string | null;
  filters: Record<string, string>;
} {
  const { mode, key, value } = policy.dimension;
  if (mode === 'none' || !key) return { groupBy: null, filters: {} };
  if (mode === 'specified') return { groupBy: key, filters: { [key]: value ?? '' } };
  return { groupBy: key, filters: {} };
}

function fetchBuiltinWindow(store: MetricStore, request: WindowRequest): DimensionSeries[] {
  const { policy, condition, fromMs, toMs } = request;
  if (policy.kind === 'prometheus') {
    throw new Error(
      `policy ${policy.id} is a prometheus policy; it reads its own data source, not the built-in store`,
    );
  }
  if (!condition.metric) throw new Error(`a rule of policy ${policy.id} names no metric`);
  const { groupBy, filters } = dimensionQuery(policy);
  const result = queryMetric(store, {
    kind: policy.kind,
    target: policy.target,
    metric: condition.metric,
    filters,
    groupBy,
    fromMs,
    toMs,
  });
  const series: DimensionSeries[] = [];
  for (const group of result.groups) {
    // Series without the dimension's label are no value of it; a traversing policy does not watch them.
    if (groupBy !== null && group.key === null) continue;
    series.push({
      key: group.key,
      labels: groupBy !== null && group.key !== null ? { ...filters, [groupBy]: group.key } : { ...filters },
      values: group.values,
    });
  }
  // `specified` and `none` watch exactly one series: say it had no data rather than leave it out, so the
  // evaluator's no-data fill (zero, one) applies to it like to any other series.
  if (series.length === 0 && policy.dimension.mode !== 'traverse') {
    const key = groupBy === null ? null : (filters[groupBy] ?? null);
    const minutes = (result.toMs - result.fromMs) / result.stepMs;
    series.push({ key, labels: { ...filters }, values: new Float64Array(minutes).fill(Number.NaN) });
  }
  return series;
}

/**
 * The data source of application, browser and custom policies: the built-in metric store read through
 * the metric catalog. A rule naming an unknown metric rejects with `invalid_request`.
 * @example const data = builtinDataSource(metricStore);
 *   const series = await data.fetchWindow({ policy, condition: policy.rules.conditions[0], fromMs, toMs });
 */
export function builtinDataSource(store: MetricStore): PolicyDataSource {
  return {
    fetchWindow(request) {
      return new Promise((resolve) => resolve(fetchBuiltinWindow(store, request)));
    },
  };
}
