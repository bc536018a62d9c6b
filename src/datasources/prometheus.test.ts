// The Prometheus data source against a local fake server, for what the real Prometheus cannot easily be
// made to do: ask for credentials, stall, answer garbage or 503, return too many series. The real server
// is exercised in test/e2e/prometheus-datasource.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/prometheus-server.js';
import { alertPolicyInputSchema, type AlertPolicy } from '../domain/alert-policy.js';
import type { Datasource } from '../domain/datasource.js';
import { DataSourceError } from './datasource-error.js';
import { prometheusDataSource, queryPrometheusRange, testPrometheusConnection } from './prometheus.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;
const PASSWORD = 'pr0m-passw0rd-do-not-leak';
const TOKEN = 'bearer-token-do-not-leak-0123';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly form: URLSearchParams;
}

type Handler = (request: Received, response: ServerResponse) => void;

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function success(data: unknown) {
  return { status: 'success', data };
}

function matrixOf(...series: { metric: Record<string, string>; values: [number, string][] }[]) {
  return success({ resultType: 'matrix', result: series });
}

function datasource(url: string, patch: Partial<Datasource> = {}): Datasource {
  return {
    id: 'd1',
    name: 'prom',
    type: 'prometheus',
    url,
    basicAuth: null,
    bearerToken: null,
    timeoutSeconds: 5,
    createdAt: T0,
    updatedAt: T0,
    ...patch,
  };
}

function prometheusPolicy(patch: Record<string, unknown> = {}): AlertPolicy {
  const input = alertPolicyInputSchema.parse({
    name: 'queues too deep',
    kind: 'prometheus',
    datasourceId: 'd1',
    expr: 'app_queue_depth > 10',
    rules: { conditions: [{ windowMinutes: 3, comparator: 'gt', threshold: 10 }] },
    notification: { channels: ['dingtalk'], contactGroupIds: ['g1'] },
    ...patch,
  });
  return { ...input, id: 'p1', createdAt: T0, updatedAt: T0 };
}

async function rejection(promise: Promise<unknown>): Promise<DataSourceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DataSourceError))
    throw new Error(`expected a DataSourceError, got ${String(error)}`);
  expect(error.message).not.toContain(PASSWORD);
  expect(error.message).not.toContain(TOKEN);
  return error;
}

