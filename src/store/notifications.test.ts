import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import type { NewNotification } from './notifications.js';
import { SecretBox } from './secret-box.js';
import { openStore, type Store } from './store.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const LEASE = 30_000;
const BUDGET = { limit: 3, windowMs: 60_000 };

function request(overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    channel: 'dingtalk',
    contactId: 'c1',
    targetKey: 'dingtalk:robot-1',
    target: 'http://127.0.0.1/robot/send?access_token=…ab12',
    kind: 'firing',
    severity: 'P2',
    policyId: 'p1',
    eventId: null,
    payload: { title: 'FullGC', markdown: 'doubled' },
    ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`notification store on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let now = T0;
    const box = new SecretBox(randomBytes(32));

    beforeEach(async () => {
      now = T0;
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box, now: () => now });
    });

    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('enqueues rows queued and due now, and leases each due row to one claim only', async () => {
      const [a, b] = await store.notifications.enqueue([request(), request({ severity: 'P1' })]);
      expect(a).toMatchObject({
        state: 'queued',
        attempts: 0,
        nextAttemptAt: T0,
        payload: request().payload,
      });
      const claimed = await store.notifications.claimDue(T0, 10, LEASE);
      expect(claimed.map((r) => r.id)).toEqual([a!.id, b!.id]);
      expect(claimed[0]).toMatchObject({ state: 'sending', leaseUntil: T0 + LEASE });
      expect(await store.notifications.claimDue(T0, 10, LEASE)).toEqual([]);
    });

    it('claims at most the limit, oldest first', async () => {
      const rows = await store.notifications.enqueue(Array.from({ length: 5 }, () => request()));
      const claimed = await store.notifications.claimDue(T0, 2, LEASE);
      expect(claimed.map((r) => r.id)).toEqual(rows.slice(0, 2).map((r) => r.id));
    });

    it('keeps a retrying row until its next attempt is due, counting the attempt and the answer', async () => {
      const [row] = await store.notifications.enqueue([request()]);
      await store.notifications.claimDue(T0, 10, LEASE);
      await store.notifications.markRetrying([row!.id], T0 + 5_000, 'HTTP 503', { httpStatus: 503 }, T0);
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'retrying',
        attempts: 1,
        nextAttemptAt: T0 + 5_000,
        leaseUntil: null,
        lastError: 'HTTP 503',
        answer: { httpStatus: 503 },
      });
      expect(await store.notifications.claimDue(T0 + 4_999, 10, LEASE)).toEqual([]);
      expect(await store.notifications.claimDue(T0 + 5_000, 10, LEASE)).toHaveLength(1);
    });

    it('reclaims a sending row once its lease expired, and not before', async () => {
      const [row] = await store.notifications.enqueue([request()]);
      await store.notifications.claimDue(T0, 10, LEASE);
      expect(await store.notifications.claimDue(T0 + LEASE - 1, 10, LEASE)).toEqual([]);
      const [again] = await store.notifications.claimDue(T0 + LEASE, 10, LEASE);
      expect(again).toMatchObject({ id: row!.id, state: 'sending', leaseUntil: T0 + 2 * LEASE });
    });

    it('makes rows left sending by a dead process due at once when released at start-up', async () => {
      const [row, untouched] = await store.notifications.enqueue([request(), request()]);
      await store.notifications.claimDue(T0, 1, LEASE);
      expect(await store.notifications.releaseInFlight(T0 + 1)).toBe(1);
      const claimed = await store.notifications.claimDue(T0 + 1, 10, LEASE);
      expect(claimed.map((r) => r.id).sort()).toEqual([row!.id, untouched!.id].sort());
      expect(claimed.find((r) => r.id === row!.id)?.attempts).toBe(0);
    });

    it('marks rows sent with a shared message id, and failed with the reason, only while sending', async () => {
      const [a, b, c] = await store.notifications.enqueue([request(), request(), request()]);
      await store.notifications.claimDue(T0, 10, LEASE);
      await store.notifications.markSent([a!.id, b!.id], 'm1', { errcode: 0, errmsg: 'ok' }, T0 + 10);
      await store.notifications.markFailed([c!.id], '310000 sign not match', { errcode: 310000 }, T0 + 10);
      expect(await store.notifications.get(a!.id)).toMatchObject({
        state: 'sent',
        attempts: 1,
        messageId: 'm1',
        sentAt: T0 + 10,
        answer: { errcode: 0, errmsg: 'ok' },
      });
      expect((await store.notifications.get(b!.id))?.messageId).toBe('m1');
      expect(await store.notifications.get(c!.id)).toMatchObject({
        state: 'failed',
        attempts: 1,
        lastError: '310000 sign not match',
      });
      // A late result of a dispatcher whose lease was taken over changes nothing.
      await store.notifications.markRetrying([a!.id], T0 + 99, 'late', null, T0 + 20);
      expect((await store.notifications.get(a!.id))?.state).toBe('sent');
    });

    it('puts rows back without counting an attempt', async () => {
      const [row] = await store.notifications.enqueue([request()]);
      await store.notifications.claimDue(T0, 10, LEASE);
      await store.notifications.release([row!.id], T0 + 7_000, T0);
      expect(await store.notifications.get(row!.id)).toMatchObject({
        state: 'retrying',
        attempts: 0,
        nextAttemptAt: T0 + 7_000,
      });
    });

    it('lists the history newest first in pages, filtered by state, channel, contact, policy and event', async () => {
      const rows = await store.notifications.enqueue([
        request({ contactId: 'c1', policyId: 'p1', eventId: 'e1' }),
        request({ contactId: 'c2', policyId: 'p2', channel: 'email', targetKey: 'email:a@b.c' }),
        request({ contactId: 'c1', policyId: 'p2', eventId: 'e2' }),
      ]);
      const first = await store.notifications.list({ limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual([rows[2]!.id, rows[1]!.id]);
      const second = await store.notifications.list({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((r) => r.id)).toEqual([rows[0]!.id]);
      expect(second.nextCursor).toBeNull();
      const ids = async (q: object) =>
        (await store.notifications.list({ limit: 10, ...q })).items.map((r) => r.id);
      expect(await ids({ contactId: 'c1' })).toEqual([rows[2]!.id, rows[0]!.id]);
      expect(await ids({ policyId: 'p2', channel: 'email' })).toEqual([rows[1]!.id]);
      expect(await ids({ eventId: 'e1' })).toEqual([rows[0]!.id]);
      expect(await ids({ state: 'sent' })).toEqual([]);
      expect(await ids({ state: 'queued' })).toHaveLength(3);
    });

    it('reserves at most the budget per rolling window and says when the next slot frees up', async () => {
      const key = 'dingtalk:robot-1';
      expect(await store.notifications.reserveSlot(key, T0, BUDGET)).toEqual({ ok: true });
      expect(await store.notifications.reserveSlot(key, T0 + 10_000, BUDGET)).toEqual({ ok: true });
      expect(await store.notifications.reserveSlot(key, T0 + 20_000, BUDGET)).toEqual({ ok: true });
      expect(await store.notifications.reserveSlot(key, T0 + 30_000, BUDGET)).toEqual({
        ok: false,
        retryAt: T0 + 60_000,
      });
      // Another target has its own budget.
      expect(await store.notifications.reserveSlot('dingtalk:robot-2', T0 + 30_000, BUDGET)).toEqual({
        ok: true,
      });
      expect(await store.notifications.reserveSlot(key, T0 + 60_000, BUDGET)).toEqual({ ok: true });
      expect(await store.notifications.sendsInWindow(key, T0 + 60_000, BUDGET.windowMs)).toBe(3);
    });

    it('refuses slots while a target is paused, and never shortens a pause', async () => {
      const key = 'dingtalk:robot-1';
      await store.notifications.pauseTarget(key, T0 + 600_000, T0);
      await store.notifications.pauseTarget(key, T0 + 60_000, T0);
      expect(await store.notifications.reserveSlot(key, T0 + 100_000, BUDGET)).toEqual({
        ok: false,
        retryAt: T0 + 600_000,
      });
      expect(await store.notifications.reserveSlot(key, T0 + 600_000, BUDGET)).toEqual({ ok: true });
    });

    it('enqueues nothing when the producer transaction rolls back', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.notifications.enqueue([request()]);
          throw new Error('event write failed');
        }),
      ).rejects.toThrow('event write failed');
      expect((await store.notifications.list({ limit: 10 })).items).toEqual([]);
    });

    it('gives concurrent claims from two stores on one database disjoint rows', async () => {
      const other = await openStore({ url: database.url, box, now: () => now });
      try {
        const rows = await store.notifications.enqueue(Array.from({ length: 300 }, () => request()));
        const seen: string[] = [];
        async function drain(s: Store) {
          for (;;) {
            const claimed = await s.notifications.claimDue(T0, 7, LEASE);
            if (claimed.length === 0) return;
            seen.push(...claimed.map((r) => r.id));
          }
        }
        await Promise.all([drain(store), drain(other), drain(store), drain(other)]);
        expect(seen).toHaveLength(rows.length);
        expect(new Set(seen).size).toBe(rows.length);
      } finally {
        await other.close();
      }
    });

    // Several instances share PostgreSQL only (DESIGN.md §5); two SQLite stores in one process would
    // block each other's synchronous driver while one holds the write lock across an await.
    if (dialect === 'postgres') {
      it('never exceeds the budget when two stores on one database reserve at once', async () => {
        const other = await openStore({ url: database.url, box, now: () => now });
        try {
          const attempts = Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? store : other).notifications.reserveSlot('dingtalk:robot-1', T0, BUDGET),
          );
          const results = await Promise.all(attempts);
          expect(results.filter((r) => r.ok)).toHaveLength(BUDGET.limit);
        } finally {
          await other.close();
        }
      });
    }
  });
}
