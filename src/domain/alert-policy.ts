// Alert policies: what to watch (kind, target, metric type, dimension, rules) and whom to tell
// (channels, contact groups, silence period, effective window) — the grammar of DESIGN.md §1.
import { z } from 'zod';
import { nameField, readOnlyFields } from './contact.js';
import { findMetricType, LABEL_NAME_PATTERN, METRIC_NAME_PATTERN, POLICY_KINDS } from './metric-types.js';
import {
  MAX_TEMPLATE_BODY_LENGTH,
  MAX_TEMPLATE_TITLE_LENGTH,
  parseNotificationTemplate,
} from './notification-template.js';

export const AGGREGATIONS = ['avg', 'sum', 'max', 'min', 'count'] as const;
export const COMPARATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'increase_pct', 'decrease_pct'] as const;
export const PERCENT_CHANGE_COMPARATORS = ['increase_pct', 'decrease_pct'] as const;
export const BASELINES = ['previous_window', 'hour_ago', 'day_ago', 'week_ago'] as const;
export const DIMENSION_MODES = ['traverse', 'specified', 'none'] as const;
export const MATCH_MODES = ['all', 'any'] as const;
export const NO_DATA_FILLS = ['zero', 'one', 'none'] as const;
/** What happens to a dimension value's event when its rules have no data at all (docs/alert-events.md). */
export const NO_DATA_ACTIONS = ['keep', 'resolve', 'alert'] as const;
export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const CHANNELS = ['dingtalk', 'email', 'webhook'] as const;

export type Aggregation = (typeof AGGREGATIONS)[number];
export type Comparator = (typeof COMPARATORS)[number];
export type Baseline = (typeof BASELINES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type Channel = (typeof CHANNELS)[number];
export type NoDataFill = (typeof NO_DATA_FILLS)[number];
export type NoDataAction = (typeof NO_DATA_ACTIONS)[number];

/** The longest "last N minutes" window, as in ARMS: one day of per-minute points. */
export const MAX_WINDOW_MINUTES = 1440;
/** ARMS's default silence period: a still-firing event is re-notified once a day. */
export const DEFAULT_SILENCE_MINUTES = 1440;
/** Fire at the first evaluation whose rules hold, as ARMS does by default. */
export const DEFAULT_FOR_EVALUATIONS = 1;
/** The most consecutive holding evaluations a policy may wait for: an hour at the default interval. */
export const MAX_FOR_EVALUATIONS = 60;
/** ARMS resolves an alert once its rules have been false for 5 minutes; a one-minute blip stays one event. */
export const DEFAULT_RECOVERY_MINUTES = 5;
/** Missing data changes nothing by default: a firing event keeps firing, a quiet value stays quiet. */
export const DEFAULT_NO_DATA_ACTION: NoDataAction = 'keep';

const clockTime = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Whether `zone` is an IANA time zone this runtime knows, e.g. Asia/Shanghai. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Optional fields accept null as well as absence (clients often write null for "not set"). */
const absentAsUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

const uniqueList = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((list) => new Set(list).size === list.length, 'must not list the same value twice');

const conditionSchema = z.strictObject({
  metric: z.string().nullish().transform(absentAsUndefined).optional(),
  windowMinutes: z
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1 minute')
    .max(MAX_WINDOW_MINUTES, `must be at most ${MAX_WINDOW_MINUTES} minutes`),
  aggregation: z.enum(AGGREGATIONS).default('avg'),
  comparator: z.enum(COMPARATORS),
  baseline: z.enum(BASELINES).nullish().transform(absentAsUndefined).optional(),
  threshold: z.number().refine(Number.isFinite, 'must be a finite number'),
});

const dimensionSchema = z.strictObject({
  mode: z.enum(DIMENSION_MODES),
  key: z.string().nullish().transform(absentAsUndefined).optional(),
  value: z.string().max(500).nullish().transform(absentAsUndefined).optional(),
});

const effectiveSchema = z.strictObject({
  days: uniqueList(
    z.int().min(1, 'days are 1 (Monday) to 7 (Sunday)').max(7, 'days are 1 (Monday) to 7 (Sunday)'),
  )
    .min(1, 'name at least one day')
    .default([1, 2, 3, 4, 5, 6, 7]),
  from: z.string().regex(clockTime, 'must be HH:MM').default('00:00'),
  to: z.string().regex(clockTime, 'must be HH:MM (24:00 for the end of the day)').default('24:00'),
  timeZone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
});

/** A title or body of the `{{variable}}` language; every problem is reported on the field itself. */
const templateText = (maxLength: number) =>
  z
    .string()
    .min(1, 'must not be empty; leave it out to use the default text')
    .max(maxLength, `must be at most ${maxLength} characters`)
    .superRefine(function checkTemplateVariables(text, ctx) {
      for (const problem of parseNotificationTemplate(text).problems) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    });

/** The policy's own title and body in place of the default texts; either may be left out. */
const templateSchema = z
  .strictObject({
    title: templateText(MAX_TEMPLATE_TITLE_LENGTH).nullish(),
    body: templateText(MAX_TEMPLATE_BODY_LENGTH).nullish(),
  })
  .transform((template) => ({ title: template.title ?? null, body: template.body ?? null }));

const notificationSchema = z.strictObject({
  channels: uniqueList(z.enum(CHANNELS)).min(1, 'choose at least one notification channel'),
  contactGroupIds: uniqueList(z.string().min(1).max(64)).min(1, 'choose at least one contact group').max(50),
  silenceMinutes: z
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1 minute')
    .max(43200, 'must be at most 43200 minutes (30 days)')
    .default(DEFAULT_SILENCE_MINUTES),
  effective: effectiveSchema.default({
    days: [1, 2, 3, 4, 5, 6, 7],
    from: '00:00',
    to: '24:00',
    timeZone: 'Asia/Shanghai',
  }),
  template: templateSchema.nullish().transform((template) => template ?? null),
});

const policyShape = z.strictObject({
  ...readOnlyFields,
  name: nameField,
  description: z.string().max(2000).nullish(),
  kind: z.enum(POLICY_KINDS),
  target: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200)
    .nullish()
    .transform(absentAsUndefined)
    .optional(),
  metricType: z.string().nullish().transform(absentAsUndefined).optional(),
  datasourceId: z.string().min(1).max(64).nullish().transform(absentAsUndefined).optional(),
  expr: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(20000)
    .nullish()
    .transform(absentAsUndefined)
    .optional(),
  dimension: dimensionSchema.default({ mode: 'none' }),
  rules: z.strictObject({
    match: z.enum(MATCH_MODES).default('all'),
    conditions: z.array(conditionSchema).min(1, 'add at least one rule').max(10, 'at most 10 rules'),
  }),
  noData: z.enum(NO_DATA_FILLS).default('none'),
  // The three lifecycle settings below are optional in storage too (policies saved before they existed
  // have none); read them through lifecycleSettingsOf, which fills the defaults.
  noDataAction: z.enum(NO_DATA_ACTIONS).nullish().transform(absentAsUndefined).optional(),
  forEvaluations: z
    .int('must be a whole number of evaluations')
    .min(1, 'must be at least 1')
    .max(MAX_FOR_EVALUATIONS, `must be at most ${MAX_FOR_EVALUATIONS}`)
    .nullish()
    .transform(absentAsUndefined)
    .optional(),
  recoveryMinutes: z
    .int('must be a whole number of minutes')
    .min(0, 'must not be negative (0 resolves at the first evaluation whose rules do not hold)')
    .max(MAX_WINDOW_MINUTES, `must be at most ${MAX_WINDOW_MINUTES} minutes`)
    .nullish()
    .transform(absentAsUndefined)
    .optional(),
  severity: z.enum(SEVERITIES).default('P3'),
  notification: notificationSchema,
  enabled: z.boolean().default(true),
});

