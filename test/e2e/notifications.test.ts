// The sending history over HTTP: a notification the running service's dispatcher could not deliver shows
// up in GET /api/v1/notifications with DingTalk's errcode, errmsg and the fix, its target masked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { startSandbox, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import type { Contact } from '../../src/domain/contact.js';
import { enqueueForContacts, type NotificationRequest } from '../../src/notify/outbox.js';
import { SEED_SECRET } from '../seed-fixtures.js';
import { ADMIN_TOKEN, startTestService, type ApiAnswer, type TestService } from '../service.js';

const TOKEN = 'ops0123456789abcdef0123456789abcdef';
const WRONG_SECRET = 'SECnot-the-robot-secret-0123456789';

const request: NotificationRequest = {
  kind: 'firing',
  severity: 'P1',
  policyId: 'policy-1',
  policyName: 'JVM FullGC',
  eventId: 'event-1',
  locale: 'en',
  title: '[P1 alert] FullGC doubled on host-7',
  summary: '',
  markdown: 'JVM_FullGC 5-minute average up 120% on the previous hour (threshold 100%)',
  links: [],
};

describe('GET /api/v1/notifications', () => {
  let sandbox: RunningSandbox;
  let service: TestService;

  beforeEach(async () => {
    sandbox = await startSandbox({
      port: 0,
      robots: [{ token: TOKEN, secret: SEED_SECRET, keywords: ['alert'] }],
    });
    service = await startTestService('sqlite', {
      TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
    });
  });
  afterEach(async () => {
    await service.stop();
    await sandbox.close();
  });

  async function enqueueFor(secret: string): Promise<Contact> {
    const created = await service.api('POST', '/api/v1/contacts', {
      name: `robot-${secret.slice(-4)}`,
      dingtalk: { webhook: sandbox.webhookUrl(TOKEN), secret, keywords: ['alert'] },
    });
    expect(created.status).toBe(201);
    const contact = (await service.server.store.contacts.get(created.body.id as string))!;
    await service.server.store.transaction((tx) => enqueueForContacts(tx, [contact], ['dingtalk'], request));
    service.server.dispatcher.notify();
    return contact;
  }

  /** The dispatcher runs on its own (real time): wait, with a deadline, until the history shows `state`. */
  async function waitForState(query: string, state: string): Promise<ApiAnswer> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await service.api('GET', `/api/v1/notifications?${query}`);
      if (answer.body.items?.[0]?.state === state || Date.now() > deadline) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('shows a notification refused for a wrong secret as failed, with errcode 310000, errmsg and the fix', async () => {
    const contact = await enqueueFor(WRONG_SECRET);
    const answer = await waitForState(`contactId=${contact.id}`, 'failed');
    expect(answer.status).toBe(200);
    expect(answer.body.items).toHaveLength(1);
    const [item] = answer.body.items;
    expect(item).toMatchObject({
      state: 'failed',
      channel: 'dingtalk',
      contactId: contact.id,
      policyId: 'policy-1',
      eventId: 'event-1',
      severity: 'P1',
      title: request.title,
      attempts: 1,
      nextAttemptAt: null,
      sentAt: null,
      answer: { errcode: 310000 },
    });
    expect(item.answer.errmsg).toContain('签名不匹配');
    expect(item.lastError).toMatch(/^310000 .*secret/);
    expect(item.target).toContain('access_token=');
    const text = JSON.stringify(answer.body);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(WRONG_SECRET);
    expect(sandbox.messages(TOKEN)).toEqual([]);
  });

  it('shows a delivered notification as sent with its message id, and filters by state and channel', async () => {
    const contact = await enqueueFor(SEED_SECRET);
    const answer = await waitForState(`contactId=${contact.id}`, 'sent');
    expect(answer.body.items[0]).toMatchObject({ state: 'sent', attempts: 1, answer: { errcode: 0 } });
    expect(answer.body.items[0].messageId).toBe(sandbox.messages(TOKEN)[0]?.msgUuid);
    expect((await service.api('GET', '/api/v1/notifications?state=failed')).body.items).toEqual([]);
    expect((await service.api('GET', '/api/v1/notifications?channel=email')).body.items).toEqual([]);
  });

  it('refuses an unknown state with 400 naming the state parameter', async () => {
    const answer = await service.api('GET', '/api/v1/notifications?state=lost');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', fields: [{ field: 'state' }] });
  });

  it("tocsin notifications list shows the failed notification with DingTalk's answer", async () => {
    const contact = await enqueueFor(WRONG_SECRET);
    await waitForState(`contactId=${contact.id}`, 'failed');
    let output = '';
    const append = (text: string) => (output += text);
    const env = { TOCSIN_URL: service.url, TOCSIN_TOKEN: ADMIN_TOKEN };
    const code = await run(['notifications', 'list', '--state', 'failed', '--contact', contact.name], {
      env,
      stdout: append,
      stderr: append,
    });
    expect(code).toBe(0);
    expect(output).toMatch(/failed +dingtalk +1 +\[P1 alert\] FullGC doubled on host-7/);
    expect(output).toContain('310000');
    expect(output).not.toContain(TOKEN);
    const listForEvent = async (eventId: string) => {
      output = '';
      const io = { env, stdout: append, stderr: append };
      expect(await run(['notifications', 'list', '--event', eventId, '-o', 'json'], io)).toBe(0);
      return JSON.parse(output) as unknown;
    };
    expect(await listForEvent('event-1')).toMatchObject([{ eventId: 'event-1', eventIds: ['event-1'] }]);
    expect(await listForEvent('event-2')).toEqual([]);
    expect(
      await run(['notifications', 'list', '--state', 'lost'], { env, stdout: append, stderr: append }),
    ).toBe(2);
  });
});
