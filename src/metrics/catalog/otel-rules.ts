// OpenTelemetry semantic-convention metrics → stored ARMS series: HTTP and RPC server and client
// durations, database operations, JVM GC/memory/threads (Java agent, runtime-telemetry) and host metrics
// (collector hostmetrics receiver). Attribute names are the conventions' own; `host` is the resource's
// host.name as the OTLP decoder writes it.
import type { IngestSeries } from '../../domain/metric-series.js';
import {
  callRules,
  DATABASE_CALLS,
  exceptionOfErrorType,
  isServerErrorStatus,
  MADE_CALLS,
  SERVED_CALLS,
  type CallStream,
} from './call-rules.js';
import type { DerivationRule } from './derivation-rule.js';
import { counterTemporality, emitDerived, hostOf, msFactor } from './derived-series.js';
import { gcKind } from './gc-collectors.js';

const OTEL = 'OpenTelemetry' as const;

/** rpc.system values → the invocation type users see. */
const RPC_TYPES: ReadonlyMap<string, string> = new Map([
  ['apache_dubbo', 'Dubbo'],
  ['dubbo', 'Dubbo'],
  ['grpc', 'gRPC'],
  ['connect_rpc', 'ConnectRPC'],
  ['java_rmi', 'RMI'],
  ['dotnet_wcf', 'WCF'],
  ['jsonrpc', 'JSON-RPC'],
]);

/** db.system values → the invocation type users see. */
const DATABASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['mysql', 'MySQL'],
  ['mariadb', 'MariaDB'],
  ['postgresql', 'PostgreSQL'],
  ['oracle', 'Oracle'],
  ['oracle.db', 'Oracle'],
  ['mssql', 'SQL Server'],
  ['microsoft.sql_server', 'SQL Server'],
  ['redis', 'Redis'],
  ['mongodb', 'MongoDB'],
  ['elasticsearch', 'Elasticsearch'],
  ['cassandra', 'Cassandra'],
  ['h2', 'H2'],
  ['sqlite', 'SQLite'],
  ['clickhouse', 'ClickHouse'],
]);

/** gRPC status codes a server reports as its own failure (the conventions' span-status rule). */
const GRPC_SERVER_ERRORS = new Set(['2', '4', '12', '13', '14', '15']);

function httpCall(labels: Readonly<Record<string, string>>, invocationType: string): CallStream {
  const errorType = labels['error.type'];
  const status = labels['http.response.status_code'] ?? labels['http.status_code'];
  return {
    dimensions: {
      host: hostOf(labels),
      interface: labels['http.route'] || labels['url.template'] || 'UNKNOWN',
      invocation_type: invocationType,
    },
    error: isServerErrorStatus(status) || Boolean(errorType),
    exception: exceptionOfErrorType(errorType),
  };
}

function rpcCall(labels: Readonly<Record<string, string>>, side: 'server' | 'client'): CallStream {
  const system = labels['rpc.system.name'] ?? labels['rpc.system'] ?? '';
  const type = RPC_TYPES.get(system) ?? (system || 'RPC');
  const service = labels['rpc.service'];
  const method = labels['rpc.method'];
  // Newer conventions put the fully-qualified `service/method` in rpc.method alone.
  const iface =
    method && service && !method.includes('/') ? `${service}/${method}` : method || service || 'UNKNOWN';
  const errorType = labels['error.type'];
  const grpcStatus = labels['rpc.grpc.status_code'];
  const grpcError =
    grpcStatus !== undefined && (side === 'server' ? GRPC_SERVER_ERRORS.has(grpcStatus) : grpcStatus !== '0');
  return {
    dimensions: {
      host: hostOf(labels),
      interface: iface,
      invocation_type: side === 'server' ? type : `${type}_Client`,
    },
    error: Boolean(errorType) || grpcError,
    exception: exceptionOfErrorType(errorType),
  };
}

function databaseCall(labels: Readonly<Record<string, string>>): CallStream {
  const system = labels['db.system.name'] ?? labels['db.system'] ?? 'other_sql';
  const namespace = labels['db.namespace'] ?? labels['db.name'];
  return {
    dimensions: {
      host: hostOf(labels),
      database: namespace ? `${system}/${namespace}` : system,
      invocation_type: DATABASE_TYPES.get(system) ?? system,
    },
    error: Boolean(labels['error.type']),
  };
}

const HTTP_SERVER_HOW = {
  count: '(interface = http.route, invocation_type HTTP)',
  error: 'http.response.status_code ≥ 500 or error.type is set',
  exception: 'error.type names an exception class (exception = error.type)',
};

