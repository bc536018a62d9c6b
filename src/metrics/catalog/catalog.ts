// The metric catalog: every ARMS metric of every metric type (names, units and dimensions from
// src/domain/metric-types.ts) with how its per-minute value is computed from stored series, where those
// series come from (OpenTelemetry, Prometheus exporters, browser beacons, JSON pushes), and how a JSON push
// of its name is read. Per-minute semantics as ARMS: a count is what happened in that minute, a time the
// milliseconds spent in it.
import type { SeriesScope, SeriesTemporality } from '../../domain/metric-series.js';
import { METRIC_TYPES, type MetricDefinition, type MetricTypeDefinition } from '../../domain/metric-types.js';
import type { SourceFamily } from './derivation-rule.js';
import { DERIVATION_RULES } from './derive.js';
import { metricsRead, quantity, type MetricFormula, type StoredQuantity } from './formulas.js';
import { findStoredMetric } from './stored-metrics.js';

/** Where the series a catalog metric reads come from. */
export interface MetricSource {
  readonly family: SourceFamily | 'browser beacon';
  /** The raw series read (OTel `<name>_count`/`_sum` for histograms), or the stored name a beacon writes. */
  readonly metric: string;
  /** The stored metric it becomes. */
  readonly stored: string;
  readonly how: string;
}

export interface CatalogMetric extends MetricDefinition {
  readonly kind: MetricTypeDefinition['kind'];
  /** The series scope its stored series live in: the same word as the kind. */
  readonly scope: Exclude<SeriesScope, 'custom'>;
  readonly metricType: string;
  /** The labels it may be grouped or filtered by, as the metric type's. */
  readonly dimensions: readonly string[];
  /**
   * Alternatives, first first: per group and minute the first with a value answers. A push of the catalog
   * name itself always comes first, so pushed series answer for themselves.
   */
  readonly formulas: readonly MetricFormula[];
  /** How a JSON push of this name is read when the sample does not say. */
  readonly temporality: SeriesTemporality;
  readonly sources: readonly MetricSource[];
}

export interface CatalogMetricType extends Omit<MetricTypeDefinition, 'metrics'> {
  readonly metrics: readonly CatalogMetric[];
}

const q = quantity;
const sum = (metric: string | readonly string[]): MetricFormula => ({
  kind: 'quantity',
  quantity: q(metric, 'sum'),
});
const gauge = (metric: string): MetricFormula => ({ kind: 'quantity', quantity: q(metric, 'avg') });
const ratio = (
  numerator: StoredQuantity,
  denominator: StoredQuantity,
  scale: number,
  missingNumerator: 'zero' | 'no_value',
): MetricFormula => ({ kind: 'ratio', numerator, denominator, scale, missingNumerator });
const zeroWhere = (quantity: StoredQuantity): MetricFormula => ({ kind: 'zero_where', quantity });
/** The mean of every point of every series: Σ sum ÷ Σ count, so busy pages weigh more than quiet ones. */
const weightedMean = (metric: string, filters?: Record<string, string>): MetricFormula =>
  ratio(q(metric, 'sum', 'sum', filters), q(metric, 'count', 'sum', filters), 1, 'no_value');
const percentOf = (part: StoredQuantity, whole: StoredQuantity): MetricFormula =>
  ratio(part, whole, 100, 'zero');

const ALL_CALLS = ['Invocation_Count', 'Invocation_Out_Count', 'Database_Count'];
const ALL_CALL_TIME = ['Invocation_Time', 'Invocation_Out_Time', 'Database_Time'];
const ALL_CALL_ERRORS = ['Invocation_Error_Count', 'Invocation_Out_Error_Count', 'Database_Error_Count'];
/** A JVM that reported its heap in a minute ran no GC it did not report: GC counts are 0 there. */
const JVM_REPORTED = zeroWhere(q('JVM_Heap_Used', 'count'));
const API_CALLS = q('API_Duration', 'count');
const API_SUCCEEDED = q('API_Duration', 'count', 'sum', { success: 'true' });
const API_FAILED = q('API_Duration', 'count', 'sum', { success: 'false' });

