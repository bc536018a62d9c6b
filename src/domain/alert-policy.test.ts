// The alert policy grammar: what each kind, comparator, dimension mode and effective window needs, each
// problem reported on the field path a user finds in their JSON.
import { describe, expect, it } from 'vitest';
import { alertPolicyInputSchema, lifecycleSettingsOf } from './alert-policy.js';
import { SEED_CONDITION, seedPolicy } from '../../test/seed-fixtures.js';
import { validate } from './field-problem.js';

const seed = seedPolicy(['group1']);
const seedNotification = seed.notification as Record<string, unknown>;

type Rule = Record<string, unknown>;

/** The seed policy with fields replaced; `undefined` removes one. */
function policy(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ ...seed, ...patch }).filter(([, v]) => v !== undefined));
}

function withRule(rule: Rule): Record<string, unknown> {
  const merged = Object.fromEntries(
    Object.entries({ ...SEED_CONDITION, ...rule }).filter(([, v]) => v !== undefined),
  );
  return policy({ rules: { match: 'all', conditions: [merged] } });
}

function withEffective(effective: Record<string, unknown>): Record<string, unknown> {
  return policy({ notification: { ...seedNotification, effective } });
}

const prometheusPolicy = {
  name: 'targets down',
  kind: 'prometheus',
  datasourceId: 'prom1',
  expr: 'up == 0',
  rules: { conditions: [{ windowMinutes: 5, comparator: 'gt', threshold: 0 }] },
  notification: { channels: ['dingtalk'], contactGroupIds: ['group1'] },
};

/** The field paths of every problem, or [] when the input is valid. */
function problemFields(input: unknown): string[] {
  const result = validate(alertPolicyInputSchema, input);
  return result.ok ? [] : result.problems.map((problem) => problem.field);
}

function reasonFor(input: unknown, field: string): string | undefined {
  const result = validate(alertPolicyInputSchema, input);
  return result.ok ? undefined : result.problems.find((problem) => problem.field === field)?.reason;
}

describe('a valid policy', () => {
  it("accepts the seed's policy and fills ARMS's defaults", () => {
    const result = validate(alertPolicyInputSchema, seed);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({
      description: null,
      noData: 'none',
      enabled: true,
      datasourceId: null,
      expr: null,
      notification: {
        silenceMinutes: 1440,
        effective: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00', timeZone: 'Asia/Shanghai' },
      },
    });
  });

  it('ignores the server-owned id, createdAt and updatedAt so a fetched policy can be sent back', () => {
    const result = validate(alertPolicyInputSchema, {
      ...seed,
      id: 'x',
      createdAt: 'y',
      updatedAt: 'z',
    });
    expect(result.ok && 'id' in result.value).toBe(false);
  });

  it('accepts a custom policy without metricType and stores metricType "custom"', () => {
    const result = validate(alertPolicyInputSchema, {
      name: 'orders slow',
      kind: 'custom',
      rules: {
        conditions: [{ metric: 'orders.latency_ms', windowMinutes: 5, comparator: 'gt', threshold: 500 }],
      },
      notification: { channels: ['email'], contactGroupIds: ['g'] },
    });
    expect(result.ok && result.value.metricType).toBe('custom');
  });

  it('accepts a prometheus policy with datasourceId and expr, and no metricType', () => {
    expect(problemFields(prometheusPolicy)).toEqual([]);
  });

  it('accepts a browser policy on a browser metric type', () => {
    expect(
      problemFields(
        policy({
          kind: 'browser',
          target: 'shop.example.com',
          metricType: 'Page_Metric',
          dimension: { mode: 'specified', key: 'page', value: '/checkout' },
          rules: { conditions: [{ metric: 'LCP', windowMinutes: 10, comparator: 'gte', threshold: 2500 }] },
        }),
      ),
    ).toEqual([]);
  });

  it.each([1, 1440])('accepts windowMinutes %i, the edges of 1–1440', (windowMinutes) => {
    expect(problemFields(withRule({ windowMinutes }))).toEqual([]);
  });

  it.each(['previous_window', 'hour_ago', 'day_ago', 'week_ago'])('accepts the baseline %s', (baseline) => {
    expect(problemFields(withRule({ baseline }))).toEqual([]);
  });

  it('accepts null for optional fields a client leaves unset, as if they were absent', () => {
    const result = validate(
      alertPolicyInputSchema,
      policy({
        kind: 'custom',
        target: null,
        metricType: null,
        datasourceId: null,
        expr: null,
        dimension: { mode: 'none', key: null, value: null },
        rules: {
          conditions: [
            { metric: 'orders_total', windowMinutes: 5, comparator: 'gt', threshold: 1, baseline: null },
          ],
        },
      }),
    );
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.value).toMatchObject({ target: null, metricType: 'custom', dimension: { mode: 'none' } });
  });

  it('accepts a window across midnight, from 22:00 to 06:00', () => {
    expect(problemFields(withEffective({ from: '22:00', to: '06:00' }))).toEqual([]);
  });
});

