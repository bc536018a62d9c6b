// /api/v1/metrics over HTTP (buildApp + inject): the catalog, the query with filters, grouping, ranges
// and aggregation, the metric names and label values, each for a viewer token, with field-named errors.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js';
import { openTestMetricStore, type TestMetricStore } from '../../../test/metric-store-fixture.js';
import type { IngestSeries } from '../../domain/metric-series.js';
import { deriveCatalogBatch } from '../../metrics/catalog/derive.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';
import { AnswerBuffers } from './routes.js';

const VIEWER = 'tcs_viewer-token-for-metric-routes';
const INGEST = 'tcs_ingest-token-for-metric-routes';
const MIN = 60_000;
// Recent minutes, so the default 60-minute window ending now covers them.
const NOW = Math.floor(Date.now() / MIN) * MIN;
const T0 = NOW - 10 * MIN;

function raw(
  metric: string,
  labels: Record<string, string>,
  values: number[],
  target = 'order-service',
): IngestSeries {
  return {
    scope: 'custom',
    target,
    metric,
    labels,
    temporality: 'delta',
    timestampsMs: values.map((_, i) => T0 + i * MIN + 1000),
    values,
  };
}

describe('/api/v1/metrics', () => {
  let database: TestDatabase;
  let store: Store;
  let metrics: TestMetricStore;
  let app: FastifyInstance;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
    await store.apiTokens.create({ name: 'viewer', role: 'viewer', tokenHash: hashToken(VIEWER) });
    await store.apiTokens.create({ name: 'ingest', role: 'ingest', tokenHash: hashToken(INGEST) });
    metrics = openTestMetricStore(() => NOW);
    const series = [
      raw(
        'jvm_gc_collection_seconds_count',
        { gc: 'G1 Old Generation', instance: '10.0.0.7:9404' },
        [1, 2, 3],
      ),
      raw(
        'jvm_gc_collection_seconds_count',
        { gc: 'G1 Old Generation', instance: '10.0.0.8:9404' },
        [0, 0, 5],
      ),
      raw(
        'jvm_gc_collection_seconds_count',
        { gc: 'G1 Old Generation', instance: '10.0.0.9:9404' },
        [4],
        'pay-service',
      ),
      raw(
        'http_server_requests_seconds_count',
        { uri: '/api/orders', status: '200', instance: '10.0.0.7:8080' },
        [10],
      ),
    ];
    metrics.store.append([...series, ...deriveCatalogBatch(series)]);
    app = await buildApp({
      config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
      store,
      clock: { now: () => NOW },
      metricStore: metrics.store,
    });
  });

  afterEach(async () => {
    await app.close();
    metrics.close();
    await store.close();
    await database.drop();
  });

  async function get(url: string, token: string | null = VIEWER) {
    const response = await app.inject({
      method: 'GET',
      url,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.statusCode, body: response.json() };
  }

  it('documents its routes in the OpenAPI document', async () => {
    const { status, body } = await get('/api/openapi.json', null);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/metrics',
        '/api/v1/metrics/catalog',
        '/api/v1/metrics/query',
        '/api/v1/metrics/label-values',
      ]),
    );
    const parameters = body.paths['/api/v1/metrics/query'].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(parameters).toEqual(
      expect.arrayContaining(['kind', 'metric', 'filter', 'groupBy', 'from', 'to', 'window']),
    );
  });

  describe('GET /api/v1/metrics/catalog', () => {
    it('lists every metric type with zh and en names, units, dimensions, formulas and sources', async () => {
      const { status, body } = await get('/api/v1/metrics/catalog');
      expect(status).toBe(200);
      const jvm = body.metricTypes.find((t: { name: string }) => t.name === 'JVM_Monitoring');
      expect(jvm).toMatchObject({
        kind: 'application',
        zh: 'JVM 监控',
        en: 'JVM monitoring',
        dimensions: ['host'],
      });
      const fullGc = jvm.metrics.find((m: { name: string }) => m.name === 'JVM_FullGC');
      expect(fullGc).toMatchObject({
        unit: 'count',
        zh: 'FullGC 次数',
        en: 'Full GC count',
        pushTemporality: 'delta',
      });
      expect(fullGc.formulas[0]).toBe('Σ JVM_FullGC');
      const sources = fullGc.sources.map(
        (s: { family: string; metric: string }) => `${s.family} ${s.metric}`,
      );
      expect(sources).toEqual(
        expect.arrayContaining([
          'OpenTelemetry jvm.gc.duration_count',
          'JMX exporter jvm_gc_collection_seconds_count',
          'Micrometer jvm_gc_pause_seconds_count',
        ]),
      );
      expect(body.metricTypes.map((t: { name: string }) => t.name)).toContain('Page_Metric');
    });

    it('lists one kind only when asked', async () => {
      const { body } = await get('/api/v1/metrics/catalog?kind=browser');
      expect(new Set(body.metricTypes.map((t: { kind: string }) => t.kind))).toEqual(new Set(['browser']));
    });

    it('answers 401 without a token and 403 to an ingest-only token', async () => {
      expect((await get('/api/v1/metrics/catalog', null)).status).toBe(401);
      const forbidden = await get('/api/v1/metrics/catalog', INGEST);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('forbidden');
    });
  });

  describe('GET /api/v1/metrics/query', () => {
    it('answers per-minute values per host over the last hour by default, no value as null', async () => {
      const { status, body } = await get(
        '/api/v1/metrics/query?kind=application&target=order-service&metric=JVM_FullGC&groupBy=host',
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({
        kind: 'application',
        target: 'order-service',
        metric: 'JVM_FullGC',
        unit: 'count',
        groupBy: 'host',
        stepMs: MIN,
      });
      expect(body.toMs).toBe(NOW + MIN);
      expect(body.fromMs).toBe(NOW + MIN - 60 * MIN);
      const host7 = body.groups.find((g: { key: string }) => g.key === '10.0.0.7');
      expect(host7.values).toHaveLength(60);
      const offset = (T0 - body.fromMs) / MIN;
      expect(host7.values.slice(offset - 1, offset + 4)).toEqual([null, 1, 2, 3, null]);
      expect(host7.aggregate).toBeNull();
    });

    it('takes from and to as epoch ms or ISO, filters, and aggregates over the range', async () => {
      const from = new Date(T0).toISOString();
      const url = `/api/v1/metrics/query?kind=application&target=order-service&metric=JVM_FullGC&from=${from}&to=${T0 + 3 * MIN}&filter=host:10.0.0.7&aggregation=sum`;
      const { status, body } = await get(url);
      expect(status).toBe(200);
      expect(body.groups).toEqual([{ key: null, values: [1, 2, 3], aggregate: 6 }]);
    });

    it('answers only the aggregates with values=false', async () => {
      const query = `kind=application&target=order-service&metric=JVM_FullGC&from=${T0}&to=${T0 + 3 * MIN}&filter=host:10.0.0.7&aggregation=sum`;
      const { status, body } = await get(`/api/v1/metrics/query?${query}&values=false`);
      expect(status).toBe(200);
      expect(body.groups).toEqual([{ key: null, aggregate: 6 }]);
    });

    it('takes repeated filters and a window ending at to', async () => {
      const url = `/api/v1/metrics/query?kind=application&metric=Invocation_Count&to=${T0 + MIN}&window=2m&filter=host:10.0.0.7&filter=interface:/api/orders&aggregation=max`;
      const { body } = await get(url);
      expect(body.fromMs).toBe(T0 - MIN);
      expect(body.target).toBeNull();
      expect(body.groups).toEqual([{ key: null, values: [null, 10], aggregate: 10 }]);
    });

    it('adds every target up when no target is given', async () => {
      const url = `/api/v1/metrics/query?kind=application&metric=JVM_FullGC&from=${T0}&to=${T0 + MIN}`;
      expect((await get(url)).body.groups).toEqual([{ key: null, values: [5], aggregate: null }]);
    });

    it('refuses an unknown metric, a foreign dimension and prometheus with 400 naming the field', async () => {
      const unknown = await get('/api/v1/metrics/query?kind=application&metric=JVM_FullGCs');
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.code).toBe('invalid_request');
      expect(unknown.body.error.fields[0].field).toBe('metric');
      const dimension = await get(
        '/api/v1/metrics/query?kind=application&metric=JVM_FullGC&groupBy=interface',
      );
      expect(dimension.body.error.fields).toEqual([
        { field: 'groupBy', reason: 'JVM_Monitoring is grouped by host, not "interface"' },
      ]);
      const prometheus = await get('/api/v1/metrics/query?kind=prometheus&metric=up');
      expect(prometheus.body.error.fields[0]).toMatchObject({ field: 'kind' });
    });

    it('refuses bad filters, times and windows with 400 naming the parameter', async () => {
      const filter = await get('/api/v1/metrics/query?kind=application&metric=JVM_FullGC&filter=host');
      expect(filter.status).toBe(400);
      expect(filter.body.error.fields[0].field).toBe('filter');
      const from = await get('/api/v1/metrics/query?kind=application&metric=JVM_FullGC&from=yesterday');
      expect(from.body.error.fields[0].field).toBe('from');
      const order = await get(`/api/v1/metrics/query?kind=application&metric=JVM_FullGC&from=${T0}&to=${T0}`);
      expect(order.body.error.fields[0].field).toBe('to');
      const both = await get(`/api/v1/metrics/query?kind=application&metric=JVM_FullGC&from=${T0}&window=5m`);
      expect(both.body.error.fields[0].field).toBe('window');
      const long = await get('/api/v1/metrics/query?kind=application&metric=JVM_FullGC&window=30d');
      expect(long.body.error.fields[0].field).toBe('window');
      const missing = await get('/api/v1/metrics/query?kind=application');
      expect(missing.body.error.fields).toEqual([{ field: 'metric', reason: 'is required' }]);
    });
  });

  describe('GET /api/v1/metrics', () => {
    it('lists the stored metric names of a kind and target, paged', async () => {
      const first = await get('/api/v1/metrics?kind=application&target=order-service&limit=1');
      expect(first.status).toBe(200);
      expect(first.body.items).toEqual([
        {
          kind: 'application',
          target: 'order-service',
          metric: 'Invocation_Count',
          series: 1,
          labels: expect.arrayContaining(['host', 'interface']),
        },
      ]);
      const second = await get(
        `/api/v1/metrics?kind=application&target=order-service&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items.map((i: { metric: string }) => i.metric)).toEqual(['JVM_FullGC']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('finds raw names by part of the name, and refuses a cursor it did not give out', async () => {
      const { body } = await get('/api/v1/metrics?kind=custom&q=GC_COLLECTION');
      expect(body.items.map((i: { target: string }) => i.target)).toEqual(['order-service', 'pay-service']);
      const bad = await get('/api/v1/metrics?cursor=nonsense');
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields[0].field).toBe('cursor');
    });
  });

  describe('GET /api/v1/metrics/label-values', () => {
    it('lists the values of a catalog metric’s dimension from the stored series it reads', async () => {
      const { status, body } = await get(
        '/api/v1/metrics/label-values?kind=application&target=order-service&metric=JVM_FullGC&label=host',
      );
      expect(status).toBe(200);
      expect([...body.items].sort()).toEqual(['10.0.0.7', '10.0.0.8']);
      const rt = await get(
        '/api/v1/metrics/label-values?kind=application&metric=Invocation_RT&label=interface',
      );
      expect(rt.body.items).toEqual(['/api/orders']);
    });

    it('refuses a metric the catalog lacks with 400 naming metric', async () => {
      const { status, body } = await get(
        '/api/v1/metrics/label-values?kind=browser&metric=JVM_FullGC&label=host',
      );
      expect(status).toBe(400);
      expect(body.error.fields[0].field).toBe('metric');
    });
  });
});

describe('AnswerBuffers', () => {
  it('encodes each answer whole, reusing a buffer only once released', () => {
    const buffers = new AnswerBuffers(1);
    const first = buffers.encode('{"key":"héllo wörld €"}');
    expect(first.bytes.toString('utf8')).toBe('{"key":"héllo wörld €"}');
    const second = buffers.encode('x'.repeat(10));
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    first.release();
    first.release();
    const third = buffers.encode('short');
    expect(third.bytes.buffer).toBe(first.bytes.buffer);
    expect(third.bytes.toString('utf8')).toBe('short');
    third.release();
    // Longer than the kept buffer, with multi-byte characters at its end: a bigger buffer, all of it.
    const long = `${'a'.repeat(40)}€€€€`;
    const fourth = buffers.encode(long);
    expect(fourth.bytes.toString('utf8')).toBe(long);
    expect(fourth.bytes.length).toBe(Buffer.byteLength(long));
  });
});
