// Contacts: a name plus at least one channel; DingTalk robots only at DingTalk (or an allowed origin),
// generic webhooks never at internal addresses, headers that cannot inject, every problem on its path.
import { describe, expect, it } from 'vitest';
import { contactInputSchema } from './contact.js';
import { validate } from './field-problem.js';

const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d';
const SANDBOX = 'http://127.0.0.1:9701';
const schema = contactInputSchema({ allowedWebhookOrigins: [SANDBOX] });

function problemFields(input: unknown): string[] {
  const result = validate(schema, input);
  return result.ok ? [] : result.problems.map((problem) => problem.field);
}

function reasonFor(input: unknown, field: string): string | undefined {
  const result = validate(schema, input);
  return result.ok ? undefined : result.problems.find((problem) => problem.field === field)?.reason;
}

const robot = (dingtalk: Record<string, unknown>) => ({
  name: 'robot',
  dingtalk: { webhook: WEBHOOK, ...dingtalk },
});
const hook = (webhook: Record<string, unknown>) => ({
  name: 'hook',
  webhook: { url: 'https://hooks.example.com/x', ...webhook },
});

describe('a valid contact', () => {
  it('accepts a DingTalk robot and fills its defaults, with null for channels not given', () => {
    const result = validate(schema, robot({ secret: 'SEC0123456789abcdef' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toEqual({
      name: 'robot',
      description: null,
      dingtalk: {
        webhook: WEBHOOK,
        secret: 'SEC0123456789abcdef',
        keywords: [],
        atMobiles: [],
        atUserIds: [],
        atAll: false,
        messageType: 'markdown',
      },
      email: null,
      phone: null,
      webhook: null,
    });
  });

  it('accepts e-mail alone, phone alone and a webhook alone', () => {
    expect(problemFields({ name: 'mail', email: 'ops@example.com' })).toEqual([]);
    expect(problemFields({ name: 'phone', phone: '+86 138-0000-0000' })).toEqual([]);
    expect(problemFields(hook({}))).toEqual([]);
  });

  it('accepts a webhook signing secret and fills null without one', () => {
    const signed = validate(schema, hook({ secret: 'whsec-0123456789abcdef' }));
    expect(signed.ok && signed.value.webhook?.secret).toBe('whsec-0123456789abcdef');
    const unsigned = validate(schema, hook({}));
    expect(unsigned.ok && unsigned.value.webhook).toEqual({
      url: 'https://hooks.example.com/x',
      method: 'POST',
      headers: {},
      bodyTemplate: null,
      secret: null,
    });
  });

  it('accepts a masked webhook secret as sent back by the API, for the route to resolve', () => {
    expect(problemFields(hook({ secret: '…cdef' }))).toEqual([]);
  });

  it('accepts a robot at the sandbox origin the operator allowed', () => {
    expect(problemFields(robot({ webhook: `${SANDBOX}/robot/send?access_token=t` }))).toEqual([]);
  });

  it('trims the name', () => {
    const result = validate(schema, { name: '  ops  ', email: 'ops@example.com' });
    expect(result.ok && result.value.name).toBe('ops');
  });

  it('accepts 10 keywords, the most DingTalk allows', () => {
    expect(problemFields(robot({ keywords: Array.from({ length: 10 }, (_, i) => `k${i}`) }))).toEqual([]);
  });
});

describe('a bad contact', () => {
  it('refuses a contact without any channel, naming dingtalk and listing the choices', () => {
    expect(reasonFor({ name: 'nobody' }, 'dingtalk')).toBe(
      'a contact needs at least one of dingtalk, email, phone or webhook',
    );
    expect(problemFields({ name: 'nobody', dingtalk: null, email: null })).toEqual(['dingtalk']);
  });

  it('refuses a missing, blank, over-long or control-character name', () => {
    expect(reasonFor({ email: 'a@example.com' }, 'name')).toBe('is required');
    expect(reasonFor({ name: ' ', email: 'a@example.com' }, 'name')).toBe('must not be empty');
    expect(problemFields({ name: 'x'.repeat(201), email: 'a@example.com' })).toEqual(['name']);
    expect(problemFields({ name: 'a\nb', email: 'a@example.com' })).toEqual(['name']);
  });

  it('refuses a name that is not a string', () => {
    expect(problemFields({ name: 42, email: 'a@example.com' })).toEqual(['name']);
  });

  it('names an unknown field, at the top and inside the robot', () => {
    expect(problemFields({ name: 'x', email: 'a@example.com', colour: 'red' })).toEqual(['colour']);
    expect(problemFields(robot({ token: 'x' }))).toEqual(['dingtalk.token']);
  });

  it('refuses a malformed e-mail address and phone number', () => {
    expect(problemFields({ name: 'x', email: 'ops-at-example.com' })).toEqual(['email']);
    expect(problemFields({ name: 'x', phone: 'call me' })).toEqual(['phone']);
  });

  it('refuses a robot URL outside DingTalk', () => {
    expect(problemFields(robot({ webhook: 'http://evil.example.com/robot/send?access_token=x' }))).toEqual([
      'dingtalk.webhook',
    ]);
  });

  it('refuses a DingTalk URL without access_token, and over plain http', () => {
    expect(problemFields(robot({ webhook: 'https://oapi.dingtalk.com/robot/send' }))).toEqual([
      'dingtalk.webhook',
    ]);
    expect(problemFields(robot({ webhook: 'http://oapi.dingtalk.com/robot/send?access_token=x' }))).toEqual([
      'dingtalk.webhook',
    ]);
  });

  it('refuses a signing secret that does not start with SEC', () => {
    expect(reasonFor(robot({ secret: 'abc123' }), 'dingtalk.secret')).toContain('starting with SEC');
  });

  it('refuses 11 keywords and an empty keyword', () => {
    expect(
      reasonFor(robot({ keywords: Array.from({ length: 11 }, (_, i) => `k${i}`) }), 'dingtalk.keywords'),
    ).toBe('DingTalk allows at most 10 keywords');
    expect(problemFields(robot({ keywords: ['alert', ' '] }))).toEqual(['dingtalk.keywords[1]']);
  });

  it('refuses a mobile to @-mention that is not a number, naming its index', () => {
    expect(problemFields(robot({ atMobiles: ['13800000000', 'boss'] }))).toEqual(['dingtalk.atMobiles[1]']);
  });

  it('refuses an unknown DingTalk message type', () => {
    expect(problemFields(robot({ messageType: 'image' }))).toEqual(['dingtalk.messageType']);
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.5/hook',
    'http://169.254.169.254/',
    'http://[::1]/hook',
    'http://localhost/hook',
    'http://2130706433/hook',
  ])('refuses a webhook to the internal address %s', (url) => {
    expect(problemFields(hook({ url }))).toEqual(['webhook.url']);
  });

  it('refuses a webhook with credentials in the URL', () => {
    expect(problemFields(hook({ url: 'https://u:p@hooks.example.com/x' }))).toEqual(['webhook.url']);
  });

  it('refuses a header value with CR or LF, naming the header', () => {
    expect(reasonFor(hook({ headers: { 'X-Trace': 'a\r\nX-Evil: 1' } }), 'webhook.headers.X-Trace')).toBe(
      'must not contain line breaks',
    );
  });

  it('refuses a header name that is not an HTTP token, saying why', () => {
    expect(reasonFor(hook({ headers: { 'X Trace': '1' } }), 'webhook.headers.X Trace')).toBe(
      'must be a valid HTTP header name',
    );
  });

  it('refuses a webhook secret shorter than 16 or longer than 200 characters, or with spaces', () => {
    expect(reasonFor(hook({ secret: 'short' }), 'webhook.secret')).toBe(
      'must be at least 16 characters (e.g. openssl rand -hex 32)',
    );
    expect(reasonFor(hook({ secret: 'x'.repeat(201) }), 'webhook.secret')).toBe(
      'must be at most 200 characters',
    );
    expect(reasonFor(hook({ secret: '0123456789 abcdef' }), 'webhook.secret')).toBe(
      'must not contain spaces or control characters',
    );
  });

  it('refuses the webhook method GET', () => {
    expect(problemFields(hook({ method: 'GET' }))).toEqual(['webhook.method']);
  });

  it('reports every problem at once, not just the first', () => {
    expect(
      problemFields({
        name: '',
        email: 'nope',
        dingtalk: { webhook: 'https://oapi.dingtalk.com/robot/send', secret: 'x' },
      }).sort(),
    ).toEqual(['dingtalk.secret', 'dingtalk.webhook', 'email', 'name']);
  });
});
