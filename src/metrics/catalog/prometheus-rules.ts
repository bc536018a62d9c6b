// Prometheus exporter metrics (remote-write) → stored ARMS series: the JMX exporter's and Micrometer's JVM
// and HTTP metrics, and the node exporter's host metrics. Counters are cumulative; `host` comes from the
// `host`/`hostname` label or the `instance` without its port.
import {
  callRules,
  exceptionOfTag,
  isServerErrorStatus,
  MADE_CALLS,
  SERVED_CALLS,
  type CallStream,
} from './call-rules.js';
import type { DerivationRule, SourceFamily } from './derivation-rule.js';
import { counterTemporality, emitDerived, hostOf, msFactor } from './derived-series.js';
import { gcKind, type GcKind } from './gc-collectors.js';
import { PSEUDO_FILESYSTEMS } from './otel-rules.js';

const JMX = 'JMX exporter' as const;
const MICROMETER = 'Micrometer' as const;
const NODE = 'node exporter' as const;

type Labels = Readonly<Record<string, string>>;

const GC_NAMES: Record<'count' | 'time', Record<Exclude<GcKind, 'none'>, string>> = {
  count: { full: 'JVM_FullGC', young: 'JVM_YoungGC' },
  time: { full: 'JVM_FullGC_Time', young: 'JVM_YoungGC_Time' },
};

/** The `_count` and `_sum` rules of a GC-duration summary, classified by `kindOf`. */
function gcRules(family: SourceFamily, summary: string, kindOf: (labels: Labels) => GcKind, how: string) {
  const rule = (part: 'count' | 'time'): DerivationRule => ({
    family,
    metric: `${summary}_${part === 'count' ? 'count' : 'sum'}`,
    produces: {
      [GC_NAMES[part].full]: `${part === 'time' ? '× 1000 (s → ms) ' : ''}where ${how} is a full GC`,
      [GC_NAMES[part].young]: `${part === 'time' ? '× 1000 (s → ms) ' : ''}where ${how} is a young GC`,
    },
    derive(raw, out) {
      const kind = kindOf(raw.labels);
      if (kind === 'none') return;
      emitDerived(
        out,
        raw,
        GC_NAMES[part][kind],
        { host: hostOf(raw.labels) },
        {
          scale: part === 'time' ? msFactor(raw, 's') : 1,
          temporality: counterTemporality(raw),
        },
      );
    },
  });
  return [rule('count'), rule('time')];
}

