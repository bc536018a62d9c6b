// Bad input over HTTP, on each database: every malformed, out-of-range, unsafe or unauthorised request
// gets a catalogued 4xx naming the field at fault, the service keeps answering, and nothing stored changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { DIALECTS } from '../databases.js';
import { ADMIN_TOKEN, startTestService, type ApiAnswer, type TestService } from '../service.js';
import { SEED_CONDITION, SEED_SECRET, SEED_WEBHOOK, seedPolicy } from '../seed-fixtures.js';

/** What the table's requests refer to: objects created before it runs. */
interface Seeded {
  readonly mailContactId: string;
  readonly robotContact: Record<string, unknown>;
  readonly groupId: string;
  readonly datasourceId: string;
  readonly policy: Record<string, unknown>;
  readonly viewerToken: string;
}

type FromSeed<T> = T | ((seeded: Seeded) => T);

interface BadRequest {
  /** The behaviour, as the test's name. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: FromSeed<string>;
  /** An object is sent as JSON; a string is sent as it is. */
  readonly body?: FromSeed<object | string>;
  readonly contentType?: string;
  /** Whose token: the admin's (default), a viewer's, an unknown one, or none. */
  readonly as?: 'admin' | 'viewer' | 'unknown' | 'nobody';
  readonly status: number;
  readonly code: ErrorCode;
  /** Field paths `error.fields` must name. */
  readonly fields?: readonly string[];
}

/** The seed's policy, with fields replaced; `undefined` removes a field. */
function policy(groupId: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return seedPolicy([groupId], patch);
}

/** A new policy (another name) whose only rule has fields replaced. */
function policyWithRule(groupId: string, rule: Record<string, unknown>): Record<string, unknown> {
  const merged = Object.fromEntries(
    Object.entries({ ...SEED_CONDITION, ...rule }).filter(([, value]) => value !== undefined),
  );
  return policy(groupId, { name: 'another policy', rules: { match: 'all', conditions: [merged] } });
}

function withEffective(groupId: string, effective: Record<string, unknown>): Record<string, unknown> {
  return policy(groupId, {
    name: 'another policy',
    notification: { channels: ['dingtalk'], contactGroupIds: [groupId], effective },
  });
}

const webhookContact = (url: string, headers: Record<string, string> = {}) => ({
  name: 'hook',
  webhook: { url, headers },
});

const robotContact = (dingtalk: Record<string, unknown>) => ({
  name: 'robot',
  dingtalk: { webhook: SEED_WEBHOOK, ...dingtalk },
});

const invalid = { status: 400, code: 'invalid_request' } as const;

