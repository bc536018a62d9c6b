// The document form: its shape checks, and that filling defaults on the CLI side gives exactly what the
// server stores and presents (checked against the server's own schemas and presenters).
import { describe, expect, it } from 'vitest';
import { presentAlertPolicy } from '../api/alert-policies/present.js';
import { presentAlertmanagerRoute } from '../api/alertmanager-routes/present.js';
import { presentContactGroup } from '../api/contact-groups/present.js';
import { presentContact } from '../api/contacts/present.js';
import { presentDatasource } from '../api/datasources/present.js';
import { alertPolicyInputSchema } from '../domain/alert-policy.js';
import { alertmanagerRouteInputSchema } from '../domain/alertmanager-route.js';
import { contactGroupInputSchema } from '../domain/contact-group.js';
import { contactInputSchema } from '../domain/contact.js';
import { datasourceInputSchema } from '../domain/datasource.js';
import {
  compactValue,
  fromServerObject,
  maskFileObject,
  normalizeFileObject,
  parseConfigDocument,
  toApiBody,
  type FileObject,
  type Lookup,
} from './config-document.js';
import type { ServerObject } from './json-value.js';

const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d';
const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';
const stamps = { createdAt: 0, updatedAt: 0 };
const NAMES: Record<string, string> = {
  'contact/c1': 'ops-robot',
  'contact-group/g1': 'ops',
  'datasource/d1': 'prom',
};
const nameOf: Lookup = (kind, id) => NAMES[`${kind}/${id}`];
const idOf: Lookup = (kind, name) =>
  Object.entries(NAMES)
    .find(([key, value]) => key.startsWith(`${kind}/`) && value === name)?.[0]
    .split('/')[1];

/** What the server would answer for `input`: its schema's output, stored, then presented. */
function asServer(present: (stored: any) => unknown, parsed: object): ServerObject {
  return JSON.parse(JSON.stringify(present({ ...parsed, id: 'x1', ...stamps }))) as ServerObject;
}