type PolicyShape = z.output<typeof policyShape>;

/** The rules that tie fields together: what each kind needs, what each comparator needs. */
function checkPolicyCoherence(policy: PolicyShape, ctx: z.RefinementCtx): void {
  const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const { kind, dimension } = policy;

  if (kind === 'prometheus') {
    if (!policy.datasourceId)
      problem(['datasourceId'], 'a prometheus policy needs the id of its data source');
    if (!policy.expr) problem(['expr'], 'a prometheus policy needs a PromQL expression');
    if (policy.metricType !== undefined)
      problem(['metricType'], 'a prometheus policy uses expr, not metricType');
    policy.rules.conditions.forEach((condition, i) => {
      if (condition.metric !== undefined) {
        problem(['rules', 'conditions', i, 'metric'], 'a prometheus policy uses expr, not a metric name');
      }
    });
  } else {
    if (policy.datasourceId !== undefined)
      problem(['datasourceId'], 'only prometheus policies have a data source');
    if (policy.expr !== undefined) problem(['expr'], 'only prometheus policies have a PromQL expression');
  }

  let dimensionKeys: readonly string[] | null = null; // null: any label name
  if (kind === 'application' || kind === 'browser') {
    if (!policy.target) {
      problem(
        ['target'],
        kind === 'application' ? 'name the application to watch' : 'name the site to watch',
      );
    }
    const metricType = policy.metricType === undefined ? undefined : findMetricType(policy.metricType);
    if (policy.metricType === undefined) {
      problem(['metricType'], `choose the metric type of this ${kind} policy`);
    } else if (!metricType || metricType.kind !== kind) {
      problem(['metricType'], `unknown ${kind} metric type "${policy.metricType}"`);
    }
    if (metricType && metricType.kind === kind) {
      dimensionKeys = metricType.dimensions;
      const names = metricType.metrics.map((metric) => metric.name);
      policy.rules.conditions.forEach((condition, i) => {
        if (condition.metric === undefined) {
          problem(['rules', 'conditions', i, 'metric'], `choose one of ${names.join(', ')}`);
        } else if (!names.includes(condition.metric)) {
          problem(
            ['rules', 'conditions', i, 'metric'],
            `"${condition.metric}" is not a metric of ${metricType.name}; choose one of ${names.join(', ')}`,
          );
        }
      });
    }
  } else if (kind === 'custom') {
    if (policy.metricType !== undefined && policy.metricType !== 'custom') {
      problem(['metricType'], 'a custom policy has metricType "custom" or none');
    }
    policy.rules.conditions.forEach((condition, i) => {
      if (condition.metric === undefined) {
        problem(['rules', 'conditions', i, 'metric'], 'name the pushed metric to watch');
      } else if (!METRIC_NAME_PATTERN.test(condition.metric)) {
        problem(['rules', 'conditions', i, 'metric'], 'must be a metric name: letters, digits, _ : .');
      }
    });
  }

  if (dimension.mode === 'none') {
    if (dimension.key !== undefined || dimension.value !== undefined) {
      problem(['dimension', 'key'], 'dimension mode "none" takes no key or value');
    }
  } else if (kind !== 'prometheus') {
    if (!dimension.key) {
      problem(['dimension', 'key'], `dimension mode "${dimension.mode}" needs the dimension key`);
    } else if (dimensionKeys && !dimensionKeys.includes(dimension.key)) {
      problem(['dimension', 'key'], `must be one of ${dimensionKeys.join(', ')} for ${policy.metricType}`);
    } else if (!LABEL_NAME_PATTERN.test(dimension.key)) {
      problem(['dimension', 'key'], 'must be a label name: letters, digits, _ .');
    }
  } else if (!dimension.key) {
    problem(['dimension', 'key'], `dimension mode "${dimension.mode}" needs the label to split by`);
  }
  if (dimension.mode === 'specified' && (dimension.value === undefined || dimension.value === '')) {
    problem(['dimension', 'value'], 'dimension mode "specified" needs the value to watch');
  }
  if (dimension.mode === 'traverse' && dimension.value !== undefined) {
    problem(['dimension', 'value'], 'dimension mode "traverse" watches every value; remove value');
  }

  policy.rules.conditions.forEach((condition, i) => {
    const percentChange = (PERCENT_CHANGE_COMPARATORS as readonly string[]).includes(condition.comparator);
    if (percentChange && condition.baseline === undefined) {
      problem(
        ['rules', 'conditions', i, 'baseline'],
        `${condition.comparator} compares with a baseline: previous_window, hour_ago, day_ago or week_ago`,
      );
    }
    if (percentChange && condition.threshold < 0) {
      problem(['rules', 'conditions', i, 'threshold'], 'a percent change threshold must not be negative');
    }
    if (!percentChange && condition.baseline !== undefined) {
      problem(['rules', 'conditions', i, 'baseline'], `only increase_pct and decrease_pct take a baseline`);
    }
  });

  const { from, to } = policy.notification.effective;
  if (from === '24:00') problem(['notification', 'effective', 'from'], 'must be 00:00 to 23:59');
  if (from === to)
    problem(['notification', 'effective', 'to'], 'must differ from "from" (the window would be empty)');
}

