// The dispatcher against the DingTalk sandbox over HTTP, on both databases: delivery, retries with
// backoff, permanent failures, merging under the rate budget, lease takeover and two instances at once.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import { seedPolicy } from '../../test/seed-fixtures.js';
import {
  createManualClock,
  startSandbox,
  type ManualClock,
  type RunningSandbox,
} from '../dingtalk-sandbox/index.js';
import { alertPolicyInputSchema, type Severity } from '../domain/alert-policy.js';
import type { Contact } from '../domain/contact.js';
import type { NewAlertEvent } from '../store/alert-events.js';
import { SecretBox } from '../store/secret-box.js';
import { openStore, type Store } from '../store/store.js';
import { dingtalkSender } from './channel-senders.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { RenderedNotification } from './rendered-notification.js';
import { alertEventsRows } from './alert-event-messages.js';
import { enqueueForContacts, outboxTargets, type NotificationRequest } from './outbox.js';

const T0 = Date.parse('2025-01-01T01:00:00Z');
const SECRET = 'SEC0123456789abcdef0123456789abcdef';
const ROBOTS = Array.from({ length: 20 }, (_, i) => `r${i}`);

function request(n: number, severity: Severity = 'P2'): NotificationRequest {
  return {
    kind: 'firing',
    severity,
    policyId: `p${n % 3}`,
    policyName: `JVM FullGC ${n % 3}`,
    eventId: `e${n}`,
    locale: 'zh-CN',
    title: `[${severity} 告警] FullGC on host-${n}`,
    summary: '',
    markdown: `主机 host-${n}：JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)`,
    links: [{ title: '查看', url: `http://127.0.0.1:9700/events/e${n}` }],
  };
}

