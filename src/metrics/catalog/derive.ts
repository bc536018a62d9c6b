// Derives the stored ARMS series (scope `application`) from raw OpenTelemetry and Prometheus series
// (scope `custom`) as they are ingested. It runs on every ingested series, remote-write batches of 10,000
// included: one Map lookup by metric name decides, and series no rule knows cost nothing more.
import type { IngestSeries } from '../../domain/metric-series.js';
import type { DerivationRule } from './derivation-rule.js';
import { OTEL_RULES } from './otel-rules.js';
import { PROMETHEUS_RULES } from './prometheus-rules.js';

/** Every derivation rule, OpenTelemetry first. */
export const DERIVATION_RULES: readonly DerivationRule[] = [...OTEL_RULES, ...PROMETHEUS_RULES];

const RULES_BY_METRIC: ReadonlyMap<string, DerivationRule> = (() => {
  const byMetric = new Map<string, DerivationRule>();
  for (const rule of DERIVATION_RULES) {
    if (byMetric.has(rule.metric)) throw new Error(`two derivation rules read ${rule.metric}`);
    byMetric.set(rule.metric, rule);
  }
  return byMetric;
})();

/**
 * The ARMS series derived from one raw series: none for series no rule reads and for series that already
 * are ARMS series (JSON pushes of catalog metrics, browser beacons). The derived series share the raw
 * series' timestamps array; store them beside the raw series, which stays as it is (scope custom).
 * @example deriveCatalogSeries({ scope: 'custom', target: 'order-service', metric: 'jvm.gc.duration_count',
 *   labels: { host: '10.0.0.7', 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' },
 *   temporality: 'cumulative', timestampsMs: [t], values: [3] }) // → [JVM_FullGC {host: '10.0.0.7', …}]
 */
export function deriveCatalogSeries(raw: IngestSeries): IngestSeries[] {
  if (raw.scope !== 'custom') return [];
  const rule = RULES_BY_METRIC.get(raw.metric);
  if (!rule) return [];
  const out: IngestSeries[] = [];
  rule.derive(raw, out);
  return out;
}

/** The derived series of a whole batch, in order; a convenience over deriveCatalogSeries for decoders. */
export function deriveCatalogBatch(batch: readonly IngestSeries[]): IngestSeries[] {
  const out: IngestSeries[] = [];
  for (const raw of batch) {
    if (raw.scope !== 'custom') continue;
    const rule = RULES_BY_METRIC.get(raw.metric);
    if (rule) rule.derive(raw, out);
  }
  return out;
}
