// /api/v1/alert-events over a real socket on both databases: the list's filters and paging, one event with
// its notifications, acknowledge and close with who did it, roles and field-named errors; and the
// `tocsin events` commands against the same service.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../../test/databases.js';
import { run } from '../../cli/program.js';
import type { AlertEvent } from '../../domain/alert-event.js';
import type { NewAlertEvent } from '../../store/alert-events.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';

const EDITOR = 'tcs_editor-token-for-alert-event-routes';
const VIEWER = 'tcs_viewer-token-for-alert-event-routes';
const T0 = Date.parse('2025-01-06T02:00:00Z');
const MIN = 60_000;

function newEvent(patch: Partial<NewAlertEvent> = {}): NewAlertEvent {
  return {
    policyId: 'p1',
    policyName: 'JVM FullGC doubled vs previous hour',
    policyKind: 'application',
    severity: 'P2',
    dimensionName: 'host',
    dimensionKey: '10.0.0.7',
    labels: { host: '10.0.0.7' },
    noData: false,
    triggerValues: [
      {
        metric: 'JVM_FullGC',
        aggregation: 'avg',
        comparator: 'increase_pct',
        baseline: 'hour_ago',
        threshold: 100,
        value: 4,
        baselineValue: 2,
        changePct: 100,
        holds: true,
      },
    ],
    watchFingerprint: 'fp',
    startedAt: T0,
    lastEvaluatedAt: T0,
    lastNotifiedAt: T0,
    notifyCount: 1,
    ...patch,
  };
}

