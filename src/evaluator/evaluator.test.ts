// The evaluator over a real store (both databases), an in-memory data source and a manual clock: the
// seed's policy fires for exactly the hosts whose FullGC doubled, re-notifies only after the silence
// period, recovers after the recovery delay with one message, waits for the effective window, survives a
// restart without losing or re-sending anything, and follows edits, disabling, closes and failures.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import { SEED_WEBHOOK, seedPolicy } from '../../test/seed-fixtures.js';
import type { DimensionSeries, PolicyDataSource, WindowRequest } from '../datasources/policy-data.js';
import { alertPolicyInputSchema, type AlertPolicy } from '../domain/alert-policy.js';
import { renderAlertEventRows } from '../notify/alert-event-messages.js';
import type { NotificationRequest } from '../notify/outbox.js';
import type { NotificationRecord } from '../store/notifications.js';
import { SecretBox } from '../store/secret-box.js';
import { openStore, type Store } from '../store/store.js';
import { Evaluator, type EvaluatorLog } from './evaluator.js';

const MIN = 60_000;
/** Monday 2025-01-06 10:00 in Shanghai; ticks land a little after the minute, as timers do. */
const T = Date.parse('2025-01-06T02:00:00Z');
const tick = (minutes: number) => T + minutes * MIN + 150;

/** Per host, the JVM_FullGC value of each minute. */
type History = (minuteMs: number) => number;

/** A data source answering from per-host histories; `failing` makes it throw like an unreachable server. */
class MemoryDataSource implements PolicyDataSource {
  readonly hosts = new Map<string, History>();
  failing: string | null = null;
  readonly requests: WindowRequest[] = [];

  fetchWindow(request: WindowRequest): Promise<readonly DimensionSeries[]> {
    this.requests.push(request);
    if (this.failing) return Promise.reject(new Error(this.failing));
    const minutes = (request.toMs - request.fromMs) / MIN;
    return Promise.resolve(
      [...this.hosts].map(([host, history]) => ({
        key: host,
        labels: { host },
        values: Float64Array.from({ length: minutes }, (_, i) => history(request.fromMs + i * MIN)),
      })),
    );
  }
}

/** 2 GCs a minute until `from`, then `after`: doubled from T−10 min by default. */
const stepUp =
  (after: number, from = T - 10 * MIN): History =>
  (minute) =>
    minute >= from ? after : 2;

const quietLog: EvaluatorLog & { errors: string[] } = {
  errors: [],
  error(_details, message) {
    this.errors.push(message);
  },
  warn() {},
};

