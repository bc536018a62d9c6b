// The Prometheus data source: a prometheus policy's PromQL expression run over a rule's window on the
// policy's data source with /api/v1/query_range, one value per minute, each result series one dimension
// value. Also the connection test behind `POST /api/v1/datasources/{id}:test`.
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { Datasource } from '../domain/datasource.js';
import { MINUTE_MS } from '../domain/metric-series.js';
import { DataSourceError, type DataSourceFailure } from './datasource-error.js';
import type { DimensionSeries, PolicyDataSource, WindowRequest } from './policy-data.js';
import { answerFailure, callPrometheusApi } from './prometheus-http.js';
import { MAX_SERIES, seriesOfQueryData, type MinuteGrid } from './prometheus-series.js';

export interface RangeQueryOptions {
  /** Replaces the global fetch (tests). */
  readonly fetch?: typeof fetch;
  /** The most series an expression may return; default MAX_SERIES (10,000). */
  readonly maxSeries?: number;
}

export interface PrometheusDataSourceOptions extends RangeQueryOptions {
  /** The data source with this id, or null (or undefined) when there is none: the store's `get`. */
  readonly lookup: (datasourceId: string) => Promise<Datasource | null | undefined>;
}

/**
 * The instants evaluated for the minutes of [fromMs, toMs): the END of each minute. The built-in store's
 * minute m holds what arrived in [m, m + 1 min); the Prometheus instant that has seen that minute is
 * m + 1 min (an instant query reads the latest sample at or before it). So value i is the expression at
 * fromMs + (i + 1) min and the last one at toMs — the evaluator leaves the minute in progress out, so
 * toMs is never in the future and a rule reads data as fresh as the built-in store's, not a minute older.
 * @example minuteGrid(T, T + 5 * 60_000) // { firstMs: T + 60_000, stepMs: 60_000, length: 5 }
 */
export function minuteGrid(fromMs: number, toMs: number): MinuteGrid {
  const length = Math.floor((toMs - fromMs) / MINUTE_MS);
  if (!(length >= 1))
    throw new RangeError(`a window of at least one minute is needed, not [${fromMs}, ${toMs})`);
  return { firstMs: fromMs + MINUTE_MS, stepMs: MINUTE_MS, length };
}

/**
 * Runs `expr` on `source` over the minutes of [fromMs, toMs): one series per result series, keyed by its
 * labels in canonical form (`{instance="a",job="b"}`, without `__name__`), in key order. Rejects with a
 * DataSourceError a user can act on.
 * @example await queryPrometheusRange(source, 'sum by (queue) (app_queue_depth)', { fromMs, toMs })
 */
export async function queryPrometheusRange(
  source: Datasource,
  expr: string,
  window: { readonly fromMs: number; readonly toMs: number },
  options: RangeQueryOptions = {},
): Promise<DimensionSeries[]> {
  const grid = minuteGrid(window.fromMs, window.toMs);
  const lastMs = grid.firstMs + (grid.length - 1) * grid.stepMs;
  const { data } = await callPrometheusApi(
    source,
    {
      path: '/api/v1/query_range',
      form: {
        query: expr,
        start: String(grid.firstMs / 1000),
        end: String(lastMs / 1000),
        step: String(grid.stepMs / 1000),
        // The server stops a query we have given up on (Prometheus takes the lower of this and its own).
        timeout: String(source.timeoutSeconds),
      },
      expr,
    },
    options.fetch,
  );
  const reading = seriesOfQueryData(data, grid, options.maxSeries ?? MAX_SERIES);
  if (!reading.ok) {
    throw answerFailure(source, reading.failure, (described) => `${described} ${reading.problem}`);
  }
  return reading.series;
}

/**
 * Whether a prometheus policy's dimension watches a series. Every result series is its own dimension
 * value, so `none` watches all (the expression decides the grouping: `sum(…)` for one value);
 * `traverse` watches the series that carry the label `key`, as the built-in store does; `specified` the
 * series whose label `key` is `value`.
 */
