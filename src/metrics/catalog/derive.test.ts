// Deriving ARMS series from raw OpenTelemetry and Prometheus series: which stored names, which
// dimensions, which units, and that distinct source streams stay distinct series.
import { describe, expect, it } from 'vitest';
import type { IngestSeries, SeriesTemporality } from '../../domain/metric-series.js';
import { hostOf, withoutPort } from './derived-series.js';
import { deriveCatalogBatch, deriveCatalogSeries } from './derive.js';
import { gcKind } from './gc-collectors.js';

const T = Date.parse('2025-01-01T00:00:00Z');

function raw(
  metric: string,
  labels: Record<string, string>,
  values: number[] = [2],
  options: { temporality?: SeriesTemporality; unit?: string; target?: string } = {},
): IngestSeries {
  return {
    scope: 'custom',
    target: options.target ?? 'order-service',
    metric,
    labels,
    temporality: options.temporality ?? 'cumulative',
    ...(options.unit !== undefined && { unit: options.unit }),
    timestampsMs: values.map((_, i) => T + i * 15_000),
    values,
  };
}

/** The derived series as `metric {dimension labels}` → values, for short assertions. */
function derived(series: IngestSeries, dimensions: string[] = ['host']) {
  return deriveCatalogSeries(series).map((s) => ({
    metric: s.metric,
    dims: Object.fromEntries(
      dimensions.filter((d) => s.labels[d] !== undefined).map((d) => [d, s.labels[d]]),
    ),
    values: [...s.values],
    temporality: s.temporality,
  }));
}