for (const dialect of DIALECTS) {
  describe(`dispatcher on ${dialect}`, () => {
    let database: TestDatabase;
    let clock: ManualClock;
    let sandbox: RunningSandbox;
    let store: Store;
    const box = new SecretBox(randomBytes(32));
    const closers: (() => Promise<void>)[] = [];

    beforeEach(async () => {
      clock = createManualClock(T0);
      sandbox = await startSandbox({
        port: 0,
        clock,
        robots: [
          { token: 'ops', secret: SECRET, keywords: ['报警'] },
          ...ROBOTS.map((token) => ({ token, keywords: ['报警'] })),
        ],
      });
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box, now: () => clock.now() });
    });

    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
      await store.close();
      await database.drop();
      await sandbox.close();
    });

    function dispatcherOn(s: Store, options: Partial<DispatcherOptions> = {}): Dispatcher {
      return new Dispatcher({
        store: s,
        clock,
        senders: { dingtalk: dingtalkSender({ clock, timeoutMs: 5_000 }) },
        // Jitter factor 1: retry times are exactly base × 2^(n-1).
        random: () => 0.5,
        options,
      });
    }

    async function robotContact(name: string, token: string, secret: string | null = null): Promise<Contact> {
      return store.contacts.create({
        name,
        description: null,
        dingtalk: {
          webhook: sandbox.webhookUrl(token),
          secret,
          keywords: ['报警'],
          atMobiles: [],
          atUserIds: [],
          atAll: false,
          messageType: 'markdown',
        },
        email: null,
        phone: null,
        webhook: null,
      });
    }

    async function enqueue(contact: Contact, count: number, first = 0) {
      const rows = [];
      for (let n = first; n < first + count; n++) {
        rows.push(...(await enqueueForContacts(store, [contact], ['dingtalk'], request(n))));
      }
      return rows;
    }

    function rateLimitAnswers(): number {
      return sandbox.attempts().filter((a) => a.errcode === 130101).length;
    }

    it('sends an enqueued notification to the signed robot and marks the row sent', async () => {
      const contact = await robotContact('ops', 'ops', SECRET);
      const [row] = await enqueue(contact, 1);
      const report = await dispatcherOn(store).runOnce();
      expect(report).toMatchObject({ claimed: 1, messages: 1, sent: 1 });
      const [message] = sandbox.messages('ops');
      expect(JSON.stringify(message?.body)).toContain('host-0');
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'sent',
        attempts: 1,
        sentAt: T0,
        answer: { errcode: 0 },
        messageId: message?.msgUuid,
      });
    });

    /** A policy notifying `contact`, and a way to open its events (by host) as the evaluator does. */
    async function policyWithEvents(contact: Contact) {
      const group = await store.contactGroups.create({
        name: `group of ${contact.name}`,
        description: null,
        contactIds: [contact.id],
      });
      const policy = await store.alertPolicies.create(alertPolicyInputSchema.parse(seedPolicy([group.id])));
      const open = (hosts: readonly string[]) =>
        store.alertEvents.openIds(
          hosts.map((host): NewAlertEvent => ({
            policyId: policy.id,
            policyName: policy.name,
            policyKind: policy.kind,
            severity: policy.severity,
            dimensionName: 'host',
            dimensionKey: host,
            labels: { host },
            noData: false,
            triggerValues: [],
            watchFingerprint: 'fp',
            startedAt: T0,
            lastEvaluatedAt: T0,
            lastNotifiedAt: T0,
            notifyCount: 1,
          })),
        );
      const message = { kind: 'firing', policy, publicUrl: 'http://tocsin.test', locale: 'zh-CN' } as const;
      return { open, message };
    }

    it('renders a row carrying alert events when it sends it, one message naming them all', async () => {
      const contact = await robotContact('ops', 'ops', SECRET);
      const { open, message } = await policyWithEvents(contact);
      const eventIds = await open(['10.0.0.7', '10.0.0.8']);
      const targets = outboxTargets([contact], ['dingtalk']);
      const [row] = await store.notifications.enqueue(alertEventsRows(targets, { ...message, eventIds }));
      const [gone] = await store.notifications.enqueue(
        alertEventsRows(targets, { ...message, eventIds: ['0000000000nosuchevent0000'] }),
      );

      const report = await dispatcherOn(store).runOnce();
      expect(report).toMatchObject({ claimed: 2, messages: 1, sent: 1, failed: 1 });
      const [sent, ...more] = sandbox.messages('ops');
      expect(more).toEqual([]);
      const text = JSON.stringify(sent?.body);
      expect(text).toContain('10.0.0.7');
      expect(text).toContain('10.0.0.8');
      expect(await store.notifications.get(row!.id)).toMatchObject({ state: 'sent', eventIds });
      expect(await store.notifications.get(gone!.id)).toMatchObject({
        state: 'failed',
        attempts: 0,
        lastError: 'its alert events no longer exist',
      });
    });

    it('sends a webhook at most 500 events a message, a policy opening 600 at once in rows of 100', async () => {
      const contact = await store.contacts.create({
        name: 'hooks',
        description: null,
        dingtalk: null,
        email: null,
        phone: null,
        webhook: {
          url: 'https://hooks.example.com/alerts',
          method: 'POST',
          headers: {},
          bodyTemplate: null,
          secret: null,
        },
      });
      const { open, message } = await policyWithEvents(contact);
      const eventIds = await open(Array.from({ length: 600 }, (_, i) => `10.0.${i >> 8}.${i & 255}`));
      const rows = alertEventsRows(outboxTargets([contact], ['webhook']), { ...message, eventIds });
      expect(rows.map((row) => row.eventIds?.length)).toEqual([100, 100, 100, 100, 100, 100]);
      await store.notifications.enqueue(rows);
      const sent: RenderedNotification[] = [];
      const dispatcher = new Dispatcher({
        store,
        clock,
        senders: {
          webhook: (_contact, notification) => {
            sent.push(notification);
            return Promise.resolve({ ok: true });
          },
        },
      });
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 6, messages: 2, sent: 6 });
      expect(sent.map((notification) => notification.items.length)).toEqual([500, 100]);
      expect(sent.flatMap((notification) => notification.events!.map((e) => e.eventId)).sort()).toEqual(
        [...eventIds].sort(),
      );
    });

    it('retries two 5xx answers with exponential backoff and then sends exactly once', async () => {
      const contact = await robotContact('ops', 'ops', SECRET);
      const [row] = await enqueue(contact, 1);
      sandbox.injectFault({ kind: 'http-status', status: 503, times: 2 });
      const dispatcher = dispatcherOn(store);
      await dispatcher.runOnce();
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'retrying',
        attempts: 1,
        nextAttemptAt: T0 + 5_000,
        lastError: expect.stringContaining('HTTP 503'),
        answer: { httpStatus: 503 },
      });
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      clock.advance(5_000);
      await dispatcher.runOnce();
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'retrying',
        attempts: 2,
        nextAttemptAt: T0 + 5_000 + 10_000,
      });
      clock.advance(10_000);
      await dispatcher.runOnce();
      expect(await store.notifications.get(row!.id)).toMatchObject({ state: 'sent', attempts: 3 });
      expect(sandbox.messages('ops')).toHaveLength(1);
    });

    it('sends what waits out a backoff as soon as the robot accepts a message again', async () => {
      const contact = await robotContact('ops', 'ops', SECRET);
      const [early] = await enqueue(contact, 1);
      sandbox.injectFault({ kind: 'http-status', status: 503, times: 1 });
      const dispatcher = dispatcherOn(store);
      await dispatcher.runOnce();
      expect(await store.notifications.get(early!.id)).toMatchObject({
        state: 'retrying',
        nextAttemptAt: T0 + 5_000,
      });
      // The outage is over: a new notification gets through, and the one backing off follows at once.
      clock.advance(1_000);
      await enqueue(contact, 1, 1);
      await dispatcher.runOnce();
      await dispatcher.runOnce();
      expect(await store.notifications.get(early!.id)).toMatchObject({ state: 'sent', attempts: 2 });
      expect(clock.now()).toBe(T0 + 1_000);
    });

    it('gives up after the maximum attempts with the last reason', async () => {
      const contact = await robotContact('ops', 'ops', SECRET);
      const [row] = await enqueue(contact, 1);
      sandbox.injectFault({ kind: 'errcode', errcode: -1, times: 10 });
      const dispatcher = dispatcherOn(store, { maxAttempts: 3 });
      for (let i = 0; i < 3; i++) {
        await dispatcher.runOnce();
        clock.advance(60_000);
      }
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'failed',
        attempts: 3,
        lastError: expect.stringMatching(/^gave up after 3 attempts: -1 /),
        answer: { errcode: -1 },
      });
    });

    it('fails a notification for a wrong secret with errcode 310000, the errmsg and the fix', async () => {
      const contact = await robotContact('wrong', 'ops', 'SECnot-the-robot-secret');
      const [row] = await enqueue(contact, 1);
      await dispatcherOn(store).runOnce();
      const failed = await store.notifications.get(row!.id);
      expect(failed).toMatchObject({ state: 'failed', attempts: 1, answer: { errcode: 310000 } });
      expect(failed?.answer?.errmsg).toContain('签名不匹配');
      expect(failed?.lastError).toMatch(/secret/);
      expect(sandbox.messages('ops')).toEqual([]);
    });

    it('merges 50 notifications for one robot into one message that accounts for all of them', async () => {
      const contact = await robotContact('r0', 'r0');
      const rows = await enqueue(contact, 50);
      const report = await dispatcherOn(store).runOnce();
      expect(report).toMatchObject({ claimed: 50, messages: 1, sent: 50 });
      const messages = sandbox.messages('r0');
      expect(messages).toHaveLength(1);
      const text = JSON.stringify(messages[0]?.body);
      expect(text).toContain('50');
      const sent = await Promise.all(rows.map((row) => store.notifications.get(row.id)));
      expect(new Set(sent.map((row) => row?.messageId))).toEqual(new Set([messages[0]?.msgUuid]));
      const answer = sent[0]!.answer!;
      expect(Number(answer.includedItems) + Number(answer.omittedItems)).toBe(50);
      expect(rateLimitAnswers()).toBe(0);
    });

    it("sweeps everything waiting for a robot into the message going to it, beyond one cycle's batch", async () => {
      const contact = await robotContact('r0', 'r0');
      const rows = await enqueue(contact, 120);
      const report = await dispatcherOn(store, { batchSize: 10 }).runOnce();
      expect(report).toMatchObject({ claimed: 10, messages: 1, sent: 120 });
      expect(sandbox.messages('r0')).toHaveLength(1);
      const sent = await Promise.all(rows.map((row) => store.notifications.get(row.id)));
      expect(sent.every((row) => row?.state === 'sent')).toBe(true);
    });

    it('defers what exceeds the budget until a slot frees up, then sends it merged', async () => {
      const contact = await robotContact('r0', 'r0');
      const dispatcher = dispatcherOn(store, { budgets: { dingtalk: { limit: 2, windowMs: 60_000 } } });
      await enqueue(contact, 1, 0);
      await dispatcher.runOnce();
      clock.advance(1_000);
      await enqueue(contact, 1, 1);
      await dispatcher.runOnce();
      clock.advance(1_000);
      const waiting = await enqueue(contact, 3, 2);
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, messages: 0, deferred: 3 });
      expect(await store.notifications.get(waiting[0]!.id)).toMatchObject({
        state: 'retrying',
        attempts: 0,
        nextAttemptAt: T0 + 60_000,
      });
      clock.set(T0 + 60_000);
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, messages: 1, sent: 3 });
      expect(sandbox.messages('r0')).toHaveLength(3);
    });

    it('pauses a robot that answers 130101 and tries it again only when the pause ends', async () => {
      const contact = await robotContact('r0', 'r0');
      const [row] = await enqueue(contact, 1);
      sandbox.injectFault({ kind: 'errcode', errcode: 130101, times: 1 });
      const dispatcher = dispatcherOn(store);
      await dispatcher.runOnce();
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'retrying',
        nextAttemptAt: T0 + 10 * 60_000,
        answer: { errcode: 130101 },
      });
      await enqueue(contact, 1, 1);
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, deferred: 1, messages: 0 });
      clock.set(T0 + 10 * 60_000);
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, messages: 1, sent: 2 });
    });

    it('fails a notification whose contact was deleted meanwhile, without sending', async () => {
      const contact = await robotContact('r0', 'r0');
      const [row] = await enqueue(contact, 1);
      await store.contacts.delete(contact.id);
      await dispatcherOn(store).runOnce();
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'failed',
        attempts: 0,
        lastError: 'contact deleted',
      });
      expect(sandbox.attempts()).toEqual([]);
    });

    it('sends a row whose claimer died once its lease expired, from another dispatcher', async () => {
      const contact = await robotContact('r0', 'r0');
      const [row] = await enqueue(contact, 1);
      // The first instance claims and dies before sending or recording anything.
      await store.notifications.claimDue(clock.now(), 10, 30_000);
      const survivor = dispatcherOn(store, { leaseMs: 30_000 });
      expect((await survivor.runOnce()).claimed).toBe(0);
      clock.advance(30_000);
      expect(await survivor.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
      expect((await store.notifications.get(row!.id))?.state).toBe('sent');
      expect(sandbox.messages('r0')).toHaveLength(1);
    });

    it('delivers 2 000 notifications over 20 robots, all sent, with no rate-limit answer', async () => {
      const contacts = await Promise.all(ROBOTS.map((token) => robotContact(token, token)));
      const rows = contacts.flatMap((contact, c) =>
        Array.from({ length: 100 }, (_, i) => ({
          contact,
          request: request(c * 100 + i, (['P1', 'P2', 'P3', 'P4'] as const)[i % 4]),
        })),
      );
      await store.transaction(async (tx) => {
        for (const { contact, request: r } of rows) await enqueueForContacts(tx, [contact], ['dingtalk'], r);
      });
      const dispatcher = dispatcherOn(store, { batchSize: 200 });
      for (let cycle = 0; cycle < 50; cycle++) {
        const report = await dispatcher.runOnce();
        if (report.claimed === 0) break;
        clock.advance(1_000);
      }
      expect(await store.notifications.countByState()).toMatchObject({ sent: 2_000, queued: 0, retrying: 0 });
      expect(rateLimitAnswers()).toBe(0);
      for (const token of ROBOTS) expect(sandbox.messages(token).length).toBeLessThanOrEqual(18);
    });

    if (dialect === 'postgres') {
      it('sends each row exactly once when two dispatchers share one database', async () => {
        const other = await openStore({ url: database.url, box, now: () => clock.now() });
        closers.push(() => other.close());
        const contacts = await Promise.all(ROBOTS.slice(0, 5).map((token) => robotContact(token, token)));
        for (const contact of contacts) await enqueue(contact, 40);
        const first = dispatcherOn(store, { batchSize: 15 });
        const second = dispatcherOn(other, { batchSize: 15 });
        async function drain(dispatcher: Dispatcher) {
          for (let cycle = 0; cycle < 100; cycle++) {
            if ((await dispatcher.runOnce()).claimed === 0) return;
          }
        }
        await Promise.all([drain(first), drain(second)]);
        expect(await store.notifications.countByState()).toMatchObject({ sent: 200 });
        const attempts = sandbox.attempts();
        const uuids = attempts.map((a) => (a.body as { msgUuid?: string } | null)?.msgUuid);
        expect(new Set(uuids).size).toBe(attempts.length);
        expect(attempts.every((a) => a.errcode === 0)).toBe(true);
        const page = await store.notifications.list({ limit: 1000 });
        expect(new Set(page.items.map((row) => row.messageId))).toEqual(new Set(uuids));
      });
    }
  });
}
