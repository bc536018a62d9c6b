// The JSON of a data source (credentials masked), of an expression's series and of a connection test.
import type { DimensionSeries } from '../../datasources/policy-data.js';
import type { ConnectionTestResult } from '../../datasources/prometheus.js';
import type { Datasource } from '../../domain/datasource.js';
import { MINUTE_MS } from '../../domain/metric-series.js';
import { maskSecret } from '../../domain/secret-mask.js';

export function presentDatasource(source: Datasource) {
  return {
    id: source.id,
    name: source.name,
    type: source.type,
    url: source.url,
    basicAuth: source.basicAuth && {
      username: source.basicAuth.username,
      password: maskSecret(source.basicAuth.password),
    },
    bearerToken: source.bearerToken && maskSecret(source.bearerToken),
    timeoutSeconds: source.timeoutSeconds,
    createdAt: new Date(source.createdAt).toISOString(),
    updatedAt: new Date(source.updatedAt).toISOString(),
  };
}

/** Each series of a query as the evaluator reads it; JSON has no NaN or Infinity, so they become null. */
export function presentQuerySeries(
  series: readonly DimensionSeries[],
  window: { readonly expr: string; readonly fromMs: number; readonly toMs: number },
) {
  return {
    expr: window.expr,
    fromMs: window.fromMs,
    toMs: window.toMs,
    stepMs: MINUTE_MS,
    series: series.map((one) => ({
      key: one.key,
      labels: one.labels,
      // The evaluator reads ±Infinity as no data too (aggregateWindow).
      values: Array.from(one.values, (value) => (Number.isFinite(value) ? value : null)),
    })),
  };
}

/** The answer of a connection test: `{ ok, version }` or `{ ok: false, failure, error }`. */
export function presentConnectionTest(result: ConnectionTestResult) {
  return result.ok
    ? { ok: true, version: result.version }
    : { ok: false, failure: result.failure, error: result.error };
}