const BAD_REQUESTS: readonly BadRequest[] = [
  // Contacts: shape and types.
  {
    name: 'refuses a contact without a name, naming `name`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { email: 'ops@example.com' },
    ...invalid,
    fields: ['name'],
  },
  {
    name: 'refuses a contact whose name is a number, naming `name`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 42, email: 'ops@example.com' },
    ...invalid,
    fields: ['name'],
  },
  {
    name: 'refuses a contact whose name is blank, naming `name`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: '   ', email: 'ops@example.com' },
    ...invalid,
    fields: ['name'],
  },
  {
    name: 'refuses a contact name with a control character, naming `name`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'ops\u0007', email: 'ops@example.com' },
    ...invalid,
    fields: ['name'],
  },
  {
    name: 'refuses an unknown field, naming it',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'ops', email: 'ops@example.com', colour: 'red' },
    ...invalid,
    fields: ['colour'],
  },
  {
    name: 'refuses a contact with no channel, naming `dingtalk`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'nobody' },
    ...invalid,
    fields: ['dingtalk'],
  },
  {
    name: 'refuses a malformed e-mail address, naming `email`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'ops', email: 'ops-at-example.com' },
    ...invalid,
    fields: ['email'],
  },
  // Contacts: DingTalk robots.
  {
    name: 'refuses a robot URL outside DingTalk, naming `dingtalk.webhook`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ webhook: 'http://evil.example.com/robot/send?access_token=x' }),
    ...invalid,
    fields: ['dingtalk.webhook'],
  },
  {
    name: 'refuses a DingTalk robot URL without access_token, naming `dingtalk.webhook`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ webhook: 'https://oapi.dingtalk.com/robot/send' }),
    ...invalid,
    fields: ['dingtalk.webhook'],
  },
  {
    name: 'refuses a plain-http DingTalk robot URL, naming `dingtalk.webhook`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ webhook: 'http://oapi.dingtalk.com/robot/send?access_token=x' }),
    ...invalid,
    fields: ['dingtalk.webhook'],
  },
  {
    name: 'refuses a signing secret not starting with SEC, naming `dingtalk.secret`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ secret: 'abc123' }),
    ...invalid,
    fields: ['dingtalk.secret'],
  },
  {
    name: 'refuses 11 robot keywords, naming `dingtalk.keywords`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ keywords: Array.from({ length: 11 }, (_, i) => `k${i}`) }),
    ...invalid,
    fields: ['dingtalk.keywords'],
  },
  {
    name: 'refuses a mobile to @-mention that is not a number, naming `dingtalk.atMobiles[0]`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: robotContact({ atMobiles: ['call me'] }),
    ...invalid,
    fields: ['dingtalk.atMobiles[0]'],
  },
  {
    name: 'refuses a masked secret that matches nothing stored, naming `dingtalk.secret`',
    method: 'PUT',
    path: (s) => `/api/v1/contacts/${String(s.robotContact.id)}`,
    body: (s) => ({
      ...s.robotContact,
      dingtalk: { ...(s.robotContact.dingtalk as object), secret: 'SEC…zzzz' },
    }),
    ...invalid,
    fields: ['dingtalk.secret'],
  },
  // Contacts: generic webhooks and SSRF.
  ...(
    [
      ['loopback 127.0.0.1', 'http://127.0.0.1:8080/hook'],
      ['private 10.0.0.5', 'http://10.0.0.5/hook'],
      ['cloud metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data/'],
      ['IPv6 loopback [::1]', 'http://[::1]/hook'],
      ['localhost', 'http://localhost:9000/hook'],
      ['decimal 2130706433 (127.0.0.1)', 'http://2130706433/hook'],
      ['hex 0x7f.1 (127.0.0.1)', 'http://0x7f.1/hook'],
      ['IPv4-mapped [::ffff:127.0.0.1]', 'http://[::ffff:127.0.0.1]/hook'],
      ['unspecified 0.0.0.0', 'http://0.0.0.0/hook'],
    ] as const
  ).map(([what, url]): BadRequest => ({
    name: `refuses a webhook to ${what}, naming \`webhook.url\``,
    method: 'POST',
    path: '/api/v1/contacts',
    body: webhookContact(url),
    ...invalid,
    fields: ['webhook.url'],
  })),
  {
    name: 'refuses a webhook URL with credentials in it, naming `webhook.url`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: webhookContact('https://user:pass@hooks.example.com/x'),
    ...invalid,
    fields: ['webhook.url'],
  },
  {
    name: 'refuses a webhook that is not http(s), naming `webhook.url`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: webhookContact('file:///etc/passwd'),
    ...invalid,
    fields: ['webhook.url'],
  },
  {
    name: 'refuses a webhook header value with CRLF, naming the header',
    method: 'POST',
    path: '/api/v1/contacts',
    body: webhookContact('https://hooks.example.com/x', { 'X-Trace': 'a\r\nX-Injected: 1' }),
    ...invalid,
    fields: ['webhook.headers.X-Trace'],
  },
  {
    name: 'refuses a webhook header name with a space, naming the header',
    method: 'POST',
    path: '/api/v1/contacts',
    body: webhookContact('https://hooks.example.com/x', { 'X Trace': '1' }),
    ...invalid,
    fields: ['webhook.headers.X Trace'],
  },
  {
    name: 'refuses a webhook method GET, naming `webhook.method`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'hook', webhook: { url: 'https://hooks.example.com/x', method: 'GET' } },
    ...invalid,
    fields: ['webhook.method'],
  },
  // Conflicts and missing objects.
  {
    name: 'refuses a second contact with a taken name with 409 name_taken, naming `name`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'ops-mail', email: 'other@example.com' },
    status: 409,
    code: 'name_taken',
    fields: ['name'],
  },
  {
    name: 'refuses renaming a contact to a taken name with 409 name_taken',
    method: 'PUT',
    path: (s) => `/api/v1/contacts/${String(s.robotContact.id)}`,
    body: (s) => ({ ...s.robotContact, name: 'ops-mail' }),
    status: 409,
    code: 'name_taken',
    fields: ['name'],
  },
  {
    name: 'answers 404 not_found when updating a contact that does not exist',
    method: 'PUT',
    path: '/api/v1/contacts/0000000000nosuchcontact000',
    body: { name: 'ghost', email: 'ghost@example.com' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'refuses an id with a NUL character, naming `id`',
    method: 'GET',
    path: '/api/v1/contacts/%00',
    ...invalid,
    fields: ['id'],
  },
  {
    name: 'refuses an id with broken percent-encoding in the catalogued body',
    method: 'GET',
    path: '/api/v1/contacts/%zz',
    ...invalid,
  },
  {
    name: 'refuses an id of 5000 characters in the catalogued body',
    method: 'GET',
    path: `/api/v1/contacts/${'x'.repeat(5000)}`,
    ...invalid,
  },
  {
    name: 'refuses a description with a NUL character, naming `description`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'nul', email: 'ops@example.com', description: 'a\u0000b' },
    ...invalid,
    fields: ['description'],
  },
  // Contact groups.
  {
    name: 'refuses a group with an unknown contact id, naming `contactIds[1]`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: (s) => ({ name: 'team', contactIds: [s.mailContactId, 'nosuchcontact'] }),
    ...invalid,
    fields: ['contactIds[1]'],
  },
  {
    name: 'refuses a group listing a contact twice, naming `contactIds`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: (s) => ({ name: 'team', contactIds: [s.mailContactId, s.mailContactId] }),
    ...invalid,
    fields: ['contactIds'],
  },
  {
    name: 'refuses a group without contacts, naming `contactIds`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: { name: 'team', contactIds: [] },
    ...invalid,
    fields: ['contactIds'],
  },
  {
    name: 'refuses a group whose contactIds is a string, naming `contactIds`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: (s) => ({ name: 'team', contactIds: s.mailContactId }),
    ...invalid,
    fields: ['contactIds'],
  },
  {
    name: 'refuses a contact id with a NUL character, naming `contactIds[0]`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: { name: 'team', contactIds: ['a\u0000b'] },
    ...invalid,
    fields: ['contactIds[0]'],
  },
  // Alert policies: metric types and metrics.
  {
    name: 'refuses an unknown metric type, naming `metricType`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', metricType: 'GC_Stuff' }),
    ...invalid,
    fields: ['metricType'],
  },
  {
    name: 'refuses a browser metric type on an application policy, naming `metricType`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', metricType: 'Page_Metric' }),
    ...invalid,
    fields: ['metricType'],
  },
  {
    name: 'refuses a metric that is not of the metric type, naming `rules.conditions[0].metric`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { metric: 'LCP' }),
    ...invalid,
    fields: ['rules.conditions[0].metric'],
  },
  {
    name: 'refuses an unknown policy kind, naming `kind`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', kind: 'mainframe' }),
    ...invalid,
    fields: ['kind'],
  },
  {
    name: 'refuses an application policy without target, naming `target`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', target: undefined }),
    ...invalid,
    fields: ['target'],
  },
  // Alert policies: rules.
  ...(
    [
      ['0', 0],
      ['1441', 1441],
      ['2.5', 2.5],
      ['"5" (a string)', '5'],
    ] as const
  ).map(([what, windowMinutes]): BadRequest => ({
    name: `refuses windowMinutes ${what}, naming \`rules.conditions[0].windowMinutes\``,
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { windowMinutes }),
    ...invalid,
    fields: ['rules.conditions[0].windowMinutes'],
  })),
  {
    name: 'refuses an unknown comparator, naming `rules.conditions[0].comparator`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { comparator: 'about', baseline: undefined }),
    ...invalid,
    fields: ['rules.conditions[0].comparator'],
  },
  {
    name: 'refuses an unknown aggregation, naming `rules.conditions[0].aggregation`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { aggregation: 'p99' }),
    ...invalid,
    fields: ['rules.conditions[0].aggregation'],
  },
  {
    name: 'refuses increase_pct without a baseline, naming `rules.conditions[0].baseline`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { baseline: undefined }),
    ...invalid,
    fields: ['rules.conditions[0].baseline'],
  },
  {
    name: 'refuses a baseline on a gt rule, naming `rules.conditions[0].baseline`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { comparator: 'gt' }),
    ...invalid,
    fields: ['rules.conditions[0].baseline'],
  },
  {
    name: 'refuses a threshold sent as a string, naming `rules.conditions[0].threshold`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policyWithRule(s.groupId, { threshold: '100' }),
    ...invalid,
    fields: ['rules.conditions[0].threshold'],
  },
  {
    name: 'refuses a policy without rules, naming `rules.conditions`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', rules: { conditions: [] } }),
    ...invalid,
    fields: ['rules.conditions'],
  },
  // Alert policies: dimension.
  {
    name: 'refuses traverse without a key, naming `dimension.key`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', dimension: { mode: 'traverse' } }),
    ...invalid,
    fields: ['dimension.key'],
  },
  {
    name: 'refuses a dimension key the metric type does not have, naming `dimension.key`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', dimension: { mode: 'traverse', key: 'page' } }),
    ...invalid,
    fields: ['dimension.key'],
  },
  {
    name: 'refuses specified without a value, naming `dimension.value`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', dimension: { mode: 'specified', key: 'host' } }),
    ...invalid,
    fields: ['dimension.value'],
  },
  // Alert policies: notification.
  {
    name: 'refuses an unknown contact group id, naming `notification.contactGroupIds[0]`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => ({
      ...policy(s.groupId, { name: 'another policy' }),
      notification: { channels: ['dingtalk'], contactGroupIds: ['nosuchgroup'] },
    }),
    ...invalid,
    fields: ['notification.contactGroupIds[0]'],
  },
  {
    name: 'refuses an unknown channel, naming `notification.channels[0]`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) =>
      policy(s.groupId, {
        name: 'another policy',
        notification: { channels: ['pager'], contactGroupIds: [s.groupId] },
      }),
    ...invalid,
    fields: ['notification.channels[0]'],
  },
  {
    name: 'refuses a time zone that does not exist, naming `notification.effective.timeZone`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => withEffective(s.groupId, { timeZone: 'Mars/Olympus_Mons' }),
    ...invalid,
    fields: ['notification.effective.timeZone'],
  },
  {
    name: 'refuses an effective window from 09:00 to 09:00, naming `notification.effective.to`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => withEffective(s.groupId, { from: '09:00', to: '09:00' }),
    ...invalid,
    fields: ['notification.effective.to'],
  },
  {
    name: 'refuses effective days 0 and 8, naming each',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => withEffective(s.groupId, { days: [0, 8] }),
    ...invalid,
    fields: ['notification.effective.days[0]', 'notification.effective.days[1]'],
  },
  {
    name: 'refuses an effective time 25:00, naming `notification.effective.from`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => withEffective(s.groupId, { from: '25:00' }),
    ...invalid,
    fields: ['notification.effective.from'],
  },
  {
    name: 'refuses severity P5, naming `severity`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', severity: 'P5' }),
    ...invalid,
    fields: ['severity'],
  },
  {
    name: 'refuses enabled sent as "yes", naming `enabled`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) => policy(s.groupId, { name: 'another policy', enabled: 'yes' }),
    ...invalid,
    fields: ['enabled'],
  },
  // Alert policies: prometheus.
  {
    name: 'refuses a prometheus policy without datasourceId and expr, naming both',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) =>
      policy(s.groupId, {
        name: 'another policy',
        kind: 'prometheus',
        target: undefined,
        metricType: undefined,
        dimension: { mode: 'none' },
        rules: { conditions: [{ windowMinutes: 5, comparator: 'gt', threshold: 1 }] },
      }),
    ...invalid,
    fields: ['datasourceId', 'expr'],
  },
  {
    name: 'refuses a prometheus policy on an unknown data source, naming `datasourceId`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: (s) =>
      policy(s.groupId, {
        name: 'another policy',
        kind: 'prometheus',
        target: undefined,
        metricType: undefined,
        datasourceId: 'nosuchdatasource',
        expr: 'up == 0',
        dimension: { mode: 'none' },
        rules: { conditions: [{ windowMinutes: 5, comparator: 'gt', threshold: 1 }] },
      }),
    ...invalid,
    fields: ['datasourceId'],
  },
  {
    name: 'refuses an edit that breaks a stored policy, naming the field, and keeps the stored one',
    method: 'PUT',
    path: (s) => `/api/v1/alert-policies/${String(s.policy.id)}`,
    body: (s) => ({
      ...s.policy,
      rules: { match: 'all', conditions: [{ ...SEED_CONDITION, windowMinutes: 0 }] },
    }),
    ...invalid,
    fields: ['rules.conditions[0].windowMinutes'],
  },
  // Data sources.
  {
    name: 'refuses a data source URL that is not http(s), naming `url`',
    method: 'POST',
    path: '/api/v1/datasources',
    body: { name: 'prom2', url: 'ftp://prometheus.example.com' },
    ...invalid,
    fields: ['url'],
  },
  {
    name: 'refuses a data source with both basicAuth and bearerToken, naming `bearerToken`',
    method: 'POST',
    path: '/api/v1/datasources',
    body: {
      name: 'prom2',
      url: 'http://127.0.0.1:9090',
      basicAuth: { username: 'u', password: 'p' },
      bearerToken: 't',
    },
    ...invalid,
    fields: ['bearerToken'],
  },
  {
    name: 'refuses a data source timeout of 0 seconds, naming `timeoutSeconds`',
    method: 'POST',
    path: '/api/v1/datasources',
    body: { name: 'prom2', url: 'http://127.0.0.1:9090', timeoutSeconds: 0 },
    ...invalid,
    fields: ['timeoutSeconds'],
  },
  {
    name: 'refuses an unknown data source type, naming `type`',
    method: 'POST',
    path: '/api/v1/datasources',
    body: { name: 'prom2', type: 'graphite', url: 'http://127.0.0.1:9090' },
    ...invalid,
    fields: ['type'],
  },
  // API tokens and authentication.
  {
    name: 'refuses an API token with an unknown role, naming `role`',
    method: 'POST',
    path: '/api/v1/api-tokens',
    body: { name: 'root', role: 'root' },
    ...invalid,
    fields: ['role'],
  },
  {
    name: 'refuses an API token without a name, naming `name`',
    method: 'POST',
    path: '/api/v1/api-tokens',
    body: { role: 'viewer' },
    ...invalid,
    fields: ['name'],
  },
  {
    name: 'refuses a request without a token with 401 unauthorized',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'sneaky', email: 'sneaky@example.com' },
    as: 'nobody',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'refuses an unknown token with 401 unauthorized',
    method: 'GET',
    path: '/api/v1/contacts',
    as: 'unknown',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'refuses a viewer token writing with 403 forbidden',
    method: 'POST',
    path: '/api/v1/contacts',
    body: { name: 'sneaky', email: 'sneaky@example.com' },
    as: 'viewer',
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'refuses a viewer token deleting with 403 forbidden',
    method: 'DELETE',
    path: (s) => `/api/v1/contacts/${s.mailContactId}`,
    as: 'viewer',
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'refuses a viewer token creating API tokens with 403 forbidden',
    method: 'POST',
    path: '/api/v1/api-tokens',
    body: { name: 'escalate', role: 'admin' },
    as: 'viewer',
    status: 403,
    code: 'forbidden',
  },
  // List queries.
  ...(
    [
      ['limit=0', '/api/v1/contacts?limit=0', 'limit'],
      ['limit=5000', '/api/v1/contact-groups?limit=5000', 'limit'],
      ['limit=ten', '/api/v1/datasources?limit=ten', 'limit'],
      ['limit given twice', '/api/v1/contacts?limit=1&limit=2', 'limit'],
      ['a cursor this service never gave out', '/api/v1/contacts?cursor=not-a-cursor!', 'cursor'],
      ['a search with a NUL character', '/api/v1/contacts?q=a%00b', 'q'],
      ['kind=mainframe', '/api/v1/alert-policies?kind=mainframe', 'kind'],
      ['enabled=yes', '/api/v1/alert-policies?enabled=yes', 'enabled'],
    ] as const
  ).map(([what, path, field]): BadRequest => ({
    name: `refuses a list query with ${what}, naming \`${field}\``,
    method: 'GET',
    path,
    ...invalid,
    fields: [field],
  })),
  // Bodies that are not an object of JSON.
  {
    name: 'refuses a body that is not valid JSON with invalid_json, naming `body`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: '{"name": "ops", "email": ',
    status: 400,
    code: 'invalid_json',
    fields: ['body'],
  },
  {
    name: 'refuses an empty JSON body with invalid_json, naming `body`',
    method: 'POST',
    path: '/api/v1/contact-groups',
    body: '',
    status: 400,
    code: 'invalid_json',
    fields: ['body'],
  },
  {
    name: 'refuses a JSON array body, naming `body`',
    method: 'POST',
    path: '/api/v1/alert-policies',
    body: '[]',
    ...invalid,
    fields: ['body'],
  },
  {
    name: 'refuses a JSON null body, naming `body`',
    method: 'POST',
    path: '/api/v1/contacts',
    body: 'null',
    ...invalid,
    fields: ['body'],
  },
  {
    name: 'refuses a body nested 100000 deep without crashing',
    method: 'POST',
    path: '/api/v1/contacts',
    body: `{"name":"deep","description":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ...invalid,
    fields: ['description'],
  },
  {
    name: 'refuses a body carrying __proto__ with invalid_json',
    method: 'POST',
    path: '/api/v1/contacts',
    body: '{"name":"proto","email":"ops@example.com","__proto__":{"admin":true}}',
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'refuses a text/plain body with 415 unsupported_media_type',
    method: 'POST',
    path: '/api/v1/contacts',
    body: '{"name":"plain","email":"ops@example.com"}',
    contentType: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'refuses a body over 1 MiB with 413 payload_too_large',
    method: 'POST',
    path: '/api/v1/contacts',
    body: JSON.stringify({ name: 'big', email: 'ops@example.com', description: 'x'.repeat(1_100_000) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'answers 404 not_found for a route that does not exist',
    method: 'POST',
    path: '/api/v1/contact-people',
    body: { name: 'ops' },
    status: 404,
    code: 'not_found',
  },
];

/** Every list, read through the API, with what using a token changes (its last use) left out. */
async function snapshot(service: TestService): Promise<Record<string, unknown>> {
  const lists = ['contacts', 'contact-groups', 'alert-policies', 'datasources', 'api-tokens'];
  const entries = await Promise.all(
    lists.map(async (list) => {
      const answer = await service.api('GET', `/api/v1/${list}?limit=1000`);
      expect(answer.status).toBe(200);
      const items = (answer.body.items as Record<string, unknown>[]).map(
        ({ lastUsedAt: _lastUsedAt, ...item }) => item,
      );
      return [list, items] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function seed(service: TestService): Promise<Seeded> {
  const created = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
    const answer = await service.api('POST', path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  };
  const mail = await created('/api/v1/contacts', { name: 'ops-mail', email: 'ops@example.com' });
  const robot = await created('/api/v1/contacts', {
    name: 'ops-robot',
    dingtalk: { webhook: SEED_WEBHOOK, secret: SEED_SECRET, keywords: ['alert'] },
  });
  const group = await created('/api/v1/contact-groups', { name: 'ops', contactIds: [mail.id] });
  const datasource = await created('/api/v1/datasources', { name: 'prom', url: 'http://127.0.0.1:9090' });
  const stored = await created('/api/v1/alert-policies', policy(String(group.id)));
  const viewer = await created('/api/v1/api-tokens', { name: 'read-only', role: 'viewer' });
  return {
    mailContactId: String(mail.id),
    robotContact: robot,
    groupId: String(group.id),
    datasourceId: String(datasource.id),
    policy: stored,
    viewerToken: String(viewer.token),
  };
}

async function send(service: TestService, request: BadRequest, seeded: Seeded): Promise<ApiAnswer> {
  const resolve = <T>(value: FromSeed<T>): T =>
    typeof value === 'function' ? (value as (s: Seeded) => T)(seeded) : value;
  const path = resolve(request.path);
  const body = resolve(request.body);
  const token = {
    admin: ADMIN_TOKEN,
    viewer: seeded.viewerToken,
    unknown: 'tcs_nosuchtoken',
    nobody: null,
  }[request.as ?? 'admin'];
  if (request.contentType === undefined) return service.api(request.method, path, body, token);
  const response = await fetch(service.url + path, {
    method: request.method,
    headers: { 'content-type': request.contentType, authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

for (const dialect of DIALECTS) {
  describe(`bad input on ${dialect}`, () => {
    let service: TestService;
    let seeded: Seeded;
    let before: Record<string, unknown>;

    beforeAll(async () => {
      service = await startTestService(dialect);
      seeded = await seed(service);
      before = await snapshot(service);
    });
    afterAll(async () => {
      await service.stop();
    });

    it('has a table of at least 30 distinct bad requests', () => {
      expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(30);
      expect(new Set(BAD_REQUESTS.map((request) => request.name)).size).toBe(BAD_REQUESTS.length);
    });

    for (const request of BAD_REQUESTS) {
      it(request.name, async () => {
        const answer = await send(service, request, seeded);
        const described = JSON.stringify(answer.body);
        expect(answer.status, described).toBe(request.status);
        expect(answer.body.error.code, described).toBe(request.code);
        expect(answer.body.error.message, described).toEqual(expect.any(String));
        const fields = answer.body.error.fields as { field: string; reason: string }[];
        for (const problem of fields) expect(problem.reason, described).not.toBe('');
        if (request.fields) {
          expect(
            fields.map((problem) => problem.field),
            described,
          ).toEqual(expect.arrayContaining([...request.fields]));
        }
        expect((await service.api('GET', '/healthz')).status).toBe(200);
      });
    }

    it('leaves every stored object as it was and keeps answering /healthz', async () => {
      expect(await snapshot(service)).toEqual(before);
      expect(await service.api('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    });
  });
}
