// The query strings of /api/v1/metrics: which metric of which kind and target, filters written
// `filter=host:10.0.0.7` (repeatable), the dimension to group by, and the range — `from`/`to` as epoch
// milliseconds or ISO 8601, or `window=60m` ending now.
import { z } from 'zod';
import { AGGREGATIONS } from '../../domain/alert-policy.js';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../../domain/metric-types.js';
import { parseDuration } from '../../config.js';
import { MAX_QUERY_MINUTES } from '../../metrics/query.js';

/** The kinds whose metrics live in the built-in store; prometheus policies read their own data source. */
export const METRIC_KINDS = ['application', 'browser', 'custom'] as const;

const kindSchema = z.enum(METRIC_KINDS, {
  error: 'must be application, browser or custom (prometheus metrics are queried on their data source)',
});

const targetSchema = z.string().trim().min(1, 'must not be empty; leave it out for every target').max(200);

const metricNameSchema = z
  .string()
  .regex(METRIC_NAME_PATTERN, 'must be a metric name: letters, digits, _ : .')
  .describe('a catalog metric (application, browser) or a pushed metric name (custom)');

const labelNameSchema = z.string().regex(LABEL_NAME_PATTERN, 'must be a label name: letters, digits, _ .');

/** `host:10.0.0.7` → ['host', '10.0.0.7']; the value may itself hold colons. */
const filterSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((raw, ctx) => {
    const filters: Record<string, string> = {};
    for (const item of typeof raw === 'string' ? [raw] : raw) {
      const colon = item.indexOf(':');
      const name = colon < 0 ? item : item.slice(0, colon);
      if (colon < 0 || !LABEL_NAME_PATTERN.test(name)) {
        ctx.addIssue({ code: 'custom', message: `"${item}" must be label:value, such as host:10.0.0.7` });
        continue;
      }
      const value = item.slice(colon + 1);
      if (filters[name] !== undefined && filters[name] !== value) {
        ctx.addIssue({ code: 'custom', message: `filters ${name} twice with different values` });
      }
      filters[name] = value;
    }
    return filters;
  })
  .describe('label:value, repeatable: filter=host:10.0.0.7&filter=interface:/api/orders');

/** Epoch milliseconds or an ISO 8601 time → epoch milliseconds. */
const instantSchema = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 time' });
    return z.NEVER;
  }
  return ms;
});

const windowSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms < 60_000) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a duration of at least a minute, such as 60m, 6h or 7d',
    });
    return z.NEVER;
  }
  if (ms > MAX_QUERY_MINUTES * 60_000) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_QUERY_MINUTES / 1440}d` });
    return z.NEVER;
  }
  return ms;
});

export const metricQuerySchema = z
  .object({
    kind: kindSchema,
    target: targetSchema.optional().describe('the application or site; leave out for every target'),
    metric: metricNameSchema,
    filter: filterSchema.optional(),
    groupBy: labelNameSchema.optional().describe('a dimension of the metric type; leave out to add all up'),
    from: instantSchema.optional().describe('epoch ms or ISO 8601; with `to`, or alone up to now'),
    to: instantSchema.optional().describe('epoch ms or ISO 8601; default: the end of the current minute'),
    window: windowSchema.optional().describe('the range ending at `to` (default now): 60m, 6h, 7d'),
    aggregation: z.enum(AGGREGATIONS).optional().describe('also aggregate each group over the range'),
    values: z
      .enum(['true', 'false'])
      .default('true')
      .describe("false: leave out the per-minute values, answer only each group's aggregate"),
  })
  .superRefine(function checkRange(query, ctx) {
    if (query.window !== undefined && query.from !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'give either from or window, not both' });
    }
    if (query.values === 'false' && query.aggregation === undefined) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'values=false needs an aggregation' });
    }
    if (query.from !== undefined && query.to !== undefined && query.to <= query.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    }
  });

export type MetricQueryString = z.output<typeof metricQuerySchema>;

export const catalogQuerySchema = z.object({ kind: z.enum(['application', 'browser']).optional() });

/** A page of metric names is resumed after the last (kind, target, metric) seen. */
export function encodeMetricCursor(key: readonly [string, string, string]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeMetricCursor(cursor: string): [string, string, string] | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length === 3 && key.every((part) => typeof part === 'string')
      ? [key[0] as string, key[1] as string, key[2] as string]
      : null;
  } catch {
    return null;
  }
}

const limitSchema = (fallback: number) =>
  z.coerce
    .number('must be a whole number from 1 to 1000')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(fallback);

export const metricListQuerySchema = z.object({
  kind: kindSchema.optional(),
  target: targetSchema.optional(),
  q: z.string().max(200).optional().describe('case-insensitive part of the metric name'),
  limit: limitSchema(100),
  cursor: z
    .string()
    .max(2000)
    .refine(
      (cursor) => decodeMetricCursor(cursor) !== null,
      'not a cursor this service gave out; pass nextCursor',
    )
    .optional(),
});

export const labelValuesQuerySchema = z.object({
  kind: kindSchema,
  target: targetSchema.optional(),
  metric: metricNameSchema,
  label: labelNameSchema,
  limit: limitSchema(100),
});
