// The Alertmanager bridge's storage on both databases: routes (order, unique names, group links that keep
// a group in use from vanishing) and Alertmanager events beside the policies' — kept apart from what the
// evaluator reads, found by route and fingerprint, closed without a key state, filtered by source.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import { alertmanagerRouteInputSchema, type AlertmanagerRouteInput } from '../domain/alertmanager-route.js';
import type { NewAlertEvent } from './alert-events.js';
import { SecretBox } from './secret-box.js';
import { openStore, type Store } from './store.js';
import { NameTakenError } from './store-errors.js';

const T0 = Date.parse('2025-01-06T10:00:00Z');
const MIN = 60_000;

function routeInput(
  name: string,
  groupIds: string[],
  patch: Record<string, unknown> = {},
): AlertmanagerRouteInput {
  return alertmanagerRouteInputSchema.parse({
    name,
    contactGroupIds: groupIds,
    channels: ['dingtalk'],
    ...patch,
  });
}

function bridgeEvent(
  routeId: string,
  fingerprint: string,
  patch: Partial<NewAlertEvent> = {},
): NewAlertEvent {
  return {
    source: 'alertmanager',
    policyId: routeId,
    policyName: 'HighErrorRate',
    policyKind: null,
    severity: 'P1',
    dimensionName: null,
    dimensionKey: fingerprint,
    labels: { alertname: 'HighErrorRate', job: 'api' },
    noData: false,
    triggerValues: [],
    watchFingerprint: '',
    startedAt: T0,
    lastEvaluatedAt: T0,
    lastNotifiedAt: T0,
    notifyCount: 1,
    alertmanager: {
      routeId,
      routeName: 'ops',
      fingerprint,
      annotations: { summary: 'errors' },
      generatorURL: 'http://prometheus:9090/graph',
      receiver: 'tocsin',
      groupKey: '{}:{alertname="HighErrorRate"}',
      externalURL: 'http://alertmanager:9093',
    },
    ...patch,
  };
}