export const alertPolicyInputSchema = policyShape
  .superRefine(checkPolicyCoherence)
  .transform(({ id: _id, createdAt: _c, updatedAt: _u, ...policy }) => ({
    ...policy,
    description: policy.description ?? null,
    target: policy.target ?? null,
    metricType: policy.kind === 'custom' ? 'custom' : (policy.metricType ?? null),
    datasourceId: policy.datasourceId ?? null,
    expr: policy.expr ?? null,
  }));

export type AlertPolicyInput = z.output<typeof alertPolicyInputSchema>;
export type Condition = AlertPolicyInput['rules']['conditions'][number];
export type MatchMode = (typeof MATCH_MODES)[number];
/** A policy's own notification texts; null fields (and a null template) use the defaults. */
export type NotificationTemplate = NonNullable<AlertPolicyInput['notification']['template']>;
/** The days and hours in which a policy may notify, in its time zone. */
export type EffectiveWindow = AlertPolicyInput['notification']['effective'];

export interface AlertPolicy extends AlertPolicyInput {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** How a policy's events live: when they fire, when they resolve, what missing data does. */
export interface LifecycleSettings {
  /** Consecutive evaluations whose rules hold before an event opens. */
  readonly forEvaluations: number;
  /** How long the rules must have been false before a firing event resolves. */
  readonly recoveryMinutes: number;
  readonly noDataAction: NoDataAction;
}

/**
 * A policy's lifecycle settings with the defaults filled in: fire at once, resolve after 5 minutes
 * without the rules holding, keep events as they are while data is missing.
 * @example lifecycleSettingsOf(policy).recoveryMinutes // 5 unless the policy says otherwise
 */
export function lifecycleSettingsOf(
  policy: Pick<AlertPolicyInput, 'forEvaluations' | 'recoveryMinutes' | 'noDataAction'>,
): LifecycleSettings {
  return {
    forEvaluations: policy.forEvaluations ?? DEFAULT_FOR_EVALUATIONS,
    recoveryMinutes: policy.recoveryMinutes ?? DEFAULT_RECOVERY_MINUTES,
    noDataAction: policy.noDataAction ?? DEFAULT_NO_DATA_ACTION,
  };
}
