// The shape of one derivation rule: which raw series (by exact decoded name) it reads, which stored ARMS
// series it writes and how — the how is shown by the catalog API and docs/metrics.md.
import type { IngestSeries } from '../../domain/metric-series.js';
import type { DerivedSink } from './derived-series.js';

/** Where a raw series comes from, as users know the exporters. */
export const SOURCE_FAMILIES = ['OpenTelemetry', 'JMX exporter', 'Micrometer', 'node exporter'] as const;
export type SourceFamily = (typeof SOURCE_FAMILIES)[number];

export interface DerivationRule {
  readonly family: SourceFamily;
  /**
   * The raw series name as the decoders write it: OTel names as they are, an OTel histogram as
   * `<name>_count` and `<name>_sum`; Prometheus names as they are.
   */
  readonly metric: string;
  /** Stored metric name → how this rule computes it, in words. */
  readonly produces: Readonly<Record<string, string>>;
  /** Pushes the derived series of one raw series (possibly none) into `out`. */
  readonly derive: (raw: IngestSeries, out: DerivedSink) => void;
}