const RPC_HOW = (side: 'server' | 'client') => ({
  count:
    side === 'server'
      ? '(interface = rpc.service/rpc.method, invocation_type by rpc.system: Dubbo, gRPC…)'
      : '(invocation_type by rpc.system with _Client: Dubbo_Client, gRPC_Client…)',
  error: `error.type is set or rpc.grpc.status_code is ${side === 'server' ? 'a server failure (2, 4, 12–15)' : 'not 0'}`,
  ...(side === 'server' && { exception: 'error.type names an exception class' }),
});

const CALL_RULES: DerivationRule[] = [
  ...callRules({
    family: OTEL,
    histogram: 'http.server.request.duration',
    names: SERVED_CALLS,
    timeUnit: 's',
    classify: (labels) => httpCall(labels, 'HTTP'),
    how: HTTP_SERVER_HOW,
  }),
  // The pre-1.0 HTTP convention, still sent by older agents; its unit was milliseconds.
  ...callRules({
    family: OTEL,
    histogram: 'http.server.duration',
    names: SERVED_CALLS,
    timeUnit: 'ms',
    classify: (labels) => httpCall(labels, 'HTTP'),
    how: { ...HTTP_SERVER_HOW, error: 'http.status_code ≥ 500 or error.type is set' },
  }),
  ...callRules({
    family: OTEL,
    histogram: 'http.client.request.duration',
    names: MADE_CALLS,
    timeUnit: 's',
    classify: (labels) => httpCall(labels, 'HTTP_Client'),
    how: {
      count: '(invocation_type HTTP_Client)',
      error: 'http.response.status_code ≥ 500 or error.type is set',
    },
  }),
  // rpc.server.duration and rpc.client.duration were defined in milliseconds; the newer
  // rpc.*.call.duration in seconds.
  ...callRules({
    family: OTEL,
    histogram: 'rpc.server.duration',
    names: SERVED_CALLS,
    timeUnit: 'ms',
    classify: (labels) => rpcCall(labels, 'server'),
    how: RPC_HOW('server'),
  }),
  ...callRules({
    family: OTEL,
    histogram: 'rpc.server.call.duration',
    names: SERVED_CALLS,
    timeUnit: 's',
    classify: (labels) => rpcCall(labels, 'server'),
    how: RPC_HOW('server'),
  }),
  ...callRules({
    family: OTEL,
    histogram: 'rpc.client.duration',
    names: MADE_CALLS,
    timeUnit: 'ms',
    classify: (labels) => rpcCall(labels, 'client'),
    how: RPC_HOW('client'),
  }),
  ...callRules({
    family: OTEL,
    histogram: 'rpc.client.call.duration',
    names: MADE_CALLS,
    timeUnit: 's',
    classify: (labels) => rpcCall(labels, 'client'),
    how: RPC_HOW('client'),
  }),
  ...callRules({
    family: OTEL,
    histogram: 'db.client.operation.duration',
    names: DATABASE_CALLS,
    timeUnit: 's',
    classify: databaseCall,
    how: {
      count: '(database = db.system.name/db.namespace, invocation_type MySQL, Redis…)',
      error: 'error.type is set',
    },
  }),
];

function gcOf(raw: IngestSeries) {
  return gcKind(raw.labels['jvm.gc.name'], raw.labels['jvm.gc.action']);
}

const GC_HOW = 'jvm.gc.action "end of major GC", or jvm.gc.name a full collector (G1 Old Generation, …)';
const YOUNG_HOW =
  'jvm.gc.action "end of minor GC", or jvm.gc.name a young collector (G1 Young Generation, …)';

