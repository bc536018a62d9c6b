// The Prometheus data source against the real Prometheus (Debian package) scraping a target this test
// serves: the series and per-minute values a policy reads, Prometheus's own errors for bad PromQL, and
// `:test`, `:query` and `tocsin datasources test` through the running service.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { DataSourceError } from '../../src/datasources/datasource-error.js';
import { prometheusDataSource, queryPrometheusRange } from '../../src/datasources/prometheus.js';
import { alertPolicyInputSchema, type AlertPolicy } from '../../src/domain/alert-policy.js';
import type { Datasource } from '../../src/domain/datasource.js';
import {
  freePort,
  PROMETHEUS_BINARY,
  prometheusInstalled,
  startPrometheus,
  type RunningPrometheus,
} from '../prometheus-server.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const MIN = 60_000;

/** The end of the minute in progress: the only minute boundary a Prometheus started seconds ago has data at. */
function endOfThisMinute(): number {
  return Math.ceil((Date.now() + 1) / MIN) * MIN;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within 15 s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!prometheusInstalled())(
  `the real Prometheus as a data source (skipped without ${PROMETHEUS_BINARY}: apt-get install prometheus)`,
  () => {
    let target: Server;
    let instance: string;
    let prometheus: RunningPrometheus;
    let source: Datasource;

    beforeAll(async () => {
      target = createServer((_request, response) => {
        response.setHeader('content-type', 'text/plain; version=0.0.4');
        response.end(
          [
            '# TYPE app_queue_depth gauge',
            'app_queue_depth{queue="orders"} 5',
            'app_queue_depth{queue="payments"} 50',
            '',
          ].join('\n'),
        );
      });
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
      instance = `127.0.0.1:${(target.address() as AddressInfo).port}`;
      prometheus = await startPrometheus({
        config: [
          'global:',
          '  scrape_interval: 1s',
          'scrape_configs:',
          '  - job_name: app',
          '    static_configs:',
          `      - targets: ['${instance}']`,
          '',
        ].join('\n'),
      });
      source = {
        id: 'd1',
        name: 'prom',
        type: 'prometheus',
        url: prometheus.url,
        basicAuth: null,
        bearerToken: null,
        timeoutSeconds: 10,
        createdAt: 0,
        updatedAt: 0,
      };
      // Both series scraped at least once.
      await eventually(
        async () => {
          const toMs = endOfThisMinute();
          return queryPrometheusRange(source, 'app_queue_depth', { fromMs: toMs - MIN, toMs });
        },
        (series) => series.length === 2,
        'the first scrape',
      );
    }, 60_000);

    afterAll(async () => {
      await prometheus?.stop();
      await new Promise((resolve) => target?.close(resolve));
    });

    function policy(expr: string): AlertPolicy {
      const input = alertPolicyInputSchema.parse({
        name: 'queues too deep',
        kind: 'prometheus',
        datasourceId: 'd1',
        expr,
        rules: { conditions: [{ windowMinutes: 5, comparator: 'gt', threshold: 10 }] },
        notification: { channels: ['dingtalk'], contactGroupIds: ['g1'] },
      });
      return { ...input, id: 'p1', createdAt: 0, updatedAt: 0 };
    }

    async function fetchWindow(expr: string) {
      const data = prometheusDataSource({ lookup: (id) => Promise.resolve(id === 'd1' ? source : null) });
      const watched = policy(expr);
      const toMs = endOfThisMinute();
      const series = await data.fetchWindow({
        policy: watched,
        condition: watched.rules.conditions[0]!,
        fromMs: toMs - 5 * MIN,
        toMs,
      });
      return series.map((s) => ({ key: s.key, labels: s.labels, values: [...s.values] }));
    }

    /** Prometheus has data for the last minute or two only: earlier minutes are empty, later ones `value`. */
    function expectMinutes(values: number[], value: number) {
      expect(values).toHaveLength(5);
      expect(values.at(-1)).toBe(value);
      for (const v of values) expect(Number.isNaN(v) || v === value).toBe(true);
    }

    it('answers the series over the threshold with all their labels and a value per minute', async () => {
      const series = await fetchWindow('app_queue_depth > 10');
      expect(series).toHaveLength(1);
      expect(series[0]!.key).toBe(`{instance="${instance}",job="app",queue="payments"}`);
      expect(series[0]!.labels).toEqual({
        __name__: 'app_queue_depth',
        instance,
        job: 'app',
        queue: 'payments',
      });
      expectMinutes(series[0]!.values, 50);
    });

    it('answers one series per group of an aggregation', async () => {
      const series = await fetchWindow('sum by (queue) (app_queue_depth)');
      expect(series.map((s) => ({ key: s.key, labels: s.labels }))).toEqual([
        { key: '{queue="orders"}', labels: { queue: 'orders' } },
        { key: '{queue="payments"}', labels: { queue: 'payments' } },
      ]);
      expectMinutes(series[0]!.values, 5);
      expectMinutes(series[1]!.values, 50);
    });

    it("quotes bad PromQL with Prometheus's own error, and an expression that fails on the server", async () => {
      const bad = await fetchWindow('app_queue_depth >').catch((error: unknown) => error);
      expect(bad).toBeInstanceOf(DataSourceError);
      expect(bad).toMatchObject({ failure: 'bad_query' });
      expect((bad as DataSourceError).message).toMatch(
        new RegExp(
          `^the Prometheus data source "prom" at ${prometheus.url} rejected the PromQL expression ` +
            '`app_queue_depth >`: bad_data: 1:18: parse error: ',
        ),
      );
      expect((bad as DataSourceError).fields).toEqual([
        { field: 'expr', reason: expect.stringMatching(/^bad_data: 1:18: parse error/) },
      ]);
      const failed = await fetchWindow('app_queue_depth + on() app_queue_depth').catch((e: unknown) => e);
      expect(failed).toMatchObject({ failure: 'query_failed' });
      expect((failed as DataSourceError).message).toMatch(
        /failed on the Prometheus data source .*: execution: .*many-to-many/,
      );
    });

    describe('through the service', () => {
      let service: TestService;
      let datasourceId: string;
      let closedUrl: string;

      beforeAll(async () => {
        service = await startTestService('sqlite');
        const created = await service.api('POST', '/api/v1/datasources', {
          name: 'prom',
          url: prometheus.url,
        });
        expect(created.status).toBe(201);
        datasourceId = created.body.id;
        closedUrl = `http://127.0.0.1:${await freePort()}`;
        const closed = await service.api('POST', '/api/v1/datasources', { name: 'closed', url: closedUrl });
        expect(closed.status).toBe(201);
      }, 60_000);

      afterAll(async () => {
        await service?.stop();
      });

      async function runCli(argv: string[]) {
        let output = '';
        const append = (text: string) => (output += text);
        const env = { TOCSIN_URL: service.url, TOCSIN_TOKEN: ADMIN_TOKEN };
        const code = await run(argv, { env, stdout: append, stderr: append });
        return { code, output };
      }

      it(':test answers ok with the version of the real server', async () => {
        const answer = await service.api('POST', `/api/v1/datasources/${datasourceId}:test`);
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      });

      it(':query answers the series as the evaluator sees them, no data as null', async () => {
        const toMs = endOfThisMinute();
        const answer = await service.api('POST', `/api/v1/datasources/${datasourceId}:query`, {
          expr: 'sum by (queue) (app_queue_depth)',
          window: '5m',
          to: new Date(toMs).toISOString(),
        });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          expr: 'sum by (queue) (app_queue_depth)',
          fromMs: toMs - 5 * MIN,
          toMs,
          stepMs: MIN,
        });
        expect(
          answer.body.series.map((s: { key: string; values: (number | null)[] }) => [s.key, s.values.at(-1)]),
        ).toEqual([
          ['{queue="orders"}', 5],
          ['{queue="payments"}', 50],
        ]);
        expect(answer.body.series[0].values.every((v: number | null) => v === null || v === 5)).toBe(true);
        const bad = await service.api('POST', `/api/v1/datasources/${datasourceId}:query`, { expr: 'sum(' });
        expect(bad.status).toBe(400);
        expect(bad.body.error).toMatchObject({ code: 'invalid_request', failure: 'bad_query' });
        expect(bad.body.error.message).toMatch(
          /rejected the PromQL expression `sum\(`: bad_data: .*parse error/,
        );
      });

      it(':test of a closed port answers ok false with an error naming the URL', async () => {
        const list = await service.api('GET', '/api/v1/datasources?q=closed');
        const answer = await service.api('POST', `/api/v1/datasources/${list.body.items[0].id}:test`);
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({
          ok: false,
          failure: 'unreachable',
          error: expect.stringContaining(`"closed" at ${closedUrl}: connection refused`),
        });
      });

      it('tocsin datasources test prints ok with the version, or FAILED with the reason and exits 1', async () => {
        const good = await runCli(['datasources', 'test', 'prom']);
        expect(good.code).toBe(0);
        expect(good.output).toMatch(
          new RegExp(`^ok     prom → ${prometheus.url} \\(version \\d+\\.\\d+\\.\\d+[^)]*\\)\n$`),
        );
        const bad = await runCli(['datasources', 'test', 'closed']);
        expect(bad.code).toBe(1);
        expect(bad.output).toContain(`FAILED closed → ${closedUrl}\n       cannot reach`);
        expect(bad.output).toContain('tocsin: the test of data source closed failed');
      });

      it('tocsin datasources query shows each series as a policy would see it', async () => {
        const answer = await runCli([
          'datasources',
          'query',
          'prom',
          'sum by (queue) (app_queue_depth)',
          '-w',
          '5m',
          '-o',
          'json',
        ]);
        expect(answer.code).toBe(0);
        expect(JSON.parse(answer.output)).toEqual(expect.any(Array));
        const bad = await runCli(['datasources', 'query', 'prom', 'sum(']);
        expect(bad.code).toBe(1);
        expect(bad.output).toMatch(/invalid_request: .*rejected the PromQL expression `sum\(`/);
      });
    });
  },
);
