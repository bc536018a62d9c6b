// The body of `POST /api/v1/datasources/{id}:query`: a PromQL expression to try, over the window a rule
// would read — `window` minutes (as a duration, 60m by default) ending at the last complete minute.
import { z } from 'zod';
import { parseDuration } from '../../config.js';
import { MAX_WINDOW_MINUTES } from '../../domain/alert-policy.js';
import { MINUTE_MS } from '../../domain/metric-series.js';

const windowSchema = z
  .string()
  .default('60m')
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms < MINUTE_MS || ms % MINUTE_MS !== 0) {
      ctx.addIssue({ code: 'custom', message: 'must be whole minutes such as 5m, 60m or 6h' });
      return z.NEVER;
    }
    if (ms > MAX_WINDOW_MINUTES * MINUTE_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${MAX_WINDOW_MINUTES}m, the longest rule window`,
      });
      return z.NEVER;
    }
    return ms;
  });

/** Epoch milliseconds or an ISO 8601 time → epoch milliseconds. */
const instantSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 time' });
    return z.NEVER;
  }
  return ms;
});

export const datasourceQueryBodySchema = z.strictObject({
  expr: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(20000)
    .describe('the PromQL expression, as a prometheus policy would hold it'),
  window: windowSchema.describe('how many minutes to read, as a duration: 5m, 60m (default), 6h'),
  to: instantSchema
    .optional()
    .describe('the end of the window (epoch ms or ISO 8601), rounded down to the minute; default now'),
});

export type DatasourceQueryBody = z.output<typeof datasourceQueryBodySchema>;
