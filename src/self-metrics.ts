// Tocsin's own metrics, served on GET /metrics from a registry of their own (never prom-client's global
// one): HTTP requests, evaluation ticks, deliveries, ingestion, and gauges read at scrape time from the
// database and the metric store. The evaluator, dispatcher and ingest routes only report through hooks;
// this is the one place that knows prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestProtocol, RefusedPoints } from './api/ingest/routes.js';
import { CHANNELS } from './domain/alert-policy.js';
import type { EvaluatorDeps, TickReport } from './evaluator/evaluator.js';
import type { ForwardResult, RemoteWriteForwarder } from './ingest/forward/remote-write-forwarder.js';
import type { MetricStore } from './metrics/store/metric-store.js';
import type { DeliveryRecord, DispatcherDeps } from './notify/dispatcher.js';
import type { Store } from './store/store.js';

/** Where the gauges read their values at scrape time; a gauge whose source is absent is not exported. */
export interface SelfMetricSources {
  /** Counts alert events and the outbox (one indexed count query each per scrape). */
  readonly store?: Pick<Store, 'alertEvents' | 'notifications'>;
  readonly metricStore?: Pick<MetricStore, 'stats'>;
}

/**
 * Ticks take from milliseconds (a few policies) to tens of seconds (thousands on a slow database); the
 * buckets straddle the 5 s shortest interval and the 60 s default.
 */
const EVALUATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The registry and every metric of it. Labels take values from closed sets only (channel, result,
 * protocol, rejection reason, route pattern), so the series count stays bounded whatever users send.
 * @example
 * const selfMetrics = new SelfMetrics({ store, metricStore });
 * const evaluator = new Evaluator({ ...deps, onTick: selfMetrics.recordTick });
 * await buildApp({ ...deps, selfMetrics }); // GET /metrics answers selfMetrics.registry.metrics()
 */
export class SelfMetrics {
  readonly registry = new Registry();
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #evaluationDuration: Histogram;
  readonly #policiesEvaluated: Counter<'result'>;
  readonly #rulesEvaluated: Counter;
  readonly #notifications: Counter<'channel' | 'result'>;
  readonly #ingestedPoints: Counter<'protocol'>;
  readonly #rejectedPoints: Counter<'protocol' | 'reason'>;
  readonly #forwardedRequests: Counter<'result'>;