/** A gauge read as it is into one stored metric, per host. */
function gaugeRule(family: SourceFamily, metric: string, stored: string, how: string): DerivationRule {
  return {
    family,
    metric,
    produces: { [stored]: how },
    derive(raw, out) {
      emitDerived(out, raw, stored, { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  };
}

/**
 * `area="heap"` → JVM_Heap_Used, `area="nonheap"` → JVM_NonHeap_Used (JMX exporter and Micrometer alike;
 * OTel's jvm.memory.used translated to Prometheus names carries `jvm_memory_type` heap / non_heap instead).
 */
function memoryRule(family: SourceFamily, metric: string): DerivationRule {
  return {
    family,
    metric,
    produces: { JVM_Heap_Used: 'area = heap', JVM_NonHeap_Used: 'area = nonheap' },
    derive(raw, out) {
      const area = raw.labels.area ?? raw.labels.jvm_memory_type;
      const stored =
        area === 'heap'
          ? 'JVM_Heap_Used'
          : area === 'nonheap' || area === 'non_heap'
            ? 'JVM_NonHeap_Used'
            : null;
      if (stored) emitDerived(out, raw, stored, { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  };
}

/** Micrometer's http_server_requests / http_client_requests tags. */
function micrometerHttpCall(labels: Labels, invocationType: string): CallStream {
  const exception = exceptionOfTag(labels.exception ?? labels.error);
  return {
    dimensions: {
      host: hostOf(labels),
      interface: labels.uri || 'UNKNOWN',
      invocation_type: invocationType,
      // Micrometer's own `exception` tag is not the ARMS dimension; only Exception_Count carries that.
      exception: null,
    },
    error: isServerErrorStatus(labels.status) || labels.outcome === 'SERVER_ERROR' || exception !== undefined,
    exception,
  };
}

const JVM_RULES: DerivationRule[] = [
  ...gcRules(JMX, 'jvm_gc_collection_seconds', (labels) => gcKind(labels.gc, undefined), 'gc'),
  ...gcRules(
    MICROMETER,
    'jvm_gc_pause_seconds',
    (labels) => gcKind(labels.gc, labels.action),
    'action or gc',
  ),
  // ZGC and Shenandoah cycles are concurrent: Micrometer times them here, not as pauses. Only cycles count;
  // CMS's and G1's concurrent phases belong to collections counted as pauses.
  ...gcRules(
    MICROMETER,
    'jvm_gc_concurrent_phase_time_seconds',
    (labels) => (labels.gc?.endsWith('Cycles') ? gcKind(labels.gc, undefined) : 'none'),
    'gc (ZGC and Shenandoah cycles)',
  ),
  memoryRule(JMX, 'jvm_memory_bytes_used'),
  // The JMX exporter 1.x and Micrometer share this name; both carry `area`.
  memoryRule(MICROMETER, 'jvm_memory_used_bytes'),
  gaugeRule(JMX, 'jvm_threads_current', 'JVM_ThreadCount', 'as it is'),
  gaugeRule(MICROMETER, 'jvm_threads_live_threads', 'JVM_ThreadCount', 'as it is'),
];

const CALL_RULES: DerivationRule[] = [
  ...callRules({
    family: MICROMETER,
    histogram: 'http_server_requests_seconds',
    names: SERVED_CALLS,
    timeUnit: 's',
    classify: (labels) => micrometerHttpCall(labels, 'HTTP'),
    how: {
      count: '(interface = uri, invocation_type HTTP)',
      error: 'status ≥ 500, outcome SERVER_ERROR or an exception',
      exception: 'exception (or error) is not None',
    },
  }),
  ...callRules({
    family: MICROMETER,
    histogram: 'http_client_requests_seconds',
    names: MADE_CALLS,
    timeUnit: 's',
    classify: (labels) => micrometerHttpCall(labels, 'HTTP_Client'),
    how: {
      count: '(invocation_type HTTP_Client)',
      error: 'status ≥ 500, outcome SERVER_ERROR or an exception',
    },
  }),
];

const HOST_RULES: DerivationRule[] = [
  {
    family: NODE,
    metric: 'node_cpu_seconds_total',
    produces: {
      Host_CPU_Busy_Seconds: 'every mode but idle, per cpu',
      Host_CPU_Total_Seconds: 'every mode, per cpu',
    },
    derive(raw, out) {
      const host = { host: hostOf(raw.labels) };
      const temporality = counterTemporality(raw);
      emitDerived(out, raw, 'Host_CPU_Total_Seconds', host, { temporality });
      if (raw.labels.mode !== 'idle') emitDerived(out, raw, 'Host_CPU_Busy_Seconds', host, { temporality });
    },
  },
  gaugeRule(NODE, 'node_memory_MemAvailable_bytes', 'Host_Memory_Free', 'as it is'),
  gaugeRule(NODE, 'node_memory_MemFree_bytes', 'Host_Memory_MemFree', 'as it is'),
  {
    family: NODE,
    metric: 'node_filesystem_avail_bytes',
    produces: { Host_Disk_Free: 'every filesystem but tmpfs-like fstypes' },
    derive(raw, out) {
      const type = raw.labels.fstype;
      if (type !== undefined && PSEUDO_FILESYSTEMS.has(type)) return;
      emitDerived(out, raw, 'Host_Disk_Free', { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
  gaugeRule(NODE, 'node_load1', 'Host_Load1', 'as it is'),
  ...(['receive', 'transmit'] as const).map((direction): DerivationRule => ({
    family: NODE,
    metric: `node_network_${direction}_errs_total`,
    produces: { Host_Network_Errors: `every device (direction = ${direction})` },
    derive(raw, out) {
      // Receive and transmit counters of one device carry the same labels; `direction` keeps them apart.
      emitDerived(
        out,
        raw,
        'Host_Network_Errors',
        { host: hostOf(raw.labels), direction },
        {
          temporality: counterTemporality(raw),
        },
      );
    },
  })),
];

/** Every Prometheus exporter rule. */
export const PROMETHEUS_RULES: readonly DerivationRule[] = [...JVM_RULES, ...CALL_RULES, ...HOST_RULES];
