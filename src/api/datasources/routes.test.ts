// `:test` and `:query` of /api/v1/datasources over HTTP (buildApp + inject) without a Prometheus server:
// who may call them, how their bodies are checked, and how an unreachable server is answered. Answers of
// the real Prometheus are in test/e2e/prometheus-datasource.test.ts.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js';
import { freePort } from '../../../test/prometheus-server.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';

const EDITOR = 'tcs_editor-token-for-datasource-routes';
const VIEWER = 'tcs_viewer-token-for-datasource-routes';
const PASSWORD = 'prom-password-never-shown';

describe('POST /api/v1/datasources/{id}:test and :query', () => {
  let database: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let closedUrl: string;
  let datasourceId: string;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
    await store.apiTokens.create({ name: 'editor', role: 'editor', tokenHash: hashToken(EDITOR) });
    await store.apiTokens.create({ name: 'viewer', role: 'viewer', tokenHash: hashToken(VIEWER) });
    closedUrl = `http://127.0.0.1:${await freePort()}`;
    const source = await store.datasources.create({
      name: 'prom',
      type: 'prometheus',
      url: closedUrl,
      basicAuth: { username: 'tocsin', password: PASSWORD },
      bearerToken: null,
      timeoutSeconds: 5,
    });
    datasourceId = source.id;
    app = await buildApp({
      config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
      store,
      clock: { now: () => Date.now() },
    });
  });

  afterEach(async () => {
    await app.close();
    await store.close();
    await database.drop();
  });

  async function post(url: string, token: string, body?: unknown) {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined && { payload: body as object }),
    });
    return { status: response.statusCode, body: response.json() };
  }

  it('documents both routes in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = Object.keys(response.json<{ paths: object }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/datasources/{id}:test', '/api/v1/datasources/{id}:query']),
    );
  });

  it(':test answers 200 with ok false and an error naming the URL when nothing listens there', async () => {
    const { status, body } = await post(`/api/v1/datasources/${datasourceId}:test`, EDITOR);
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: false,
      failure: 'unreachable',
      error:
        `cannot reach the Prometheus data source "prom" at ${closedUrl}: connection refused; check the ` +
        'URL and that the server is running',
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
  });

  it(':test needs an editor token and an existing data source', async () => {
    const asViewer = await post(`/api/v1/datasources/${datasourceId}:test`, VIEWER);
    expect(asViewer.status).toBe(403);
    const missing = await post('/api/v1/datasources/nope:test', EDITOR);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'no data source with id nope' });
  });

  it(':query is open to viewers and answers a server that cannot be reached with 503 and its failure', async () => {
    const { status, body } = await post(`/api/v1/datasources/${datasourceId}:query`, VIEWER, {
      expr: 'up == 0',
      window: '5m',
    });
    expect(status).toBe(503);
    expect(body.error).toMatchObject({
      code: 'unavailable',
      failure: 'unreachable',
      message: expect.stringContaining(`"prom" at ${closedUrl}: connection refused`),
    });
  });

  it(':query names each field at fault', async () => {
    const url = `/api/v1/datasources/${datasourceId}:query`;
    const cases: [unknown, string][] = [
      [{ expr: ' ' }, 'expr'],
      [{ expr: 'up', window: '90s' }, 'window'],
      [{ expr: 'up', window: '2d' }, 'window'],
      [{ expr: 'up', to: 'yesterday-ish' }, 'to'],
      [{ expr: 'up', step: '1m' }, ''],
    ];
    for (const [body, field] of cases) {
      const answer = await post(url, VIEWER, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      if (field) expect(answer.body.error.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
    expect((await post('/api/v1/datasources/nope:query', VIEWER, { expr: 'up' })).status).toBe(404);
  });
});