for (const dialect of DIALECTS) {
  describe(`evaluator on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let now = T;
    let data: MemoryDataSource;
    let groupId: string;
    const box = new SecretBox(randomBytes(32));

    async function open(): Promise<Store> {
      return openStore({ url: database.url, box, now: () => now });
    }

    function evaluator(
      overrides: { instanceId?: string; dataSourceFor?: (p: AlertPolicy) => PolicyDataSource } = {},
    ) {
      return new Evaluator({
        store,
        clock: { now: () => now },
        dataSourceFor: overrides.dataSourceFor ?? (() => data),
        options: { publicUrl: 'http://tocsin.test', locale: 'en' },
        log: quietLog,
        ...(overrides.instanceId && { instanceId: overrides.instanceId }),
      });
    }

    /** Runs one tick at `minutes` after T. */
    async function runAt(engine: Evaluator, minutes: number) {
      now = tick(minutes);
      return engine.runOnce(now);
    }

    async function createPolicy(patch: Record<string, unknown> = {}): Promise<AlertPolicy> {
      return store.alertPolicies.create(alertPolicyInputSchema.parse(seedPolicy([groupId], patch)));
    }

    async function notifications(): Promise<NotificationRecord[]> {
      return [...(await store.notifications.list({ limit: 1000 })).items].reverse();
    }

    /** The message of an outbox row about one event, rendered as the dispatcher renders it. */
    async function rendered(record: NotificationRecord): Promise<NotificationRequest> {
      const [request, ...more] = (await renderAlertEventRows(store, [record])).get(record.id)!;
      expect(more).toEqual([]);
      return request!;
    }

    beforeEach(async () => {
      now = T;
      database = await createTestDatabase(dialect);
      store = await open();
      data = new MemoryDataSource();
      data.hosts.set('h1', stepUp(4)); // doubled
      data.hosts.set('h2', stepUp(3)); // +50 %
      data.hosts.set('h3', () => 2); // steady
      const robot = await store.contacts.create({
        name: 'ops-robot',
        description: null,
        dingtalk: {
          webhook: SEED_WEBHOOK,
          secret: null,
          keywords: ['alert'],
          atMobiles: [],
          atUserIds: [],
          atAll: false,
          messageType: 'markdown',
        },
        email: null,
        phone: null,
        webhook: null,
      });
      groupId = (await store.contactGroups.create({ name: 'ops', description: null, contactIds: [robot.id] }))
        .id;
      quietLog.errors.length = 0;
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it("fires the seed's policy for exactly the hosts whose FullGC doubled vs an hour ago, with one message each", async () => {
      const policy = await createPolicy();
      const report = await runAt(evaluator(), 0);
      expect(report).toMatchObject({
        policies: 1,
        evaluated: 1,
        failed: 0,
        opened: 1,
        messages: 1,
        notifications: 1,
      });

      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      expect(event).toMatchObject({
        policyId: policy.id,
        policyName: policy.name,
        severity: 'P2',
        state: 'firing',
        dimensionName: 'host',
        dimensionKey: 'h1',
        labels: { host: 'h1' },
        startedAt: tick(0),
        notifyCount: 1,
        lastNotifiedAt: tick(0),
        triggerValues: [{ metric: 'JVM_FullGC', value: 4, baselineValue: 2, changePct: 100, holds: true }],
      });
      // The windows: the last 5 complete minutes, and the same 5 minutes an hour earlier.
      expect(data.requests.map((r) => [r.fromMs, r.toMs]).sort()).toEqual(
        [
          [T - 5 * MIN, T],
          [T - 65 * MIN, T - 60 * MIN],
        ].sort(),
      );
      const [message] = await notifications();
      expect(message).toMatchObject({
        kind: 'firing',
        channel: 'dingtalk',
        eventId: event!.id,
        policyId: policy.id,
      });
      const request = await rendered(message!);
      expect(request.title).toBe(`[P2 Alert] ${policy.name}`);
      expect(request.markdown).toContain('h1');
      expect(await store.policyEvaluations.get(policy.id)).toMatchObject({ lastStatus: 'ok', failures: 0 });
    });

    it('puts the events a policy opens in one evaluation into one message per target, rendered from the events', async () => {
      data.hosts.set('h2', stepUp(4));
      data.hosts.set('h4', stepUp(5));
      const policy = await createPolicy();
      const report = await runAt(evaluator(), 0);
      expect(report).toMatchObject({ opened: 3, messages: 3, notifications: 1 });
      const events = [...(await store.alertEvents.list({ limit: 10 })).items].reverse();
      const [row, ...others] = await notifications();
      expect(others).toEqual([]);
      expect(row).toMatchObject({
        kind: 'firing',
        policyId: policy.id,
        eventId: null,
        eventIds: events.map((e) => e.id),
        payload: { title: `[P2 Alert] ${policy.name} ×3` },
      });
      const requests = (await renderAlertEventRows(store, [row!])).get(row!.id)!;
      expect(requests.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
      expect(requests.map((r) => /h\d/.exec(r.markdown)?.[0])).toEqual(events.map((e) => e.dimensionKey));
      // Each with the event as data, for the webhook's `events`.
      expect(requests[0]!.event).toEqual({
        eventId: events[0]!.id,
        policyId: policy.id,
        policyName: policy.name,
        severity: 'P2',
        state: 'firing',
        target: 'order-service',
        dimension: { key: 'host', value: events[0]!.dimensionKey },
        value: 4,
        condition: expect.stringContaining('JVM_FullGC'),
        startedAt: events[0]!.startedAt,
        url: `http://tocsin.test/events/${events[0]!.id}`,
      });
      // The sending history finds the row by any of its events.
      for (const event of events) {
        const found = await store.notifications.list({ limit: 10, eventId: event.id });
        expect(found.items.map((n) => n.id)).toEqual([row!.id]);
      }
    });

    it('gives a policy template the labels of the event’s series as {{labels.NAME}}', async () => {
      await createPolicy({
        notification: {
          channels: ['dingtalk'],
          contactGroupIds: [groupId],
          template: { title: 'GC on {{labels.host}}', body: null },
        },
      });
      await runAt(evaluator(), 0);
      const [message] = await notifications();
      expect((await rendered(message!)).title).toBe('GC on h1');
    });

    it('re-notifies a still-firing event only once the silence period has passed', async () => {
      await createPolicy({
        notification: { channels: ['dingtalk'], contactGroupIds: [groupId], silenceMinutes: 30 },
      });
      const engine = evaluator();
      for (let minute = 0; minute < 30; minute++) await runAt(engine, minute);
      expect(await notifications()).toHaveLength(1);
      await runAt(engine, 30);
      const sent = await notifications();
      expect(sent.map((n) => n.kind)).toEqual(['firing', 'firing']);
      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      expect(event).toMatchObject({ notifyCount: 2, lastNotifiedAt: tick(30), lastEvaluatedAt: tick(30) });
    });

    it('resolves once the rules have been false for the recovery delay (5 minutes), with one recovery message', async () => {
      await createPolicy();
      const engine = evaluator();
      await runAt(engine, 0);
      data.hosts.set('h1', () => 2); // back to normal
      for (let minute = 1; minute <= 5; minute++) await runAt(engine, minute);
      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      expect(event).toMatchObject({ state: 'firing', falseSince: tick(1) });
      await runAt(engine, 6);
      await runAt(engine, 7);
      const resolved = (await store.alertEvents.get(event!.id))!;
      expect(resolved).toMatchObject({
        state: 'resolved',
        resolveReason: 'recovered',
        resolvedAt: tick(6),
        triggerValues: [{ value: 2, changePct: 0, holds: false }],
      });
      const sent = await notifications();
      expect(sent.map((n) => n.kind)).toEqual(['firing', 'resolved']);
      expect((await rendered(sent[1]!)).title).toContain('Resolved');
    });

    it('records an event outside the effective window and notifies it when the window opens', async () => {
      await createPolicy({
        notification: {
          channels: ['dingtalk'],
          contactGroupIds: [groupId],
          effective: { days: [1, 2, 3, 4, 5], from: '10:30', to: '18:00', timeZone: 'Asia/Shanghai' },
        },
      });
      const engine = evaluator();
      for (let minute = 0; minute < 30; minute += 10) await runAt(engine, minute); // 10:00–10:20 Shanghai
      expect(await store.alertEvents.countByState()).toEqual({ firing: 1, resolved: 0 });
      expect(await notifications()).toHaveLength(0);
      await runAt(engine, 30); // 10:30
      const sent = await notifications();
      expect(sent.map((n) => n.kind)).toEqual(['firing']);
      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      expect(event).toMatchObject({ startedAt: tick(0), notifyCount: 1, lastNotifiedAt: tick(30) });
    });

    it('after a restart keeps the firing event and does not send its message again', async () => {
      await createPolicy();
      await runAt(evaluator({ instanceId: 'before' }), 0);
      const [before] = (await store.alertEvents.list({ limit: 10 })).items;
      await store.close();
      store = await open();
      const report = await runAt(evaluator({ instanceId: 'after' }), 1);
      expect(report).toMatchObject({ evaluated: 1, opened: 0, messages: 0 });
      const events = (await store.alertEvents.list({ limit: 10 })).items;
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        id: before!.id,
        state: 'firing',
        notifyCount: 1,
        lastEvaluatedAt: tick(1),
      });
      expect(await notifications()).toHaveLength(1);
    });

    it('counts forEvaluations across a restart, starting the event at the first holding evaluation', async () => {
      const policy = await createPolicy({ forEvaluations: 3 });
      await runAt(evaluator(), 0);
      await runAt(evaluator(), 1);
      expect(await store.alertEvents.countByState()).toEqual({ firing: 0, resolved: 0 });
      await store.close();
      store = await open();
      const report = await runAt(evaluator(), 2);
      expect(report.opened).toBe(1);
      expect((await store.alertEvents.list({ limit: 10 })).items[0]).toMatchObject({ startedAt: tick(0) });
      expect((await store.alertEvents.openStateOf(policy.id)).keys).toEqual([]);
    });

    it('evaluates a tick once: a second run at the same time, or another instance, skips it', async () => {
      await createPolicy();
      await runAt(evaluator({ instanceId: 'a' }), 0);
      expect(await evaluator({ instanceId: 'b' }).runOnce(tick(0))).toMatchObject({
        evaluated: 0,
        skipped: 1,
      });
      expect(await notifications()).toHaveLength(1);
    });

    it('never re-notifies an acknowledged event, and still sends its recovery', async () => {
      await createPolicy({
        recoveryMinutes: 0,
        notification: { channels: ['dingtalk'], contactGroupIds: [groupId], silenceMinutes: 1 },
      });
      const engine = evaluator();
      await runAt(engine, 0);
      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      await store.alertEvents.acknowledge(event!.id, 'alice', tick(0) + 1000);
      for (let minute = 1; minute <= 3; minute++) await runAt(engine, minute);
      data.hosts.set('h1', () => 2);
      await runAt(engine, 4);
      expect((await notifications()).map((n) => n.kind)).toEqual(['firing', 'resolved']);
    });

    it('after a close opens nothing while the rules hold, and fires anew once they stopped for the recovery delay', async () => {
      await createPolicy({ recoveryMinutes: 2 });
      const engine = evaluator();
      await runAt(engine, 0);
      const [event] = (await store.alertEvents.list({ limit: 10 })).items;
      await store.alertEvents.close(event!.id, 'alice', tick(0) + 1000);
      for (let minute = 1; minute <= 3; minute++) await runAt(engine, minute);
      expect(await store.alertEvents.countByState()).toEqual({ firing: 0, resolved: 1 });
      data.hosts.set('h1', () => 2);
      for (let minute = 4; minute <= 6; minute++) await runAt(engine, minute);
      data.hosts.set('h1', stepUp(4, T + 6 * MIN));
      await runAt(engine, 12);
      expect(await store.alertEvents.countByState()).toEqual({ firing: 1, resolved: 1 });
      // The close sent nothing: one firing message for each event.
      expect((await notifications()).map((n) => n.kind)).toEqual(['firing', 'firing']);
    });

    it('ends the events of a disabled or deleted policy without a message', async () => {
      const disabled = await createPolicy();
      const deleted = await createPolicy({ name: 'another' });
      const engine = evaluator();
      await runAt(engine, 0);
      expect(await store.alertEvents.countByState()).toEqual({ firing: 2, resolved: 0 });
      await store.alertPolicies.setEnabled(disabled.id, false);
      await store.alertPolicies.delete(deleted.id);
      const report = await runAt(engine, 1);
      expect(report).toMatchObject({ policies: 0, endedByPolicy: 2 });
      const reasons = (await store.alertEvents.list({ limit: 10 })).items.map((e) => [
        e.policyId,
        e.resolveReason,
      ]);
      expect(reasons.sort()).toEqual(
        [
          [disabled.id, 'policy_disabled'],
          [deleted.id, 'policy_deleted'],
        ].sort(),
      );
      expect((await notifications()).map((n) => n.kind)).toEqual(['firing', 'firing']);
    });

    it('keeps the events of a policy whose rules changed, and ends those of a policy that watches something else', async () => {
      const policy = await createPolicy();
      const engine = evaluator();
      await runAt(engine, 0);
      const [first] = (await store.alertEvents.list({ limit: 10 })).items;

      const rules = { match: 'all', conditions: [{ ...policy.rules.conditions[0], threshold: 90 }] };
      await store.alertPolicies.update(
        policy.id,
        alertPolicyInputSchema.parse(seedPolicy([groupId], { rules })),
      );
      await runAt(engine, 1);
      expect(await store.alertEvents.get(first!.id)).toMatchObject({ state: 'firing' });

      await store.alertPolicies.update(
        policy.id,
        alertPolicyInputSchema.parse(seedPolicy([groupId], { rules, target: 'payment-service' })),
      );
      const report = await runAt(engine, 2);
      expect(await store.alertEvents.get(first!.id)).toMatchObject({
        state: 'resolved',
        resolveReason: 'policy_changed',
      });
      // Re-evaluated in the same tick under what it watches now: h1 still doubled, a new event.
      expect(report).toMatchObject({ opened: 1, resolved: 1, messages: 1 });
      expect((await notifications()).map((n) => n.kind)).toEqual(['firing', 'firing']);
    });

    it("waits for a Prometheus data source as long as its own timeoutSeconds, past the evaluator's fetch timeout", async () => {
      const datasource = await store.datasources.create({
        name: 'prom',
        type: 'prometheus',
        url: 'http://127.0.0.1:9090',
        basicAuth: null,
        bearerToken: null,
        timeoutSeconds: 1,
      });
      const prometheusPolicy = await store.alertPolicies.create(
        alertPolicyInputSchema.parse({
          name: 'slow prometheus',
          kind: 'prometheus',
          datasourceId: datasource.id,
          expr: 'jvm_fullgc',
          rules: { conditions: [{ windowMinutes: 5, comparator: 'gt', threshold: 3 }] },
          notification: { channels: ['dingtalk'], contactGroupIds: [groupId] },
        }),
      );
      const builtinPolicy = await createPolicy();
      // Answers in 300 ms: within the data source's 1 s, well past the evaluator's 100 ms.
      const slow: PolicyDataSource = {
        fetchWindow: (request) =>
          new Promise((resolve) => setTimeout(() => resolve(data.fetchWindow(request)), 300)),
      };
      const engine = new Evaluator({
        store,
        clock: { now: () => now },
        dataSourceFor: () => slow,
        options: { publicUrl: 'http://tocsin.test', locale: 'en', fetchTimeoutMs: 100 },
        log: quietLog,
      });
      expect(await runAt(engine, 0)).toMatchObject({ evaluated: 1, failed: 1 });
      expect(await store.policyEvaluations.get(prometheusPolicy.id)).toMatchObject({ lastStatus: 'ok' });
      expect(await store.policyEvaluations.get(builtinPolicy.id)).toMatchObject({
        lastStatus: 'error',
        lastError: 'the data source did not answer within 100 ms',
      });
    });

    it('records a failing data source on the policy and goes on with the other policies', async () => {
      const broken = await createPolicy({ name: 'broken' });
      const working = await createPolicy({ name: 'working' });
      const unreachable = new MemoryDataSource();
      unreachable.failing = 'connect ECONNREFUSED 127.0.0.1:9090';
      const engine = evaluator({ dataSourceFor: (p) => (p.id === broken.id ? unreachable : data) });
      const report = await runAt(engine, 0);
      expect(report).toMatchObject({ policies: 2, evaluated: 1, failed: 1, opened: 1 });
      expect(await store.policyEvaluations.get(broken.id)).toMatchObject({
        lastStatus: 'error',
        lastError: 'connect ECONNREFUSED 127.0.0.1:9090',
        failures: 1,
        leaseOwner: null,
      });
      expect((await store.alertEvents.list({ limit: 10 })).items.map((e) => e.policyId)).toEqual([
        working.id,
      ]);
      expect(quietLog.errors).toEqual(['policy evaluation failed']);
      // The failure changed nothing, and the next tick evaluates it again.
      unreachable.failing = null;
      unreachable.hosts.set('h1', stepUp(4));
      expect(await runAt(engine, 1)).toMatchObject({ evaluated: 2, failed: 0, opened: 1 });
    });

    it('opens a no-data event for the specified dimension value of a policy with noDataAction alert, and none for the others', async () => {
      await createPolicy({
        dimension: { mode: 'specified', key: 'host', value: 'h9' },
        noDataAction: 'alert',
      });
      await runAt(evaluator(), 0);
      // The data source answers every host (h1 doubled); only h9 is watched, and it has no data.
      const events = (await store.alertEvents.list({ limit: 10 })).items;
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({ dimensionKey: 'h9', noData: true, labels: { host: 'h9' } });
      expect(event!.triggerValues).toMatchObject([{ value: null, holds: false }]);
    });

    it('prunes resolved events and finished notifications past the retention', async () => {
      await createPolicy({ recoveryMinutes: 0 });
      const engine = evaluator();
      await runAt(engine, 0);
      data.hosts.set('h1', () => 2);
      await runAt(engine, 1);
      const queued = await notifications();
      await store.notifications.claimDue(now, 10, MIN);
      await store.notifications.markSent(
        queued.map((n) => n.id),
        'm',
        null,
        now,
      );
      expect(await engine.prune(now + 89 * 86_400_000)).toEqual({ events: 0, notifications: 0 });
      expect(await engine.prune(now + 91 * 86_400_000)).toEqual({ events: 1, notifications: 2 });
    });
  });
}

