// The names under which ARMS quantities are stored (scope `application` or `browser`): what the
// derivation writes from OpenTelemetry and Prometheus series, what the browser beacons write, what a JSON
// push of a catalog metric writes, and what the catalog's formulas read. A catalog metric pushed under its
// own name (Invocation_RT, Host_CPU_Usage…) is stored under that name too; those are not listed here. Keep
// derive rules, formulas and this table in step (catalog.test.ts checks it).
import type { SeriesScope, SeriesTemporality } from '../../domain/metric-series.js';

/** What one point of a stored metric measures. */
export type StoredUnit = 'count' | 'ms' | 'bytes' | 'seconds' | 'fraction' | 'percent' | 'ratio' | 'score';

export interface StoredMetric {
  readonly name: string;
  readonly scope: Exclude<SeriesScope, 'custom'>;
  readonly unit: StoredUnit;
  /** How a JSON push of this name is read when it does not say (counts happen, gauges are measured). */
  readonly temporality: SeriesTemporality;
  /** For people: what a point is. */
  readonly meaning: string;
}

function stored(
  scope: StoredMetric['scope'],
  name: string,
  unit: StoredUnit,
  temporality: SeriesTemporality,
  meaning: string,
): StoredMetric {
  return { name, scope, unit, temporality, meaning };
}

const A = 'application';
const B = 'browser';

export const STORED_METRICS: readonly StoredMetric[] = [
  // Calls this application serves (HTTP, RPC entries).
  stored(A, 'Invocation_Count', 'count', 'delta', 'calls served'),
  stored(A, 'Invocation_Time', 'ms', 'delta', 'milliseconds spent serving calls'),
  stored(A, 'Invocation_Error_Count', 'count', 'delta', 'calls served that failed (5xx, error.type)'),
  stored(A, 'Invocation_Slow_Count', 'count', 'delta', 'calls served slower than the slow-call threshold'),
  // Calls this application makes (HTTP and RPC clients); databases have their own names below.
  stored(A, 'Invocation_Out_Count', 'count', 'delta', 'calls made'),
  stored(A, 'Invocation_Out_Time', 'ms', 'delta', 'milliseconds spent waiting for calls made'),
  stored(A, 'Invocation_Out_Error_Count', 'count', 'delta', 'calls made that failed'),
  stored(A, 'Database_Count', 'count', 'delta', 'database operations'),
  stored(A, 'Database_Time', 'ms', 'delta', 'milliseconds spent in database operations'),
  stored(A, 'Database_Error_Count', 'count', 'delta', 'database operations that failed'),
  stored(A, 'Exception_Count', 'count', 'delta', 'calls served that ended in an exception'),
  stored(A, 'JVM_FullGC', 'count', 'delta', 'full (major, old generation) collections'),
  stored(A, 'JVM_FullGC_Time', 'ms', 'delta', 'milliseconds spent in full collections'),
  stored(A, 'JVM_YoungGC', 'count', 'delta', 'young (minor) collections'),
  stored(A, 'JVM_YoungGC_Time', 'ms', 'delta', 'milliseconds spent in young collections'),
  stored(A, 'JVM_Heap_Used', 'bytes', 'gauge', 'heap bytes used (one series per memory pool or area)'),
  stored(A, 'JVM_NonHeap_Used', 'bytes', 'gauge', 'non-heap bytes used (one series per memory pool or area)'),
  stored(A, 'JVM_ThreadCount', 'count', 'gauge', 'live threads (one series per state or daemon flag)'),
  stored(A, 'Host_CPU_Busy', 'fraction', 'gauge', 'utilization of a CPU in a non-idle state (0–1)'),
  stored(A, 'Host_CPU_Total', 'fraction', 'gauge', 'utilization of a CPU in any state (0–1)'),
  stored(A, 'Host_CPU_Busy_Seconds', 'seconds', 'delta', 'CPU seconds spent in non-idle modes'),
  stored(A, 'Host_CPU_Total_Seconds', 'seconds', 'delta', 'CPU seconds in all modes'),
  stored(A, 'Host_Memory_Free', 'bytes', 'gauge', 'free (or available) memory'),
  stored(A, 'Host_Memory_MemFree', 'bytes', 'gauge', 'MemFree, read where MemAvailable is not sent'),
  stored(A, 'Host_Disk_Free', 'bytes', 'gauge', 'free bytes of a filesystem'),
  stored(A, 'Host_Load1', 'ratio', 'gauge', 'load average over one minute'),
  stored(A, 'Host_Network_Errors', 'count', 'delta', 'network receive and transmit errors'),
  // Browser beacons (src/ingest/rum.ts), target = site.
  stored(B, 'PV', 'count', 'delta', 'page views'),
  stored(B, 'JS_Error_Count', 'count', 'delta', 'JavaScript errors'),
  stored(B, 'TTFB', 'ms', 'gauge', 'time to first byte of one page view'),
  stored(B, 'DOM_Ready', 'ms', 'gauge', 'DOM ready time of one page view'),
  stored(B, 'Page_Load', 'ms', 'gauge', 'load time of one page view'),
  stored(B, 'FCP', 'ms', 'gauge', 'first contentful paint of one page view'),
  stored(B, 'LCP', 'ms', 'gauge', 'largest contentful paint of one page view'),
  stored(B, 'INP', 'ms', 'gauge', 'interaction to next paint of one page view'),
  stored(B, 'CLS', 'score', 'gauge', 'cumulative layout shift of one page view'),
  stored(B, 'API_Duration', 'ms', 'gauge', 'duration of one API call, labels page, api, success'),
  stored(B, 'Custom', 'ratio', 'gauge', 'one custom statistic value, label key'),
];

const BY_NAME = new Map(STORED_METRICS.map((metric) => [`${metric.scope}:${metric.name}`, metric]));

/** The stored metric of that scope and name, or undefined. */
export function findStoredMetric(scope: SeriesScope, name: string): StoredMetric | undefined {
  return BY_NAME.get(`${scope}:${name}`);
}
