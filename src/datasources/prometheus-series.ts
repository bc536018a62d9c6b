// The answer of a Prometheus range query as the evaluator reads it: one DimensionSeries per result series,
// keyed by its canonical label set, with one value per minute of the window (NaN where there is none).
import type { DataSourceFailure } from './datasource-error.js';
import type { DimensionSeries } from './policy-data.js';

/** The most series one policy may watch; an expression returning more is refused, not cut. */
export const MAX_SERIES = 10_000;

/** The label Prometheus keeps the metric name in. */
const METRIC_NAME_LABEL = '__name__';

/** The instants a range query evaluates, one per minute of the window. */
export interface MinuteGrid {
  /** Epoch milliseconds of the first instant. */
  readonly firstMs: number;
  readonly stepMs: number;
  /** Number of instants, the length of every series' values. */
  readonly length: number;
}

/** Series, or why the answer cannot be read: the problem completes "the data source … <problem>". */
export type SeriesReading =
  | { readonly ok: true; readonly series: DimensionSeries[] }
  | { readonly ok: false; readonly failure: DataSourceFailure; readonly problem: string };

type Labels = Readonly<Record<string, string>>;

/** Label values are quoted as in PromQL and the exposition format. */
function quoteLabelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * The dimension key of a series: its labels sorted by name, `__name__` left out, as in PromQL:
 * `{instance="a:9100",job="node"}` (`{}` for none). The metric name is left out as Prometheus leaves it
 * out of alert labels, so that `x > 10` and `x * 2 > 20` watch the same dimension values.
 * @example canonicalLabelKey({ job: 'b', __name__: 'up', instance: 'a' }) // '{instance="a",job="b"}'
 */
export function canonicalLabelKey(labels: Labels): string {
  const names = Object.keys(labels)
    .filter((name) => name !== METRIC_NAME_LABEL)
    .sort();
  return `{${names.map((name) => `${name}=${quoteLabelValue(labels[name]!)}`).join(',')}}`;
}

/**
 * A sample value as Prometheus writes it: a decimal string, or `NaN`, `+Inf`, `-Inf` (which `Number`
 * does not read). Anything else is NaN, no data.
 * @example parseSampleValue('+Inf') // Infinity
 */
export function parseSampleValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      // Number('') is 0; an empty value is no value.
      return text.trim() === '' ? Number.NaN : Number(text);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLabels(value: unknown): value is Labels {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** A `[seconds, "value"]` pair's place in the grid and its value; null when malformed. */
function readSample(sample: unknown, grid: MinuteGrid): { index: number; value: number } | null {
  if (!Array.isArray(sample) || sample.length !== 2) return null;
  const [seconds, text] = sample as [unknown, unknown];
  if (typeof seconds !== 'number' || typeof text !== 'string') return null;
  return { index: Math.round((seconds * 1000 - grid.firstMs) / grid.stepMs), value: parseSampleValue(text) };
}

/** Puts samples on the grid; those off the grid are dropped (a server that ignored start/end). */
function valuesOf(samples: readonly unknown[], grid: MinuteGrid): Float64Array | null {
  const values = new Float64Array(grid.length).fill(Number.NaN);
  for (const raw of samples) {
    const sample = readSample(raw, grid);
    if (!sample) return null;
    if (sample.index >= 0 && sample.index < grid.length) values[sample.index] = sample.value;
  }
  return values;
}

const malformed = (what: string): SeriesReading => ({
  ok: false,
  failure: 'bad_response',
  problem: `answered a ${what} this version of Tocsin cannot read; is it a Prometheus-compatible server?`,
});

/** The labels and samples of each result item, whatever the result type. */
function resultItems(
  data: Record<string, unknown>,
): { items: { metric: unknown; samples: readonly unknown[] }[] } | SeriesReading {
  const { resultType, result } = data;
  switch (resultType) {
    case 'matrix':
      if (!Array.isArray(result)) return malformed('matrix');
      // Native histogram samples (`histograms`) have no single value; such minutes stay without one.
      return {
        items: result.map((item: unknown) => ({
          metric: isRecord(item) ? item.metric : undefined,
          samples: isRecord(item) && Array.isArray(item.values) ? item.values : [],
        })),
      };
    case 'vector':
      // Range queries answer matrices; a server that answers an instant vector gets its samples placed
      // by their timestamps all the same.
      if (!Array.isArray(result)) return malformed('vector');
      return {
        items: result.map((item: unknown) => ({
          metric: isRecord(item) ? item.metric : undefined,
          samples: isRecord(item) && item.value !== undefined ? [item.value] : [],
        })),
      };
    case 'scalar':
      return { items: [{ metric: {}, samples: [result] }] };
    case 'string':
      return {
        ok: false,
        failure: 'bad_query',
        problem: 'answered a string, not numbers; the expression must give an instant vector or a scalar',
      };
    default:
      return malformed(`result of type ${JSON.stringify(resultType)}`);
  }
}

/**
 * Reads the `data` of a `/api/v1/query_range` answer onto `grid`: one series per result series, in key
 * order, its labels as Prometheus gave them (`__name__` included, for templates), its key without the
 * metric name. More than `maxSeries` series, or two series whose labels differ only in their metric name,
 * are refused with the reason.
 * @example seriesOfQueryData(answer.data, { firstMs, stepMs: 60_000, length: 5 })
 */
export function seriesOfQueryData(data: unknown, grid: MinuteGrid, maxSeries = MAX_SERIES): SeriesReading {
  if (!isRecord(data)) return malformed('result');
  const read = resultItems(data);
  if ('ok' in read) return read;
  const { items } = read;
  if (items.length > maxSeries) {
    return {
      ok: false,
      failure: 'too_many_series',
      problem:
        `answered ${items.length} series, more than the ${maxSeries} one policy may watch; aggregate the ` +
        'expression (sum by (job) (…)) or filter it with label matchers',
    };
  }
  const byKey = new Map<string, DimensionSeries>();
  for (const item of items) {
    if (!isLabels(item.metric)) return malformed('series without labels');
    const values = valuesOf(item.samples, grid);
    if (!values) return malformed('sample');
    const key = canonicalLabelKey(item.metric);
    const twin = byKey.get(key);
    if (twin) {
      const names = [twin.labels[METRIC_NAME_LABEL], item.metric[METRIC_NAME_LABEL]].map(
        (n) => n ?? '(none)',
      );
      return {
        ok: false,
        failure: 'duplicate_series',
        problem:
          `answered two series with the same labels ${key} apart from their metric names (${names.join(', ')}); ` +
          'each series must be a distinct dimension value: aggregate them, or tell them apart with label_replace',
      };
    }
    byKey.set(key, { key, labels: { ...item.metric }, values });
  }
  const keys = [...byKey.keys()].sort();
  return { ok: true, series: keys.map((key) => byKey.get(key)!) };
}