function watchedByDimension(policy: AlertPolicy, series: DimensionSeries): boolean {
  const { mode, key, value } = policy.dimension;
  if (mode === 'none' || !key) return true;
  const label = series.labels[key];
  return mode === 'specified' ? label === value : label !== undefined;
}

/**
 * The data source of prometheus policies: each rule's window is the policy's expression on the policy's
 * data source (looked up on every call, so edits apply at the next evaluation). Rules of one policy with
 * the same window share one query while it runs.
 * @example
 * const prometheus = prometheusDataSource({ lookup: (id) => store.datasources.get(id) });
 * const series = await prometheus.fetchWindow({ policy, condition: policy.rules.conditions[0], fromMs, toMs });
 */
export function prometheusDataSource(options: PrometheusDataSourceOptions): PolicyDataSource {
  const running = new Map<string, Promise<DimensionSeries[]>>();

  async function runQuery(
    policy: AlertPolicy,
    datasourceId: string,
    expr: string,
    fromMs: number,
    toMs: number,
  ) {
    const source = await options.lookup(datasourceId);
    if (!source) {
      throw new DataSourceError(
        'unknown_datasource',
        `alert policy "${policy.name}" reads the data source with id ${datasourceId}, which does not ` +
          'exist; choose another data source for it',
      );
    }
    return queryPrometheusRange(source, expr, { fromMs, toMs }, options);
  }

  return {
    async fetchWindow(request: WindowRequest) {
      const { policy, fromMs, toMs } = request;
      if (policy.kind !== 'prometheus' || !policy.datasourceId || !policy.expr) {
        throw new Error(
          `policy ${policy.id} is not a prometheus policy with a data source and an expression; ` +
            'it reads the built-in store',
        );
      }
      const id = `${policy.datasourceId}\n${fromMs}\n${toMs}\n${policy.expr}`;
      let query = running.get(id);
      if (!query) {
        query = runQuery(policy, policy.datasourceId, policy.expr, fromMs, toMs);
        running.set(id, query);
        const forget = () => running.delete(id);
        query.then(forget, forget);
      }
      const series = await query;
      return series.filter((one) => watchedByDimension(policy, one));
    },
  };
}

/** The answer of a connection test: the server's version when it tells, or why the test failed. */
export type ConnectionTestResult =
  | { readonly ok: true; readonly version: string | null }
  | { readonly ok: false; readonly failure: DataSourceFailure; readonly error: string };

function versionOf(data: unknown): string | null {
  return typeof data === 'object' && data !== null && 'version' in data && typeof data.version === 'string'
    ? data.version
    : null;
}

function answersOne(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || !('result' in data) || !Array.isArray(data.result)) {
    return false;
  }
  const [first] = data.result as unknown[];
  return (
    typeof first === 'object' &&
    first !== null &&
    'value' in first &&
    Array.isArray(first.value) &&
    first.value[1] === '1'
  );
}

/**
 * Tests a data source as a user would: the instant query `vector(1)` must answer 1, with the data
 * source's URL, credentials and timeout; the server's version is read from /api/v1/status/buildinfo when
 * it serves one (Prometheus does; some compatible servers do not).
 * @example await testPrometheusConnection(source) // { ok: true, version: '2.42.0' }
 */
export async function testPrometheusConnection(
  source: Datasource,
  options: Pick<RangeQueryOptions, 'fetch'> = {},
): Promise<ConnectionTestResult> {
  const buildInfo = callPrometheusApi(source, { path: '/api/v1/status/buildinfo' }, options.fetch).then(
    (answer) => versionOf(answer.data),
    () => null,
  );
  try {
    const { data } = await callPrometheusApi(
      source,
      { path: '/api/v1/query', form: { query: 'vector(1)' }, expr: 'vector(1)' },
      options.fetch,
    );
    if (!answersOne(data)) {
      throw answerFailure(
        source,
        'bad_response',
        (described) => `${described} did not answer 1 to vector(1); is it a Prometheus-compatible server?`,
      );
    }
    return { ok: true, version: await buildInfo };
  } catch (error) {
    await buildInfo;
    if (error instanceof DataSourceError) return { ok: false, failure: error.failure, error: error.message };
    throw error;
  }
}
