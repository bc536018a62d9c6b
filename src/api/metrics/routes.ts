// /api/v1/metrics: the metric catalog, the metric query (per-minute values per dimension value, as the
// evaluator and the console's charts see them), the metric names the store knows and a label's values.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { systemClock, type Clock } from '../../domain/clock.js';
import { MINUTE_MS } from '../../domain/metric-series.js';
import { invalidRequest } from '../../errors.js';
import { CATALOG } from '../../metrics/catalog/index.js';
import {
  MAX_QUERY_MINUTES,
  queryMetric,
  queryMetricAggregates,
  resolveMetric,
  storedMetricsOf,
  type MetricQuery,
} from '../../metrics/query.js';
import type { MetricStore } from '../../metrics/store/metric-store.js';
import { presentMetricSummary, presentMetricType, presentQueryResult } from './present.js';
import {
  catalogQuerySchema,
  decodeMetricCursor,
  encodeMetricCursor,
  labelValuesQuerySchema,
  metricListQuerySchema,
  metricQuerySchema,
  type MetricQueryString,
} from './schema.js';

export interface MetricRouteOptions {
  readonly metricStore: MetricStore;
  /** What "now" is for `window=`; default the system clock. */
  readonly clock?: Clock;
}

/** A query's range: `from`/`to` as given, else `window` (default 60m) ending at `to` or the current minute's end. */
function rangeOf(query: MetricQueryString, now: number): { fromMs: number; toMs: number } {
  const toMs = query.to ?? Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const fromMs = query.from ?? toMs - (query.window ?? 60 * MINUTE_MS);
  if (toMs <= fromMs) throw invalidRequest([{ field: 'from', reason: 'must be before to (default: now)' }]);
  if (toMs - fromMs > MAX_QUERY_MINUTES * MINUTE_MS) {
    throw invalidRequest([
      { field: 'from', reason: `the range must be at most ${MAX_QUERY_MINUTES / 1440} days` },
    ]);
  }
  return { fromMs, toMs };
}

/**
 * Buffers for encoded answers, reused once the answer that used one has been handed to the OS (the
 * response's `finish`); an answer whose response never finishes leaves its buffer to the collector.
 */
export class AnswerBuffers {
  readonly #free: Buffer[] = [];

  constructor(readonly maxKept = 4) {}

  /** `text` as UTF-8 in a kept buffer; call `release` once the bytes are no longer needed. */
  encode(text: string): { bytes: Buffer; release: () => void } {
    let buffer = this.#free.pop();
    let length = buffer ? buffer.write(text, 'utf8') : 0;
    // write() stops short of the end only when the next character does not fit: 3 bytes to spare at
    // least means the whole text was written.
    if (!buffer || length > buffer.length - 4) {
      const needed = Buffer.byteLength(text, 'utf8');
      buffer = Buffer.allocUnsafeSlow(Math.max(needed + 4, Math.ceil(needed * 1.25)));
      length = buffer.write(text, 'utf8');
    }
    const kept = buffer;
    let released = false;
    return {
      bytes: kept.subarray(0, length),
      release: () => {
        if (released) return;
        released = true;
        if (this.#free.length < this.maxKept) this.#free.push(kept);
      },
    };
  }
}

export function registerMetricRoutes(app: FastifyInstance, options: MetricRouteOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const answerBuffers = new AnswerBuffers();
  const tags = ['metrics'];
  const { metricStore } = options;
  const clock = options.clock ?? systemClock;

  api.get(
    '/api/v1/metrics/catalog',
    { schema: { tags, querystring: catalogQuerySchema } },
    function getCatalog(request) {
      const kind = request.query.kind;
      return {
        metricTypes: CATALOG.filter((type) => kind === undefined || type.kind === kind).map(
          presentMetricType,
        ),
      };
    },
  );

  api.get(
    '/api/v1/metrics/query',
    { schema: { tags, querystring: metricQuerySchema } },
    function queryMetricValues(request, reply) {
      const query = request.query;
      const { fromMs, toMs } = rangeOf(query, clock.now());
      const target = query.target ?? null;
      const groupBy = query.groupBy ?? null;
      const asked: MetricQuery = {
        kind: query.kind,
        target,
        metric: query.metric,
        filters: query.filter ?? {},
        groupBy,
        fromMs,
        toMs,
      };
      const aggregation = query.aggregation;
      // Without the per-minute values (the schema requires an aggregation then), none are kept at all.
      const result =
        query.values === 'false' && aggregation !== undefined
          ? queryMetricAggregates(metricStore, { ...asked, aggregation })
          : queryMetric(metricStore, { ...asked, aggregation });
      const answer = presentQueryResult(result, {
        kind: query.kind,
        target,
        metric: query.metric,
        groupBy,
        aggregation: aggregation ?? null,
        withValues: query.values === 'true',
      });
      // An answer over thousands of groups is hundreds of kilobytes of JSON. Sent as a string, Fastify
      // would measure its UTF-8 length and the socket encode it again; as bytes it is encoded once, into
      // a buffer kept between answers (a fresh one that size is fresh pages, each faulting on first write).
      const { bytes, release } = answerBuffers.encode(JSON.stringify(answer));
      reply.raw.once('finish', release);
      return reply.type('application/json; charset=utf-8').send(bytes);
    },
  );

  api.get(
    '/api/v1/metrics',
    { schema: { tags, querystring: metricListQuerySchema } },
    function listMetricNames(request) {
      const { kind, target, q, limit, cursor } = request.query;
      const after = cursor === undefined ? null : decodeMetricCursor(cursor);
      const needle = q?.toLowerCase();
      const keyOf = (s: { scope: string; target: string; metric: string }) =>
        [s.scope, s.target, s.metric] as const;
      const compare = (a: readonly string[], b: readonly string[]) => {
        for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
        return 0;
      };
      const summaries = metricStore
        .listMetrics({ ...(kind && { scope: kind }), ...(target !== undefined && { target }) })
        .filter((s) => needle === undefined || s.metric.toLowerCase().includes(needle))
        .filter((s) => after === null || compare(keyOf(s), after) > 0)
        .sort((a, b) => compare(keyOf(a), keyOf(b)));
      const page = summaries.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(presentMetricSummary),
        nextCursor: summaries.length > limit && last ? encodeMetricCursor(keyOf(last)) : null,
      };
    },
  );

  api.get(
    '/api/v1/metrics/label-values',
    { schema: { tags, querystring: labelValuesQuerySchema } },
    function listLabelValues(request) {
      const { kind, target, metric, label, limit } = request.query;
      const catalogMetric = resolveMetric(kind, metric);
      // A catalog metric's values are those of the stored series its formulas read.
      const values = new Set<string>();
      for (const stored of storedMetricsOf({ metric }, catalogMetric)) {
        for (const value of metricStore.labelValues(kind, target ?? null, stored, label, limit)) {
          values.add(value);
        }
        if (values.size >= limit) break;
      }
      return { items: [...values].slice(0, limit) };
    },
  );
}