describe('field-level rules', () => {
  it.each([
    ['0', 0, 'must be at least 1 minute'],
    ['1441', 1441, 'must be at most 1440 minutes'],
    ['2.5', 2.5, 'must be a whole number of minutes'],
    ['"5"', '5', 'must be a whole number of minutes'],
  ])('refuses windowMinutes %s on rules.conditions[0].windowMinutes', (_what, windowMinutes, reason) => {
    expect(reasonFor(withRule({ windowMinutes }), 'rules.conditions[0].windowMinutes')).toBe(reason);
  });

  it('refuses an unknown comparator', () => {
    expect(problemFields(withRule({ comparator: 'about' }))).toEqual(['rules.conditions[0].comparator']);
  });

  it('refuses an unknown aggregation', () => {
    expect(problemFields(withRule({ aggregation: 'p99' }))).toEqual(['rules.conditions[0].aggregation']);
  });

  it('refuses an unknown baseline', () => {
    expect(problemFields(withRule({ baseline: 'last_year' }))).toEqual(['rules.conditions[0].baseline']);
  });

  it('refuses a threshold given as a string', () => {
    expect(problemFields(withRule({ threshold: '100' }))).toEqual(['rules.conditions[0].threshold']);
  });

  it('refuses severity P5 and P0', () => {
    expect(problemFields(policy({ severity: 'P5' }))).toEqual(['severity']);
    expect(problemFields(policy({ severity: 'P0' }))).toEqual(['severity']);
  });

  it('refuses an unknown kind', () => {
    expect(problemFields(policy({ kind: 'mainframe' }))).toEqual(['kind']);
  });

  it('refuses an unknown noData fill', () => {
    expect(problemFields(policy({ noData: 'last' }))).toEqual(['noData']);
  });

  it('refuses a policy without rules or with more than 10', () => {
    expect(problemFields(policy({ rules: { conditions: [] } }))).toEqual(['rules.conditions']);
    const eleven = Array.from({ length: 11 }, () => SEED_CONDITION);
    expect(problemFields(policy({ rules: { conditions: eleven } }))).toEqual(['rules.conditions']);
  });

  it('reports a missing required field as required', () => {
    expect(reasonFor(policy({ name: undefined }), 'name')).toBe('is required');
  });

  it('names an unknown field inside a rule', () => {
    expect(problemFields(withRule({ thresold: 3 }))).toEqual(['rules.conditions[0].thresold']);
  });

  it('refuses effective days outside 1–7, naming each', () => {
    expect(problemFields(withEffective({ days: [0, 3, 8] }))).toEqual([
      'notification.effective.days[0]',
      'notification.effective.days[2]',
    ]);
  });

  it('refuses a day listed twice and an empty list of days', () => {
    expect(problemFields(withEffective({ days: [1, 1] }))).toEqual(['notification.effective.days']);
    expect(problemFields(withEffective({ days: [] }))).toEqual(['notification.effective.days']);
  });

  it.each(['25:00', '9:00', '12:60', 'noon'])('refuses the clock time %s', (from) => {
    expect(problemFields(withEffective({ from }))).toEqual(['notification.effective.from']);
  });

  it('refuses a time zone that does not exist', () => {
    expect(problemFields(withEffective({ timeZone: 'Mars/Olympus_Mons' }))).toEqual([
      'notification.effective.timeZone',
    ]);
  });

  it('refuses no channel, an unknown channel and a channel listed twice', () => {
    const notify = (channels: unknown) => policy({ notification: { channels, contactGroupIds: ['g'] } });
    expect(problemFields(notify([]))).toEqual(['notification.channels']);
    expect(problemFields(notify(['pager']))).toEqual(['notification.channels[0]']);
    expect(problemFields(notify(['email', 'email']))).toEqual(['notification.channels']);
  });

  it('refuses no contact group and a group listed twice', () => {
    const notify = (contactGroupIds: unknown) =>
      policy({ notification: { channels: ['email'], contactGroupIds } });
    expect(problemFields(notify([]))).toEqual(['notification.contactGroupIds']);
    expect(problemFields(notify(['g', 'g']))).toEqual(['notification.contactGroupIds']);
  });

  it('refuses a silence period of 0 minutes or over 30 days', () => {
    const silence = (silenceMinutes: number) =>
      policy({ notification: { ...seedNotification, silenceMinutes } });
    expect(problemFields(silence(0))).toEqual(['notification.silenceMinutes']);
    expect(problemFields(silence(43201))).toEqual(['notification.silenceMinutes']);
  });

  it.each([
    ['forEvaluations', 0, 'must be at least 1'],
    ['forEvaluations', 61, 'must be at most 60'],
    ['forEvaluations', 1.5, 'must be a whole number of evaluations'],
    [
      'recoveryMinutes',
      -1,
      'must not be negative (0 resolves at the first evaluation whose rules do not hold)',
    ],
    ['recoveryMinutes', 1441, 'must be at most 1440 minutes'],
  ])('refuses %s %s with "%s"', (field, value, reason) => {
    expect(reasonFor(policy({ [field]: value }), field)).toBe(reason);
  });

  it('refuses an unknown noDataAction', () => {
    expect(problemFields(policy({ noDataAction: 'page' }))).toEqual(['noDataAction']);
  });
});