/** The formulas of every catalog metric, before the push of its own name is put in front. */
const FORMULAS: Readonly<Record<string, readonly MetricFormula[]>> = {
  // Invocation_Statistic: calls served, by interface.
  Invocation_Count: [sum('Invocation_Count')],
  Invocation_RT: [ratio(q('Invocation_Time', 'sum'), q('Invocation_Count', 'sum'), 1, 'no_value')],
  Invocation_Error_Count: [sum('Invocation_Error_Count'), zeroWhere(q('Invocation_Count', 'sum'))],
  Invocation_Error_Rate: [percentOf(q('Invocation_Error_Count', 'sum'), q('Invocation_Count', 'sum'))],
  Invocation_Slow_Count: [sum('Invocation_Slow_Count'), zeroWhere(q('Invocation_Count', 'sum'))],
  // Invocation_Type: calls served, made and database operations, by invocation_type.
  Invocation_Type_Count: [sum(ALL_CALLS)],
  Invocation_Type_RT: [ratio(q(ALL_CALL_TIME, 'sum'), q(ALL_CALLS, 'sum'), 1, 'no_value')],
  Invocation_Type_Error_Count: [sum(ALL_CALL_ERRORS), zeroWhere(q(ALL_CALLS, 'sum'))],
  Invocation_Type_Error_Rate: [percentOf(q(ALL_CALL_ERRORS, 'sum'), q(ALL_CALLS, 'sum'))],
  // Database_Metric, by database.
  Database_Count: [sum('Database_Count')],
  Database_RT: [ratio(q('Database_Time', 'sum'), q('Database_Count', 'sum'), 1, 'no_value')],
  Database_Error_Count: [sum('Database_Error_Count'), zeroWhere(q('Database_Count', 'sum'))],
  Database_Error_Rate: [percentOf(q('Database_Error_Count', 'sum'), q('Database_Count', 'sum'))],
  // JVM_Monitoring, by host.
  JVM_FullGC: [sum('JVM_FullGC'), JVM_REPORTED],
  JVM_FullGC_Time: [sum('JVM_FullGC_Time'), JVM_REPORTED],
  JVM_YoungGC: [sum('JVM_YoungGC'), JVM_REPORTED],
  JVM_YoungGC_Time: [sum('JVM_YoungGC_Time'), JVM_REPORTED],
  JVM_Heap_Used: [gauge('JVM_Heap_Used')],
  JVM_NonHeap_Used: [gauge('JVM_NonHeap_Used')],
  JVM_ThreadCount: [gauge('JVM_ThreadCount')],
  // Host_Monitoring, by host. CPU from utilization gauges, else from CPU-seconds counters.
  Host_CPU_Usage: [
    ratio(q('Host_CPU_Busy', 'avg'), q('Host_CPU_Total', 'avg'), 100, 'zero'),
    ratio(q('Host_CPU_Busy_Seconds', 'sum'), q('Host_CPU_Total_Seconds', 'sum'), 100, 'zero'),
  ],
  Host_Memory_Free: [gauge('Host_Memory_Free'), gauge('Host_Memory_MemFree')],
  Host_Disk_Free: [gauge('Host_Disk_Free')],
  Host_Load1: [weightedMean('Host_Load1')],
  Host_Network_Errors: [sum('Host_Network_Errors')],
  // Exception_Invocation, by interface and exception.
  Exception_Count: [sum('Exception_Count'), zeroWhere(q('Invocation_Count', 'sum'))],
  // Page_Metric, by page: counts from beacons, timings one point per page view.
  PV: [sum('PV')],
  JS_Error_Count: [sum('JS_Error_Count'), zeroWhere(q('PV', 'sum'))],
  JS_Error_Rate: [percentOf(q('JS_Error_Count', 'sum'), q('PV', 'sum'))],
  TTFB: [weightedMean('TTFB')],
  DOM_Ready: [weightedMean('DOM_Ready')],
  Page_Load: [weightedMean('Page_Load')],
  FCP: [weightedMean('FCP')],
  LCP: [weightedMean('LCP')],
  INP: [weightedMean('INP')],
  CLS: [weightedMean('CLS')],
  // API_Metric and Page_API_Metric: one API_Duration point per call.
  API_Count: [{ kind: 'quantity', quantity: API_CALLS }],
  API_Success_Rate: [percentOf(API_SUCCEEDED, API_CALLS)],
  API_Duration: [weightedMean('API_Duration')],
  API_Error_Count: [{ kind: 'quantity', quantity: API_FAILED }, zeroWhere(API_CALLS)],
  Page_API_Count: [{ kind: 'quantity', quantity: API_CALLS }],
  Page_API_Success_Rate: [percentOf(API_SUCCEEDED, API_CALLS)],
  Page_API_Duration: [weightedMean('API_Duration')],
  // Custom_Statistics_Metric, by key.
  Custom_Sum: [sum('Custom')],
  Custom_Avg: [weightedMean('Custom')],
};

