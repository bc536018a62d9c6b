// The metric query: a catalog metric (or a custom metric) of a kind and target, filtered, grouped by a
// dimension, per minute over [from, to), computed by the catalog's formulas from the stored series — and,
// when asked, aggregated over the window. The evaluator (through the built-in data source) and the
// console's charts both ask it.
import type { Aggregation } from '../domain/alert-policy.js';
import type { FieldProblem } from '../domain/field-problem.js';
import { MINUTE_MS, type SeriesScope } from '../domain/metric-series.js';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../domain/metric-types.js';
import { invalidRequest } from '../errors.js';
import { findCatalogMetric, type CatalogMetric } from './catalog/catalog.js';
import { metricsRead, quantity, type MetricFormula, type StoredQuantity } from './catalog/formulas.js';
import type { MetricStore, MinuteValue, RangeQuery } from './store/metric-store.js';

/** The longest range one query may cover: two weeks of minutes, enough for week-over-week baselines. */
export const MAX_QUERY_MINUTES = 14 * 24 * 60;

export interface MetricQuery {
  /** `application` and `browser` take catalog metric names; `custom` any pushed name. */
  readonly kind: SeriesScope;
  /** The application or site; null: every target, grouped like any other series. */
  readonly target: string | null;
  readonly metric: string;
  /** Label equality filters; every one must hold. */
  readonly filters?: Readonly<Record<string, string>>;
  /** A dimension of the metric type (any label for custom metrics); null: all series added per minute. */
  readonly groupBy: string | null;
  /** Epoch milliseconds; `fromMs` is rounded down and `toMs` up to whole minutes. */
  readonly fromMs: number;
  readonly toMs: number;
  /** When given, each group also gets this aggregate of its per-minute values. */
  readonly aggregation?: Aggregation | undefined;
}

export interface MetricQueryGroup {
  /** The groupBy label's value; null for groupBy null (and for series without that label). */
  readonly key: string | null;
  /** One value per minute from fromMs; NaN where there was none. */
  readonly values: Float64Array;
  /** The window aggregate when one was asked for; NaN when no minute had a value (count: 0). */
  readonly aggregate?: number;
}

export interface MetricQueryResult {
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  /** The catalog metric asked for; null for custom metrics. */
  readonly catalogMetric: CatalogMetric | null;
  /** Groups with at least one value, ordered by key (null first). */
  readonly groups: readonly MetricQueryGroup[];
}

/** A group's aggregate over the window, without its per-minute values (queryMetricAggregates). */
export interface MetricAggregateGroup {
  readonly key: string | null;
  /** NaN when no minute had a value (count: 0). */
  readonly aggregate: number;
}

export interface MetricAggregateResult extends Omit<MetricQueryResult, 'groups'> {
  /** Groups with at least one value, ordered by key (null first). */
  readonly groups: readonly MetricAggregateGroup[];
}

type GroupValues = Map<string | null, Float64Array>;

/**
 * How a custom metric's minute is read: counters (Prometheus `_total`, `_count`, `_sum`, `_bucket`) add
 * their deltas up; anything else is a gauge whose minute is the mean of its points.
 */
export function customMinuteValue(metric: string): MinuteValue {
  return metric.endsWith('_total') ||
    metric.endsWith('_count') ||
    metric.endsWith('_sum') ||
    metric.endsWith('_bucket')
    ? 'sum'
    : 'avg';
}

