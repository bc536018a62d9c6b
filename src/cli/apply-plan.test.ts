// Planning `apply`: what is created, updated or left alone, and how each is reported.
import { describe, expect, it } from 'vitest';
import { diffValues, formatPlanEntry, planApply, summarizePlan } from './apply-plan.js';
import { normalizeFileObject, parseConfigDocument, type ConfigDocument } from './config-document.js';

const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';

function documentOf(value: object): ConfigDocument {
  return parseConfigDocument(value as never, 'test');
}

const POLICY = {
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
};

/** The server's side, in document form, as `export` would read it: normalised, secrets masked. */
const CURRENT = documentOf({
  contacts: [
    normalizeFileObject('contact', {
      name: 'ops-robot',
      dingtalk: { webhook: 'https://oapi.dingtalk.com/robot/send?access_token=…9c0d', secret: 'SEC…a54c' },
    }),
  ],
  contactGroups: [normalizeFileObject('contact-group', { name: 'ops', contacts: ['ops-robot'] })],
  alertPolicies: [normalizeFileObject('alert-policy', POLICY)],
});

describe('planApply', () => {
  it('leaves alone objects whose file form, after defaults, equals the server’s, clear secrets included', () => {
    const plan = planApply(
      documentOf({
        contacts: [
          {
            name: 'ops-robot',
            dingtalk: {
              webhook: 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d',
              secret: SECRET,
            },
          },
        ],
        contactGroups: [{ name: 'ops', contacts: ['ops-robot'] }],
        alertPolicies: [POLICY],
      }),
      CURRENT,
    );
    expect(plan.problems).toEqual([]);
    expect(plan.entries.map((e) => [e.kind, e.name, e.action])).toEqual([
      ['contact', 'ops-robot', 'unchanged'],
      ['contact-group', 'ops', 'unchanged'],
      ['alert-policy', 'JVM FullGC doubled', 'unchanged'],
    ]);
  });

  it('reports the changed field paths of an update, and creates what the server lacks in dependency order', () => {
    const changed = { ...POLICY, rules: { conditions: [{ ...POLICY.rules.conditions[0], threshold: 150 }] } };
    const plan = planApply(
      documentOf({
        alertPolicies: [changed],
        contactGroups: [{ name: 'oncall', contacts: ['mail'] }],
        contacts: [{ name: 'mail', email: 'ops@example.com' }],
      }),
      CURRENT,
    );
    expect(plan.entries.map(formatPlanEntry)).toEqual([
      '+ contact mail\n',
      '+ contact-group oncall\n',
      '~ alert-policy "JVM FullGC doubled": rules.conditions[0].threshold: 100 → 150\n',
    ]);
    expect(summarizePlan(plan.entries, false)).toBe('applied: 2 created, 1 updated, 0 unchanged\n');
    expect(summarizePlan(plan.entries, true)).toBe(
      'dry run: would create 2, update 1, leave 0 unchanged; nothing was changed\n',
    );
  });

  it('shows a changed secret only masked, and lists every change when several fields differ', () => {
    const plan = planApply(
      documentOf({
        contacts: [
          {
            name: 'ops-robot',
            email: 'ops@example.com',
            dingtalk: {
              webhook: 'https://oapi.dingtalk.com/robot/send?access_token=ffffffffffffffff1111',
              secret: SECRET,
            },
          },
        ],
      }),
      CURRENT,
    );
    const report = formatPlanEntry(plan.entries[0]!);
    expect(report).toBe(
      [
        '~ contact ops-robot: 2 changes',
        '    dingtalk.webhook: "https://oapi.dingtalk.com/robot/send?access_token=…9c0d" → "https://oapi.dingtalk.com/robot/send?access_token=…1111"',
        '    email: (none) → "ops@example.com"',
        '',
      ].join('\n'),
    );
    expect(report).not.toContain('ffffffffffffffff');
    // What is sent keeps the clear value from the file.
    expect(plan.entries[0]!.desired.dingtalk).toMatchObject({ secret: SECRET });
  });

  it('refuses references to objects neither in the file nor on the server', () => {
    const plan = planApply(
      documentOf({
        alertPolicies: [{ ...POLICY, notification: { channels: ['dingtalk'], contactGroups: ['ghost'] } }],
      }),
      CURRENT,
    );
    expect(plan.problems).toEqual([
      'alert-policy "JVM FullGC doubled": notification.contactGroups[0]: no contact group named ghost in the file or on the server',
    ]);
  });
});

describe('diffValues', () => {
  it('goes into objects and equal-length lists, and reports lists of another length whole', () => {
    expect(diffValues({ a: [1, 2], b: { c: 'x' } }, { a: [1, 3], b: { c: 'x', d: true } })).toEqual([
      { path: 'a[1]', before: 2, after: 3 },
      { path: 'b.d', before: undefined, after: true },
    ]);
    expect(diffValues({ a: [1] }, { a: [1, 2] })).toEqual([{ path: 'a', before: [1], after: [1, 2] }]);
    expect(diffValues({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toEqual([]);
  });
});
