// POST /api/v1/alertmanager over a real socket on both databases: Alertmanager payloads routed by the
// routing table into alert events and outbox rows — firing notified once, re-sends changing nothing until
// the silence period is over, resolved notified once, unrouted alerts reported, acknowledgements and
// closes respected — and bad payloads answered 400 naming the field.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../../test/databases.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';
import { receiveAlerts } from './receive-alerts.js';
import { alertmanagerPayloadSchema } from './schema.js';

const EDITOR = 'tcs_editor-token-for-alertmanager-bridge';
const VIEWER = 'tcs_viewer-token-for-alertmanager-bridge';
const SENDER = 'tcs_ingest-token-for-alertmanager-bridge';
const T0 = Date.parse('2025-01-06T02:00:00Z');
const MIN = 60_000;
const DAY = 1440 * MIN;
const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d';

interface AlertPatch {
  readonly status?: 'firing' | 'resolved';
  readonly labels?: Record<string, string>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly fingerprint?: string;
}

/** One alert as Alertmanager 0.25 writes it. */
function alert(patch: AlertPatch = {}) {
  const status = patch.status ?? 'firing';
  return {
    status,
    labels: patch.labels ?? { alertname: 'HighErrorRate', job: 'api', severity: 'critical', team: 'ops' },
    annotations: { summary: 'Error rate above 5%' },
    startsAt: patch.startsAt ?? '2025-01-06T01:59:30.123456789Z',
    endsAt: patch.endsAt ?? (status === 'resolved' ? '2025-01-06T02:10:00Z' : '0001-01-01T00:00:00Z'),
    generatorURL: 'http://prometheus:9090/graph?g0.expr=errors',
    fingerprint: patch.fingerprint ?? 'a1b2c3d4e5f60718',
  };
}