/** Checks the names of a query against the catalog; every problem names its field. */
function checkQuery(query: MetricQuery): { problems: FieldProblem[]; catalogMetric: CatalogMetric | null } {
  const problems: FieldProblem[] = [];
  let catalogMetric: CatalogMetric | null = null;
  const kind: string = query.kind;
  if (kind === 'prometheus') {
    problems.push({
      field: 'kind',
      reason: 'prometheus metrics are queried on their data source with PromQL',
    });
  } else if (kind !== 'application' && kind !== 'browser' && kind !== 'custom') {
    problems.push({ field: 'kind', reason: 'must be application, browser or custom' });
  } else if (kind === 'custom') {
    if (!METRIC_NAME_PATTERN.test(query.metric)) {
      problems.push({ field: 'metric', reason: 'must be a metric name: letters, digits, _ : .' });
    }
    if (query.groupBy !== null && !LABEL_NAME_PATTERN.test(query.groupBy)) {
      problems.push({ field: 'groupBy', reason: 'must be a label name: letters, digits, _ .' });
    }
  } else {
    const found = findCatalogMetric(query.metric);
    if (!found) {
      problems.push({
        field: 'metric',
        reason: `"${query.metric}" is not a metric of the ${kind} catalog (GET /api/v1/metrics/catalog lists them)`,
      });
    } else if (found.kind !== kind) {
      problems.push({ field: 'metric', reason: `"${query.metric}" is a ${found.kind} metric, not ${kind}` });
    } else {
      catalogMetric = found;
      if (query.groupBy !== null && !found.dimensions.includes(query.groupBy)) {
        problems.push({
          field: 'groupBy',
          reason: `${found.metricType} is grouped by ${found.dimensions.join(' or ')}, not "${query.groupBy}"`,
        });
      }
    }
  }
  for (const name of Object.keys(query.filters ?? {})) {
    if (!LABEL_NAME_PATTERN.test(name)) {
      problems.push({ field: `filters.${name}`, reason: 'must be a label name: letters, digits, _ .' });
    }
  }
  if (!Number.isFinite(query.fromMs))
    problems.push({ field: 'fromMs', reason: 'must be epoch milliseconds' });
  if (!Number.isFinite(query.toMs)) problems.push({ field: 'toMs', reason: 'must be epoch milliseconds' });
  if (query.toMs <= query.fromMs) problems.push({ field: 'toMs', reason: 'must be after fromMs' });
  else if (query.toMs - query.fromMs > MAX_QUERY_MINUTES * MINUTE_MS) {
    problems.push({ field: 'toMs', reason: `the range must be at most ${MAX_QUERY_MINUTES / 1440} days` });
  }
  return { problems, catalogMetric };
}

interface Window {
  readonly scope: SeriesScope;
  readonly target: string | null;
  readonly filters: Readonly<Record<string, string>>;
  readonly groupBy: string | null;
  readonly fromMs: number;
  readonly toMs: number;
  readonly minutes: number;
}

/** The caller's filters with the quantity's own; null when they contradict (nothing can match). */
function quantityFilters(window: Window, q: StoredQuantity): Record<string, string> | null {
  const filters: Record<string, string> = { ...window.filters };
  for (const [name, value] of Object.entries(q.filters ?? {})) {
    // The caller's filter contradicts the quantity's own (success=true on failed calls): nothing matches.
    if (filters[name] !== undefined && filters[name] !== value) return null;
    filters[name] = value;
  }
  return filters;
}

/** The store query of one metric of a quantity over the window. */
function rangeQueryOf(
  window: Window,
  q: StoredQuantity,
  metric: string,
  filters: Readonly<Record<string, string>>,
  reuseValues: boolean,
): RangeQuery {
  return {
    scope: window.scope,
    target: window.target,
    metric,
    filters,
    groupBy: window.groupBy,
    fromMs: window.fromMs,
    toMs: window.toMs,
    minuteValue: q.minuteValue,
    across: q.across,
    reuseValues,
  };
}

/** The per-minute values of one stored quantity per group: its metrics added minute by minute. */
function evaluateQuantity(store: MetricStore, window: Window, q: StoredQuantity): GroupValues {
  const out: GroupValues = new Map();
  const filters = quantityFilters(window, q);
  if (filters === null) return out;
  for (const metric of q.metrics) {
    const result = store.query(rangeQueryOf(window, q, metric, filters, false));
    for (const group of result.groups) {
      const into = out.get(group.key);
      if (!into) {
        // Each query's values are a fresh buffer of its own: adding into them in place is safe.
        out.set(group.key, group.values);
        continue;
      }
      for (let i = 0; i < window.minutes; i++) {
        const value = group.values[i]!;
        if (Number.isNaN(value)) continue;
        into[i] = Number.isNaN(into[i]!) ? value : into[i]! + value;
      }
    }
  }
  return out;
}

