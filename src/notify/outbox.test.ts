import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/databases.js';
import type { ContactInput } from '../domain/contact.js';
import { SecretBox } from '../store/secret-box.js';
import { openStore, type Store } from '../store/store.js';
import { channelTarget, enqueueForPolicy, requestOf, type NotificationRequest } from './outbox.js';

const TOKEN = 'tok0123456789abcdef';

function contact(name: string, parts: Partial<ContactInput>): ContactInput {
  return { name, description: null, dingtalk: null, email: null, phone: null, webhook: null, ...parts };
}

const robot = {
  webhook: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
  secret: null,
  keywords: [],
  atMobiles: [],
  atUserIds: [],
  atAll: false,
  messageType: 'markdown' as const,
};

const request: NotificationRequest = {
  kind: 'firing',
  severity: 'P2',
  policyId: 'p1',
  policyName: 'FullGC',
  eventId: 'e1',
  locale: 'zh-CN',
  title: '[P2 告警] FullGC',
  summary: '',
  markdown: 'host-7',
  links: [{ title: '查看', url: 'http://127.0.0.1:9700/events/e1' }],
};

describe('outbox', () => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it("enqueues one row per contact of the policy's groups and chosen channel the contact has", async () => {
    const both = await store.contacts.create(contact('both', { dingtalk: robot, email: 'Ops@Example.com' }));
    const mailOnly = await store.contacts.create(contact('mail', { email: 'dev@example.com' }));
    const phoneOnly = await store.contacts.create(contact('phone', { phone: '+8613800000000' }));
    const g1 = await store.contactGroups.create({
      name: 'g1',
      description: null,
      contactIds: [both.id, mailOnly.id],
    });
    const g2 = await store.contactGroups.create({
      name: 'g2',
      description: null,
      contactIds: [both.id, phoneOnly.id],
    });
    const rows = await store.transaction((tx) =>
      enqueueForPolicy(
        tx,
        { notification: { channels: ['dingtalk', 'email'], contactGroupIds: [g1.id, g2.id] } },
        request,
      ),
    );
    expect(rows.map((row) => [row.contactId, row.channel, row.targetKey])).toEqual([
      [both.id, 'dingtalk', expect.stringMatching(/^dingtalk:[0-9a-f]{32}$/)],
      [both.id, 'email', 'email:ops@example.com'],
      [mailOnly.id, 'email', 'email:dev@example.com'],
    ]);
    expect(requestOf(rows[0]!)).toEqual(request);
    expect(JSON.stringify(rows)).not.toContain(TOKEN);
  });

  it('keys a DingTalk robot by host and token, whatever other query parameters the URL carries', () => {
    const a = channelTarget(
      { ...contact('a', { dingtalk: robot }), id: 'a', createdAt: 0, updatedAt: 0 },
      'dingtalk',
    );
    const b = channelTarget(
      {
        ...contact('b', { dingtalk: { ...robot, webhook: `${robot.webhook}&x=1` } }),
        id: 'b',
        createdAt: 0,
        updatedAt: 0,
      },
      'dingtalk',
    );
    expect(a?.targetKey).toBe(b?.targetKey);
    expect(a?.target).not.toContain(TOKEN);
  });
});
