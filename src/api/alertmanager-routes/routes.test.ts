// /api/v1/alertmanager-routes over a real socket on both databases: the resource like every other —
// list, create, get, replace with If-Match, delete, editors only — matchers refused naming `matchers[i]`,
// unknown groups refused, and a group a route notifies kept from deletion with 409 naming the route; and
// `tocsin am-routes`, `export` and `apply` against the same service.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../../test/databases.js';
import { run } from '../../cli/program.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';

const EDITOR = 'tcs_editor-token-for-alertmanager-routes';
const VIEWER = 'tcs_viewer-token-for-alertmanager-routes';
const T0 = Date.parse('2025-01-06T02:00:00Z');

for (const dialect of DIALECTS) {
  describe(`/api/v1/alertmanager-routes on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let url: string;
    let now = T0;
    let groupId: string;

    beforeEach(async () => {
      now = T0;
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)), now: () => now });
      await store.apiTokens.create({ name: 'alice', role: 'editor', tokenHash: hashToken(EDITOR) });
      await store.apiTokens.create({ name: 'dashboard', role: 'viewer', tokenHash: hashToken(VIEWER) });
      app = await buildApp({
        config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
        store,
        clock: { now: () => now },
      });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      const contact = await call('POST', '/api/v1/contacts', { name: 'ops-mail', email: 'ops@example.com' });
      groupId = (await call('POST', '/api/v1/contact-groups', { name: 'ops', contactIds: [contact.body.id] }))
        .body.id;
    });
    afterEach(async () => {
      await app.close();
      await store.close();
      await database.drop();
    });

    async function call(
      method: string,
      path: string,
      body?: unknown,
      options: { token?: string; headers?: Record<string, string> } = {},
    ) {
      const response = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${options.token ?? EDITOR}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        etag: response.headers.get('etag'),
        body: text ? JSON.parse(text) : null,
      };
    }

    const opsRoute = () => ({
      name: 'ops critical',
      matchers: ['team="ops"', 'severity=~"critical|warning"', 'alertname!="Watchdog"'],
      contactGroupIds: [groupId],
      channels: ['dingtalk', 'email'],
    });

    it('creates a route with the defaults filled in, and lists and gets it', async () => {
      const created = await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      expect(created.status).toBe(201);
      expect(created.etag).toMatch(/^".+"$/);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'ops critical',
        description: null,
        matchers: ['team="ops"', 'severity=~"critical|warning"', 'alertname!="Watchdog"'],
        contactGroupIds: [groupId],
        channels: ['dingtalk', 'email'],
        severity: { label: 'severity', values: { critical: 'P1', warning: 'P2', info: 'P4' }, default: 'P3' },
        continue: false,
        order: 0,
        silenceMinutes: 1440,
        timeZone: 'Asia/Shanghai',
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
      });
      const list = await call('GET', '/api/v1/alertmanager-routes', undefined, { token: VIEWER });
      expect(list.body).toEqual({ items: [created.body], nextCursor: null });
      const one = await call('GET', `/api/v1/alertmanager-routes/${created.body.id}`, undefined, {
        token: VIEWER,
      });
      expect(one).toMatchObject({ status: 200, etag: created.etag, body: created.body });
      expect((await call('GET', '/api/v1/alertmanager-routes/nope')).status).toBe(404);
    });

    it('replaces a route, refusing a stale If-Match with 412', async () => {
      const created = await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      const path = `/api/v1/alertmanager-routes/${created.body.id}`;
      now = T0 + 1000;
      const replaced = await call(
        'PUT',
        path,
        { ...created.body, continue: true, order: 5 },
        { headers: { 'if-match': created.etag! } },
      );
      expect(replaced).toMatchObject({ status: 200, body: { continue: true, order: 5 } });
      expect(replaced.etag).not.toBe(created.etag);
      const stale = await call('PUT', path, opsRoute(), { headers: { 'if-match': created.etag! } });
      expect(stale).toMatchObject({ status: 412, body: { error: { code: 'precondition_failed' } } });
      expect((await call('PUT', '/api/v1/alertmanager-routes/nope', opsRoute())).status).toBe(404);
    });

    it('refuses bad matchers naming matchers[i], unknown groups naming contactGroupIds[i], and a taken name', async () => {
      const bad = await call('POST', '/api/v1/alertmanager-routes', {
        ...opsRoute(),
        matchers: ['team="ops"', 'severity', 'env=~"(prod"'],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
        'matchers[1]',
        'matchers[2]',
      ]);
      const unknownGroup = await call('POST', '/api/v1/alertmanager-routes', {
        ...opsRoute(),
        contactGroupIds: [groupId, 'nosuchgroup'],
      });
      expect(unknownGroup.status).toBe(400);
      expect(unknownGroup.body.error.fields).toEqual([
        { field: 'contactGroupIds[1]', reason: 'no contact group with id nosuchgroup' },
      ]);
      await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      const taken = await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      expect(taken).toMatchObject({ status: 409, body: { error: { code: 'name_taken' } } });
    });

    it('lets only editors change routes', async () => {
      const asViewer = await call('POST', '/api/v1/alertmanager-routes', opsRoute(), { token: VIEWER });
      expect(asViewer.status).toBe(403);
      const created = await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      const path = `/api/v1/alertmanager-routes/${created.body.id}`;
      expect((await call('DELETE', path, undefined, { token: VIEWER })).status).toBe(403);
      expect((await call('DELETE', path)).status).toBe(204);
      expect((await call('DELETE', path)).status).toBe(404);
    });

    it('keeps a contact group a route notifies from deletion, naming the route', async () => {
      const created = await call('POST', '/api/v1/alertmanager-routes', opsRoute());
      const refused = await call('DELETE', `/api/v1/contact-groups/${groupId}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({
        code: 'in_use',
        message: expect.stringContaining(`alertmanager-route "ops critical" (${created.body.id})`),
        referencedBy: [{ kind: 'alertmanager-route', id: created.body.id, name: 'ops critical' }],
      });
      await call('DELETE', `/api/v1/alertmanager-routes/${created.body.id}`);
      expect((await call('DELETE', `/api/v1/contact-groups/${groupId}`)).status).toBe(204);
    });
  });
}