function evaluateFormula(store: MetricStore, window: Window, formula: MetricFormula): GroupValues {
  switch (formula.kind) {
    case 'quantity':
      return evaluateQuantity(store, window, formula.quantity);
    case 'ratio': {
      const numerators = evaluateQuantity(store, window, formula.numerator);
      const denominators = evaluateQuantity(store, window, formula.denominator);
      const out: GroupValues = new Map();
      for (const [key, denominator] of denominators) {
        const numerator = numerators.get(key);
        const values = new Float64Array(window.minutes).fill(Number.NaN);
        for (let i = 0; i < window.minutes; i++) {
          const whole = denominator[i]!;
          if (!(whole > 0)) continue;
          let part = numerator ? numerator[i]! : Number.NaN;
          if (Number.isNaN(part)) {
            if (formula.missingNumerator === 'no_value') continue;
            part = 0;
          }
          values[i] = (part / whole) * formula.scale;
        }
        out.set(key, values);
      }
      return out;
    }
    case 'zero_where': {
      const out: GroupValues = new Map();
      for (const [key, values] of evaluateQuantity(store, window, formula.quantity)) {
        // Series without the grouped label tell nothing about a group: no zeros for a null group.
        if (key === null && window.groupBy !== null) continue;
        out.set(
          key,
          values.map((value) => (Number.isNaN(value) ? Number.NaN : 0)),
        );
      }
      return out;
    }
  }
}

/** Per group and minute, the first alternative with a value. */
function firstWithValue(alternatives: readonly GroupValues[]): GroupValues {
  const withData = alternatives.filter((groups) => groups.size > 0);
  if (withData.length <= 1) return withData[0] ?? new Map<string | null, Float64Array>();
  const out: GroupValues = new Map();
  for (const groups of alternatives) {
    for (const [key, values] of groups) {
      const into = out.get(key);
      if (!into) {
        out.set(key, values);
        continue;
      }
      for (let i = 0; i < into.length; i++) {
        if (Number.isNaN(into[i]!)) into[i] = values[i]!;
      }
    }
  }
  return out;
}

/**
 * The aggregate of per-minute values (of `values[from … to)`), minutes without a value left out: `count`
 * is the number of minutes with a value; the others are NaN when there is none.
 */
export function aggregateMinutes(
  values: ArrayLike<number>,
  aggregation: Aggregation,
  from = 0,
  to = values.length,
): number {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const value = values[i]!;
    if (Number.isNaN(value)) continue;
    count += 1;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (aggregation === 'count') return count;
  if (count === 0) return Number.NaN;
  switch (aggregation) {
    case 'avg':
      return sum / count;
    case 'sum':
      return sum;
    case 'min':
      return min;
    case 'max':
      return max;
  }
}

/** The formulas a query evaluates: the catalog metric's, or a custom metric read as it is. */
export function formulasOf(
  query: Pick<MetricQuery, 'metric'>,
  catalogMetric: CatalogMetric | null,
): readonly MetricFormula[] {
  if (catalogMetric) return catalogMetric.formulas;
  return [{ kind: 'quantity', quantity: quantity(query.metric, customMinuteValue(query.metric)) }];
}

/** The stored metric names a query reads its values from (not those only read for zeros). */
export function storedMetricsOf(
  query: Pick<MetricQuery, 'metric'>,
  catalogMetric: CatalogMetric | null,
): string[] {
  const names = new Set<string>();
  for (const formula of formulasOf(query, catalogMetric)) {
    if (formula.kind !== 'zero_where') for (const name of metricsRead(formula)) names.add(name);
  }
  return [...names];
}

/** The catalog metric a kind and name stand for (null for custom), or `invalid_request` naming the field. */
export function resolveMetric(kind: SeriesScope, metric: string): CatalogMetric | null {
  const { problems, catalogMetric } = checkQuery({
    kind,
    metric,
    target: null,
    groupBy: null,
    fromMs: 0,
    toMs: MINUTE_MS,
  });
  if (problems.length > 0) throw invalidRequest(problems);
  return catalogMetric;
}

