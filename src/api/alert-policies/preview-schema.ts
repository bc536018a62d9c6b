// The request and answer of `POST /api/v1/alert-policies:preview` and `/{id}:preview`: which past
// minutes to replay (the last `hours`, or `from`–`to`), and per dimension value its series, values,
// verdicts and firing intervals. The answer schema documents the OpenAPI; the presenter builds to it.
import { z } from 'zod';
import { AGGREGATIONS, alertPolicyInputSchema, BASELINES, COMPARATORS } from '../../domain/alert-policy.js';
import type { FieldProblem } from '../../domain/field-problem.js';
import { MINUTE_MS } from '../../domain/metric-series.js';
import type { BacktestRange } from '../../evaluator/backtest.js';
import { invalidRequest } from '../../errors.js';

/** How far back a preview reaches when nothing is said. */
export const DEFAULT_PREVIEW_HOURS = 3;
/** The longest preview: a day of minutes. */
export const MAX_PREVIEW_HOURS = 24;
/** The most dimension values one answer carries (each with a list per rule of up to 1440 minutes). */
export const MAX_PREVIEW_DIMENSIONS = 200;

const HOUR_MS = 60 * MINUTE_MS;

/** Epoch milliseconds or an ISO 8601 time → epoch milliseconds. */
const instantSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 time' });
    return z.NEVER;
  }
  return ms;
});

const previewOptionsShape = {
  hours: z
    .number('must be a number of hours')
    .min(1, 'must be at least 1 hour')
    .max(MAX_PREVIEW_HOURS, `must be at most ${MAX_PREVIEW_HOURS} hours`)
    .optional()
    .describe(`how many hours before \`to\` to replay (default ${DEFAULT_PREVIEW_HOURS}); not with \`from\``),
  from: instantSchema
    .optional()
    .describe('the first minute to replay (epoch ms or ISO 8601), rounded down to the minute'),
  to: instantSchema
    .optional()
    .describe('the end of the replay (epoch ms or ISO 8601), rounded down to the minute; default now'),
  limit: z
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PREVIEW_DIMENSIONS, `must be at most ${MAX_PREVIEW_DIMENSIONS}`)
    .default(MAX_PREVIEW_DIMENSIONS)
    .describe('the most dimension values to answer, the most interesting first'),
};

const previewOptionsSchema = z.strictObject(previewOptionsShape);
export type PreviewOptions = z.output<typeof previewOptionsSchema>;

/** No body at all reaches the validator as null: then every option takes its default. */
export const savedPreviewBodySchema = previewOptionsSchema.nullish();
export const DEFAULT_PREVIEW_OPTIONS: PreviewOptions = previewOptionsSchema.parse({});

/** Stands in for the contact groups of an unsaved policy previewed before any is chosen. */
export const NO_RECIPIENTS = 'preview-without-recipients';

/**
 * Whom a policy notifies does not change when it would have fired: an unsaved policy may be previewed
 * without `notification`, or with no channel or contact group chosen yet.
 */
function withAnyRecipients(policy: unknown): unknown {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return policy;
  const given = (policy as { notification?: unknown }).notification ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return policy;
  const notification = given as { channels?: unknown; contactGroupIds?: unknown };
  const unset = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0);
  return {
    ...policy,
    notification: {
      ...notification,
      channels: unset(notification.channels) ? ['dingtalk'] : notification.channels,
      contactGroupIds: unset(notification.contactGroupIds) ? [NO_RECIPIENTS] : notification.contactGroupIds,
    },
  };
}

export const unsavedPreviewBodySchema = z.strictObject({
  policy: z
    .preprocess(withAnyRecipients, alertPolicyInputSchema)
    .describe(
      'the policy as it would be created; nothing is saved. Its `notification` may be left out, or ' +
        'name no channel or contact group yet',
    ),
  ...previewOptionsShape,
});

const floorToMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/**
 * The minutes a preview replays: [to − hours, to) or [from, to), whole minutes, at most a day, never
 * past the last complete minute (the evaluator has not evaluated the minute in progress either).
 * @example previewRangeOf({ hours: 6 }, Date.parse('2025-01-06T10:00:30Z')) // 04:00–10:00
 */
