// The message previews over HTTP: a saved policy's `:render` and an unsaved policy's, in both locales,
// with what DingTalk, e-mail and a webhook would be sent; a viewer token may render; nothing is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_WEBHOOK, seedPolicy } from '../seed-fixtures.js';
import { startTestService, type TestService } from '../service.js';

describe('POST /api/v1/alert-policies/{id}:render and /api/v1/alert-policies:render', () => {
  let service: TestService;
  let groupId: string;
  let contactId: string;
  let emailOnlyId: string;
  let policyId: string;

  beforeAll(async () => {
    service = await startTestService('sqlite');
    const contact = await service.api('POST', '/api/v1/contacts', {
      name: 'ops-robot',
      dingtalk: { webhook: SEED_WEBHOOK, keywords: ['值班'], atMobiles: ['13800000000'] },
    });
    contactId = contact.body.id;
    emailOnlyId = (await service.api('POST', '/api/v1/contacts', { name: 'mail', email: 'ops@example.com' }))
      .body.id;
    groupId = (await service.api('POST', '/api/v1/contact-groups', { name: 'ops', contactIds: [contactId] }))
      .body.id;
    const policy = await service.api('POST', '/api/v1/alert-policies', seedPolicy([groupId]));
    expect(policy.status).toBe(201);
    expect(policy.body.notification.template).toBeNull();
    policyId = policy.body.id;
  });
  afterAll(async () => {
    await service.stop();
  });

  it('renders a saved policy’s firing message in Chinese by default, with console links', async () => {
    const answer = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`);
    expect(answer.status).toBe(200);
    const { notification } = answer.body;
    expect(notification).toMatchObject({
      kind: 'firing',
      severity: 'P2',
      policyId,
      policyName: 'JVM FullGC doubled vs previous hour',
      locale: 'zh-CN',
      title: '[P2 报警] JVM FullGC doubled vs previous hour',
    });
    expect(notification.markdown).toContain('- host：10.0.0.7');
    expect(notification.markdown).toContain(
      '- 规则：JVM\\_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
    );
    expect(notification.markdown).toContain('- 持续时间：1 小时 5 分');
    expect(notification.markdown).toMatch(/- 开始时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia\/Shanghai\)/);
    expect(notification.links.map((link: { url: string }) => link.url)).toEqual([
      `${service.config.publicUrl}/events/sample`,
      `${service.config.publicUrl}/events/sample:acknowledge`,
      `${service.config.publicUrl}/events/sample:silence`,
    ]);
    expect(answer.body).not.toHaveProperty('message');
  });

  it('answers the exact DingTalk body for the contact’s robot: its keyword and mentions', async () => {
    const answer = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {
      kind: 'resolved',
      locale: 'en',
      channel: 'dingtalk',
      contactId,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.notification.title).toBe('[P2 Resolved] JVM FullGC doubled vs previous hour');
    expect(answer.body.channel).toBe('dingtalk');
    const { message } = answer.body;
    expect(message.msgtype).toBe('markdown');
    expect(message.byteLength).toBe(Buffer.byteLength(message.body, 'utf8'));
    const body = JSON.parse(message.body);
    expect(body.markdown.title).toBe('[值班] [P2 Resolved] JVM FullGC doubled vs previous hour');
    expect(body.markdown.text).toContain('- Resolved: ');
    expect(body.markdown.text).toContain('@13800000000');
    expect(body.at).toMatchObject({ atMobiles: ['13800000000'] });
  });

  it('answers a DingTalk body with the default keyword when no contact is given', async () => {
    const answer = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {
      channel: 'dingtalk',
    });
    const body = JSON.parse(answer.body.message.body);
    // The zh title carries 报警, the keyword robots are commonly set to require, so nothing is prepended.
    expect(body.markdown.title).toBe('[P2 报警] JVM FullGC doubled vs previous hour');
    expect(body.markdown.text).toContain('报警');
  });

  it('answers the e-mail and the webhook body', async () => {
    const email = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {
      channel: 'email',
    });
    expect(email.body.message.subject).toBe('[P2 报警] JVM FullGC doubled vs previous hour');
    expect(email.body.message.html).toContain('JVM_FullGC 5 分钟平均值');
    const webhook = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {
      channel: 'webhook',
    });
    expect(webhook.body.message.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(webhook.body.message.body)).toMatchObject({
      kind: 'firing',
      title: email.body.message.subject,
    });
  });

  it('may be used with a viewer token', async () => {
    const viewer = await service.api('POST', '/api/v1/api-tokens', { name: 'viewer', role: 'viewer' });
    const answer = await service.api(
      'POST',
      `/api/v1/alert-policies/${policyId}:render`,
      {},
      viewer.body.token,
    );
    expect(answer.status).toBe(200);
  });

  it('refuses an unknown policy with 404, and a contact without the channel with 400 naming contactId', async () => {
    expect((await service.api('POST', '/api/v1/alert-policies/nope:render', {})).status).toBe(404);
    const lacking = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {
      channel: 'dingtalk',
      contactId: emailOnlyId,
    });
    expect(lacking.status).toBe(400);
    expect(lacking.body.error.fields).toEqual([
      { field: 'contactId', reason: expect.stringContaining('DingTalk') },
    ]);
    const unknown = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, { locale: 'fr' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].field).toBe('locale');
  });

  it('renders an unsaved policy with its own template, values escaped, and saves nothing', async () => {
    const policy = seedPolicy([groupId], {
      name: 'GC *storm* <b>',
      notification: {
        channels: ['dingtalk'],
        contactGroupIds: [groupId],
        effective: { timeZone: 'UTC' },
        template: {
          title: '{{state}}: {{policy.name}} on {{dimension.value}}',
          body: '**{{policy.name}}** {{dimension.key}}={{dimension.value}} since {{startedAt}}\n\n{{rules}}\n\n[ack]({{links.acknowledge}})',
        },
      },
    });
    const answer = await service.api('POST', '/api/v1/alert-policies:render', { policy, locale: 'en' });
    expect(answer.status).toBe(200);
    expect(answer.body.notification.title).toBe('Alert: GC *storm* <b> on 10.0.0.7');
    expect(answer.body.notification.markdown).toMatch(
      /^\*\*GC \\\*storm\\\* \\<b\\>\*\* host=10\\\.0\.0\.7 since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\)\n\n- JVM\\_FullGC 5-minute average up 120% on the hour before \(threshold 100%\)\n\n\[ack\]\(http:\/\/.+\/events\/sample:acknowledge\)$/,
    );
    const list = await service.api('GET', '/api/v1/alert-policies');
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses an unsaved policy whose template names an unknown variable, naming the field', async () => {
    const policy = seedPolicy([groupId], {
      notification: { channels: ['dingtalk'], contactGroupIds: [groupId], template: { body: '{{host}}' } },
    });
    const answer = await service.api('POST', '/api/v1/alert-policies:render', { policy });
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields).toEqual([
      {
        field: 'policy.notification.template.body',
        reason: expect.stringContaining('unknown variable {{host}}'),
      },
    ]);
    const saved = await service.api('POST', '/api/v1/alert-policies', { ...policy, name: 'other' });
    expect(saved.status).toBe(400);
    expect(saved.body.error.fields[0].field).toBe('notification.template.body');
  });

  it('keeps a saved template and presents it like the other notification fields', async () => {
    const template = { title: '[{{severity}}] {{policy.name}}', body: null };
    const stored = await service.api('GET', `/api/v1/alert-policies/${policyId}`);
    const updated = await service.api('PUT', `/api/v1/alert-policies/${policyId}`, {
      ...stored.body,
      notification: { ...stored.body.notification, template: { title: template.title } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.notification.template).toEqual(template);
    const answer = await service.api('POST', `/api/v1/alert-policies/${policyId}:render`, {});
    expect(answer.body.notification.title).toBe('[P2] JVM FullGC doubled vs previous hour');
    expect(answer.body.notification.markdown).toContain('**P2 报警 · JVM FullGC doubled vs previous hour**');
  });
});