/** The checked query's window (whole minutes) and the catalog metric it names; throws `invalid_request`. */
function windowOf(query: MetricQuery): { window: Window; catalogMetric: CatalogMetric | null } {
  const { problems, catalogMetric } = checkQuery(query);
  if (problems.length > 0) throw invalidRequest(problems);
  const fromMs = Math.floor(query.fromMs / MINUTE_MS) * MINUTE_MS;
  const toMs = Math.ceil(query.toMs / MINUTE_MS) * MINUTE_MS;
  const window: Window = {
    scope: query.kind,
    target: query.target,
    filters: query.filters ?? {},
    groupBy: query.groupBy,
    fromMs,
    toMs,
    minutes: (toMs - fromMs) / MINUTE_MS,
  };
  return { window, catalogMetric };
}

/** Per group, the values of the first formula with a value. */
function evaluateFormulas(
  store: MetricStore,
  window: Window,
  formulas: readonly MetricFormula[],
): GroupValues {
  return firstWithValue(formulas.map((formula) => evaluateFormula(store, window, formula)));
}

function hasValue(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) return true;
  return false;
}

function byKey(a: { key: string | null }, b: { key: string | null }): number {
  return a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1;
}

/**
 * Runs a metric query against the store. Throws `invalid_request` naming the field for an unknown metric,
 * a dimension its metric type lacks, a bad label name or range.
 * @example queryMetric(store, { kind: 'application', target: 'order-service', metric: 'JVM_FullGC',
 *   groupBy: 'host', fromMs, toMs, aggregation: 'avg' })
 */
export function queryMetric(store: MetricStore, query: MetricQuery): MetricQueryResult {
  const { window, catalogMetric } = windowOf(query);
  const merged = evaluateFormulas(store, window, formulasOf(query, catalogMetric));
  const groups: MetricQueryGroup[] = [];
  for (const [key, values] of merged) {
    if (!hasValue(values)) continue;
    groups.push({
      key,
      values,
      ...(query.aggregation && { aggregate: aggregateMinutes(values, query.aggregation) }),
    });
  }
  groups.sort(byKey);
  const { fromMs, toMs } = window;
  return { fromMs, toMs, stepMs: MINUTE_MS, catalogMetric, groups };
}

/**
 * Like queryMetric, but answers each group's aggregate over the window only (the console's tables, the
 * API's `values=false`). A metric read by one store query — every custom metric, most catalog metrics —
 * is aggregated straight from the store's reused answer memory: no per-minute values are allocated.
 * @example queryMetricAggregates(store, { kind: 'custom', target: 'order-service',
 *   metric: 'http_latency_ms', groupBy: 'host', fromMs, toMs, aggregation: 'avg' })
 */
export function queryMetricAggregates(
  store: MetricStore,
  query: MetricQuery & { readonly aggregation: Aggregation },
): MetricAggregateResult {
  const { window, catalogMetric } = windowOf(query);
  const formulas = formulasOf(query, catalogMetric);
  const { aggregation } = query;
  const groups: MetricAggregateGroup[] = [];
  const only = formulas.length === 1 ? formulas[0]! : null;
  if (only?.kind === 'quantity' && only.quantity.metrics.length === 1) {
    // One store query, its groups unique and each group's values read right here, before any other
    // store query: the store may answer in memory it reuses.
    const filters = quantityFilters(window, only.quantity);
    const answer = filters
      ? store.query(rangeQueryOf(window, only.quantity, only.quantity.metrics[0]!, filters, true))
      : { groups: [] };
    for (const group of answer.groups) {
      const { cells, cellsFrom, minutes } = group;
      const [values, from, to] =
        cells !== undefined && cellsFrom !== undefined && minutes !== undefined
          ? [cells, cellsFrom, cellsFrom + minutes]
          : [group.values, 0, group.values.length];
      const aggregate = aggregateMinutes(values, aggregation, from, to);
      // A group with no value in the window has no aggregate (not even a count of 0), as below.
      if (aggregation === 'count' ? aggregate === 0 : Number.isNaN(aggregate)) continue;
      groups.push({ key: group.key, aggregate });
    }
  } else {
    for (const [key, values] of evaluateFormulas(store, window, formulas)) {
      if (hasValue(values)) groups.push({ key, aggregate: aggregateMinutes(values, aggregation) });
    }
  }
  groups.sort(byKey);
  const { fromMs, toMs } = window;
  return { fromMs, toMs, stepMs: MINUTE_MS, catalogMetric, groups };
}