/** A webhook payload (version 4) of one group. */
function payload(alerts: readonly ReturnType<typeof alert>[], status?: 'firing' | 'resolved') {
  return {
    version: '4',
    groupKey: '{}/{team="ops"}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status: status ?? (alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved'),
    receiver: 'tocsin',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

for (const dialect of DIALECTS) {
  describe(`POST /api/v1/alertmanager on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let app: FastifyInstance;
    let url: string;
    let now = T0;
    let wakes = 0;
    let opsGroupId: string;
    let dbGroupId: string;

    beforeEach(async () => {
      now = T0;
      wakes = 0;
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)), now: () => now });
      await store.apiTokens.create({ name: 'alice', role: 'editor', tokenHash: hashToken(EDITOR) });
      await store.apiTokens.create({ name: 'dashboard', role: 'viewer', tokenHash: hashToken(VIEWER) });
      await store.apiTokens.create({ name: 'alertmanager', role: 'ingest', tokenHash: hashToken(SENDER) });
      app = await buildApp({
        config: {
          allowedWebhookOrigins: [],
          bodyLimitBytes: 1024 * 1024,
          publicUrl: 'https://tocsin.example',
        },
        store,
        clock: { now: () => now },
        notifier: { notify: () => void (wakes += 1) },
      });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      const robot = await call('POST', '/api/v1/contacts', {
        name: 'ops-robot',
        dingtalk: { webhook: WEBHOOK },
      });
      const mail = await call('POST', '/api/v1/contacts', { name: 'db-mail', email: 'db@example.com' });
      opsGroupId = (
        await call('POST', '/api/v1/contact-groups', { name: 'ops', contactIds: [robot.body.id] })
      ).body.id;
      dbGroupId = (await call('POST', '/api/v1/contact-groups', { name: 'db', contactIds: [mail.body.id] }))
        .body.id;
      await route({
        name: 'ops',
        matchers: ['team="ops"', 'alertname!="Watchdog"'],
        contactGroupIds: [opsGroupId],
      });
      await route({
        name: 'db',
        matchers: ['team=~"db|storage"'],
        contactGroupIds: [dbGroupId],
        channels: ['email'],
      });
    });
    afterEach(async () => {
      await app.close();
      await store.close();
      await database.drop();
    });

    async function call(method: string, path: string, body?: unknown, token: string = EDITOR) {
      const response = await fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    }

    async function route(body: Record<string, unknown>) {
      const answer = await call('POST', '/api/v1/alertmanager-routes', { channels: ['dingtalk'], ...body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body as { id: string };
    }

    const post = (body: unknown, token = SENDER) => call('POST', '/api/v1/alertmanager', body, token);

    async function bridgeEvents() {
      return (await call('GET', '/api/v1/alert-events?source=alertmanager')).body.items as any[];
    }

    async function outbox() {
      const page = await store.notifications.list({ limit: 100 });
      return [...page.items].reverse();
    }

    it('opens an event per alert and route, notifies its group once, and answers what it did', async () => {
      const answer = await post(payload([alert()]));
      expect(answer).toEqual({
        status: 200,
        body: { accepted: 1, unrouted: [], opened: 1, renotified: 0, resolved: 0, messages: 1 },
      });
      expect(wakes).toBe(1);
      const [event] = await bridgeEvents();
      expect(event).toMatchObject({
        state: 'firing',
        source: 'alertmanager',
        policyId: null,
        policyName: 'HighErrorRate',
        policyKind: null,
        severity: 'P1',
        dimension: { key: null, value: '{job="api", severity="critical", team="ops"}' },
        labels: { alertname: 'HighErrorRate', job: 'api', severity: 'critical', team: 'ops' },
        triggerValues: [],
        startedAt: '2025-01-06T01:59:30.123Z',
        notifyCount: 1,
        lastNotifiedAt: new Date(T0).toISOString(),
        alertmanager: {
          routeName: 'ops',
          fingerprint: 'a1b2c3d4e5f60718',
          receiver: 'tocsin',
          groupKey: '{}/{team="ops"}:{alertname="HighErrorRate"}',
          externalURL: 'http://alertmanager:9093',
          generatorURL: 'http://prometheus:9090/graph?g0.expr=errors',
          annotations: { summary: 'Error rate above 5%' },
        },
      });
      const rows = await outbox();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        channel: 'dingtalk',
        kind: 'firing',
        severity: 'P1',
        policyId: null,
        eventId: event.id,
        state: 'queued',
        payload: { title: '[P1 报警] HighErrorRate', policyName: 'HighErrorRate' },
      });
    });

    it('writes its messages in the language TOCSIN_NOTIFICATION_LOCALE chose', async () => {
      await app.close();
      app = await buildApp({
        config: {
          allowedWebhookOrigins: [],
          bodyLimitBytes: 1024 * 1024,
          publicUrl: 'https://tocsin.example',
          notificationLocale: 'en',
        },
        store,
        clock: { now: () => now },
      });
      url = await app.listen({ host: '127.0.0.1', port: 0 });
      await post(payload([alert()]));
      const [row] = await outbox();
      expect(row).toMatchObject({ payload: { title: '[P1 Alert] HighErrorRate', locale: 'en' } });
    });

    it('changes nothing when the same payload comes again, or when Alertmanager re-sends the group', async () => {
      const body = payload([alert()]);
      await post(body);
      const before = await bridgeEvents();
      now = T0 + 1000;
      expect((await post(body)).body).toEqual({
        accepted: 1,
        unrouted: [],
        opened: 0,
        renotified: 0,
        resolved: 0,
        messages: 0,
      });
      now = T0 + 4 * 60 * MIN; // repeat_interval
      await post(body);
      expect(await bridgeEvents()).toEqual(before);
      expect(await outbox()).toHaveLength(1);
      expect(wakes).toBe(1);
    });

    it('opens one event and sends one message when the same payload arrives twice at once', async () => {
      const body = payload([alert()]);
      const answers = await Promise.all([post(body), post(body), post(body)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers.reduce((sum, a) => sum + (a.body.opened as number), 0)).toBe(1);
      expect(await bridgeEvents()).toHaveLength(1);
      expect(await outbox()).toHaveLength(1);
    });

    it('tries again, and changes nothing, when another delivery opened the same event first', async () => {
      await post(payload([alert()]));
      // This delivery read the key before the other committed: its insert breaks the one-open-event index.
      let attempts = 0;
      const racing: Store = {
        ...store,
        transaction: (work) =>
          store.transaction((tx) => {
            attempts += 1;
            if (attempts > 1) return work(tx);
            const events = new Proxy(tx.alertEvents, {
              get(target, property) {
                if (property === 'latestAlertmanagerEvent') return () => Promise.resolve(undefined);
                const value: unknown = Reflect.get(target, property, target);
                return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
              },
            });
            return work({ ...tx, alertEvents: events });
          }),
      };
      const report = await receiveAlerts(racing, alertmanagerPayloadSchema.parse(payload([alert()])), {
        now: T0 + 1000,
        publicUrl: 'https://tocsin.example',
        locale: 'zh-CN',
      });
      expect(attempts).toBe(2);
      expect(report).toMatchObject({ accepted: 1, opened: 0, messages: 0 });
      expect(await bridgeEvents()).toHaveLength(1);
      expect(await outbox()).toHaveLength(1);
    });

    it('notifies a still-firing alert again once the route’s silence period has passed', async () => {
      await post(payload([alert()]));
      now = T0 + DAY - 1;
      expect((await post(payload([alert()]))).body.renotified).toBe(0);
      now = T0 + DAY;
      expect((await post(payload([alert()]))).body).toMatchObject({ renotified: 1, messages: 1 });
      const [event] = await bridgeEvents();
      expect(event).toMatchObject({ notifyCount: 2, lastNotifiedAt: new Date(T0 + DAY).toISOString() });
      expect((await outbox()).map((row) => row.kind)).toEqual(['firing', 'firing']);
    });

    it('never notifies an acknowledged alert again, but still sends its recovery', async () => {
      await post(payload([alert()]));
      const [event] = await bridgeEvents();
      expect((await call('POST', `/api/v1/alert-events/${event.id}:acknowledge`)).status).toBe(200);
      now = T0 + 2 * DAY;
      expect((await post(payload([alert()]))).body.renotified).toBe(0);
      expect((await post(payload([alert({ status: 'resolved' })]))).body).toMatchObject({
        resolved: 1,
        messages: 1,
      });
      expect((await outbox()).map((row) => row.kind)).toEqual(['firing', 'resolved']);
    });

    it('resolves at the alert’s end with one recovery message, and a second resolved payload changes nothing', async () => {
      await post(payload([alert()]));
      now = T0 + 11 * MIN;
      const resolved = payload([alert({ status: 'resolved' })]);
      expect((await post(resolved)).body).toEqual({
        accepted: 1,
        unrouted: [],
        opened: 0,
        renotified: 0,
        resolved: 1,
        messages: 1,
      });
      expect((await post(resolved)).body).toMatchObject({ accepted: 1, resolved: 0, messages: 0 });
      const [event] = await bridgeEvents();
      expect(event).toMatchObject({
        state: 'resolved',
        resolveReason: 'recovered',
        resolvedAt: '2025-01-06T02:10:00.000Z',
      });
      const rows = await outbox();
      expect(rows.map((row) => row.kind)).toEqual(['firing', 'resolved']);
      expect(rows[1]!.payload).toMatchObject({ title: '[P1 报警恢复] HighErrorRate' });

      // A late re-send of the same occurrence does not reopen it; the alert firing anew does.
      expect((await post(payload([alert()]))).body.opened).toBe(0);
      expect((await post(payload([alert({ startsAt: '2025-01-06T02:20:00Z' })]))).body.opened).toBe(1);
    });

    it('sends no recovery for an alert it never saw firing', async () => {
      expect((await post(payload([alert({ status: 'resolved' })]))).body).toMatchObject({
        accepted: 1,
        resolved: 0,
        messages: 0,
      });
      expect(await bridgeEvents()).toEqual([]);
    });

    it('keeps a closed occurrence closed: no recovery, and no new event until the alert fires anew', async () => {
      await post(payload([alert()]));
      const [event] = await bridgeEvents();
      await call('POST', `/api/v1/alert-events/${event.id}:close`);
      expect((await post(payload([alert()]))).body.opened).toBe(0);
      expect((await post(payload([alert({ status: 'resolved' })]))).body.messages).toBe(0);
      expect((await outbox()).map((row) => row.kind)).toEqual(['firing']);
    });

    it('reports alerts no route matches, with 200, and takes the others', async () => {
      const watchdog = alert({
        labels: { alertname: 'Watchdog', team: 'ops' },
        fingerprint: 'ffff000011112222',
      });
      const stray = alert({
        labels: { alertname: 'DiskFull', team: 'web' },
        fingerprint: '0000aaaa1111bbbb',
      });
      const answer = await post(payload([alert(), watchdog, stray]));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 1, opened: 1 });
      expect(answer.body.unrouted).toEqual([
        { fingerprint: 'ffff000011112222', status: 'firing', labels: { alertname: 'Watchdog', team: 'ops' } },
        { fingerprint: '0000aaaa1111bbbb', status: 'firing', labels: { alertname: 'DiskFull', team: 'web' } },
      ]);
    });

    it('routes by the first match unless a route continues, each route with its own event and channels', async () => {
      await route({
        name: 'audit',
        order: -10,
        continue: true,
        contactGroupIds: [dbGroupId],
        channels: ['email'],
      });
      const storage = alert({
        labels: { alertname: 'ReplicaLag', team: 'storage', severity: 'warning' },
        fingerprint: 'bbbb2222cccc3333',
      });
      const answer = await post(payload([alert(), storage]));
      expect(answer.body).toMatchObject({ accepted: 2, opened: 4, messages: 4 });
      const events = await bridgeEvents();
      expect(events.map((e) => `${e.policyName}@${e.alertmanager.routeName} ${e.severity}`).sort()).toEqual([
        'HighErrorRate@audit P1',
        'HighErrorRate@ops P1',
        'ReplicaLag@audit P2',
        'ReplicaLag@db P2',
      ]);
      expect((await outbox()).map((row) => row.channel).sort()).toEqual([
        'dingtalk',
        'email',
        'email',
        'email',
      ]);
    });

    it('maps severity with the route’s own mapping', async () => {
      await route({
        name: 'prio',
        order: -1,
        matchers: ['priority!=""'],
        contactGroupIds: [opsGroupId],
        severity: { label: 'priority', values: { high: 'P2' }, default: 'P4' },
      });
      await post(
        payload([
          alert({ labels: { alertname: 'A', priority: 'HIGH' }, fingerprint: '1' }),
          alert({ labels: { alertname: 'B', priority: 'low' }, fingerprint: '2' }),
        ]),
      );
      expect((await bridgeEvents()).map((e) => `${e.policyName} ${e.severity}`).sort()).toEqual([
        'A P2',
        'B P4',
      ]);
    });

    it('ends the open events of a deleted route without a message', async () => {
      const { id } = await route({
        name: 'all',
        order: -1,
        contactGroupIds: [dbGroupId],
        channels: ['email'],
      });
      await post(payload([alert()]));
      expect((await call('DELETE', `/api/v1/alertmanager-routes/${id}`)).status).toBe(204);
      const [event] = await call('GET', '/api/v1/alert-events?source=alertmanager&state=resolved').then(
        (a) => a.body.items,
      );
      expect(event).toMatchObject({ resolveReason: 'policy_deleted', alertmanager: { routeId: id } });
      expect((await post(payload([alert({ status: 'resolved' })]))).body.messages).toBe(0);
    });

    it('gives an alert without a fingerprint one of its own, the same for the same labels', async () => {
      const { fingerprint: _omitted, ...bare } = alert();
      await post(payload([bare as ReturnType<typeof alert>]));
      expect((await post(payload([bare as ReturnType<typeof alert>]))).body.opened).toBe(0);
      const [event] = await bridgeEvents();
      expect(event.alertmanager.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    });

    it('needs a token with the ingest permission', async () => {
      expect((await post(payload([alert()]), VIEWER)).status).toBe(403);
      expect((await call('POST', '/api/v1/alertmanager', payload([alert()]), 'tcs_unknown')).status).toBe(
        401,
      );
      expect((await post(payload([alert()]), EDITOR)).status).toBe(200);
    });

    it('refuses bad payloads with 400 naming each field, and stores nothing', async () => {
      const cases: [unknown, string[]][] = [
        [{ ...payload([alert()]), version: '3' }, ['version']],
        [{ ...payload([alert()]), alerts: undefined }, ['alerts']],
        [{ ...payload([alert()]), receiver: 7 }, ['receiver']],
        [payload([{ ...alert(), status: 'pending' } as any]), ['alerts[0].status']],
        [payload([{ ...alert(), startsAt: 'yesterday' }]), ['alerts[0].startsAt']],
        [payload([alert(), { ...alert(), labels: {} }]), ['alerts[1].labels']],
        [payload([{ ...alert(), labels: { team: 5 } } as any]), ['alerts[0].labels.team']],
        [payload([{ ...alert(), labels: { team: 'o\u0000ps' } }]), ['alerts[0].labels.team']],
      ];
      for (const [body, fields] of cases) {
        const answer = await post(body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.error.code).toBe('invalid_request');
        expect(answer.body.error.fields.map((f: { field: string }) => f.field)).toEqual(fields);
      }
      const notJson = await call('POST', '/api/v1/alertmanager', '{"version":', SENDER);
      expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
      expect(await bridgeEvents()).toEqual([]);
      expect(await outbox()).toEqual([]);
    });

    it('accepts fields other senders add, and documents the route in the OpenAPI document', async () => {
      const grafana = {
        ...payload([
          { ...alert(), silenceURL: 'http://grafana/x', values: { A: 1 } } as ReturnType<typeof alert>,
        ]),
        orgId: 1,
      };
      expect((await post(grafana)).body.opened).toBe(1);
      const document = (await (await fetch(`${url}/api/openapi.json`)).json()) as { paths: object };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/alertmanager',
          '/api/v1/alertmanager-routes',
          '/api/v1/alertmanager-routes/{id}',
        ]),
      );
    });
  });
}