for (const dialect of DIALECTS) {
  describe(`/api/v1/alert-events on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let url: string;
    let now = T0;

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
    });
    afterEach(async () => {
      await app.close();
      await store.close();
      await database.drop();
    });

    async function call(method: string, path: string, token: string = EDITOR) {
      const response = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as any };
    }

    async function openEvents(...patches: Partial<NewAlertEvent>[]): Promise<AlertEvent[]> {
      const events: AlertEvent[] = [];
      for (const patch of patches) {
        now += 1000;
        events.push(...(await store.alertEvents.open([newEvent(patch)])));
      }
      return events;
    }

    it('documents its routes in the OpenAPI document', async () => {
      const document = (await (await fetch(`${url}/api/openapi.json`)).json()) as { paths: object };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/alert-events',
          '/api/v1/alert-events/{id}',
          '/api/v1/alert-events/{id}:acknowledge',
          '/api/v1/alert-events/{id}:close',
        ]),
      );
    });

    it('lists events newest first in the documented shape, paged by cursor', async () => {
      const [a, b, c] = await openEvents({}, { dimensionKey: 'h2' }, { dimensionKey: 'h3' });
      const first = await call('GET', '/api/v1/alert-events?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: { id: string }) => e.id)).toEqual([c!.id, b!.id]);
      expect(first.body.items[1]).toEqual({
        id: b!.id,
        state: 'firing',
        source: 'policy',
        policyId: 'p1',
        policyName: 'JVM FullGC doubled vs previous hour',
        policyKind: 'application',
        severity: 'P2',
        dimension: { key: 'host', value: 'h2' },
        labels: { host: '10.0.0.7' },
        noData: false,
        triggerValues: [
          {
            metric: 'JVM_FullGC',
            aggregation: 'avg',
            comparator: 'increase_pct',
            threshold: 100,
            value: 4,
            baseline: 'hour_ago',
            baselineValue: 2,
            changePct: 100,
            holds: true,
          },
        ],
        startedAt: '2025-01-06T02:00:00.000Z',
        resolvedAt: null,
        resolveReason: null,
        lastEvaluatedAt: '2025-01-06T02:00:00.000Z',
        lastNotifiedAt: '2025-01-06T02:00:00.000Z',
        notifyCount: 1,
        acknowledgedAt: null,
        acknowledgedBy: null,
        closedAt: null,
        closedBy: null,
        createdAt: new Date(T0 + 2000).toISOString(),
        updatedAt: new Date(T0 + 2000).toISOString(),
      });
      const second = await call('GET', `/api/v1/alert-events?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: a!.id })], nextCursor: null });
    });

    it('filters by state, policy, severity and time', async () => {
      const [a, b, c] = await openEvents(
        { startedAt: T0 },
        { dimensionKey: 'h2', policyId: 'p2', severity: 'P1', startedAt: T0 + 10 * MIN },
        { dimensionKey: 'h3', startedAt: T0 + 20 * MIN },
      );
      await store.alertEvents.resolve(a!.id, 'recovered', T0 + 5 * MIN);
      const ids = async (query: string) =>
        (await call('GET', `/api/v1/alert-events?${query}`)).body.items.map((e: { id: string }) => e.id);
      expect(await ids('state=resolved')).toEqual([a!.id]);
      expect(await ids('state=firing')).toEqual([c!.id, b!.id]);
      expect(await ids('policyId=p2')).toEqual([b!.id]);
      expect(await ids('severity=P1')).toEqual([b!.id]);
      expect(await ids('from=2025-01-06T10:06:00%2B08:00')).toEqual([c!.id, b!.id]);
      expect(await ids('to=2025-01-06T02:15:00Z')).toEqual([b!.id, a!.id]);
    });

    it('refuses unknown filter values, naming the field', async () => {
      const answer = await call('GET', '/api/v1/alert-events?state=open&from=yesterday');
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      expect(answer.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'from',
        'state',
      ]);
    });

    it('shows one event with the notifications it caused, and 404 for an unknown id', async () => {
      const [event] = await openEvents({});
      await store.notifications.enqueue([
        {
          channel: 'dingtalk',
          contactId: 'c1',
          targetKey: 'dingtalk:x',
          target: 'https://oapi.dingtalk.com/robot/send?access_token=…9c0d',
          kind: 'firing',
          severity: 'P2',
          policyId: 'p1',
          eventId: event!.id,
          payload: { title: '[P2 告警] JVM FullGC doubled vs previous hour' },
        },
      ]);
      const answer = await call('GET', `/api/v1/alert-events/${event!.id}`, VIEWER);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: event!.id,
        notifications: [
          { kind: 'firing', state: 'queued', title: '[P2 告警] JVM FullGC doubled vs previous hour' },
        ],
      });
      const missing = await call('GET', '/api/v1/alert-events/nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
    });

    it('acknowledges as the token name, keeps the first acknowledgement, and needs an editor', async () => {
      const [event] = await openEvents({});
      now = T0 + 3 * MIN;
      const refused = await call('POST', `/api/v1/alert-events/${event!.id}:acknowledge`, VIEWER);
      expect(refused.status).toBe(403);
      const answer = await call('POST', `/api/v1/alert-events/${event!.id}:acknowledge`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        state: 'firing',
        acknowledgedBy: 'alice',
        acknowledgedAt: new Date(T0 + 3 * MIN).toISOString(),
      });
      now = T0 + 4 * MIN;
      const again = await call('POST', `/api/v1/alert-events/${event!.id}:acknowledge`);
      expect(again.body.acknowledgedAt).toBe(new Date(T0 + 3 * MIN).toISOString());
      expect((await call('POST', '/api/v1/alert-events/nope:acknowledge')).status).toBe(404);
    });

    it('closes a firing event as resolved by the user, and answers a resolved one unchanged', async () => {
      const [event] = await openEvents({});
      now = T0 + 3 * MIN;
      const answer = await call('POST', `/api/v1/alert-events/${event!.id}:close`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        state: 'resolved',
        resolveReason: 'closed',
        resolvedAt: new Date(T0 + 3 * MIN).toISOString(),
        closedBy: 'alice',
      });
      now = T0 + 4 * MIN;
      const again = await call('POST', `/api/v1/alert-events/${event!.id}:close`);
      expect(again.body.closedAt).toBe(new Date(T0 + 3 * MIN).toISOString());
    });

    it('lists, acknowledges and closes events from the command line', async () => {
      const [event] = await openEvents({});
      await openEvents({ dimensionKey: 'h2', severity: 'P1' });
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        env: { TOCSIN_URL: url, TOCSIN_TOKEN: EDITOR },
        stdout: (text: string) => out.push(text),
        stderr: (text: string) => err.push(text),
      };
      expect(await run(['events', 'list', '--severity', 'P2'], io)).toBe(0);
      const lines = out.join('').trimEnd().split('\n');
      expect(lines[0]).toMatch(/^STARTED\s+STATE\s+SEVERITY\s+POLICY\s+DIMENSION\s+VALUES\s+NOTIFIED\s+ID$/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain('host=10.0.0.7');
      expect(lines[1]).toContain('4 (+100%)');

      out.length = 0;
      expect(await run(['events', 'ack', event!.id], io)).toBe(0);
      expect(out.join('')).toBe(
        `acknowledged alert event ${event!.id} ("JVM FullGC doubled vs previous hour" host=10.0.0.7) as alice\n`,
      );
      out.length = 0;
      expect(await run(['events', 'close', event!.id], io)).toBe(0);
      expect(out.join('')).toContain('closed alert event');
      out.length = 0;
      expect(await run(['events', 'list', '--state', 'resolved', '-o', 'json'], io)).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject([{ id: event!.id, closedBy: 'alice' }]);

      expect(await run(['events', 'list', '--state', 'open'], io)).toBe(2);
      expect(err.join('')).toContain('--state must be one of firing, resolved');
    });
  });
}