export function previewRangeOf(options: Omit<PreviewOptions, 'limit'>, nowMs: number): BacktestRange {
  const problems: FieldProblem[] = [];
  const lastMinute = floorToMinute(nowMs);
  const toMs = options.to === undefined ? lastMinute : floorToMinute(options.to);
  if (toMs > lastMinute) problems.push({ field: 'to', reason: 'must not be in the future' });
  if (options.from !== undefined && options.hours !== undefined) {
    problems.push({ field: 'hours', reason: 'give hours or from, not both' });
  }
  const fromMs =
    options.from !== undefined
      ? floorToMinute(options.from)
      : toMs - Math.round((options.hours ?? DEFAULT_PREVIEW_HOURS) * 60) * MINUTE_MS;
  if (fromMs >= toMs) problems.push({ field: 'from', reason: 'must be at least a minute before to' });
  else if (toMs - fromMs > MAX_PREVIEW_HOURS * HOUR_MS) {
    problems.push({ field: 'from', reason: `a preview covers at most ${MAX_PREVIEW_HOURS} hours` });
  }
  if (problems.length > 0) throw invalidRequest(problems);
  return { fromMs, toMs };
}

const perMinute = <T extends z.ZodType>(item: T, description: string) =>
  z.array(item.nullable()).describe(`${description}; one entry per minute from fromMs`);

const firingIntervalSchema = z.object({
  fromMs: z.number().describe('when the event would have started: the first of its holding evaluations'),
  openedAtMs: z
    .number()
    .describe(
      'the evaluation that would have opened it and sent its first message (later with forEvaluations)',
    ),
  toMs: z
    .number()
    .describe('when it would have resolved, the recovery delay included; toMs of the preview while ongoing'),
  ongoing: z.boolean().describe('still firing at the last evaluation'),
  noData: z.boolean().describe('opened because data was missing (noDataAction alert)'),
});

const previewRuleSchema = z.object({
  metric: z.string().nullable().describe('the rule’s metric; null for prometheus policies'),
  aggregation: z.enum(AGGREGATIONS),
  windowMinutes: z.number(),
  comparator: z.enum(COMPARATORS),
  baseline: z.enum(BASELINES).nullable(),
  threshold: z
    .number()
    .describe(
      'the rule’s threshold: what `values` are compared with, or for increase_pct / decrease_pct the ' +
        'percent change (the values to reach are `thresholdValues`)',
    ),
  series: perMinute(z.number(), 'the metric in each minute; null: no value'),
  values: perMinute(
    z.number(),
    'the rule’s aggregate over its window ending with each minute, as evaluated at the end of that ' +
      'minute; null: no data, or the value was not evaluated',
  ),
  baselineValues: perMinute(
    z.number(),
    'increase_pct / decrease_pct only: the baseline each value was compared with (null: none to divide by)',
  ).optional(),
  thresholdValues: perMinute(
    z.number(),
    'increase_pct / decrease_pct only: the value the aggregate needed to reach, ' +
      'baseline ± |baseline| × threshold / 100',
  ).optional(),
  holds: perMinute(z.boolean(), 'whether the rule held; null where the value was not evaluated'),
});

const previewDimensionSchema = z.object({
  key: z.string().nullable().describe('the dimension value; null for dimension mode none'),
  labels: z.record(z.string(), z.string()),
  firing: z.array(firingIntervalSchema).describe('the intervals in which an alert event would have fired'),
  rules: z.array(previewRuleSchema).describe('one per rule, in the policy’s order'),
});

export const policyPreviewSchema = z
  .object({
    fromMs: z.number().describe('the first minute replayed'),
    toMs: z.number().describe('the end of the last minute replayed, which is the last evaluation'),
    stepMs: z.number().describe('60000: one entry per minute in every list'),
    totalDimensions: z.number().describe('the dimension values evaluated at least once'),
    truncated: z.boolean().describe('more dimension values were evaluated than `dimensions` holds'),
    dimensions: z
      .array(previewDimensionSchema)
      .describe(
        'the most interesting first: the longest firing, then the most often holding, then the nearest to holding',
      ),
  })
  .describe(
    'The policy replayed over past minutes with the evaluator’s own rules, starting with nothing firing: ' +
      'the evaluation at the end of each minute, and the alert events it would have opened and resolved.',
  );

export type PolicyPreview = z.output<typeof policyPreviewSchema>;