for (const dialect of DIALECTS) {
  describe(`Alertmanager routes and events on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    let now = T0;
    let groupId: string;

    beforeEach(async () => {
      now = T0;
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)), now: () => now });
      const contact = await store.contacts.create({
        name: 'ops-mail',
        description: null,
        dingtalk: null,
        email: 'ops@example.com',
        phone: null,
        webhook: null,
      });
      const group = await store.transaction((tx) =>
        tx.contactGroups.create({ name: 'ops', description: null, contactIds: [contact.id] }),
      );
      groupId = group.id;
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('creates, reads, replaces and deletes a route as it was given', async () => {
      const input = routeInput('ops', [groupId], {
        matchers: ['team="ops"', 'severity=~"critical|warning"'],
        severity: { label: 'priority', values: { high: 'P1' }, default: 'P2' },
        continue: true,
        order: 10,
      });
      const created = await store.transaction((tx) => tx.alertmanagerRoutes.create(input));
      expect(created).toEqual({ ...input, id: created.id, createdAt: T0, updatedAt: T0 });
      expect(await store.alertmanagerRoutes.get(created.id)).toEqual(created);

      now = T0 + MIN;
      const replaced = await store.transaction((tx) =>
        tx.alertmanagerRoutes.update(created.id, { ...input, matchers: [], order: -1 }),
      );
      expect(replaced).toMatchObject({ matchers: [], order: -1, updatedAt: T0 + MIN });
      expect(await store.alertmanagerRoutes.delete(created.id)).toBe(true);
      expect(await store.alertmanagerRoutes.get(created.id)).toBeUndefined();
      expect(await store.alertmanagerRoutes.delete(created.id)).toBe(false);
    });

    it('lists routes by creation, and gives them to the bridge by order and then name', async () => {
      for (const [name, order] of [
        ['c', 0],
        ['b', 0],
        ['a', 5],
      ] as const) {
        now += 1;
        await store.transaction((tx) => tx.alertmanagerRoutes.create(routeInput(name, [groupId], { order })));
      }
      const page = await store.alertmanagerRoutes.list({ limit: 2 });
      expect(page.items.map((r) => r.name)).toEqual(['c', 'b']);
      const next = await store.alertmanagerRoutes.list({ limit: 2, cursor: page.nextCursor! });
      expect(next).toMatchObject({ items: [{ name: 'a' }], nextCursor: null });
      expect((await store.alertmanagerRoutes.list({ limit: 10, q: 'B' })).items.map((r) => r.name)).toEqual([
        'b',
      ]);
      expect((await store.alertmanagerRoutes.all()).map((r) => r.name)).toEqual(['b', 'c', 'a']);
    });

    it('refuses a second route of the same name', async () => {
      await store.transaction((tx) => tx.alertmanagerRoutes.create(routeInput('ops', [groupId])));
      await expect(
        store.transaction((tx) => tx.alertmanagerRoutes.create(routeInput('ops', [groupId]))),
      ).rejects.toBeInstanceOf(NameTakenError);
    });

    it('names the routes that use a group, and the database keeps such a group from being deleted', async () => {
      const route = await store.transaction((tx) =>
        tx.alertmanagerRoutes.create(routeInput('ops', [groupId])),
      );
      expect(await store.alertmanagerRoutes.usingGroup(groupId)).toEqual([{ id: route.id, name: 'ops' }]);
      await expect(store.contactGroups.delete(groupId)).rejects.toThrow(/foreign key/i);
      await store.alertmanagerRoutes.delete(route.id);
      expect(await store.alertmanagerRoutes.usingGroup(groupId)).toEqual([]);
      expect(await store.contactGroups.delete(groupId)).toBe(true);
    });

    it('keeps Alertmanager events with their details, apart from what the evaluator continues', async () => {
      const [event] = await store.alertEvents.open([bridgeEvent('r1', 'fp1')]);
      expect(event).toMatchObject({
        source: 'alertmanager',
        policyId: 'r1',
        policyKind: null,
        dimensionKey: 'fp1',
        alertmanager: { routeId: 'r1', fingerprint: 'fp1', annotations: { summary: 'errors' } },
      });
      expect(await store.alertEvents.get(event!.id)).toEqual(event);
      expect(await store.alertEvents.policiesWithOpenState()).toEqual([]);
      expect((await store.alertEvents.openStateOf('r1')).events).toEqual([]);
    });

    it('finds the newest event of a route and fingerprint, and the open events of a fingerprint on every route', async () => {
      const [first] = await store.alertEvents.open([bridgeEvent('r1', 'fp1')]);
      await store.alertEvents.resolve(first!.id, 'recovered', T0 + 5 * MIN);
      now += 1;
      const [second] = await store.alertEvents.open([bridgeEvent('r1', 'fp1', { startedAt: T0 + 10 * MIN })]);
      now += 1;
      const [other] = await store.alertEvents.open([bridgeEvent('r2', 'fp1')]);
      await store.alertEvents.open([bridgeEvent('r1', 'fp2')]);

      expect((await store.alertEvents.latestAlertmanagerEvent('r1', 'fp1'))?.id).toBe(second!.id);
      expect(await store.alertEvents.latestAlertmanagerEvent('r3', 'fp1')).toBeUndefined();
      expect((await store.alertEvents.openAlertmanagerEvents('fp1')).map((e) => e.id)).toEqual([
        second!.id,
        other!.id,
      ]);
    });

    it('allows one open event per route and fingerprint', async () => {
      await store.alertEvents.open([bridgeEvent('r1', 'fp1')]);
      await expect(store.alertEvents.open([bridgeEvent('r1', 'fp1')])).rejects.toThrow();
    });

    it('closes an Alertmanager event without leaving a key state the evaluator would pick up', async () => {
      const [event] = await store.alertEvents.open([bridgeEvent('r1', 'fp1')]);
      const closed = await store.alertEvents.close(event!.id, 'alice', T0 + MIN);
      expect(closed).toMatchObject({
        outcome: 'done',
        event: { state: 'resolved', resolveReason: 'closed' },
      });
      expect(await store.alertEvents.policiesWithOpenState()).toEqual([]);
    });

    it('filters the event list by source', async () => {
      const [bridged] = await store.alertEvents.open([bridgeEvent('r1', 'fp1')]);
      now += 1;
      const [policy] = await store.alertEvents.open([
        {
          ...bridgeEvent('p1', 'host-a'),
          source: undefined,
          policyKind: 'application',
          alertmanager: undefined,
        },
      ]);
      expect(policy).toMatchObject({ source: 'policy', policyKind: 'application', alertmanager: null });
      const ids = async (source: 'policy' | 'alertmanager') =>
        (await store.alertEvents.list({ limit: 10, source })).items.map((e) => e.id);
      expect(await ids('alertmanager')).toEqual([bridged!.id]);
      expect(await ids('policy')).toEqual([policy!.id]);
    });
  });
}
