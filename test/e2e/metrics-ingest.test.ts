// Metrics in from the real senders: the OpenTelemetry JS SDK's OTLP exporters (protobuf with gzip, and
// JSON) and the real Prometheus server scraping a target and remote-writing to Tocsin. Each checks that
// what was sent comes back from /api/v1/metrics/query, raw and as the ARMS catalog metrics derived from it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusInstalled, startPrometheus, type RunningPrometheus } from '../prometheus-server.js';
import { startTestService, type TestService } from '../service.js';

type Compression = NonNullable<ConstructorParameters<typeof OtlpProtoExporter>[0]>['compression'];

let service: TestService;
let ingestToken: string;

beforeAll(async () => {
  service = await startTestService('sqlite');
  const created = await service.api('POST', '/api/v1/api-tokens', { name: 'senders', role: 'ingest' });
  expect(created.status).toBe(201);
  ingestToken = created.body.token as string;
}, 60_000);

afterAll(async () => {
  await service?.stop();
});

interface QueryAnswer {
  groups: { key: string | null; values: (number | null)[]; aggregate: number | null }[];
}

async function query(params: Record<string, string>): Promise<QueryAnswer> {
  const answer = await service.api('GET', `/api/v1/metrics/query?${new URLSearchParams(params).toString()}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as QueryAnswer;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Records JVM GC runs through the SDK the way the Java agent reports them, and exports twice. */
async function sendJvmGcThroughSdk(application: string, exporter: PushMetricExporter): Promise<void> {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': application, 'host.name': '10.0.0.7' }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const meter = provider.getMeter('io.opentelemetry.runtime-telemetry-java17');
  const gc = meter.createHistogram('jvm.gc.duration', { unit: 's' });
  const threads = meter.createUpDownCounter('jvm.thread.count');
  const major = { 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' };
  const minor = { 'jvm.gc.name': 'G1 Young Generation', 'jvm.gc.action': 'end of minor GC' };
  for (let i = 0; i < 3; i++) gc.record(0.2, major);
  for (let i = 0; i < 5; i++) gc.record(0.01, minor);
  threads.add(42);
  await provider.forceFlush();
  // The second export is cumulative: 5 major runs in all, so 2 more since the first.
  gc.record(0.3, major);
  gc.record(0.3, major);
  await provider.forceFlush();
  await provider.shutdown();
}

function windowParams(metric: string, target: string, aggregation: string): Record<string, string> {
  return { kind: 'application', target, metric, groupBy: 'host', window: '10m', aggregation };
}

describe('the OpenTelemetry SDK sends to /v1/metrics', () => {
  const cases: { name: string; application: string; exporter: () => PushMetricExporter }[] = [
    {
      name: 'OTLP protobuf with gzip',
      application: 'order-service-proto',
      exporter: () =>
        new OtlpProtoExporter({
          url: `${service.url}/v1/metrics`,
          headers: { authorization: `Bearer ${ingestToken}` },
          compression: 'gzip' as Compression,
        }),
    },
    {
      name: 'OTLP JSON',
      application: 'order-service-json',
      exporter: () =>
        new OtlpHttpJsonExporter({
          url: `${service.url}/v1/metrics`,
          headers: { authorization: `Bearer ${ingestToken}` },
        }),
    },
  ];

  for (const { name, application, exporter } of cases) {
    it(`${name}: JVM GC counts and times per host, cumulative turned into per-minute deltas`, async () => {
      await sendJvmGcThroughSdk(application, exporter());
      const fullGc = await query(windowParams('JVM_FullGC', application, 'sum'));
      expect(fullGc.groups.map((g) => [g.key, g.aggregate])).toEqual([['10.0.0.7', 5]]);
      const youngGc = await query(windowParams('JVM_YoungGC', application, 'sum'));
      expect(youngGc.groups.map((g) => [g.key, g.aggregate])).toEqual([['10.0.0.7', 5]]);
      const fullGcTime = await query(windowParams('JVM_FullGC_Time', application, 'sum'));
      expect(fullGcTime.groups[0]!.aggregate).toBeCloseTo(3 * 200 + 2 * 300, 6);
      const threads = await query(windowParams('JVM_ThreadCount', application, 'max'));
      expect(threads.groups[0]!.aggregate).toBe(42);
      // The raw OpenTelemetry metric is there too, for custom policies.
      const raw = await service.api('GET', `/api/v1/metrics?kind=custom&target=${application}`);
      expect(raw.body.items.map((m: { metric: string }) => m.metric)).toEqual(
        expect.arrayContaining(['jvm.gc.duration_count', 'jvm.gc.duration_sum']),
      );
    });
  }

  it('refuses a sender without an ingest token, and a viewer token', async () => {
    const viewer = await service.api('POST', '/api/v1/api-tokens', { name: 'reader', role: 'viewer' });
    for (const token of [null, viewer.body.token as string]) {
      const response = await fetch(`${service.url}/v1/metrics`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: '{"resourceMetrics":[]}',
      });
      expect(response.status).toBe(token ? 403 : 401);
    }
  });
});

describe.skipIf(!prometheusInstalled())('the real Prometheus remote-writes to /api/v1/write', () => {
  let target: Server;
  let prometheus: RunningPrometheus;
  let scrapes = 0;

  beforeAll(async () => {
    // A JMX-exporter-like target: a full GC every scrape, and a gauge.
    target = createServer((_request, response) => {
      scrapes++;
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(
        [
          '# TYPE jvm_gc_collection_seconds summary',
          `jvm_gc_collection_seconds_count{gc="PS MarkSweep"} ${scrapes}`,
          `jvm_gc_collection_seconds_sum{gc="PS MarkSweep"} ${scrapes * 0.25}`,
          '# TYPE queue_depth gauge',
          'queue_depth{queue="orders"} 42',
          '',
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus({
      config: [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: order-service',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        'remote_write:',
        `  - url: ${service.url}/api/v1/write`,
        '    authorization:',
        `      credentials: ${ingestToken}`,
        '    queue_config:',
        '      batch_send_deadline: 1s',
        '    metadata_config:',
        '      send_interval: 1s',
        '',
      ].join('\n'),
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('stores the scraped series under the job as target, and derives JVM_FullGC per host', async () => {
    const depth = await eventually(
      () =>
        query({
          kind: 'custom',
          target: 'order-service',
          metric: 'queue_depth',
          groupBy: 'queue',
          window: '5m',
          aggregation: 'max',
        }),
      (answer) => answer.groups.length > 0,
      'queue_depth from Prometheus',
    );
    expect(depth.groups.map((g) => [g.key, g.aggregate])).toEqual([['orders', 42]]);

    // One full GC per scrape: once a few scrapes have gone by, the minute sums count them.
    const fullGc = await eventually(
      () => query(windowParams('JVM_FullGC', 'order-service', 'sum')),
      (answer) => (answer.groups[0]?.aggregate ?? 0) >= 3,
      'JVM_FullGC from jvm_gc_collection_seconds_count',
    );
    expect(fullGc.groups.map((g) => g.key)).toEqual(['127.0.0.1']);
    const time = await query(windowParams('JVM_FullGC_Time', 'order-service', 'sum'));
    const runs = fullGc.groups[0]!.aggregate!;
    // 250 ms per run; the two queries may be a scrape apart.
    expect(time.groups[0]!.aggregate!).toBeGreaterThanOrEqual(runs * 250 - 1e-6);
    expect(time.groups[0]!.aggregate!).toBeLessThanOrEqual((runs + 3) * 250 + 1e-6);
  }, 60_000);
});