describe('deriveCatalogSeries', () => {
  it('derives nothing from series no rule reads, nor from series that already are ARMS series', () => {
    expect(deriveCatalogSeries(raw('orders_created_total', { host: 'a' }))).toEqual([]);
    const pushed = {
      ...raw('jvm.gc.duration_count', { 'jvm.gc.action': 'end of major GC' }),
      scope: 'application' as const,
    };
    expect(deriveCatalogSeries(pushed)).toEqual([]);
  });

  describe('OpenTelemetry jvm.gc.duration', () => {
    it('counts "end of major GC" as full GC and "end of minor GC" as young GC, per host', () => {
      const labels = {
        host: '10.0.0.7',
        'jvm.gc.name': 'G1 Old Generation',
        'jvm.gc.action': 'end of major GC',
      };
      expect(derived(raw('jvm.gc.duration_count', labels, [3]))).toEqual([
        { metric: 'JVM_FullGC', dims: { host: '10.0.0.7' }, values: [3], temporality: 'cumulative' },
      ]);
      const young = {
        host: '10.0.0.7',
        'jvm.gc.name': 'G1 Young Generation',
        'jvm.gc.action': 'end of minor GC',
      };
      expect(derived(raw('jvm.gc.duration_count', young, [40]))[0]!.metric).toBe('JVM_YoungGC');
    });

    it('turns the seconds of jvm.gc.duration_sum into milliseconds, or keeps a declared ms unit', () => {
      const labels = { host: 'h', 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' };
      expect(derived(raw('jvm.gc.duration_sum', labels, [0.25, 1.5]))).toEqual([
        { metric: 'JVM_FullGC_Time', dims: { host: 'h' }, values: [250, 1500], temporality: 'cumulative' },
      ]);
      expect(derived(raw('jvm.gc.duration_sum', labels, [250], { unit: 'ms' }))[0]!.values).toEqual([250]);
      const young = { host: 'h', 'jvm.gc.name': 'PS Scavenge' };
      expect(derived(raw('jvm.gc.duration_sum', young, [0.5], { unit: 's' }))).toMatchObject([
        { metric: 'JVM_YoungGC_Time', values: [500] },
      ]);
    });

    it.each([
      ['G1 Old Generation', 'full'],
      ['PS MarkSweep', 'full'],
      ['MarkSweepCompact', 'full'],
      ['ConcurrentMarkSweep', 'full'],
      ['ZGC Cycles', 'full'],
      ['ZGC Major Cycles', 'full'],
      ['Shenandoah Cycles', 'full'],
      ['G1 Young Generation', 'young'],
      ['PS Scavenge', 'young'],
      ['Copy', 'young'],
      ['ParNew', 'young'],
      ['ZGC Minor Cycles', 'young'],
      ['ZGC Pauses', 'none'],
      ['Shenandoah Pauses', 'none'],
      ['G1 Concurrent GC', 'none'],
      ['Epsilon', 'none'],
    ] as const)('classifies the collector %s without an action as %s', (collector, kind) => {
      expect(gcKind(collector, undefined)).toBe(kind);
      const out = deriveCatalogSeries(raw('jvm.gc.duration_count', { 'jvm.gc.name': collector }));
      expect(out.map((s) => s.metric)).toEqual(
        kind === 'none' ? [] : [kind === 'full' ? 'JVM_FullGC' : 'JVM_YoungGC'],
      );
    });

    it('lets the action decide over the collector name, and ignores actions it does not know', () => {
      expect(gcKind('Some Future GC', 'end of major GC')).toBe('full');
      expect(gcKind('ZGC Pauses', 'end of GC pause')).toBe('none');
      expect(gcKind('ZGC Cycles', 'end of GC cycle')).toBe('full');
    });
  });

  it('splits jvm.memory.used into heap and non-heap, and reads jvm.thread.count, keeping each pool a series', () => {
    const eden = raw(
      'jvm.memory.used',
      { host: 'h', 'jvm.memory.type': 'heap', 'jvm.memory.pool.name': 'G1 Eden Space' },
      [1e8],
      { temporality: 'gauge' },
    );
    const meta = raw(
      'jvm.memory.used',
      { host: 'h', 'jvm.memory.type': 'non_heap', 'jvm.memory.pool.name': 'Metaspace' },
      [5e7],
      { temporality: 'gauge' },
    );
    expect(deriveCatalogSeries(eden)).toMatchObject([
      {
        scope: 'application',
        target: 'order-service',
        metric: 'JVM_Heap_Used',
        temporality: 'gauge',
        labels: { host: 'h', 'jvm.memory.pool.name': 'G1 Eden Space' },
      },
    ]);
    expect(deriveCatalogSeries(meta)[0]!.metric).toBe('JVM_NonHeap_Used');
    expect(
      derived(
        raw('jvm.thread.count', { host: 'h', 'jvm.thread.daemon': 'true' }, [12], { temporality: 'gauge' }),
      ),
    ).toEqual([{ metric: 'JVM_ThreadCount', dims: { host: 'h' }, values: [12], temporality: 'gauge' }]);
  });

  describe('OpenTelemetry calls', () => {
    const dims = ['host', 'interface', 'invocation_type', 'exception', 'database'];

    it('reads http.server.request.duration as calls served by http.route, errors at status ≥ 500', () => {
      const ok = {
        host: 'h',
        'http.route': '/api/orders',
        'http.request.method': 'GET',
        'http.response.status_code': '200',
      };
      expect(derived(raw('http.server.request.duration_count', ok, [10]), dims)).toEqual([
        {
          metric: 'Invocation_Count',
          dims: { host: 'h', interface: '/api/orders', invocation_type: 'HTTP' },
          values: [10],
          temporality: 'cumulative',
        },
      ]);
      const failed = { ...ok, 'http.response.status_code': '503', 'error.type': '503' };
      expect(derived(raw('http.server.request.duration_count', failed), dims).map((s) => s.metric)).toEqual([
        'Invocation_Count',
        'Invocation_Error_Count',
      ]);
      const notFound = { ...ok, 'http.response.status_code': '404' };
      expect(derived(raw('http.server.request.duration_count', notFound), dims).map((s) => s.metric)).toEqual(
        ['Invocation_Count'],
      );
      expect(derived(raw('http.server.request.duration_sum', ok, [0.12]), dims)).toMatchObject([
        { metric: 'Invocation_Time', values: [120] },
      ]);
    });

    it('counts an exception class in error.type as Exception_Count by interface and exception', () => {
      const labels = {
        host: 'h',
        'http.route': '/pay',
        'http.response.status_code': '500',
        'error.type': 'java.net.SocketTimeoutException',
      };
      expect(derived(raw('http.server.request.duration_count', labels, [2]), dims)).toEqual([
        {
          metric: 'Invocation_Count',
          dims: { host: 'h', interface: '/pay', invocation_type: 'HTTP' },
          values: [2],
          temporality: 'cumulative',
        },
        {
          metric: 'Invocation_Error_Count',
          dims: { host: 'h', interface: '/pay', invocation_type: 'HTTP' },
          values: [2],
          temporality: 'cumulative',
        },
        {
          metric: 'Exception_Count',
          dims: {
            host: 'h',
            interface: '/pay',
            invocation_type: 'HTTP',
            exception: 'java.net.SocketTimeoutException',
          },
          values: [2],
          temporality: 'cumulative',
        },
      ]);
    });

    it('names requests no route matched UNKNOWN, as Micrometer does', () => {
      expect(
        deriveCatalogSeries(
          raw('http.server.request.duration_count', { 'http.response.status_code': '404' }),
        )[0]!.labels.interface,
      ).toBe('UNKNOWN');
    });

    it('reads the older http.server.duration in milliseconds', () => {
      expect(derived(raw('http.server.duration_sum', { 'http.route': '/a' }, [120]), dims)).toMatchObject([
        { metric: 'Invocation_Time', values: [120] },
      ]);
    });

    it('reads Dubbo and gRPC servers and clients by rpc.system, RPC durations in ms', () => {
      const dubbo = {
        host: 'h',
        'rpc.system': 'apache_dubbo',
        'rpc.service': 'com.shop.OrderService',
        'rpc.method': 'create',
      };
      expect(derived(raw('rpc.server.duration_count', dubbo), dims)[0]!.dims).toEqual({
        host: 'h',
        interface: 'com.shop.OrderService/create',
        invocation_type: 'Dubbo',
      });
      expect(derived(raw('rpc.server.duration_sum', dubbo, [35]), dims)[0]).toMatchObject({
        metric: 'Invocation_Time',
        values: [35],
      });
      const grpcClient = {
        'rpc.system': 'grpc',
        'rpc.service': 'inventory.Stock',
        'rpc.method': 'Reserve',
        'rpc.grpc.status_code': '14',
      };
      expect(derived(raw('rpc.client.duration_count', grpcClient), dims)).toMatchObject([
        { metric: 'Invocation_Out_Count', dims: { invocation_type: 'gRPC_Client' } },
        { metric: 'Invocation_Out_Error_Count', dims: { invocation_type: 'gRPC_Client' } },
      ]);
      const notFound = { ...grpcClient, 'rpc.grpc.status_code': '5' };
      expect(derived(raw('rpc.server.duration_count', notFound), dims).map((s) => s.metric)).toEqual([
        'Invocation_Count',
      ]);
    });

    it('reads db.client.operation.duration by database, its type named like MySQL', () => {
      const labels = {
        host: 'h',
        'db.system.name': 'mysql',
        'db.namespace': 'orders',
        'db.operation.name': 'SELECT',
      };
      expect(derived(raw('db.client.operation.duration_count', labels, [7]), dims)).toEqual([
        {
          metric: 'Database_Count',
          dims: { host: 'h', database: 'mysql/orders', invocation_type: 'MySQL' },
          values: [7],
          temporality: 'cumulative',
        },
      ]);
      const failed = { ...labels, 'error.type': 'java.sql.SQLTimeoutException' };
      expect(derived(raw('db.client.operation.duration_count', failed), dims).map((s) => s.metric)).toEqual([
        'Database_Count',
        'Database_Error_Count',
      ]);
      expect(
        derived(raw('db.client.operation.duration_sum', { 'db.system': 'redis' }, [0.002]), dims),
      ).toMatchObject([
        { metric: 'Database_Time', dims: { database: 'redis', invocation_type: 'Redis' }, values: [2] },
      ]);
    });
  });

  describe('OpenTelemetry host metrics', () => {
    const gauge = { temporality: 'gauge' as const };

    it('reads system.cpu.utilization as busy (every state but idle) and total', () => {
      expect(
        derived(raw('system.cpu.utilization', { host: 'h', cpu: '0', state: 'user' }, [0.3], gauge)).map(
          (s) => s.metric,
        ),
      ).toEqual(['Host_CPU_Total', 'Host_CPU_Busy']);
      expect(
        derived(raw('system.cpu.utilization', { host: 'h', cpu: '0', state: 'idle' }, [0.7], gauge)).map(
          (s) => s.metric,
        ),
      ).toEqual(['Host_CPU_Total']);
      expect(
        derived(raw('system.cpu.time', { host: 'h', 'cpu.mode': 'system' })).map((s) => s.metric),
      ).toEqual(['Host_CPU_Total_Seconds', 'Host_CPU_Busy_Seconds']);
    });

    it('keeps only the free state of memory and filesystems, and no tmpfs', () => {
      expect(derived(raw('system.memory.usage', { host: 'h', state: 'free' }, [1e9], gauge))).toMatchObject([
        { metric: 'Host_Memory_Free' },
      ]);
      expect(derived(raw('system.memory.usage', { host: 'h', state: 'used' }, [1e9], gauge))).toEqual([]);
      expect(
        derived(
          raw(
            'system.filesystem.usage',
            { host: 'h', state: 'free', type: 'ext4', mountpoint: '/' },
            [5e9],
            gauge,
          ),
        ),
      ).toMatchObject([{ metric: 'Host_Disk_Free' }]);
      expect(
        derived(raw('system.filesystem.usage', { host: 'h', state: 'free', type: 'tmpfs' }, [5e9], gauge)),
      ).toEqual([]);
    });

    it('reads the 1-minute load and network errors', () => {
      expect(derived(raw('system.cpu.load_average.1m', { host: 'h' }, [1.5], gauge))).toMatchObject([
        { metric: 'Host_Load1', values: [1.5] },
      ]);
      expect(
        derived(raw('system.network.errors', { host: 'h', device: 'eth0', direction: 'receive' })),
      ).toMatchObject([{ metric: 'Host_Network_Errors', temporality: 'cumulative' }]);
    });
  });

  describe('Prometheus exporters', () => {
    const prom = (
      metric: string,
      labels: Record<string, string>,
      values: number[] = [1],
      temporality: SeriesTemporality = 'cumulative',
    ) => raw(metric, { job: 'order-service', ...labels }, values, { temporality });

    it('reads JMX exporter GC counters by collector name, host from instance without its port', () => {
      expect(
        derived(
          prom('jvm_gc_collection_seconds_count', { gc: 'PS MarkSweep', instance: '10.0.0.7:9404' }, [4]),
        ),
      ).toEqual([
        { metric: 'JVM_FullGC', dims: { host: '10.0.0.7' }, values: [4], temporality: 'cumulative' },
      ]);
      expect(
        derived(prom('jvm_gc_collection_seconds_sum', { gc: 'PS Scavenge', instance: 'app-1:9404' }, [1.25])),
      ).toEqual([
        { metric: 'JVM_YoungGC_Time', dims: { host: 'app-1' }, values: [1250], temporality: 'cumulative' },
      ]);
    });

    it('reads a counter the decoder took for a gauge (no remote-write metadata) as cumulative', () => {
      const [series] = deriveCatalogSeries(
        prom('jvm_gc_collection_seconds_count', { gc: 'Copy' }, [1], 'gauge'),
      );
      expect(series!.temporality).toBe('cumulative');
    });

    it('reads Micrometer GC pauses by action, and ZGC cycles from the concurrent phase time', () => {
      const pause = {
        action: 'end of minor GC',
        cause: 'G1 Evacuation Pause',
        gc: 'G1 Young Generation',
        instance: 'h:8080',
      };
      expect(derived(prom('jvm_gc_pause_seconds_sum', pause, [0.02]))).toEqual([
        { metric: 'JVM_YoungGC_Time', dims: { host: 'h' }, values: [20], temporality: 'cumulative' },
      ]);
      const cycle = {
        action: 'end of GC cycle',
        cause: 'Allocation Rate',
        gc: 'ZGC Cycles',
        instance: 'h:8080',
      };
      expect(derived(prom('jvm_gc_concurrent_phase_time_seconds_count', cycle))[0]!.metric).toBe(
        'JVM_FullGC',
      );
      const cms = {
        action: 'end of major GC',
        cause: 'No GC',
        gc: 'ConcurrentMarkSweep',
        instance: 'h:8080',
      };
      expect(derived(prom('jvm_gc_concurrent_phase_time_seconds_count', cms))).toEqual([]);
    });

    it('reads JMX exporter and Micrometer memory by area and their thread gauges', () => {
      expect(
        derived(prom('jvm_memory_bytes_used', { area: 'heap', instance: 'h:1' }, [1], 'gauge'))[0]!.metric,
      ).toBe('JVM_Heap_Used');
      expect(
        derived(
          prom('jvm_memory_used_bytes', { area: 'nonheap', id: 'Metaspace', instance: 'h:1' }, [1], 'gauge'),
        )[0]!.metric,
      ).toBe('JVM_NonHeap_Used');
      expect(derived(prom('jvm_threads_current', { instance: 'h:1' }, [30], 'gauge'))[0]!.metric).toBe(
        'JVM_ThreadCount',
      );
      expect(derived(prom('jvm_threads_live_threads', { instance: 'h:1' }, [30], 'gauge'))[0]!.metric).toBe(
        'JVM_ThreadCount',
      );
    });

    it('reads Micrometer http_server_requests by uri, errors by status, outcome or exception', () => {
      const dims = ['host', 'interface', 'invocation_type', 'exception'];
      const labels = {
        uri: '/api/orders',
        status: '200',
        outcome: 'SUCCESS',
        exception: 'None',
        method: 'GET',
        instance: 'h:8080',
      };
      expect(derived(prom('http_server_requests_seconds_count', labels, [9]), dims)).toEqual([
        {
          metric: 'Invocation_Count',
          dims: { host: 'h', interface: '/api/orders', invocation_type: 'HTTP' },
          values: [9],
          temporality: 'cumulative',
        },
      ]);
      const failed = {
        ...labels,
        status: '500',
        outcome: 'SERVER_ERROR',
        exception: 'IllegalStateException',
      };
      expect(
        derived(prom('http_server_requests_seconds_count', failed), dims).map((s) => [
          s.metric,
          s.dims.exception,
        ]),
      ).toEqual([
        ['Invocation_Count', undefined],
        ['Invocation_Error_Count', undefined],
        ['Exception_Count', 'IllegalStateException'],
      ]);
      expect(derived(prom('http_server_requests_seconds_sum', labels, [0.9]), dims)[0]).toMatchObject({
        metric: 'Invocation_Time',
        values: [900],
      });
    });

    it('reads node exporter CPU seconds as busy (every mode but idle) and total', () => {
      expect(
        derived(prom('node_cpu_seconds_total', { cpu: '0', mode: 'idle', instance: 'h:9100' })).map(
          (s) => s.metric,
        ),
      ).toEqual(['Host_CPU_Total_Seconds']);
      expect(
        derived(prom('node_cpu_seconds_total', { cpu: '0', mode: 'iowait', instance: 'h:9100' })).map(
          (s) => s.metric,
        ),
      ).toEqual(['Host_CPU_Total_Seconds', 'Host_CPU_Busy_Seconds']);
    });

    it('reads node exporter memory, filesystems (no tmpfs), load and network errors', () => {
      const host = { instance: 'h:9100' };
      expect(derived(prom('node_memory_MemAvailable_bytes', host, [1], 'gauge'))[0]!.metric).toBe(
        'Host_Memory_Free',
      );
      expect(derived(prom('node_memory_MemFree_bytes', host, [1], 'gauge'))[0]!.metric).toBe(
        'Host_Memory_MemFree',
      );
      expect(
        derived(
          prom('node_filesystem_avail_bytes', { ...host, fstype: 'xfs', mountpoint: '/' }, [1], 'gauge'),
        )[0]!.metric,
      ).toBe('Host_Disk_Free');
      expect(
        derived(
          prom('node_filesystem_avail_bytes', { ...host, fstype: 'tmpfs', mountpoint: '/run' }, [1], 'gauge'),
        ),
      ).toEqual([]);
      expect(derived(prom('node_load1', host, [0.5], 'gauge'))[0]!.metric).toBe('Host_Load1');
    });

    it('keeps the receive and transmit error counters of one device apart', () => {
      const labels = { device: 'eth0', instance: 'h:9100' };
      const [receive] = deriveCatalogSeries(prom('node_network_receive_errs_total', labels));
      const [transmit] = deriveCatalogSeries(prom('node_network_transmit_errs_total', labels));
      expect(receive!.metric).toBe('Host_Network_Errors');
      expect(transmit!.metric).toBe('Host_Network_Errors');
      expect(receive!.labels).not.toEqual(transmit!.labels);
    });
  });

  it('keeps every raw label so distinct source streams stay distinct series', () => {
    const a = raw('http.server.request.duration_count', {
      host: 'h',
      'http.route': '/a',
      'http.request.method': 'GET',
    });
    const b = raw('http.server.request.duration_count', {
      host: 'h',
      'http.route': '/a',
      'http.request.method': 'POST',
    });
    const [da] = deriveCatalogSeries(a);
    const [db] = deriveCatalogSeries(b);
    expect(da!.labels).toMatchObject(a.labels);
    expect(da!.labels).not.toEqual(db!.labels);
  });

  it('keeps a raw label a dimension overwrites as source_<name>', () => {
    const [series] = deriveCatalogSeries(
      raw('http.server.request.duration_count', { interface: 'eth0', 'http.route': '/a' }),
    );
    expect(series!.labels).toMatchObject({ interface: '/a', source_interface: 'eth0' });
  });

  it('derives a 10,000-series remote-write batch quickly, looking most names up only', () => {
    const batch: IngestSeries[] = [];
    for (let i = 0; i < 10_000; i++) {
      const known = i % 10 === 0;
      batch.push(
        known
          ? raw('http_server_requests_seconds_count', {
              uri: `/r${i % 100}`,
              status: '200',
              instance: `h${i % 50}:8080`,
            })
          : raw(`app_metric_${i % 300}_total`, { instance: `h${i % 50}:8080`, path: `/p${i}` }),
      );
    }
    const started = performance.now();
    const out = deriveCatalogBatch(batch);
    const elapsed = performance.now() - started;
    expect(out).toHaveLength(1000);
    expect(elapsed).toBeLessThan(250);
  });
});

describe('hostOf', () => {
  it('takes host, then hostname, then instance without its port, then host.name', () => {
    expect(hostOf({ host: 'a', hostname: 'b', instance: 'c:1' })).toBe('a');
    expect(hostOf({ hostname: 'b', instance: 'c:1' })).toBe('b');
    expect(hostOf({ instance: '10.0.0.7:9100' })).toBe('10.0.0.7');
    expect(hostOf({ 'host.name': 'd' })).toBe('d');
    expect(hostOf({ job: 'x' })).toBeUndefined();
  });

  it('strips the port of bracketed IPv6 instances and leaves bare addresses alone', () => {
    expect(withoutPort('[::1]:9100')).toBe('::1');
    expect(withoutPort('fe80::1')).toBe('fe80::1');
    expect(withoutPort('node-1')).toBe('node-1');
  });
});
