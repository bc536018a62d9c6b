import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/databases.js';
import type { AlertPolicyInput } from '../domain/alert-policy.js';
import type { ContactInput } from '../domain/contact.js';
import { openDatabase } from './database.js';
import { SecretBox } from './secret-box.js';
import { openStore, type Store } from './store.js';
import { NameTakenError } from './store-errors.js';

const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';

function robot(name: string, token = 'abc123'): ContactInput {
  return {
    name,
    description: null,
    dingtalk: {
      webhook: `https://oapi.dingtalk.com/robot/send?access_token=${token}`,
      secret: SECRET,
      keywords: ['alert'],
      atMobiles: ['13800000000'],
      atUserIds: [],
      atAll: false,
      messageType: 'markdown',
    },
    email: null,
    phone: null,
    webhook: null,
  };
}

function policy(name: string, groupIds: string[]): AlertPolicyInput {
  return {
    name,
    description: null,
    kind: 'application',
    target: 'order-service',
    metricType: 'JVM_Monitoring',
    datasourceId: null,
    expr: null,
    dimension: { mode: 'traverse', key: 'host' },
    rules: {
      match: 'all',
      conditions: [
        {
          metric: 'JVM_FullGC',
          windowMinutes: 5,
          aggregation: 'avg',
          comparator: 'increase_pct',
          baseline: 'hour_ago',
          threshold: 100,
        },
      ],
    },
    noData: 'none',
    severity: 'P2',
    notification: {
      channels: ['dingtalk'],
      contactGroupIds: groupIds,
      silenceMinutes: 1440,
      effective: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00', timeZone: 'Asia/Shanghai' },
      template: null,
    },
    enabled: true,
  };
}

for (const dialect of DIALECTS) {
  describe(`store on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    const box = new SecretBox(randomBytes(32));

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      store = await openStore({ url: database.url, box });
    });

    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('keeps a contact with its secrets readable through the store and sealed in the table', async () => {
      const created = await store.contacts.create(robot('ops-robot', 'tok-plain-123'));
      expect(await store.contacts.get(created.id)).toEqual(created);
      const db = openDatabase({ url: database.url });
      const raw = await db.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
      await db.destroy();
      expect(raw.spec + raw.secrets).not.toContain('tok-plain-123');
      expect(raw.spec + raw.secrets).not.toContain(SECRET);
    });

    it('refuses a second contact with the same name', async () => {
      await store.contacts.create(robot('ops-robot'));
      await expect(store.contacts.create(robot('ops-robot'))).rejects.toBeInstanceOf(NameTakenError);
    });

    it('lists by creation order in pages and searches names ignoring case and wildcards', async () => {
      for (const name of ['alpha', 'Beta', 'gamma_1', 'gamma%2', 'delta'])
        await store.contacts.create(robot(name));
      const first = await store.contacts.list({ limit: 2 });
      expect(first.items.map((c) => c.name)).toEqual(['alpha', 'Beta']);
      const second = await store.contacts.list({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((c) => c.name)).toEqual(['gamma_1', 'gamma%2']);
      const third = await store.contacts.list({ limit: 2, cursor: second.nextCursor! });
      expect(third.items.map((c) => c.name)).toEqual(['delta']);
      expect(third.nextCursor).toBeNull();
      expect((await store.contacts.list({ limit: 10, q: 'BETA' })).items.map((c) => c.name)).toEqual([
        'Beta',
      ]);
      expect((await store.contacts.list({ limit: 10, q: '%' })).items.map((c) => c.name)).toEqual([
        'gamma%2',
      ]);
      expect((await store.contacts.list({ limit: 10, q: 'a_' })).items.map((c) => c.name)).toEqual([
        'gamma_1',
      ]);
    });

    it('keeps group members in the order given and reports which groups use a contact', async () => {
      const a = await store.contacts.create(robot('a'));
      const b = await store.contacts.create(robot('b'));
      const group = await store.transaction((tx) =>
        tx.contactGroups.create({ name: 'ops', description: null, contactIds: [b.id, a.id] }),
      );
      expect((await store.contactGroups.get(group.id))?.contactIds).toEqual([b.id, a.id]);
      expect(await store.contacts.groupsUsing(a.id)).toEqual([{ id: group.id, name: 'ops' }]);
    });

    it('never deletes a contact that a group still lists, even without the API check', async () => {
      const a = await store.contacts.create(robot('a'));
      await store.transaction((tx) =>
        tx.contactGroups.create({ name: 'ops', description: null, contactIds: [a.id] }),
      );
      await expect(store.contacts.delete(a.id)).rejects.toThrow();
      expect(await store.contacts.get(a.id)).toBeDefined();
    });

    it('stores a policy with its groups, filters lists, toggles enabled and reports groups in use', async () => {
      const a = await store.contacts.create(robot('a'));
      const group = await store.transaction((tx) =>
        tx.contactGroups.create({ name: 'ops', description: null, contactIds: [a.id] }),
      );
      const created = await store.transaction((tx) => tx.alertPolicies.create(policy('FullGC', [group.id])));
      expect(await store.alertPolicies.get(created.id)).toEqual(created);
      expect(await store.contactGroups.policiesUsing(group.id)).toEqual([{ id: created.id, name: 'FullGC' }]);
      await store.alertPolicies.setEnabled(created.id, false);
      expect((await store.alertPolicies.list({ limit: 10, enabled: false })).items).toHaveLength(1);
      expect((await store.alertPolicies.list({ limit: 10, enabled: true })).items).toHaveLength(0);
      expect((await store.alertPolicies.list({ limit: 10, kind: 'browser' })).items).toHaveLength(0);
      await expect(store.contactGroups.delete(group.id)).rejects.toThrow();
    });

    it('rolls a failed transaction back whole', async () => {
      const a = await store.contacts.create(robot('a'));
      await expect(
        store.transaction(async (tx) => {
          await tx.contactGroups.create({ name: 'ops', description: null, contactIds: [a.id] });
          await tx.contactGroups.create({ name: 'ops', description: null, contactIds: [a.id] });
        }),
      ).rejects.toBeInstanceOf(NameTakenError);
      expect((await store.contactGroups.list({ limit: 10 })).items).toEqual([]);
    });

    it('keeps everything after the store is closed and opened again', async () => {
      const a = await store.contacts.create(robot('a'));
      await store.close();
      store = await openStore({ url: database.url, box });
      expect(await store.contacts.get(a.id)).toEqual(a);
    });
  });
}
