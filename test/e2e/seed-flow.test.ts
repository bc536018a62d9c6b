// The seed's flow over HTTP, on each database: contact with a DingTalk robot → contact group →
// application policy "JVM_FullGC avg over 5 min up 100% vs an hour ago, traverse by host" → edit it;
// everything survives a restart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../databases.js';
import { SEED_SECRET, SEED_WEBHOOK, seedPolicy } from '../seed-fixtures.js';
import { startTestService, type TestService } from '../service.js';

for (const dialect of DIALECTS) {
  describe(`the seed's flow on ${dialect}`, () => {
    let service: TestService;
    beforeEach(async () => {
      service = await startTestService(dialect);
    });
    afterEach(async () => {
      await service.stop();
    });

    it('creates the contact, group and policy, edits the policy, and keeps all of it across a restart', async () => {
      const contact = await service.api('POST', '/api/v1/contacts', {
        name: 'ops-robot',
        dingtalk: {
          webhook: SEED_WEBHOOK,
          secret: SEED_SECRET,
          keywords: ['alert'],
          atMobiles: ['13800000000'],
        },
      });
      expect(contact.status).toBe(201);
      expect(contact.body.dingtalk.secret).toBe('SEC…a54c');
      expect(contact.body.dingtalk.webhook).toBe('https://oapi.dingtalk.com/robot/send?access_token=…9c0d');
      expect(JSON.stringify(contact.body)).not.toContain('1a2b3c4d5e6f7a8b9c0d');

      const group = await service.api('POST', '/api/v1/contact-groups', {
        name: 'ops',
        contactIds: [contact.body.id],
      });
      expect(group.status).toBe(201);

      const policy = await service.api('POST', '/api/v1/alert-policies', seedPolicy([group.body.id]));
      expect(policy.status).toBe(201);
      expect(policy.body).toMatchObject({
        enabled: true,
        notification: { silenceMinutes: 1440, effective: { timeZone: 'Asia/Shanghai' } },
      });

      // Edit: fetch, change, put back — the masked secret in the fetched contact keeps the stored one.
      const edited = await service.api('PUT', `/api/v1/alert-policies/${policy.body.id}`, {
        ...policy.body,
        rules: { match: 'any', conditions: [{ ...policy.body.rules.conditions[0], threshold: 150 }] },
      });
      expect(edited.status).toBe(200);
      expect(edited.body.rules.conditions[0].threshold).toBe(150);
      const contactAgain = await service.api('PUT', `/api/v1/contacts/${contact.body.id}`, {
        ...contact.body,
        email: 'ops@example.com',
      });
      expect(contactAgain.status).toBe(200);

      await service.restart();

      expect((await service.api('GET', `/api/v1/alert-policies/${policy.body.id}`)).body).toEqual(
        edited.body,
      );
      expect((await service.api('GET', `/api/v1/contact-groups/${group.body.id}`)).body).toEqual(group.body);
      const reread = await service.api('GET', `/api/v1/contacts/${contact.body.id}`);
      expect(reread.body).toEqual(contactAgain.body);
      const stored = await service.server.store.contacts.get(contact.body.id);
      expect(stored?.dingtalk?.secret).toBe(SEED_SECRET);
      expect(stored?.dingtalk?.webhook).toBe(SEED_WEBHOOK);

      const list = await service.api('GET', '/api/v1/alert-policies?q=fullgc');
      expect(list.body.items.map((p: { name: string }) => p.name)).toEqual([
        'JVM FullGC doubled vs previous hour',
      ]);
      expect(
        (await service.api('POST', `/api/v1/alert-policies/${policy.body.id}:disable`)).body.enabled,
      ).toBe(false);
      expect((await service.api('GET', '/api/v1/alert-policies?enabled=true')).body.items).toEqual([]);
    });

    it('refuses to delete a contact group that a policy notifies, naming the policy', async () => {
      const contact = await service.api('POST', '/api/v1/contacts', {
        name: 'mail',
        email: 'ops@example.com',
      });
      const group = await service.api('POST', '/api/v1/contact-groups', {
        name: 'ops',
        contactIds: [contact.body.id],
      });
      const policy = await service.api('POST', '/api/v1/alert-policies', {
        name: 'orders pushed too slowly',
        kind: 'custom',
        rules: {
          conditions: [{ metric: 'orders_latency_ms', windowMinutes: 5, comparator: 'gt', threshold: 500 }],
        },
        notification: { channels: ['email'], contactGroupIds: [group.body.id] },
      });
      expect(policy.status).toBe(201);
      const refused = await service.api('DELETE', `/api/v1/contact-groups/${group.body.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('in_use');
      expect(refused.body.error.message).toContain('orders pushed too slowly');
      expect((await service.api('GET', `/api/v1/contact-groups/${group.body.id}`)).status).toBe(200);
      expect((await service.api('DELETE', `/api/v1/alert-policies/${policy.body.id}`)).status).toBe(204);
      expect((await service.api('DELETE', `/api/v1/contact-groups/${group.body.id}`)).status).toBe(204);
    });
  });
}
