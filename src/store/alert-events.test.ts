// Alert events, key states and policy evaluation leases on both databases: one open event per key, guarded
// writes that lose to a user's close or acknowledgement, the list's filters and paging, retention.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import type { AlertEvent } from '../domain/alert-event.js';
import type { RuleResult } from '../domain/condition-evaluation.js';
import type { NewAlertEvent } from './alert-events.js';
import { SecretBox } from './secret-box.js';
import { openStore, type Store } from './store.js';

const T0 = Date.parse('2025-01-06T10:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;

const VALUES: RuleResult[] = [
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
];

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
    triggerValues: VALUES,
    watchFingerprint: 'fp1',
    startedAt: T0,
    lastEvaluatedAt: T0,
    lastNotifiedAt: T0,
    notifyCount: 1,
    ...patch,
  };
}

for (const dialect of DIALECTS) {
  describe(`alert events on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let now = T0;

    beforeEach(async () => {
      now = T0;
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)), now: () => now });
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('opens an event with its values and labels, and finds it among the policy open state', async () => {
      const [event] = await store.alertEvents.open([
        newEvent(),
        newEvent({ dimensionName: null, dimensionKey: null, labels: {} }),
      ]);
      expect(event).toMatchObject({
        state: 'firing',
        dimensionKey: '10.0.0.7',
        triggerValues: VALUES,
        notifyCount: 1,
        resolvedAt: null,
        acknowledgedAt: null,
      });
      expect(await store.alertEvents.get(event!.id)).toEqual(event);
      const open = await store.alertEvents.openStateOf('p1');
      expect(open.events.map((e) => e.dimensionKey).sort()).toEqual(['10.0.0.7', null].sort());
      expect(open.keys).toEqual([]);
    });

    it('refuses a second open event for the same policy and dimension value, but not after it resolved', async () => {
      const [first] = await store.alertEvents.open([newEvent()]);
      await expect(store.alertEvents.open([newEvent()])).rejects.toThrow();
      expect(await store.alertEvents.resolve(first!.id, 'recovered', T0 + 5 * MIN)).toBe(true);
      await expect(store.alertEvents.open([newEvent()])).resolves.toHaveLength(1);
    });

    it('changes an open event, and reports false once it is closed or, for a message, acknowledged', async () => {
      const [event] = await store.alertEvents.open([newEvent()]);
      const change = {
        falseSince: T0 + MIN,
        lastNotifiedAt: T0,
        notifyCount: 1,
        triggerValues: VALUES,
        labels: { host: '10.0.0.7', zone: 'a' },
        lastEvaluatedAt: T0 + MIN,
      };
      expect(await store.alertEvents.changeOpen(event!.id, change, true)).toBe(true);
      expect(await store.alertEvents.get(event!.id)).toMatchObject({
        falseSince: T0 + MIN,
        labels: { zone: 'a' },
      });
      await store.alertEvents.acknowledge(event!.id, 'ops', T0 + 2 * MIN);
      expect(await store.alertEvents.changeOpen(event!.id, change, true)).toBe(false);
      expect(await store.alertEvents.changeOpen(event!.id, change, false)).toBe(true);
      await store.alertEvents.close(event!.id, 'ops', T0 + 3 * MIN);
      expect(await store.alertEvents.changeOpen(event!.id, change, false)).toBe(false);
      expect(await store.alertEvents.resolve(event!.id, 'recovered', T0 + 4 * MIN)).toBe(false);
    });

    it('reads an open event last evaluated when its policy last was successfully, and keeps that once it fails or the event ends', async () => {
      const evaluations = store.policyEvaluations;
      const [a, b, c] = await store.alertEvents.open([
        newEvent(),
        newEvent({ dimensionKey: 'h2' }),
        newEvent({ dimensionKey: 'h3' }),
      ]);
      await store.alertEvents.resolve(b!.id, 'recovered', T0 + MIN);
      const revision = (await evaluations.claimMany(['p1'], T0 + 2 * MIN, 'a', T0 + 2 * MIN, MIN)).get('p1')!;
      await evaluations.finishMany([{ policyId: 'p1', revision }], 'a', T0 + 2 * MIN + 5, T0 + 2 * MIN);
      expect((await store.alertEvents.get(a!.id))!.lastEvaluatedAt).toBe(T0 + 2 * MIN);
      expect((await store.alertEvents.get(b!.id))!.lastEvaluatedAt).toBe(T0 + MIN);
      await store.alertEvents.close(c!.id, 'ops', T0 + 2 * MIN + 30_000);
      expect((await store.alertEvents.get(c!.id))!.lastEvaluatedAt).toBe(T0 + 2 * MIN);

      await evaluations.claim('p1', T0 + 3 * MIN, 'a', T0 + 3 * MIN, MIN);
      await evaluations.finish('p1', 'a', T0 + 3 * MIN, { ok: false, error: 'boom' });
      expect((await store.alertEvents.get(a!.id))!.lastEvaluatedAt).toBe(T0 + 2 * MIN);
      expect((await store.alertEvents.list({ limit: 10, state: 'firing' })).items).toMatchObject([
        { id: a!.id, lastEvaluatedAt: T0 + 2 * MIN },
      ]);
    });

    it('moves the revision of a policy open state with every write of it but the evaluator claims', async () => {
      const evaluations = store.policyEvaluations;
      const [event] = await store.alertEvents.open([newEvent()]);
      const claimed = await evaluations.claimMany(['p1', 'p2'], T0, 'a', T0, MIN);
      expect([...claimed.keys()].sort()).toEqual(['p1', 'p2']);
      const finished = await evaluations.finishMany(
        [...claimed].map(([policyId, revision]) => ({ policyId, revision })),
        'a',
        T0,
        T0,
      );
      const revision = finished.get('p1')!;
      expect(revision).toBeGreaterThan(claimed.get('p1')!);
      // Nothing else wrote: the next claim finds the revision the finish left.
      expect((await evaluations.claimMany(['p1'], T0 + MIN, 'a', T0 + MIN, MIN)).get('p1')).toBe(revision);
      // Within the same millisecond too, a user's acknowledgement moves it on.
      await store.alertEvents.acknowledge(event!.id, 'ops', T0);
      const acknowledged = (await evaluations.claimMany(['p1'], T0 + 2 * MIN, 'a', T0, MIN)).get('p1')!;
      expect(acknowledged).toBeGreaterThan(revision);
      // The lease is lost to b: a's finish leaves the policy out; b's, from a stale revision, says so.
      expect((await evaluations.claimMany(['p1'], T0 + 3 * MIN, 'b', T0 + 5 * MIN, MIN)).has('p1')).toBe(
        true,
      );
      expect(await evaluations.finishMany([{ policyId: 'p1', revision: acknowledged }], 'a', T0, T0)).toEqual(
        new Map(),
      );
      expect(await evaluations.finishMany([{ policyId: 'p1', revision }], 'b', T0, T0)).toEqual(
        new Map([['p1', null]]),
      );
    });

    it('keeps pending key states, replacing them by key, none stored as the empty key', async () => {
      const pending = {
        policyId: 'p1',
        dimensionKey: null,
        phase: 'pending' as const,
        labels: {},
        watchFingerprint: 'fp1',
        consecutiveHolds: 1,
        since: T0,
        falseSince: null,
        noData: false,
      };
      await store.alertEvents.putKeyState(pending);
      await store.alertEvents.putKeyState({ ...pending, consecutiveHolds: 2 });
      expect((await store.alertEvents.openStateOf('p1')).keys).toEqual([{ ...pending, consecutiveHolds: 2 }]);
      expect(await store.alertEvents.policiesWithOpenState()).toEqual(['p1']);
      await store.alertEvents.deleteKeyState('p1', null);
      expect((await store.alertEvents.openStateOf('p1')).keys).toEqual([]);
      expect(await store.alertEvents.policiesWithOpenState()).toEqual([]);
    });

    it('acknowledges once, keeping the first acknowledgement', async () => {
      const [event] = await store.alertEvents.open([newEvent()]);
      const first = await store.alertEvents.acknowledge(event!.id, 'alice', T0 + MIN);
      expect(first).toMatchObject({
        outcome: 'done',
        event: { acknowledgedBy: 'alice', acknowledgedAt: T0 + MIN },
      });
      const again = await store.alertEvents.acknowledge(event!.id, 'bob', T0 + 2 * MIN);
      expect(again).toMatchObject({ outcome: 'unchanged', event: { acknowledgedBy: 'alice' } });
      expect(await store.alertEvents.acknowledge('nope', 'bob', T0)).toEqual({ outcome: 'not_found' });
    });

    it('closes a firing event (resolved, reason closed) and suppresses its key; a resolved one is left as it is', async () => {
      const [event] = await store.alertEvents.open([newEvent()]);
      const closed = await store.alertEvents.close(event!.id, 'alice', T0 + MIN);
      expect(closed).toMatchObject({
        outcome: 'done',
        event: { state: 'resolved', resolveReason: 'closed', resolvedAt: T0 + MIN, closedBy: 'alice' },
      });
      expect((await store.alertEvents.openStateOf('p1')).keys).toMatchObject([
        { phase: 'suppressed', dimensionKey: '10.0.0.7', watchFingerprint: 'fp1', since: T0 + MIN },
      ]);
      expect(await store.alertEvents.close(event!.id, 'bob', T0 + 2 * MIN)).toMatchObject({
        outcome: 'unchanged',
        event: { closedBy: 'alice' },
      });
      expect(await store.alertEvents.close('nope', 'bob', T0)).toEqual({ outcome: 'not_found' });
    });

    it('ends everything open of a policy: its events and its key states', async () => {
      await store.alertEvents.open([
        newEvent(),
        newEvent({ dimensionKey: 'h2' }),
        newEvent({ policyId: 'p2' }),
      ]);
      await store.alertEvents.putKeyState({
        policyId: 'p1',
        dimensionKey: 'h3',
        phase: 'pending',
        labels: {},
        watchFingerprint: 'fp1',
        consecutiveHolds: 1,
        since: T0,
        falseSince: null,
        noData: false,
      });
      expect(await store.alertEvents.resolvePolicy('p1', 'policy_disabled', T0 + MIN)).toBe(2);
      expect(await store.alertEvents.openStateOf('p1')).toEqual({ events: [], keys: [] });
      const page = await store.alertEvents.list({ limit: 10, policyId: 'p1' });
      expect(page.items.map((e) => e.resolveReason)).toEqual(['policy_disabled', 'policy_disabled']);
      expect(await store.alertEvents.policiesWithOpenState()).toEqual(['p2']);
    });

    it('lists newest first, filtered by state, policy, severity and time, paged by cursor', async () => {
      const opened: AlertEvent[] = [];
      for (let i = 0; i < 5; i++) {
        now = T0 + i * MIN;
        const [event] = await store.alertEvents.open([
          newEvent({
            dimensionKey: `h${i}`,
            policyId: i % 2 === 0 ? 'p1' : 'p2',
            severity: i === 4 ? 'P1' : 'P2',
            startedAt: T0 + i * 10 * MIN,
          }),
        ]);
        opened.push(event!);
      }
      await store.alertEvents.resolve(opened[0]!.id, 'recovered', T0 + 5 * MIN);
      const ids = (items: readonly { id: string }[]) => items.map((e) => e.id);

      const first = await store.alertEvents.list({ limit: 2 });
      expect(ids(first.items)).toEqual([opened[4]!.id, opened[3]!.id]);
      const second = await store.alertEvents.list({ limit: 10, cursor: first.nextCursor! });
      expect(ids(second.items)).toEqual([opened[2]!.id, opened[1]!.id, opened[0]!.id]);
      expect(second.nextCursor).toBeNull();

      expect(ids((await store.alertEvents.list({ limit: 10, state: 'resolved' })).items)).toEqual([
        opened[0]!.id,
      ]);
      expect((await store.alertEvents.list({ limit: 10, policyId: 'p2' })).items).toHaveLength(2);
      expect(ids((await store.alertEvents.list({ limit: 10, severity: 'P1' })).items)).toEqual([
        opened[4]!.id,
      ]);
      // Started before T0+15min: 0, 1; of those, still firing at T0+6min: 1 (0 resolved at T0+5min).
      const window = await store.alertEvents.list({ limit: 10, from: T0 + 6 * MIN, to: T0 + 15 * MIN });
      expect(ids(window.items)).toEqual([opened[1]!.id]);
    });

    it('prunes resolved events and finished notifications older than the retention, nothing open or pending', async () => {
      const [old, recent, open] = await store.alertEvents.open([
        newEvent({ dimensionKey: 'a' }),
        newEvent({ dimensionKey: 'b' }),
        newEvent({ dimensionKey: 'c' }),
      ]);
      await store.alertEvents.resolve(old!.id, 'recovered', T0);
      await store.alertEvents.resolve(recent!.id, 'recovered', T0 + 80 * DAY);
      const notification = {
        channel: 'dingtalk',
        contactId: 'c1',
        targetKey: 'dingtalk:x',
        target: 'x',
        kind: 'firing',
        severity: 'P2',
        policyId: 'p1',
        eventId: old!.id,
        payload: {},
      };
      const [sent, failed, queued] = await store.notifications.enqueue([
        notification,
        notification,
        notification,
      ]);
      await store.notifications.claimDue(T0, 10, MIN);
      await store.notifications.markSent([sent!.id], 'm1', null, T0);
      await store.notifications.markFailed([failed!.id], 'gone', null, T0);
      await store.notifications.release([queued!.id], T0, T0);

      // Ninety days after the old ones ended: the retention's cut-off.
      const before = T0 + 1;
      expect(await store.alertEvents.pruneResolved(before)).toBe(1);
      expect(await store.notifications.pruneFinished(before)).toBe(2);
      expect(await store.alertEvents.get(old!.id)).toBeUndefined();
      expect(await store.alertEvents.get(recent!.id)).toBeDefined();
      expect(await store.alertEvents.get(open!.id)).toBeDefined();
      expect(await store.notifications.get(queued!.id)).toBeDefined();
    });
  });

  describe(`policy evaluation leases on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('lets one instance claim a tick, refuses the same tick and a running lease, and frees it on finish', async () => {
      const evaluations = store.policyEvaluations;
      expect(await evaluations.claim('p1', T0, 'a', T0, MIN)).toBe(true);
      expect(await evaluations.claim('p1', T0, 'b', T0, MIN)).toBe(false);
      expect(await evaluations.claim('p1', T0 + MIN, 'b', T0 + 1000, MIN)).toBe(false); // a's lease runs
      expect(await evaluations.finish('p1', 'b', T0 + 2000, { ok: true })).toBe(false);
      expect(await evaluations.finish('p1', 'a', T0 + 2000, { ok: true })).toBe(true);
      expect(await evaluations.claim('p1', T0 + MIN, 'b', T0 + 3000, MIN)).toBe(true);
      expect(await evaluations.claim('p1', T0, 'a', T0 + 4000, MIN)).toBe(false); // an older tick
    });

    it('lets another instance take over an expired lease, after which the first cannot finish', async () => {
      const evaluations = store.policyEvaluations;
      await evaluations.claim('p1', T0, 'a', T0, MIN);
      expect(await evaluations.claim('p1', T0 + MIN, 'b', T0 + MIN, MIN)).toBe(true);
      expect(await evaluations.finish('p1', 'a', T0 + MIN, { ok: true })).toBe(false);
    });

    it('records failures in a row with the last error, and clears them on success', async () => {
      const evaluations = store.policyEvaluations;
      for (let i = 1; i <= 2; i++) {
        await evaluations.claim('p1', T0 + i, 'a', T0 + i, MIN);
        await evaluations.finish('p1', 'a', T0 + i, { ok: false, error: `boom ${i}` });
      }
      expect(await evaluations.get('p1')).toMatchObject({
        lastStatus: 'error',
        lastError: 'boom 2',
        failures: 2,
      });
      await evaluations.claim('p1', T0 + 3, 'a', T0 + 3, MIN);
      await evaluations.finish('p1', 'a', T0 + 3, { ok: true });
      expect(await evaluations.get('p1')).toMatchObject({
        lastStatus: 'ok',
        lastError: null,
        failures: 0,
        lastEvaluatedAt: T0 + 3,
        leaseOwner: null,
      });
    });

    it('frees every lease at once (SQLite start) and forgets policies that no longer exist', async () => {
      const evaluations = store.policyEvaluations;
      await evaluations.claim('gone', T0, 'a', T0, 10 * MIN);
      await evaluations.releaseAll(T0);
      expect(await evaluations.claim('gone', T0 + 1, 'b', T0 + 1, MIN)).toBe(true);
      await evaluations.deleteOrphans();
      expect(await evaluations.get('gone')).toBeUndefined();
    });
  });
}