describe('normalizeFileObject agrees with the server', () => {
  it('fills a minimal contact with the defaults the server stores, secrets compared by their masks', () => {
    const file = {
      name: 'ops-robot',
      dingtalk: { webhook: WEBHOOK, secret: SECRET },
      webhook: { url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer abcdefghijkl' } },
    };
    const server = asServer(presentContact, contactInputSchema({ allowedWebhookOrigins: [] }).parse(file));
    expect(fromServerObject('contact', server, nameOf)).toEqual(
      maskFileObject('contact', normalizeFileObject('contact', file)),
    );
  });

  it('fills a minimal data source, trailing slash removed and bearer token masked', () => {
    const file = { name: 'prom', url: 'http://prom.internal:9090/', bearerToken: 'abcdefghijklmnop' };
    const server = asServer(presentDatasource, datasourceInputSchema.parse(file));
    expect(fromServerObject('datasource', server, nameOf)).toEqual(
      maskFileObject('datasource', normalizeFileObject('datasource', file)),
    );
  });

  it('turns a group’s contact ids into contact names', () => {
    const server = asServer(
      presentContactGroup,
      contactGroupInputSchema.parse({ name: 'ops', contactIds: ['c1'] }),
    );
    expect(fromServerObject('contact-group', server, nameOf)).toEqual(
      normalizeFileObject('contact-group', { name: 'ops', contacts: ['ops-robot'] }),
    );
  });

  const policies: readonly { kind: string; file: FileObject }[] = [
    {
      kind: 'application',
      file: {
        name: 'JVM FullGC doubled',
        kind: 'application',
        target: 'order-service',
        metricType: 'JVM_Monitoring',
        dimension: { mode: 'traverse', key: 'host' },
        rules: {
          conditions: [
            {
              metric: 'JVM_FullGC',
              windowMinutes: 5,
              comparator: 'increase_pct',
              baseline: 'hour_ago',
              threshold: 100,
            },
          ],
        },
        notification: { channels: ['dingtalk'], contactGroups: ['ops'] },
      },
    },
    {
      kind: 'application (own message title)',
      file: {
        name: 'heap nearly full',
        kind: 'application',
        target: 'order-service',
        metricType: 'JVM_Monitoring',
        dimension: { mode: 'traverse', key: 'host' },
        rules: {
          conditions: [{ metric: 'JVM_Heap_Used', windowMinutes: 5, comparator: 'gt', threshold: 1e9 }],
        },
        notification: {
          channels: ['dingtalk'],
          contactGroups: ['ops'],
          template: { title: '[{{severity}}] {{policy.name}} on {{dimension.value}}' },
        },
      },
    },
    {
      kind: 'custom',
      file: {
        name: 'orders slow',
        kind: 'custom',
        rules: {
          conditions: [{ metric: 'orders_latency_ms', windowMinutes: 5, comparator: 'gt', threshold: 500 }],
        },
        notification: { channels: ['email'], contactGroups: ['ops'], effective: { timeZone: 'UTC' } },
      },
    },
    {
      kind: 'prometheus',
      file: {
        name: 'targets down',
        kind: 'prometheus',
        datasource: 'prom',
        expr: 'up == 0\n',
        rules: { conditions: [{ windowMinutes: 1, comparator: 'eq', threshold: 0 }] },
        notification: { channels: ['dingtalk'], contactGroups: ['ops'] },
      },
    },
  ];
  it('fills a minimal Alertmanager route with the defaults the server stores, groups by name', () => {
    const file = {
      name: 'ops',
      matchers: ['team="ops"'],
      contactGroups: ['ops'],
      channels: ['dingtalk'],
    };
    const server = asServer(
      presentAlertmanagerRoute,
      alertmanagerRouteInputSchema.parse(toApiBody('alertmanager-route', file, idOf)),
    );
    expect(fromServerObject('alertmanager-route', server, nameOf)).toEqual(
      normalizeFileObject('alertmanager-route', file),
    );
  });

  for (const { kind, file } of policies) {
    it(`fills a minimal ${kind} policy with the defaults the server stores`, () => {
      const server = asServer(
        presentAlertPolicy,
        alertPolicyInputSchema.parse(toApiBody('alert-policy', file, idOf)),
      );
      expect(fromServerObject('alert-policy', server, nameOf)).toEqual(
        normalizeFileObject('alert-policy', file),
      );
    });
  }
});

describe('parseConfigDocument', () => {
  it('accepts the four sections, treats a missing or empty one as an empty list, and drops ids', () => {
    const document = parseConfigDocument(
      {
        contacts: [{ id: 'c1', name: ' ops ', email: 'ops@example.com', createdAt: 'x' }],
        contactGroups: null,
      },
      'f.yaml',
    );
    expect(document).toEqual({
      datasources: [],
      contacts: [{ name: 'ops', email: 'ops@example.com' }],
      contactGroups: [],
      alertPolicies: [],
      alertmanagerRoutes: [],
    });
  });

  it('names every problem: unknown keys, missing names, duplicates and references by id', () => {
    expect(() =>
      parseConfigDocument(
        {
          policies: [],
          contacts: [{ email: 'a@example.com' }, { name: 'a' }, { name: 'a' }],
          contactGroups: [{ name: 'g', contactIds: ['c1'] }],
          alertPolicies: [{ name: 'p', notification: { contactGroupIds: ['g1'] } }],
        },
        'f.yaml',
      ),
    ).toThrow(
      [
        'f.yaml is not a valid Tocsin configuration:',
        '  unknown top-level key "policies" (the keys are datasources, contacts, contactGroups, alertPolicies, alertmanagerRoutes)',
        '  contacts[0].name: every object needs a name; names identify objects',
        '  contacts[2].name: "a" appears twice in contacts',
        '  contactGroups[0].contactIds: refer by name instead: contacts: [name, …]',
        '  alertPolicies[0].notification.contactGroupIds: refer by name instead: notification.contactGroups: [name, …]',
      ].join('\n'),
    );
  });

  it('refuses a document that is not a mapping', () => {
    expect(() => parseConfigDocument(['contacts'], 'f.yaml')).toThrow('f.yaml must be a mapping');
    expect(() => parseConfigDocument(null, 'f.yaml')).toThrow('(it is empty)');
  });
});

describe('toApiBody and compactValue', () => {
  it('turns names into ids and keeps unknown fields for the server to name', () => {
    const body = toApiBody(
      'alert-policy',
      {
        name: 'p',
        datasource: 'prom',
        notification: { channels: ['dingtalk'], contactGroups: ['ops', 'new'] },
        typo: 1,
      },
      idOf,
    );
    expect(body).toEqual({
      name: 'p',
      datasourceId: 'd1',
      notification: { channels: ['dingtalk'], contactGroupIds: ['g1', 'new'] },
      typo: 1,
    });
  });

  it('drops null fields at every depth', () => {
    expect(compactValue({ a: null, b: { c: null, d: [1, { e: null }] } })).toEqual({ b: { d: [1, {}] } });
  });
});