describe('the Prometheus data source against a fake server', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  let received: Received[];

  beforeEach(async () => {
    received = [];
    handler = (_request, response) => json(response, 200, matrixOf());
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const one = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          form: new URLSearchParams(body),
        };
        received.push(one);
        handler(one, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the expression form-encoded with one step per minute, ending at the end of the window', async () => {
    await queryPrometheusRange(datasource(`${url}/prom/`), 'up == 0', { fromMs: T0, toMs: T0 + 3 * MIN });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/prom/api/v1/query_range');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request!.form)).toEqual({
      query: 'up == 0',
      start: String(T0 / 1000 + 60),
      end: String(T0 / 1000 + 180),
      step: '60',
      timeout: '5',
    });
  });

  it('sends basic auth, a bearer token, or the credentials written in the URL', async () => {
    const window = { fromMs: T0, toMs: T0 + MIN };
    await queryPrometheusRange(
      datasource(url, { basicAuth: { username: 'tocsin', password: PASSWORD } }),
      'up',
      window,
    );
    await queryPrometheusRange(datasource(url, { bearerToken: TOKEN }), 'up', window);
    await queryPrometheusRange(datasource(url.replace('//', `//reader:${PASSWORD}@`)), 'up', window);
    expect(received.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from(`tocsin:${PASSWORD}`).toString('base64')}`,
      `Bearer ${TOKEN}`,
      `Basic ${Buffer.from(`reader:${PASSWORD}`).toString('base64')}`,
    ]);
  });

  it('says which credentials were refused on 401 and 403, without the password or token', async () => {
    handler = (_request, response) => json(response, 401, { status: 'error', error: `bad ${PASSWORD}` });
    const window = { fromMs: T0, toMs: T0 + MIN };
    const withPassword = await rejection(
      queryPrometheusRange(
        datasource(url, { basicAuth: { username: 'tocsin', password: PASSWORD } }),
        'up',
        window,
      ),
    );
    expect(withPassword).toMatchObject({ failure: 'unauthorized' });
    expect(withPassword.message).toBe(
      `the Prometheus data source "prom" at ${url} refused its credentials (HTTP 401); check the basic auth ` +
        'username and password or the bearer token',
    );
    const without = await rejection(queryPrometheusRange(datasource(url), 'up', window));
    expect(without.message).toMatch(/asks for credentials \(HTTP 401\); set basicAuth or bearerToken/);
    handler = (_request, response) => json(response, 403, { status: 'error', error: 'forbidden' });
    const forbidden = await rejection(
      queryPrometheusRange(datasource(url, { bearerToken: TOKEN }), 'up', window),
    );
    expect(forbidden.message).toMatch(/refused access with its credentials \(HTTP 403\)/);
  });

  it('never repeats a secret that the server echoes in an error', async () => {
    handler = (_request, response) =>
      json(response, 500, { status: 'error', errorType: 'internal', error: `token ${TOKEN} is odd` });
    const error = await rejection(
      queryPrometheusRange(datasource(url, { bearerToken: TOKEN }), 'up', { fromMs: T0, toMs: T0 + MIN }),
    );
    expect(error.message).toBe(
      `the Prometheus data source "prom" at ${url} answered HTTP 500 (internal: token [redacted] is odd)`,
    );
    handler = (_request, response) =>
      json(response, 400, { status: 'error', errorType: 'bad_data', error: `unexpected ${TOKEN}` });
    const badQuery = await rejection(
      queryPrometheusRange(datasource(url, { bearerToken: TOKEN }), 'up', { fromMs: T0, toMs: T0 + MIN }),
    );
    expect(badQuery.fields).toEqual([{ field: 'expr', reason: 'bad_data: unexpected [redacted]' }]);
  });

  it('times out after the data source timeoutSeconds, whether the server is silent or stalls mid-answer', async () => {
    handler = () => undefined;
    const window = { fromMs: T0, toMs: T0 + MIN };
    const started = Date.now();
    const silent = await rejection(
      queryPrometheusRange(datasource(url, { timeoutSeconds: 1 }), 'up', window),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(silent).toMatchObject({ failure: 'timeout' });
    expect(silent.message).toBe(
      `the Prometheus data source "prom" at ${url} did not answer within 1 s (its timeoutSeconds): the server ` +
        'is slow or the expression too expensive; simplify the expression or raise timeoutSeconds',
    );
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":"success","data":{"resultType":"matrix","result":[');
    };
    const stalled = await rejection(
      queryPrometheusRange(datasource(url, { timeoutSeconds: 1 }), 'up', window),
    );
    expect(stalled.failure).toBe('timeout');
  });

  it('names the URL when nothing listens there', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const error = await rejection(
      queryPrometheusRange(datasource(closed), 'up', { fromMs: T0, toMs: T0 + MIN }),
    );
    expect(error).toMatchObject({ failure: 'unreachable' });
    expect(error.message).toBe(
      `cannot reach the Prometheus data source "prom" at ${closed}: connection refused; check the URL and ` +
        'that the server is running',
    );
  });

  it('says that the host name is not found', async () => {
    const error = await rejection(
      queryPrometheusRange(datasource('http://tocsin-test.invalid:9090'), 'up', {
        fromMs: T0,
        toMs: T0 + MIN,
      }),
    );
    expect(error.failure).toBe('unreachable');
    expect(error.message).toMatch(/the host name tocsin-test\.invalid is not found \(DNS\); check the URL$/);
  });

  it('refuses garbage: a web page, broken JSON, JSON that is not the Prometheus API', async () => {
    const window = { fromMs: T0, toMs: T0 + MIN };
    handler = (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
    const page = await rejection(queryPrometheusRange(datasource(url), 'up', window));
    expect(page).toMatchObject({ failure: 'bad_response' });
    expect(page.message).toMatch(/did not answer with Prometheus API JSON \(HTTP 200, text\/html\)/);
    handler = (_request, response) => response.writeHead(200).end('{"status":"succ');
    expect((await rejection(queryPrometheusRange(datasource(url), 'up', window))).failure).toBe(
      'bad_response',
    );
    handler = (_request, response) => json(response, 200, success({ resultType: 'matrix', result: 'x' }));
    const shape = await rejection(queryPrometheusRange(datasource(url), 'up', window));
    expect(shape.message).toMatch(/answered a matrix this version of Tocsin cannot read/);
  });

  it("explains 503, and a query the server's own timeout stopped", async () => {
    const window = { fromMs: T0, toMs: T0 + MIN };
    handler = (_request, response) => response.writeHead(503).end('Service Unavailable');
    const starting = await rejection(queryPrometheusRange(datasource(url), 'up', window));
    expect(starting).toMatchObject({ failure: 'unavailable' });
    expect(starting.message).toBe(
      `the Prometheus data source "prom" at ${url} is unavailable (HTTP 503): it may be starting or ` +
        'overloaded; try again later',
    );
    handler = (_request, response) =>
      json(response, 503, {
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      });
    const slow = await rejection(queryPrometheusRange(datasource(url), 'sum(rate(x[1d]))', window));
    expect(slow.message).toMatch(
      /gave up on the PromQL expression `sum\(rate\(x\[1d\]\)\)` \(timeout: query timed out in expression evaluation\)/,
    );
  });

  it('says that the URL must be the base URL on 404', async () => {
    handler = (_request, response) => response.writeHead(404).end('404 page not found');
    const error = await rejection(
      queryPrometheusRange(datasource(`${url}/api/v1`), 'up', { fromMs: T0, toMs: T0 + MIN }),
    );
    expect(error).toMatchObject({ failure: 'http_error' });
    expect(error.message).toMatch(
      /answered HTTP 404 for \/api\/v1\/query_range: the URL must be the server's base URL/,
    );
  });

  it('refuses more series than the cap', async () => {
    handler = (_request, response) =>
      json(response, 200, matrixOf(...['a', 'b', 'c'].map((job) => ({ metric: { job }, values: [] }))));
    const error = await rejection(
      queryPrometheusRange(datasource(url), 'up', { fromMs: T0, toMs: T0 + MIN }, { maxSeries: 2 }),
    );
    expect(error).toMatchObject({ failure: 'too_many_series' });
    expect(error.message).toMatch(
      /^the Prometheus data source "prom" at .* answered 3 series, more than the 2 one policy may watch/,
    );
  });

  describe('fetchWindow', () => {
    const depth = (queue: string, instance: string, value: string) => ({
      metric: { __name__: 'app_queue_depth', queue, instance },
      values: [[T0 / 1000 + 180, value]] as [number, string][],
    });

    beforeEach(() => {
      handler = (_request, response) =>
        json(
          response,
          200,
          matrixOf(depth('orders', 'a', '5'), depth('payments', 'a', '50'), depth('orders', 'b', '7')),
        );
    });

    function source(
      lookup: (id: string) => Promise<Datasource | null> = () => Promise.resolve(datasource(url)),
    ) {
      return prometheusDataSource({ lookup });
    }

    async function fetchKeys(policy: AlertPolicy) {
      const series = await source().fetchWindow({
        policy,
        condition: policy.rules.conditions[0]!,
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      });
      return series.map((s) => s.key);
    }

    it('answers every result series as a dimension value, its labels kept for templates', async () => {
      const policy = prometheusPolicy();
      const series = await source().fetchWindow({
        policy,
        condition: policy.rules.conditions[0]!,
        fromMs: T0,
        toMs: T0 + 3 * MIN,
      });
      expect(series.map((s) => ({ key: s.key, labels: s.labels, values: [...s.values] }))).toEqual([
        {
          key: '{instance="a",queue="orders"}',
          labels: { __name__: 'app_queue_depth', instance: 'a', queue: 'orders' },
          values: [Number.NaN, Number.NaN, 5],
        },
        {
          key: '{instance="a",queue="payments"}',
          labels: { __name__: 'app_queue_depth', instance: 'a', queue: 'payments' },
          values: [Number.NaN, Number.NaN, 50],
        },
        {
          key: '{instance="b",queue="orders"}',
          labels: { __name__: 'app_queue_depth', instance: 'b', queue: 'orders' },
          values: [Number.NaN, Number.NaN, 7],
        },
      ]);
      expect(received[0]!.form.get('query')).toBe('app_queue_depth > 10');
    });

    it('keeps the series of a specified label value, or those carrying a traversed label', async () => {
      expect(
        await fetchKeys(
          prometheusPolicy({ dimension: { mode: 'specified', key: 'queue', value: 'orders' } }),
        ),
      ).toEqual(['{instance="a",queue="orders"}', '{instance="b",queue="orders"}']);
      expect(
        await fetchKeys(prometheusPolicy({ dimension: { mode: 'traverse', key: 'instance' } })),
      ).toHaveLength(3);
      expect(await fetchKeys(prometheusPolicy({ dimension: { mode: 'traverse', key: 'region' } }))).toEqual(
        [],
      );
    });

    it('asks once for rules that need the same window at the same time', async () => {
      const policy = prometheusPolicy({
        rules: {
          conditions: [
            { windowMinutes: 3, comparator: 'gt', threshold: 10 },
            { windowMinutes: 3, comparator: 'lt', threshold: 100 },
          ],
        },
      });
      const [first, second] = await Promise.all(
        policy.rules.conditions.map((condition) =>
          source().fetchWindow({ policy, condition, fromMs: T0, toMs: T0 + 3 * MIN }),
        ),
      );
      // Two data source objects do not share; one object does.
      expect(received).toHaveLength(2);
      const shared = source();
      received.length = 0;
      await Promise.all(
        policy.rules.conditions.map((condition) =>
          shared.fetchWindow({ policy, condition, fromMs: T0, toMs: T0 + 3 * MIN }),
        ),
      );
      expect(received).toHaveLength(1);
      expect(first).toEqual(second);
    });

    it('rejects with not_found when the policy names a data source that does not exist', async () => {
      const policy = prometheusPolicy();
      const error = await rejection(
        source(() => Promise.resolve(null)).fetchWindow({
          policy,
          condition: policy.rules.conditions[0]!,
          fromMs: T0,
          toMs: T0 + MIN,
        }),
      );
      expect(error).toMatchObject({ failure: 'unknown_datasource' });
      expect(error.message).toBe(
        'alert policy "queues too deep" reads the data source with id d1, which does not exist; choose ' +
          'another data source for it',
      );
    });
  });

  describe('testPrometheusConnection', () => {
    it('answers ok with the version from buildinfo', async () => {
      handler = (request, response) =>
        request.url.endsWith('/status/buildinfo')
          ? json(response, 200, success({ version: '2.42.0' }))
          : json(
              response,
              200,
              success({ resultType: 'vector', result: [{ metric: {}, value: [T0 / 1000, '1'] }] }),
            );
      expect(await testPrometheusConnection(datasource(url, { bearerToken: TOKEN }))).toEqual({
        ok: true,
        version: '2.42.0',
      });
      const query = received.find((r) => r.url === '/api/v1/query')!;
      expect(query.form.get('query')).toBe('vector(1)');
      expect(received.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    });

    it('answers ok without a version from a server that has no buildinfo', async () => {
      handler = (request, response) =>
        request.url.endsWith('/status/buildinfo')
          ? response.writeHead(404).end()
          : json(
              response,
              200,
              success({ resultType: 'vector', result: [{ metric: {}, value: [T0 / 1000, '1'] }] }),
            );
      expect(await testPrometheusConnection(datasource(url))).toEqual({ ok: true, version: null });
    });

    it('answers the failure and its message rather than throwing', async () => {
      handler = (_request, response) => json(response, 401, { status: 'error', error: 'unauthorized' });
      expect(
        await testPrometheusConnection(datasource(url, { basicAuth: { username: 'u', password: PASSWORD } })),
      ).toEqual({
        ok: false,
        failure: 'unauthorized',
        error: expect.stringMatching(/refused its credentials \(HTTP 401\)/),
      });
      handler = (_request, response) => json(response, 200, success({ resultType: 'vector', result: [] }));
      expect(await testPrometheusConnection(datasource(url))).toMatchObject({
        ok: false,
        failure: 'bad_response',
        error: expect.stringMatching(/did not answer 1 to vector\(1\)/),
      });
    });
  });
});