describe('the evaluation loop', () => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T - 1000);
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    await database.drop();
  });

  /** Lets the database's promises and the loop's own yields run (real event-loop turns). */
  async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  it('evaluates on the next minute boundary, once per boundary, and stop() waits for the tick in progress', async () => {
    const mail = await store.contacts.create({
      name: 'ops-mail',
      description: null,
      dingtalk: null,
      email: 'ops@example.com',
      phone: null,
      webhook: null,
    });
    const group = await store.contactGroups.create({
      name: 'ops',
      description: null,
      contactIds: [mail.id],
    });
    const policy = await store.alertPolicies.create(
      alertPolicyInputSchema.parse(
        seedPolicy([group.id], { notification: { channels: ['email'], contactGroupIds: [group.id] } }),
      ),
    );
    const data = new MemoryDataSource();
    data.hosts.set('h1', stepUp(4));
    let wakeUps = 0;
    const engine = new Evaluator({
      store,
      clock: { now: () => Date.now() },
      dataSourceFor: () => data,
      notifier: { notify: () => (wakeUps += 1) },
      options: { publicUrl: 'http://tocsin.test' },
    });
    engine.start();
    await settle();
    await vi.advanceTimersByTimeAsync(999);
    await settle();
    expect(data.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    await engine.stop();
    expect(await store.policyEvaluations.get(policy.id)).toMatchObject({ tick: T, lastStatus: 'ok' });
    expect(await store.alertEvents.countByState()).toEqual({ firing: 1, resolved: 0 });
    expect(wakeUps).toBe(1);
    // Stopped: the next boundary passes without an evaluation.
    const requests = data.requests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(data.requests).toHaveLength(requests);
  });
});