  constructor(sources: SelfMetricSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tocsin_' });
    this.#httpRequests = new Counter({
      name: 'tocsin_http_requests_total',
      help: 'HTTP requests answered, by method, route and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    });
    this.#evaluationDuration = new Histogram({
      name: 'tocsin_evaluation_duration_seconds',
      help: 'Time one evaluation tick took: every enabled policy fetched, evaluated and committed.',
      buckets: EVALUATION_BUCKETS,
      registers,
    });
    this.#policiesEvaluated = new Counter({
      name: 'tocsin_policies_evaluated_total',
      help: 'Policy evaluations, by result: ok, failed (data source or database error), skipped (another instance or already done this interval).',
      labelNames: ['result'] as const,
      registers,
    });
    this.#rulesEvaluated = new Counter({
      name: 'tocsin_rules_evaluated_total',
      help: 'Rules (conditions) of the policies evaluated successfully.',
      registers,
    });
    this.#notifications = new Counter({
      name: 'tocsin_notifications_total',
      help: 'Outbox rows whose delivery was recorded, by channel and result: sent, retrying (will be sent again), failed (for good).',
      labelNames: ['channel', 'result'] as const,
      registers,
    });
    this.#ingestedPoints = new Counter({
      name: 'tocsin_ingested_points_total',
      help: 'Points stored in the built-in metric store, by ingestion protocol.',
      labelNames: ['protocol'] as const,
      registers,
    });
    this.#rejectedPoints = new Counter({
      name: 'tocsin_rejected_points_total',
      help: 'Points refused, by ingestion protocol and reason (series limits, too old, too far in future, invalid value, invalid OTLP data point).',
      labelNames: ['protocol', 'reason'] as const,
      registers,
    });
    this.#forwardedRequests = new Counter({
      name: 'tocsin_remote_write_requests_total',
      help: 'Requests forwarded to the remote-write receiver, by result: sent, retried (an attempt failed and will be repeated), refused (a 4xx, dropped), dropped (the spool was full).',
      labelNames: ['result'] as const,
      registers,
    });
    // Nothing of these is counted before its first event: zero series make rate() work from the start.
    for (const result of ['ok', 'failed', 'skipped']) this.#policiesEvaluated.inc({ result }, 0);
    for (const protocol of ['otlp', 'remote_write', 'push', 'rum']) this.#ingestedPoints.inc({ protocol }, 0);
    for (const channel of CHANNELS) {
      for (const result of ['sent', 'retrying', 'failed']) this.#notifications.inc({ channel, result }, 0);
    }
    this.#rulesEvaluated.inc(0);
    if (sources.store) this.#registerStoreGauges(sources.store);
    if (sources.metricStore) this.#registerMetricStoreGauges(sources.metricStore);
  }

  /** Counts one answered HTTP request; `route` is the route's pattern, never the raw URL. */
  countHttpRequest(method: string, route: string, status: number): void {
    this.#httpRequests.inc({ method, route, status });
  }

  /** The evaluator's onTick: one tick's duration and its policies and rules. */
  readonly recordTick: NonNullable<EvaluatorDeps['onTick']> = (report: TickReport) => {
    this.#evaluationDuration.observe(report.durationMs / 1000);
    this.#policiesEvaluated.inc({ result: 'ok' }, report.evaluated);
    this.#policiesEvaluated.inc({ result: 'failed' }, report.failed);
    this.#policiesEvaluated.inc({ result: 'skipped' }, report.skipped);
    this.#rulesEvaluated.inc(report.rules);
  };

  /** The dispatcher's onRecorded: rows sent, retrying or failed on one channel. */
  readonly recordDelivery: NonNullable<DispatcherDeps['onRecorded']> = (record: DeliveryRecord) => {
    this.#notifications.inc({ channel: record.channel, result: record.result }, record.rows);
  };

  /** The ingest routes' observer: points stored and refused by one request. */
  readonly recordIngest = (
    protocol: IngestProtocol,
    acceptedPoints: number,
    refused: readonly RefusedPoints[],
  ): void => {
    this.#ingestedPoints.inc({ protocol }, acceptedPoints);
    for (const { reason, points } of refused) this.#rejectedPoints.inc({ protocol, reason }, points);
  };

  /** The remote-write forwarder's onResult: what became of `count` requests. */
  readonly recordForward = (result: ForwardResult, count: number): void => {
    this.#forwardedRequests.inc({ result }, count);
  };

  #registerStoreGauges(store: NonNullable<SelfMetricSources['store']>): void {
    new Gauge({
      name: 'tocsin_alert_events',
      help: 'Alert events in the database, by state (resolved ones until the event retention deletes them).',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        // A database hiccup must not cost the scrape every other metric: the gauge keeps its last value.
        const counts = await store.alertEvents.countByState().catch(() => null);
        if (!counts) return;
        this.set({ state: 'firing' }, counts.firing);
        this.set({ state: 'resolved' }, counts.resolved);
      },
    });
    new Gauge({
      name: 'tocsin_notifications_queued',
      help: 'Outbox rows not yet delivered: queued, being sent, or waiting to be retried.',
      registers: [this.registry],
      async collect() {
        const counts = await store.notifications.countByState().catch(() => null);
        if (counts) this.set(counts.queued + counts.sending + counts.retrying);
      },
    });
  }

  #registerMetricStoreGauges(metricStore: NonNullable<SelfMetricSources['metricStore']>): void {
    new Gauge({
      name: 'tocsin_metric_store_series',
      help: 'Series the built-in metric store knows (within its retention).',
      registers: [this.registry],
      collect() {
        this.set(metricStore.stats().series);
      },
    });
    new Gauge({
      name: 'tocsin_metric_store_disk_bytes',
      help: 'Bytes of the built-in metric store on disk: blocks, write-ahead log, checkpoint, series log.',
      registers: [this.registry],
      collect() {
        this.set(metricStore.stats().diskBytes);
      },
    });
  }

  /** Exports the remote-write forwarder's spool and results (it reports them through recordForward). */
  watchForwarder(forwarder: Pick<RemoteWriteForwarder, 'waiting'>): void {
    for (const result of ['sent', 'retried', 'refused', 'dropped'])
      this.#forwardedRequests.inc({ result }, 0);
    new Gauge({
      name: 'tocsin_remote_write_spool_bytes',
      help: 'Bytes of requests spooled on disk, waiting to be forwarded to the remote-write receiver.',
      registers: [this.registry],
      collect() {
        this.set(forwarder.waiting.bytes);
      },
    });
  }
}