describe('tocsin am-routes, export and apply against the service', () => {
  let database: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let url: string;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
    await store.apiTokens.create({ name: 'alice', role: 'editor', tokenHash: hashToken(EDITOR) });
    app = await buildApp({
      config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
      store,
      clock: { now: () => Date.now() },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await app.close();
    await store.close();
    await database.drop();
  });

  async function cli(argv: readonly string[], stdin = '') {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      env: { TOCSIN_URL: url, TOCSIN_TOKEN: EDITOR },
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(stdin),
    });
    return { code, stdout, stderr };
  }

  it('creates a route from flags with groups by name, lists, edits, exports, applies and deletes it', async () => {
    expect((await cli(['contacts', 'create', '--name', 'ops-mail', '--email', 'ops@example.com'])).code).toBe(
      0,
    );
    expect((await cli(['groups', 'create', '--name', 'ops', '--contact', 'ops-mail'])).code).toBe(0);

    const created = await cli([
      'am-routes',
      'create',
      '--name',
      'ops',
      '--matcher',
      'team="ops"',
      '--matcher',
      'severity=~"critical|warning"',
      '--group',
      'ops',
      '--channel',
      'email',
      '--continue',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created alertmanager route ops \(id [0-9a-z]+\)\n$/);

    const list = await cli(['am-routes', 'list']);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ORDER\s+NAME\s+MATCHERS\s+GROUPS\s+CHANNELS\s+CONTINUE\s+ID$/);
    expect(lines[1]).toContain('team="ops" severity=~"critical|warning"');

    expect((await cli(['am-routes', 'update', 'ops', '--no-continue', '--order', '10'])).code).toBe(0);
    const shown = JSON.parse((await cli(['am-routes', 'get', 'ops', '-o', 'json'])).stdout);
    expect(shown).toMatchObject({
      continue: false,
      order: 10,
      matchers: ['team="ops"', 'severity=~"critical|warning"'],
    });

    const bad = await cli([
      'am-routes',
      'create',
      '--name',
      'x',
      '--matcher',
      'team',
      '--group',
      'ops',
      '--channel',
      'email',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('matchers[0]');

    const exported = await cli(['export']);
    expect(exported.stdout).toContain('alertmanagerRoutes:');
    expect(exported.stdout).toMatch(/contactGroups: \[ops\]/);
    expect(exported.stdout).not.toContain('contactGroupIds');
    const again = await cli(['apply', '-f', '-'], exported.stdout);
    expect(again.stdout).toContain('= alertmanager-route ops (unchanged)');

    const document = `
alertmanagerRoutes:
  - name: catch-all
    order: 100
    contactGroups: [ops]
    channels: [email]
  - name: ghost
    contactGroups: [nobody]
    channels: [email]
`;
    const refused = await cli(['apply', '-f', '-'], document);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'alertmanager-route ghost: contactGroups[0]: no contact group named nobody in the file or on the server',
    );
    const applied = await cli(['apply', '-f', '-'], document.split('  - name: ghost')[0]);
    expect(applied.stdout).toContain('+ alertmanager-route catch-all');

    expect((await cli(['am-routes', 'delete', 'catch-all'])).stdout).toMatch(
      /^deleted alertmanager route catch-all/,
    );
    expect((await store.alertmanagerRoutes.all()).map((r) => r.name)).toEqual(['ops']);
  });
});
