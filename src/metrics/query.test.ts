// The metric query over stored series: raw OpenTelemetry, Prometheus, beacon and pushed series go in as
// the ingest path stores them (raw plus derived), ARMS metrics come out per group and minute.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestMetricStore, type TestMetricStore } from '../../test/metric-store-fixture.js';
import type { AppError } from '../errors.js';
import type { IngestSeries, SeriesScope, SeriesTemporality } from '../domain/metric-series.js';
import { deriveCatalogBatch } from './catalog/derive.js';
import { aggregateMinutes, queryMetric, queryMetricAggregates, type MetricQuery } from './query.js';
import type { MetricStore } from './store/metric-store.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;
const at = (minute: number, second = 10) => T0 + minute * MIN + second * 1000;

interface SeriesSpec {
  scope?: SeriesScope;
  target?: string;
  temporality?: SeriesTemporality;
  startTimeMs?: number;
  unit?: string;
}

/** A series with one point per [minute, value] pair. */
function series(
  metric: string,
  labels: Record<string, string>,
  points: [minute: number, value: number][],
  spec: SeriesSpec = {},
): IngestSeries {
  return {
    scope: spec.scope ?? 'custom',
    target: spec.target ?? 'order-service',
    metric,
    labels,
    temporality: spec.temporality ?? 'delta',
    ...(spec.startTimeMs !== undefined && { startTimeMs: spec.startTimeMs }),
    ...(spec.unit !== undefined && { unit: spec.unit }),
    timestampsMs: points.map(([minute]) => at(minute)),
    values: points.map(([, value]) => value),
  };
}

let fixture: TestMetricStore;
let store: MetricStore;

/** Stores raw series and what the catalog derives from them, as the ingest path does. */
function ingest(...batch: IngestSeries[]): void {
  store.append([...batch, ...deriveCatalogBatch(batch)]);
}

function ask(query: Partial<MetricQuery> & Pick<MetricQuery, 'metric'>, minutes = 3) {
  const result = queryMetric(store, {
    kind: 'application',
    target: 'order-service',
    groupBy: null,
    fromMs: T0,
    toMs: T0 + minutes * MIN,
    ...query,
  });
  return Object.fromEntries(result.groups.map((g) => [String(g.key), [...g.values]]));
}

beforeEach(() => {
  // The store refuses points far from its clock: it is "now" a few minutes after the data.
  fixture = openTestMetricStore(() => T0 + 5 * MIN);
  store = fixture.store;
});

afterEach(() => {
  fixture.close();
});

