// JSON push (`POST /api/v1/push`, DESIGN.md §4): `{ "samples": [ { kind, target, metric, labels, value,
// timestamp, type } ] }` validated field by field, then gathered into one IngestSeries per series.
import { z } from 'zod';
import { validate, type FieldProblem, type Validated } from '../domain/field-problem.js';
import {
  SERIES_SCOPES,
  SERIES_TEMPORALITIES,
  type IngestSeries,
  type SeriesScope,
  type SeriesTemporality,
} from '../domain/metric-series.js';
import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from '../domain/metric-types.js';
import { SeriesGroups, setLabel } from './series-groups.js';

/** Samples one request may carry; a client with more sends several requests. */
export const MAX_PUSH_SAMPLES = 10_000;
/** Labels one sample may carry. */
export const MAX_PUSH_LABELS = 32;
/** Characters a label value may have. */
export const MAX_LABEL_VALUE_LENGTH = 1024;
/** Characters a target (application or site name) may have. */
export const MAX_TARGET_LENGTH = 256;
/** The latest instant a Date can hold, in epoch ms. */
const MAX_TIMESTAMP_MS = 8_640_000_000_000_000;
/** Problems reported per request; 10 000 bad samples need not produce 10 000 lines. */
const MAX_PROBLEMS = 100;

const labelNameSchema = z
  .string()
  .regex(
    LABEL_NAME_PATTERN,
    'must start with a letter or _ and hold only letters, digits, _ and . (at most 100)',
  )
  // Prometheus reserves `__` names for itself (`__name__`); refusing them also keeps `__proto__` out.
  .refine((name) => !name.startsWith('__'), 'names starting with __ are reserved');

const pushSampleSchema = z.strictObject({
  kind: z.enum(SERIES_SCOPES, `must be one of ${SERIES_SCOPES.join(', ')}`).default('custom'),
  target: z.string().max(MAX_TARGET_LENGTH, `must be at most ${MAX_TARGET_LENGTH} characters`).default(''),
  metric: z
    .string()
    .regex(
      METRIC_NAME_PATTERN,
      'must start with a letter, _ or : and hold only letters, digits, _ : . (at most 200)',
    ),
  labels: z
    .record(
      labelNameSchema,
      z.string().max(MAX_LABEL_VALUE_LENGTH, `must be at most ${MAX_LABEL_VALUE_LENGTH} characters`),
    )
    .refine((labels) => Object.keys(labels).length <= MAX_PUSH_LABELS, `at most ${MAX_PUSH_LABELS} labels`)
    .default({}),
  value: z.number('must be a number'),
  /** Epoch milliseconds; the time of receipt when absent. */
  timestamp: z
    .number('must be epoch milliseconds')
    .int('must be whole epoch milliseconds')
    .min(0, 'must be epoch milliseconds, not negative')
    .max(MAX_TIMESTAMP_MS, 'is beyond the last representable date')
    .optional(),
  /** How points combine; the metric's default (from the catalog) when absent. */
  type: z.enum(SERIES_TEMPORALITIES, `must be one of ${SERIES_TEMPORALITIES.join(', ')}`).optional(),
});

/** The body of `POST /api/v1/push`. */
export const pushBodySchema = z.strictObject({
  samples: z.array(pushSampleSchema).max(MAX_PUSH_SAMPLES, `at most ${MAX_PUSH_SAMPLES} samples per request`),
});

export type PushBody = z.output<typeof pushBodySchema>;

export interface PushOptions {
  /** The time of receipt, epoch ms: the timestamp of samples that have none. */
  readonly nowMs: number;
  /** The temporality of a series whose samples give no `type`; `gauge` when not supplied. */
  readonly defaultTemporality?: (scope: SeriesScope, metric: string) => SeriesTemporality;
}

/**
 * Validates a push body and gathers its samples into series (samples of the same series, in any order
 * of the request, become the points of one IngestSeries).
 * @returns the series, or every problem found with its path (`samples[3].value`), at most MAX_PROBLEMS.
 * @example decodePush(request.body, { nowMs: clock.now(), defaultTemporality: catalog.temporalityOf })
 */
export function decodePush(body: unknown, options: PushOptions): Validated<IngestSeries[]> {
  const validated = validate(pushBodySchema, body);
  if (!validated.ok) return { ok: false, problems: capProblems(validated.problems) };
  return { ok: true, value: pushBodyToSeries(validated.value, options) };
}

/** Gathers the samples of a validated push body into series. */
export function pushBodyToSeries(body: PushBody, options: PushOptions): IngestSeries[] {
  const defaultTemporality = options.defaultTemporality ?? (() => 'gauge' as const);
  const groups = new SeriesGroups();
  for (const sample of body.samples) {
    const labels: Record<string, string> = {};
    for (const [name, value] of Object.entries(sample.labels)) setLabel(labels, name, value);
    groups.add(
      {
        scope: sample.kind,
        target: sample.target,
        metric: sample.metric,
        labels,
        temporality: sample.type ?? defaultTemporality(sample.kind, sample.metric),
      },
      sample.timestamp ?? options.nowMs,
      sample.value,
    );
  }
  return groups.toSeries();
}

function capProblems(problems: readonly FieldProblem[]): FieldProblem[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    { field: 'samples', reason: `and ${problems.length - MAX_PROBLEMS} more problems not listed` },
  ];
}
