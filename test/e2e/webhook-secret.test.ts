// The generic webhook's signing secret over HTTP and in the store, on each database: sealed at rest,
// masked in answers, kept when the masked value is sent back, refused when a masked value matches
// nothing, and rows sealed before the secret existed still read (as unsigned).
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore } from '../../src/store/store.js';
import { createTestDatabase, DIALECTS } from '../databases.js';
import { startTestService, type TestService } from '../service.js';

const WEBHOOK_SECRET = 'whsec-0123456789abcdef9f3a';

for (const dialect of DIALECTS) {
  describe(`the webhook signing secret on ${dialect}`, () => {
    let service: TestService;
    beforeEach(async () => {
      service = await startTestService(dialect);
    });
    afterEach(async () => {
      await service.stop();
    });

    it('is masked in answers, kept on a PUT of the masked value, and removable with null', async () => {
      const created = await service.api('POST', '/api/v1/contacts', {
        name: 'hooks',
        webhook: { url: 'https://hooks.example.com/x', secret: WEBHOOK_SECRET, headers: { 'X-Team': 'ops' } },
      });
      expect(created.status).toBe(201);
      expect(created.body.webhook.secret).toBe('…9f3a');
      expect(JSON.stringify(created.body)).not.toContain(WEBHOOK_SECRET);

      const kept = await service.api('PUT', `/api/v1/contacts/${created.body.id}`, {
        ...created.body,
        description: 'edited',
      });
      expect(kept.status).toBe(200);
      expect((await service.server.store.contacts.get(created.body.id))?.webhook?.secret).toBe(
        WEBHOOK_SECRET,
      );

      const wrongMask = await service.api('PUT', `/api/v1/contacts/${created.body.id}`, {
        ...created.body,
        webhook: { ...created.body.webhook, secret: '…0000' },
      });
      expect(wrongMask.status).toBe(400);
      expect(wrongMask.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['webhook.secret']);

      const removed = await service.api('PUT', `/api/v1/contacts/${created.body.id}`, {
        ...kept.body,
        webhook: { ...kept.body.webhook, secret: null },
      });
      expect(removed.status).toBe(200);
      expect(removed.body.webhook.secret).toBeNull();
      expect((await service.server.store.contacts.get(created.body.id))?.webhook?.secret).toBeNull();
    });
  });

  describe(`contacts sealed before webhook secrets existed, on ${dialect}`, () => {
    it('read with a null webhook secret, and the secret is sealed, not in the public JSON', async () => {
      const database = await createTestDatabase(dialect);
      const box = new SecretBox(randomBytes(32));
      const store = await openStore({ url: database.url, box });
      const db = openDatabase({ url: database.url });
      try {
        const contact = await store.contacts.create({
          name: 'hooks',
          description: null,
          dingtalk: null,
          email: null,
          phone: null,
          webhook: {
            url: 'https://hooks.example.com/x',
            method: 'POST',
            headers: { Authorization: 'Bearer t' },
            bodyTemplate: null,
            secret: WEBHOOK_SECRET,
          },
        });
        const row = await db.selectFrom('contacts').selectAll().executeTakeFirstOrThrow();
        expect(row.spec + row.secrets).not.toContain(WEBHOOK_SECRET);

        // Re-seal the secrets as an older Tocsin wrote them: without the webhookSecret key.
        const { webhookSecret: _dropped, ...older } = JSON.parse(box.decrypt(row.secrets));
        await db
          .updateTable('contacts')
          .set({ secrets: box.encrypt(JSON.stringify(older)) })
          .where('id', '=', contact.id)
          .execute();
        expect((await store.contacts.get(contact.id))?.webhook).toEqual({
          url: 'https://hooks.example.com/x',
          method: 'POST',
          headers: { Authorization: 'Bearer t' },
          bodyTemplate: null,
          secret: null,
        });
      } finally {
        await db.destroy();
        await store.close();
        await database.drop();
      }
    });
  });
}