/** How a push of a catalog metric's own name is read: counts add up, bytes are gauges that add up, the rest are means. */
function pushedUnderOwnName(metric: MetricDefinition): MetricFormula {
  if (metric.unit === 'count') return sum(metric.name);
  if (metric.unit === 'bytes') return gauge(metric.name);
  return weightedMean(metric.name);
}

function sourcesOf(scope: CatalogMetric['scope'], formulas: readonly MetricFormula[]): MetricSource[] {
  const read = new Set(formulas.filter((f) => f.kind !== 'zero_where').flatMap(metricsRead));
  const sources: MetricSource[] = [];
  if (scope === 'browser') {
    for (const stored of read) {
      if (findStoredMetric('browser', stored)) {
        sources.push({ family: 'browser beacon', metric: stored, stored, how: 'POST /api/v1/rum' });
      }
    }
    return sources;
  }
  for (const rule of DERIVATION_RULES) {
    for (const [stored, how] of Object.entries(rule.produces)) {
      if (read.has(stored)) sources.push({ family: rule.family, metric: rule.metric, stored, how });
    }
  }
  return sources;
}

function catalogMetric(type: MetricTypeDefinition, metric: MetricDefinition): CatalogMetric {
  const own = FORMULAS[metric.name];
  if (!own) throw new Error(`the metric catalog has no formula for ${type.name} ${metric.name}`);
  const readsOwnName = own.some((formula) => metricsRead(formula).includes(metric.name));
  const formulas = readsOwnName ? own : [pushedUnderOwnName(metric), ...own];
  const scope = type.kind;
  return {
    ...metric,
    kind: type.kind,
    scope,
    metricType: type.name,
    dimensions: type.dimensions,
    formulas,
    temporality:
      findStoredMetric(scope, metric.name)?.temporality ?? (metric.unit === 'count' ? 'delta' : 'gauge'),
    sources: sourcesOf(scope, own),
  };
}

/** The metric types with their catalog metrics, in the order of src/domain/metric-types.ts. */
export const CATALOG: readonly CatalogMetricType[] = METRIC_TYPES.map((type) => ({
  ...type,
  metrics: type.metrics.map((metric) => catalogMetric(type, metric)),
}));

const BY_NAME: ReadonlyMap<string, CatalogMetric> = new Map(
  CATALOG.flatMap((type) => type.metrics.map((metric) => [metric.name, metric] as const)),
);

/** The catalog metric of that name (names are unique across metric types), or undefined. */
export function findCatalogMetric(name: string): CatalogMetric | undefined {
  return BY_NAME.get(name);
}

/**
 * How a JSON-pushed series of this name is read when the sample gives no temporality: catalog counts
 * (JVM_FullGC, PV…) are what happened since the previous push (`delta`); everything else, and every custom
 * metric, is a measurement (`gauge`).
 * @example defaultTemporality('application', 'JVM_FullGC') // 'delta'
 */
export function defaultTemporality(scope: SeriesScope, metric: string): SeriesTemporality {
  if (scope === 'custom') return 'gauge';
  const stored = findStoredMetric(scope, metric);
  if (stored) return stored.temporality;
  const catalog = BY_NAME.get(metric);
  return catalog && catalog.scope === scope ? catalog.temporality : 'gauge';
}
