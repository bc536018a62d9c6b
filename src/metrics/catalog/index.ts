// The metric catalog's public face: the catalog and its lookups, the derivation of ARMS series from raw
// OpenTelemetry and Prometheus series, and the temporality of JSON pushes.
export {
  CATALOG,
  defaultTemporality,
  findCatalogMetric,
  type CatalogMetric,
  type CatalogMetricType,
  type MetricSource,
} from './catalog.js';
export { DERIVATION_RULES, deriveCatalogBatch, deriveCatalogSeries } from './derive.js';
export type { DerivationRule, SourceFamily } from './derivation-rule.js';
export { describeFormula, type MetricFormula, type StoredQuantity } from './formulas.js';
export { findStoredMetric, STORED_METRICS, type StoredMetric } from './stored-metrics.js';