describe('queryMetric on application metrics', () => {
  it('counts full GCs per host and minute from cumulative OpenTelemetry histograms', () => {
    const full = { 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' };
    const cumulative = { temporality: 'cumulative' as const, startTimeMs: T0 };
    ingest(
      series(
        'jvm.gc.duration_count',
        { host: 'a', ...full },
        [
          [0, 1],
          [1, 1],
          [2, 3],
        ],
        cumulative,
      ),
      series(
        'jvm.gc.duration_sum',
        { host: 'a', ...full },
        [
          [0, 0.2],
          [1, 0.2],
          [2, 0.5],
        ],
        cumulative,
      ),
      series('jvm.gc.duration_count', { host: 'b', ...full }, [[1, 2]], cumulative),
      series(
        'jvm.gc.duration_count',
        { host: 'a', 'jvm.gc.name': 'G1 Young Generation', 'jvm.gc.action': 'end of minor GC' },
        [[0, 40]],
        cumulative,
      ),
    );
    expect(ask({ metric: 'JVM_FullGC', groupBy: 'host' })).toEqual({ a: [1, 0, 2], b: [NaN, 2, NaN] });
    expect(ask({ metric: 'JVM_FullGC_Time', groupBy: 'host' }).a![0]).toBeCloseTo(200);
    expect(ask({ metric: 'JVM_FullGC_Time', groupBy: 'host' }).a![2]).toBeCloseTo(300);
    expect(ask({ metric: 'JVM_YoungGC' })).toEqual({ null: [40, NaN, NaN] });
    // Dimension none adds the hosts up, minute by minute.
    expect(ask({ metric: 'JVM_FullGC' })).toEqual({ null: [1, 2, 2] });
  });

  it('counts no full GC, rather than none, in minutes a JVM reported its heap', () => {
    ingest(
      series(
        'jvm.memory.used',
        { host: 'a', 'jvm.memory.type': 'heap' },
        [
          [0, 1e8],
          [1, 1e8],
          [2, 1e8],
        ],
        { temporality: 'gauge' },
      ),
      series('jvm.gc.duration_count', { host: 'a', 'jvm.gc.name': 'PS MarkSweep' }, [[1, 1]]),
    );
    expect(ask({ metric: 'JVM_FullGC', groupBy: 'host', aggregation: 'avg' })).toEqual({ a: [0, 1, 0] });
    const result = queryMetric(store, {
      kind: 'application',
      target: 'order-service',
      metric: 'JVM_FullGC',
      groupBy: 'host',
      fromMs: T0,
      toMs: T0 + 3 * MIN,
      aggregation: 'avg',
    });
    expect(result.groups[0]!.aggregate).toBeCloseTo(1 / 3);
  });

  it('answers JVM memory and threads as the sum over pools of each minute’s mean', () => {
    const gauge = { temporality: 'gauge' as const };
    ingest(
      series(
        'jvm.memory.used',
        { host: 'a', 'jvm.memory.type': 'heap', 'jvm.memory.pool.name': 'Eden' },
        [
          [0, 100],
          [0, 300],
        ],
        gauge,
      ),
      series(
        'jvm.memory.used',
        { host: 'a', 'jvm.memory.type': 'heap', 'jvm.memory.pool.name': 'Old' },
        [[0, 1000]],
        gauge,
      ),
      series(
        'jvm.memory.used',
        { host: 'a', 'jvm.memory.type': 'non_heap', 'jvm.memory.pool.name': 'Metaspace' },
        [[0, 50]],
        gauge,
      ),
      series('jvm_threads_current', { instance: 'a:9404', job: 'order-service' }, [[0, 30]], gauge),
    );
    expect(ask({ metric: 'JVM_Heap_Used', groupBy: 'host' }, 1)).toEqual({ a: [1200] });
    expect(ask({ metric: 'JVM_NonHeap_Used', groupBy: 'host' }, 1)).toEqual({ a: [50] });
    expect(ask({ metric: 'JVM_ThreadCount', groupBy: 'host' }, 1)).toEqual({ a: [30] });
  });

  it('computes the response time as the milliseconds spent over the calls, per interface and overall', () => {
    ingest(
      series('http.server.request.duration_count', { host: 'h', 'http.route': '/a' }, [[0, 10]]),
      series('http.server.request.duration_sum', { host: 'h', 'http.route': '/a' }, [[0, 1]], { unit: 's' }),
      series('http.server.request.duration_count', { host: 'h', 'http.route': '/b' }, [[0, 30]]),
      series('http.server.request.duration_sum', { host: 'h', 'http.route': '/b' }, [[0, 0.5]], {
        unit: 's',
      }),
    );
    const byInterface = ask({ metric: 'Invocation_RT', groupBy: 'interface' }, 1);
    expect(byInterface['/a']![0]).toBeCloseTo(100);
    expect(byInterface['/b']![0]).toBeCloseTo(500 / 30);
    // Not the mean of the two response times (58.3): the slow interface has fewer calls.
    expect(ask({ metric: 'Invocation_RT' }, 1).null![0]).toBeCloseTo(37.5);
    expect(ask({ metric: 'Invocation_Count', groupBy: 'interface' }, 1)).toEqual({ '/a': [10], '/b': [30] });
  });

  it('gives an error rate of 0 in minutes with calls and no errors, and none in minutes without calls', () => {
    ingest(
      series(
        'http.server.request.duration_count',
        { 'http.route': '/a', 'http.response.status_code': '200' },
        [
          [0, 8],
          [1, 5],
        ],
      ),
      series(
        'http.server.request.duration_count',
        { 'http.route': '/a', 'http.response.status_code': '500' },
        [[0, 2]],
      ),
    );
    expect(ask({ metric: 'Invocation_Error_Rate', groupBy: 'interface' })).toEqual({ '/a': [20, 0, NaN] });
    expect(ask({ metric: 'Invocation_Error_Count', groupBy: 'interface' })).toEqual({ '/a': [2, 0, NaN] });
    expect(ask({ metric: 'Invocation_Count' })).toEqual({ null: [10, 5, NaN] });
  });

  it('counts calls served, made and database operations by invocation type', () => {
    ingest(
      series('http.server.request.duration_count', { 'http.route': '/a' }, [[0, 10]]),
      series(
        'rpc.client.duration_count',
        { 'rpc.system': 'apache_dubbo', 'rpc.service': 'S', 'rpc.method': 'm' },
        [[0, 4]],
      ),
      series(
        'db.client.operation.duration_count',
        { 'db.system': 'mysql', 'db.namespace': 'orders', 'error.type': 'timeout' },
        [[0, 2]],
      ),
      series(
        'db.client.operation.duration_sum',
        { 'db.system': 'mysql', 'db.namespace': 'orders', 'error.type': 'timeout' },
        [[0, 0.1]],
      ),
    );
    expect(ask({ metric: 'Invocation_Type_Count', groupBy: 'invocation_type' }, 1)).toEqual({
      Dubbo_Client: [4],
      HTTP: [10],
      MySQL: [2],
    });
    expect(ask({ metric: 'Invocation_Type_Error_Rate', groupBy: 'invocation_type' }, 1)).toEqual({
      Dubbo_Client: [0],
      HTTP: [0],
      MySQL: [100],
    });
    expect(ask({ metric: 'Database_RT', groupBy: 'database' }, 1)['mysql/orders']![0]).toBeCloseTo(50);
    // Calls made are no calls served.
    expect(ask({ metric: 'Invocation_Count' }, 1)).toEqual({ null: [10] });
  });

  it('counts exceptions by exception class, with no group for calls without one', () => {
    ingest(
      series(
        'http_server_requests_seconds_count',
        { uri: '/pay', status: '200', exception: 'None', instance: 'h:1' },
        [
          [0, 9],
          [1, 9],
        ],
      ),
      series(
        'http_server_requests_seconds_count',
        { uri: '/pay', status: '500', exception: 'TimeoutException', instance: 'h:1' },
        [[0, 1]],
      ),
    );
    expect(ask({ metric: 'Exception_Count', groupBy: 'exception' }, 2)).toEqual({
      TimeoutException: [1, NaN],
    });
    expect(ask({ metric: 'Exception_Count', groupBy: 'interface' }, 2)).toEqual({ '/pay': [1, 0] });
  });

  it('computes CPU usage from node exporter CPU seconds, idle against all modes', () => {
    const cpu = (mode: string, cpuId: string, values: [number, number][]) =>
      series(
        'node_cpu_seconds_total',
        { cpu: cpuId, mode, instance: '10.0.0.7:9100', job: 'order-service' },
        values,
        { temporality: 'cumulative' },
      );
    ingest(
      cpu('idle', '0', [
        [0, 1000],
        [1, 1045],
      ]),
      cpu('user', '0', [
        [0, 500],
        [1, 515],
      ]),
      cpu('idle', '1', [
        [0, 2000],
        [1, 2030],
      ]),
      cpu('system', '1', [
        [0, 100],
        [1, 130],
      ]),
    );
    // Minute 0 only sets the counters' baselines; minute 1: busy 15 + 30 of 60 + 60 seconds.
    expect(ask({ metric: 'Host_CPU_Usage', groupBy: 'host' }, 2)).toEqual({ '10.0.0.7': [NaN, 37.5] });
  });

  it('computes CPU usage from OpenTelemetry utilization, and prefers a pushed Host_CPU_Usage', () => {
    const gauge = { temporality: 'gauge' as const };
    ingest(
      series('system.cpu.utilization', { host: 'a', cpu: '0', state: 'user' }, [[0, 0.3]], gauge),
      series('system.cpu.utilization', { host: 'a', cpu: '0', state: 'system' }, [[0, 0.1]], gauge),
      series('system.cpu.utilization', { host: 'a', cpu: '0', state: 'idle' }, [[0, 0.6]], gauge),
      series('Host_CPU_Usage', { host: 'b' }, [[0, 55]], { scope: 'application', temporality: 'gauge' }),
    );
    const usage = ask({ metric: 'Host_CPU_Usage', groupBy: 'host' }, 1);
    expect(usage.a![0]).toBeCloseTo(40);
    expect(usage.b).toEqual([55]);
  });

  it('reads free memory from MemAvailable, and from MemFree on hosts that send no MemAvailable', () => {
    const gauge = { temporality: 'gauge' as const };
    ingest(
      series('node_memory_MemAvailable_bytes', { instance: 'a:9100' }, [[0, 4e9]], gauge),
      series('node_memory_MemFree_bytes', { instance: 'a:9100' }, [[0, 1e9]], gauge),
      series('node_memory_MemFree_bytes', { instance: 'b:9100' }, [[0, 2e9]], gauge),
    );
    expect(ask({ metric: 'Host_Memory_Free', groupBy: 'host' }, 1)).toEqual({ a: [4e9], b: [2e9] });
  });

  it('averages the load over every host for dimension none', () => {
    const gauge = { temporality: 'gauge' as const };
    ingest(
      series(
        'node_load1',
        { instance: 'a:9100' },
        [
          [0, 1],
          [0, 3],
        ],
        gauge,
      ),
      series('system.cpu.load_average.1m', { host: 'b' }, [[0, 5]], gauge),
    );
    expect(ask({ metric: 'Host_Load1', groupBy: 'host' }, 1)).toEqual({ a: [2], b: [5] });
    expect(ask({ metric: 'Host_Load1' }, 1)).toEqual({ null: [3] });
  });

  it('answers a catalog metric pushed by name from the pushed series, before any derived one', () => {
    const app = { scope: 'application' as const };
    ingest(
      series(
        'JVM_FullGC',
        { host: '10.0.0.7' },
        [
          [0, 3],
          [2, 1],
        ],
        app,
      ),
      series(
        'Invocation_RT',
        { interface: '/a' },
        [
          [0, 80],
          [0, 120],
        ],
        { ...app, temporality: 'gauge' },
      ),
      series('http.server.request.duration_count', { 'http.route': '/a' }, [
        [0, 10],
        [1, 10],
      ]),
      series('http.server.request.duration_sum', { 'http.route': '/a' }, [
        [0, 5],
        [1, 5],
      ]),
    );
    expect(ask({ metric: 'JVM_FullGC', groupBy: 'host' })).toEqual({ '10.0.0.7': [3, NaN, 1] });
    expect(ask({ metric: 'Invocation_RT', groupBy: 'interface' })).toEqual({ '/a': [100, 500, NaN] });
  });

  it('applies filters, and adds every target up when the target is null', () => {
    ingest(
      series('http.server.request.duration_count', { host: 'a', 'http.route': '/x' }, [[0, 1]]),
      series('http.server.request.duration_count', { host: 'b', 'http.route': '/x' }, [[0, 2]]),
      series('http.server.request.duration_count', { host: 'a', 'http.route': '/x' }, [[0, 4]], {
        target: 'pay-service',
      }),
    );
    expect(ask({ metric: 'Invocation_Count', filters: { host: 'a' } }, 1)).toEqual({ null: [1] });
    expect(ask({ metric: 'Invocation_Count', target: null }, 1)).toEqual({ null: [7] });
    expect(ask({ metric: 'Invocation_Count', target: null, filters: { host: 'a' } }, 1)).toEqual({
      null: [5],
    });
  });

  it('rounds the range out to whole minutes', () => {
    ingest(
      series('http.server.request.duration_count', { 'http.route': '/x' }, [
        [0, 1],
        [1, 2],
      ]),
    );
    const result = queryMetric(store, {
      kind: 'application',
      target: 'order-service',
      metric: 'Invocation_Count',
      groupBy: null,
      fromMs: T0 + 30_000,
      toMs: T0 + MIN + 1,
    });
    expect(result.fromMs).toBe(T0);
    expect(result.toMs).toBe(T0 + 2 * MIN);
    expect([...result.groups[0]!.values]).toEqual([1, 2]);
  });
});

describe('queryMetric on browser metrics', () => {
  const browser = (metric: string, labels: Record<string, string>, points: [number, number][]) =>
    series(metric, labels, points, {
      scope: 'browser',
      target: 'shop-web',
      temporality: metric === 'PV' || metric === 'JS_Error_Count' ? 'delta' : 'gauge',
    });
  const askBrowser = (query: Partial<MetricQuery> & Pick<MetricQuery, 'metric'>, minutes = 1) =>
    ask({ kind: 'browser', target: 'shop-web', ...query }, minutes);

  it('computes the JS error rate from errors over page views, 0 where pages had no error', () => {
    ingest(
      browser('PV', { page: '/home' }, [
        [0, 1],
        [0, 1],
        [0, 8],
        [1, 4],
      ]),
      browser('JS_Error_Count', { page: '/home' }, [[0, 1]]),
    );
    expect(askBrowser({ metric: 'JS_Error_Rate', groupBy: 'page' }, 2)).toEqual({ '/home': [10, 0] });
    expect(askBrowser({ metric: 'JS_Error_Count', groupBy: 'page' }, 2)).toEqual({ '/home': [1, 0] });
    expect(askBrowser({ metric: 'PV' }, 2)).toEqual({ null: [10, 4] });
  });

  it('weighs page timings by page views, not by pages', () => {
    ingest(
      browser('TTFB', { page: '/a' }, [
        [0, 100],
        [0, 300],
      ]),
      browser('TTFB', { page: '/b' }, [[0, 600]]),
    );
    expect(askBrowser({ metric: 'TTFB', groupBy: 'page' })).toEqual({ '/a': [200], '/b': [600] });
    expect(askBrowser({ metric: 'TTFB' }).null![0]).toBeCloseTo(1000 / 3);
  });

  it('counts API calls, failures and the success rate from one point per call', () => {
    ingest(
      browser('API_Duration', { page: '/cart', api: '/api/cart', success: 'true' }, [
        [0, 100],
        [0, 200],
        [0, 300],
      ]),
      browser('API_Duration', { page: '/cart', api: '/api/cart', success: 'false' }, [[0, 1000]]),
      browser('API_Duration', { page: '/home', api: '/api/cart', success: 'true' }, [[0, 50]]),
      browser('API_Duration', { page: '/home', api: '/api/user', success: 'true' }, [[0, 70]]),
    );
    expect(askBrowser({ metric: 'API_Count', groupBy: 'api' })).toEqual({
      '/api/cart': [5],
      '/api/user': [1],
    });
    expect(askBrowser({ metric: 'API_Error_Count', groupBy: 'api' })).toEqual({
      '/api/cart': [1],
      '/api/user': [0],
    });
    expect(askBrowser({ metric: 'API_Success_Rate', groupBy: 'api' })).toEqual({
      '/api/cart': [80],
      '/api/user': [100],
    });
    expect(askBrowser({ metric: 'API_Duration', groupBy: 'api' })).toEqual({
      '/api/cart': [330],
      '/api/user': [70],
    });
    expect(askBrowser({ metric: 'Page_API_Duration', groupBy: 'page' })).toEqual({
      '/cart': [400],
      '/home': [60],
    });
    expect(askBrowser({ metric: 'Page_API_Count', groupBy: 'page', filters: { api: '/api/cart' } })).toEqual({
      '/cart': [4],
      '/home': [1],
    });
    // A filter that contradicts the metric's own (failed calls that succeeded) matches nothing.
    expect(askBrowser({ metric: 'API_Error_Count', filters: { success: 'true' } })).toEqual({ null: [0] });
  });

  it('sums and averages custom statistics by key', () => {
    ingest(
      browser('Custom', { key: 'cart_size' }, [
        [0, 2],
        [0, 4],
      ]),
    );
    expect(askBrowser({ metric: 'Custom_Sum', groupBy: 'key' })).toEqual({ cart_size: [6] });
    expect(askBrowser({ metric: 'Custom_Avg', groupBy: 'key' })).toEqual({ cart_size: [3] });
  });
});

describe('queryMetricAggregates', () => {
  it('answers what queryMetric aggregates, for custom and catalog metrics, query after query', () => {
    const full = { 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' };
    const cumulative = { temporality: 'cumulative' as const, startTimeMs: T0 };
    ingest(
      series(
        'jvm.gc.duration_count',
        { host: 'a', ...full },
        [
          [0, 1],
          [1, 1],
          [2, 3],
        ],
        cumulative,
      ),
      series(
        'jvm.gc.duration_sum',
        { host: 'a', ...full },
        [
          [0, 0.2],
          [2, 0.5],
        ],
        cumulative,
      ),
      series('jvm.gc.duration_count', { host: 'b', ...full }, [[1, 2]], cumulative),
      series('jvm.memory.used', { host: 'c', 'jvm.memory.type': 'heap' }, [[0, 1e8]], {
        temporality: 'gauge',
      }),
      series(
        'queue_depth',
        { queue: 'a' },
        [
          [0, 10],
          [0, 20],
          [2, 4],
        ],
        { temporality: 'gauge' },
      ),
      series('queue_depth', { queue: 'b' }, [[1, 5]], { temporality: 'gauge' }),
      series('queue_depth', {}, [[1, 7]], { temporality: 'gauge' }),
    );
    const asked: MetricQuery[] = [
      {
        kind: 'custom',
        target: 'order-service',
        metric: 'queue_depth',
        groupBy: 'queue',
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      },
      { kind: 'custom', target: null, metric: 'queue_depth', groupBy: null, fromMs: T0, toMs: T0 + 2 * MIN },
      {
        kind: 'custom',
        target: 'order-service',
        metric: 'queue_depth',
        filters: { queue: 'a' },
        groupBy: 'queue',
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      },
      {
        kind: 'application',
        target: 'order-service',
        metric: 'JVM_FullGC',
        groupBy: 'host',
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      },
      {
        kind: 'application',
        target: 'order-service',
        metric: 'JVM_FullGC_Time',
        groupBy: 'host',
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      },
    ];
    for (const aggregation of ['avg', 'sum', 'min', 'max', 'count'] as const) {
      for (const query of [...asked, ...asked]) {
        const expected = queryMetric(store, { ...query, aggregation });
        const answered = queryMetricAggregates(store, { ...query, aggregation });
        expect(answered.groups).toEqual(expected.groups.map(({ key, aggregate }) => ({ key, aggregate })));
        expect(answered.fromMs).toBe(expected.fromMs);
        expect(answered.toMs).toBe(expected.toMs);
      }
    }
  });
});

describe('queryMetric on custom metrics', () => {
  it('reads a gauge as each minute’s mean, added over series', () => {
    const gauge = { temporality: 'gauge' as const };
    ingest(
      series(
        'queue_depth',
        { queue: 'a' },
        [
          [0, 10],
          [0, 20],
        ],
        gauge,
      ),
      series('queue_depth', { queue: 'b' }, [[0, 5]], gauge),
    );
    expect(ask({ kind: 'custom', metric: 'queue_depth' }, 1)).toEqual({ null: [20] });
    expect(ask({ kind: 'custom', metric: 'queue_depth', groupBy: 'queue' }, 1)).toEqual({ a: [15], b: [5] });
  });

  it('reads a Prometheus counter as what happened in each minute', () => {
    ingest(
      series(
        'orders_created_total',
        { shop: 'x' },
        [
          [0, 100],
          [1, 130],
          [1.5, 150],
        ],
        { temporality: 'cumulative' },
      ),
    );
    expect(ask({ kind: 'custom', metric: 'orders_created_total' }, 2)).toEqual({ null: [NaN, 50] });
  });
});

describe('queryMetric validation', () => {
  function problems(query: Partial<MetricQuery>) {
    try {
      queryMetric(store, {
        kind: 'application',
        target: 'x',
        metric: 'JVM_FullGC',
        groupBy: null,
        fromMs: T0,
        toMs: T0 + MIN,
        ...query,
      });
    } catch (error) {
      return (error as AppError).fields;
    }
    return [];
  }

  it('names the metric field for a name the catalog lacks or of another kind', () => {
    expect(problems({ metric: 'JVM_Full_GC' })).toEqual([
      { field: 'metric', reason: expect.stringContaining('not a metric of the application catalog') },
    ]);
    expect(problems({ metric: 'PV' })).toEqual([
      { field: 'metric', reason: '"PV" is a browser metric, not application' },
    ]);
    expect(problems({ kind: 'custom', metric: 'bad name' })).toEqual([
      { field: 'metric', reason: expect.any(String) },
    ]);
  });

  it('names groupBy for a dimension the metric type lacks, and kind for prometheus', () => {
    expect(problems({ groupBy: 'interface' })).toEqual([
      { field: 'groupBy', reason: 'JVM_Monitoring is grouped by host, not "interface"' },
    ]);
    expect(problems({ kind: 'prometheus' as never })).toEqual([
      { field: 'kind', reason: expect.stringContaining('PromQL') },
    ]);
  });

  it('names filters and the range', () => {
    expect(problems({ filters: { 'bad-label': 'x' } })).toEqual([
      { field: 'filters.bad-label', reason: expect.any(String) },
    ]);
    expect(problems({ toMs: T0 })).toEqual([{ field: 'toMs', reason: 'must be after fromMs' }]);
    expect(problems({ toMs: T0 + 15 * 24 * 60 * MIN })).toEqual([
      { field: 'toMs', reason: 'the range must be at most 14 days' },
    ]);
  });
});

describe('aggregateMinutes', () => {
  const values = [3, NaN, 1, 8];
  it.each([
    ['avg', 4],
    ['sum', 12],
    ['max', 8],
    ['min', 1],
    ['count', 3],
  ] as const)('%s skips minutes without a value', (aggregation, expected) => {
    expect(aggregateMinutes(values, aggregation)).toBe(expected);
  });

  it('is NaN without any value, and a count of 0', () => {
    expect(aggregateMinutes([NaN], 'avg')).toBeNaN();
    expect(aggregateMinutes([], 'count')).toBe(0);
  });
});