const JVM_RULES: DerivationRule[] = [
  {
    family: OTEL,
    metric: 'jvm.gc.duration_count',
    produces: { JVM_FullGC: `count where ${GC_HOW}`, JVM_YoungGC: `count where ${YOUNG_HOW}` },
    derive(raw, out) {
      const kind = gcOf(raw);
      if (kind === 'none') return;
      emitDerived(
        out,
        raw,
        kind === 'full' ? 'JVM_FullGC' : 'JVM_YoungGC',
        { host: hostOf(raw.labels) },
        {
          temporality: counterTemporality(raw),
        },
      );
    },
  },
  {
    family: OTEL,
    metric: 'jvm.gc.duration_sum',
    produces: {
      JVM_FullGC_Time: `sum × 1000 (s → ms) where ${GC_HOW}`,
      JVM_YoungGC_Time: `sum × 1000 (s → ms) where ${YOUNG_HOW}`,
    },
    derive(raw, out) {
      const kind = gcOf(raw);
      if (kind === 'none') return;
      emitDerived(
        out,
        raw,
        kind === 'full' ? 'JVM_FullGC_Time' : 'JVM_YoungGC_Time',
        { host: hostOf(raw.labels) },
        { scale: msFactor(raw, 's'), temporality: counterTemporality(raw) },
      );
    },
  },
  {
    family: OTEL,
    metric: 'jvm.memory.used',
    produces: {
      JVM_Heap_Used: 'jvm.memory.type = heap (every pool)',
      JVM_NonHeap_Used: 'jvm.memory.type = non_heap (every pool)',
    },
    derive(raw, out) {
      const type = raw.labels['jvm.memory.type'];
      const metric = type === 'heap' ? 'JVM_Heap_Used' : type === 'non_heap' ? 'JVM_NonHeap_Used' : null;
      if (metric) emitDerived(out, raw, metric, { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
  {
    family: OTEL,
    metric: 'jvm.thread.count',
    produces: { JVM_ThreadCount: 'every jvm.thread.state and jvm.thread.daemon' },
    derive(raw, out) {
      emitDerived(out, raw, 'JVM_ThreadCount', { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
];

/** Filesystems that hold no disk space worth watching; their free bytes are left out of Host_Disk_Free. */
export const PSEUDO_FILESYSTEMS = new Set([
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'squashfs',
  'nsfs',
  'autofs',
  'proc',
  'sysfs',
]);

/**
 * A host metric's state attribute: the collector's hostmetrics receiver writes `state`; the current
 * conventions name it per metric (`cpu.mode`, `system.memory.state`, `system.filesystem.state`).
 */
function stateOf(labels: Readonly<Record<string, string>>, conventionName: string): string | undefined {
  return labels.state ?? labels[conventionName];
}

const HOST_RULES: DerivationRule[] = [
  {
    family: OTEL,
    metric: 'system.cpu.utilization',
    produces: {
      Host_CPU_Busy: 'every state (cpu.mode) but idle, per cpu',
      Host_CPU_Total: 'every state, per cpu',
    },
    derive(raw, out) {
      const host = { host: hostOf(raw.labels) };
      emitDerived(out, raw, 'Host_CPU_Total', host, { temporality: 'gauge' });
      if (stateOf(raw.labels, 'cpu.mode') !== 'idle') {
        emitDerived(out, raw, 'Host_CPU_Busy', host, { temporality: 'gauge' });
      }
    },
  },
  {
    family: OTEL,
    metric: 'system.cpu.time',
    produces: {
      Host_CPU_Busy_Seconds: 'every state (cpu.mode) but idle, per cpu',
      Host_CPU_Total_Seconds: 'every state, per cpu',
    },
    derive(raw, out) {
      const host = { host: hostOf(raw.labels) };
      const temporality = counterTemporality(raw);
      emitDerived(out, raw, 'Host_CPU_Total_Seconds', host, { temporality });
      if (stateOf(raw.labels, 'cpu.mode') !== 'idle') {
        emitDerived(out, raw, 'Host_CPU_Busy_Seconds', host, { temporality });
      }
    },
  },
  {
    family: OTEL,
    metric: 'system.memory.usage',
    produces: { Host_Memory_Free: 'state = free' },
    derive(raw, out) {
      if (stateOf(raw.labels, 'system.memory.state') !== 'free') return;
      emitDerived(out, raw, 'Host_Memory_Free', { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
  {
    family: OTEL,
    metric: 'system.filesystem.usage',
    produces: { Host_Disk_Free: 'state = free, every filesystem but tmpfs-like ones' },
    derive(raw, out) {
      if (stateOf(raw.labels, 'system.filesystem.state') !== 'free') return;
      const type = raw.labels.type ?? raw.labels['system.filesystem.type'];
      if (type !== undefined && PSEUDO_FILESYSTEMS.has(type)) return;
      emitDerived(out, raw, 'Host_Disk_Free', { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
  {
    family: OTEL,
    metric: 'system.cpu.load_average.1m',
    produces: { Host_Load1: 'as it is' },
    derive(raw, out) {
      emitDerived(out, raw, 'Host_Load1', { host: hostOf(raw.labels) }, { temporality: 'gauge' });
    },
  },
  {
    family: OTEL,
    metric: 'system.network.errors',
    produces: { Host_Network_Errors: 'every device and direction' },
    derive(raw, out) {
      emitDerived(
        out,
        raw,
        'Host_Network_Errors',
        { host: hostOf(raw.labels) },
        {
          temporality: counterTemporality(raw),
        },
      );
    },
  },
];

/** Every OpenTelemetry rule. */
export const OTEL_RULES: readonly DerivationRule[] = [...CALL_RULES, ...JVM_RULES, ...HOST_RULES];