describe('lifecycle settings', () => {
  it('leaves forEvaluations, recoveryMinutes and noDataAction out when not given, and fills ARMS defaults on read', () => {
    const result = validate(alertPolicyInputSchema, seed);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.forEvaluations).toBeUndefined();
    expect(lifecycleSettingsOf(result.value)).toEqual({
      forEvaluations: 1,
      recoveryMinutes: 5,
      noDataAction: 'keep',
    });
  });

  it('keeps the values given, including recoveryMinutes 0, and treats null as not given', () => {
    const given = validate(
      alertPolicyInputSchema,
      policy({ forEvaluations: 3, recoveryMinutes: 0, noDataAction: 'alert' }),
    );
    expect(given.ok && lifecycleSettingsOf(given.value)).toEqual({
      forEvaluations: 3,
      recoveryMinutes: 0,
      noDataAction: 'alert',
    });
    const nulls = validate(
      alertPolicyInputSchema,
      policy({ forEvaluations: null, recoveryMinutes: null, noDataAction: null }),
    );
    expect(nulls.ok && lifecycleSettingsOf(nulls.value)).toEqual({
      forEvaluations: 1,
      recoveryMinutes: 5,
      noDataAction: 'keep',
    });
  });
});

describe('cross-field rules (checked once every field is well-formed)', () => {
  it('refuses increase_pct and decrease_pct without a baseline', () => {
    expect(problemFields(withRule({ baseline: undefined }))).toEqual(['rules.conditions[0].baseline']);
    expect(problemFields(withRule({ comparator: 'decrease_pct', baseline: undefined }))).toEqual([
      'rules.conditions[0].baseline',
    ]);
  });

  it('refuses a baseline on a plain comparison', () => {
    expect(reasonFor(withRule({ comparator: 'gt' }), 'rules.conditions[0].baseline')).toBe(
      'only increase_pct and decrease_pct take a baseline',
    );
  });

  it('refuses a negative percent-change threshold', () => {
    expect(problemFields(withRule({ threshold: -10 }))).toEqual(['rules.conditions[0].threshold']);
  });

  it('refuses an unknown metric type, and a metric type of the other kind', () => {
    expect(problemFields(policy({ metricType: 'GC_Stuff' }))).toEqual(['metricType']);
    expect(problemFields(policy({ metricType: 'Page_Metric' }))).toEqual(['metricType']);
  });

  it('refuses an application policy without metric type or target', () => {
    expect(problemFields(policy({ metricType: undefined }))).toEqual(['metricType']);
    expect(reasonFor(policy({ target: undefined }), 'target')).toBe('name the application to watch');
  });

  it('refuses a metric that is not of the metric type, listing the ones that are', () => {
    const reason = reasonFor(withRule({ metric: 'LCP' }), 'rules.conditions[0].metric');
    expect(reason).toContain('is not a metric of JVM_Monitoring');
    expect(reason).toContain('JVM_FullGC');
  });

  it('refuses a rule without metric on an application policy', () => {
    expect(problemFields(withRule({ metric: undefined }))).toEqual(['rules.conditions[0].metric']);
  });

  it('refuses a custom metric name with spaces', () => {
    const custom = {
      ...prometheusPolicy,
      kind: 'custom',
      datasourceId: undefined,
      expr: undefined,
      rules: {
        conditions: [{ metric: 'orders per second', windowMinutes: 5, comparator: 'gt', threshold: 1 }],
      },
    };
    expect(problemFields(JSON.parse(JSON.stringify(custom)))).toEqual(['rules.conditions[0].metric']);
  });

  it('refuses traverse and specified without a key', () => {
    expect(problemFields(policy({ dimension: { mode: 'traverse' } }))).toEqual(['dimension.key']);
    expect(problemFields(policy({ dimension: { mode: 'specified', value: 'h1' } }))).toEqual([
      'dimension.key',
    ]);
  });

  it('refuses a dimension key the metric type does not have, naming the ones it has', () => {
    expect(reasonFor(policy({ dimension: { mode: 'traverse', key: 'page' } }), 'dimension.key')).toBe(
      'must be one of host for JVM_Monitoring',
    );
  });

  it('refuses specified without a value, traverse with a value, and none with a key', () => {
    expect(problemFields(policy({ dimension: { mode: 'specified', key: 'host' } }))).toEqual([
      'dimension.value',
    ]);
    expect(problemFields(policy({ dimension: { mode: 'traverse', key: 'host', value: 'h1' } }))).toEqual([
      'dimension.value',
    ]);
    expect(problemFields(policy({ dimension: { mode: 'none', key: 'host' } }))).toEqual(['dimension.key']);
  });

  it('refuses a prometheus policy without datasourceId and expr, naming both', () => {
    expect(problemFields({ ...prometheusPolicy, datasourceId: undefined, expr: undefined })).toEqual([
      'datasourceId',
      'expr',
    ]);
  });

  it('refuses metricType and metric names on a prometheus policy', () => {
    expect(
      problemFields({
        ...prometheusPolicy,
        metricType: 'JVM_Monitoring',
        rules: { conditions: [{ metric: 'up', windowMinutes: 5, comparator: 'gt', threshold: 0 }] },
      }),
    ).toEqual(['metricType', 'rules.conditions[0].metric']);
  });

  it('refuses datasourceId and expr on a non-prometheus policy', () => {
    expect(problemFields(policy({ datasourceId: 'prom1', expr: 'up' }))).toEqual(['datasourceId', 'expr']);
  });

  it('refuses a prometheus policy splitting by a dimension without naming its label', () => {
    expect(problemFields({ ...prometheusPolicy, dimension: { mode: 'traverse' } })).toEqual([
      'dimension.key',
    ]);
  });

  it('refuses an empty effective window (from equals to) and a window starting at 24:00', () => {
    expect(problemFields(withEffective({ from: '09:00', to: '09:00' }))).toEqual([
      'notification.effective.to',
    ]);
    expect(problemFields(withEffective({ from: '24:00', to: '06:00' }))).toEqual([
      'notification.effective.from',
    ]);
  });

  it('reports cross-field problems only after the field-level ones are fixed (zod runs refinements last)', () => {
    const twoRounds = policy({ metricType: 'GC_Stuff', severity: 'P5' });
    expect(problemFields(twoRounds)).toEqual(['severity']);
    expect(problemFields({ ...twoRounds, severity: 'P2' })).toEqual(['metricType']);
  });
});
