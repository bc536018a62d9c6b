// The contact test button over HTTP, against the DingTalk sandbox: a correctly configured robot gets a
// real, signed, keyword-safe test message; a misconfigured one is answered with DingTalk's errcode,
// errmsg and what to fix.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';
import { startSandbox, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import { SEED_SECRET } from '../seed-fixtures.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

describe('POST /api/v1/contacts/{id}:test', () => {
  let sandbox: RunningSandbox;
  let service: TestService;

  beforeEach(async () => {
    sandbox = await startSandbox({
      port: 0,
      robots: [
        { token: 'ops', secret: SEED_SECRET, keywords: ['报警'] },
        { token: 'keyword-only', keywords: ['值班'] },
      ],
    });
    service = await startTestService('sqlite', {
      TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
    });
  });
  afterEach(async () => {
    await service.stop();
    await sandbox.close();
  });

  async function createRobotContact(name: string, dingtalk: Record<string, unknown>): Promise<string> {
    const created = await service.api('POST', '/api/v1/contacts', { name, dingtalk });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  it('sends a signed test message the robot accepts, mentioning the listed mobiles', async () => {
    const id = await createRobotContact('ops-robot', {
      webhook: sandbox.webhookUrl('ops'),
      secret: SEED_SECRET,
      keywords: ['报警'],
      atMobiles: ['13800000000'],
    });
    const answer = await service.api('POST', `/api/v1/contacts/${id}:test`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, results: [{ channel: 'dingtalk', ok: true, errcode: 0 }] });
    expect(JSON.stringify(answer.body)).not.toContain(SEED_SECRET);
    const [message] = sandbox.messages('ops');
    expect(message?.body).toMatchObject({ msgtype: 'markdown' });
    expect(JSON.stringify(message?.body)).toContain('测试');
    expect(message?.mentions.wouldNotify).toContainEqual(expect.objectContaining({ value: '13800000000' }));
  });

  it('answers with the errcode, errmsg and a fix when the secret is wrong, and sends in English on request', async () => {
    const id = await createRobotContact('wrong-secret', {
      webhook: sandbox.webhookUrl('ops'),
      secret: 'SECnot-the-robot-secret',
    });
    const answer = await service.api('POST', `/api/v1/contacts/${id}:test`, { locale: 'en' });
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.results[0]).toMatchObject({ channel: 'dingtalk', ok: false, errcode: 310000 });
    expect(answer.body.results[0].reason).toMatch(/secret/i);
    expect(sandbox.messages('ops')).toEqual([]);
  });

  it('adds the robot keyword the template lacks, so a keyword-only robot accepts the test', async () => {
    const id = await createRobotContact('keyword-robot', {
      webhook: sandbox.webhookUrl('keyword-only'),
      keywords: ['值班'],
    });
    const answer = await service.api('POST', `/api/v1/contacts/${id}:test`, { locale: 'en' });
    expect(answer.body).toMatchObject({ ok: true });
    expect(sandbox.messages('keyword-only')).toHaveLength(1);
  });

  it('refuses to test a channel the contact does not have, naming it', async () => {
    const id = await createRobotContact('ops-robot', {
      webhook: sandbox.webhookUrl('ops'),
      secret: SEED_SECRET,
    });
    const answer = await service.api('POST', `/api/v1/contacts/${id}:test`, { channels: ['email'] });
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields).toEqual([
      { field: 'channels[0]', reason: 'this contact has no email to test' },
    ]);
    expect((await service.api('POST', '/api/v1/contacts/nope:test')).status).toBe(404);
  });

  it("tocsin contacts test prints each channel's answer and exits 1 when a channel failed", async () => {
    await createRobotContact('good', { webhook: sandbox.webhookUrl('ops'), secret: SEED_SECRET });
    await createRobotContact('bad', { webhook: sandbox.webhookUrl('ops'), secret: 'SECwrong' });
    const runCli = async (argv: string[]) => {
      let output = '';
      const append = (text: string) => (output += text);
      const env = { TOCSIN_URL: service.url, TOCSIN_TOKEN: ADMIN_TOKEN };
      const code = await run(argv, { env, stdout: append, stderr: append });
      return { code, output };
    };
    const good = await runCli(['contacts', 'test', 'good']);
    expect(good.code).toBe(0);
    expect(good.output).toMatch(/^ok +dingtalk/m);
    const bad = await runCli(['contacts', 'test', 'bad', '--locale', 'en']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/FAILED dingtalk/);
    expect(bad.output).toMatch(/310000/);
  });

  it('tests every channel of a contact: the webhook receives a signed test, e-mail without SMTP says how to fix it', async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookOrigin = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    await service.stop();
    service = await startTestService('sqlite', {
      TOCSIN_ALLOWED_WEBHOOK_ORIGINS: `${new URL(sandbox.url).origin},${hookOrigin}`,
    });
    try {
      const created = await service.api('POST', '/api/v1/contacts', {
        name: 'everything',
        email: 'ops@example.com',
        webhook: { url: `${hookOrigin}/alerts`, secret: 'webhook-secret-0123456789' },
      });
      expect(created.status).toBe(201);
      const answer = await service.api('POST', `/api/v1/contacts/${created.body.id}:test`, { locale: 'en' });
      expect(answer.status).toBe(200);
      expect(answer.body.ok).toBe(false);
      expect(answer.body.results).toEqual([
        expect.objectContaining({
          channel: 'email',
          ok: false,
          reason: expect.stringMatching(/TOCSIN_SMTP_URL/),
        }),
        expect.objectContaining({ channel: 'webhook', ok: true }),
      ]);
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['x-tocsin-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(JSON.parse(received[0]!.body)).toMatchObject({ kind: 'test' });
    } finally {
      await new Promise((resolve) => hook.close(resolve));
    }
  });
});
