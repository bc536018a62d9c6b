// How a catalog metric's per-minute value is computed from stored series: the sum of stored quantities, a
// ratio of two of them times a scale, or zero wherever another quantity has data. A catalog metric lists
// alternatives; per group and minute the first one that has a value answers.
import type { AcrossSeries, MinuteValue } from '../store/metric-store.js';

/** One stored quantity: the listed stored metrics (added together), each minute read with `minuteValue`. */
export interface StoredQuantity {
  /** Stored metric names; their groups are added minute by minute. */
  readonly metrics: readonly string[];
  readonly minuteValue: MinuteValue;
  /** How the series of one group combine. Ratios always add their parts. */
  readonly across: AcrossSeries;
  /** Label equality filters the quantity always applies (API calls that failed: `success=false`). */
  readonly filters?: Readonly<Record<string, string>>;
}

export type MetricFormula =
  /** The quantity itself: `Σ JVM_FullGC` per minute. */
  | { readonly kind: 'quantity'; readonly quantity: StoredQuantity }
  /**
   * `numerator ÷ denominator × scale`, no value where the denominator is 0 or missing. Where the numerator
   * is missing and `missingNumerator` is `zero` it counts as 0: minutes with calls but no error series have
   * an error rate of 0, not none.
   */
  | {
      readonly kind: 'ratio';
      readonly numerator: StoredQuantity;
      readonly denominator: StoredQuantity;
      readonly scale: number;
      readonly missingNumerator: 'zero' | 'no_value';
    }
  /**
   * 0 wherever `quantity` has data: error series exist only once an error happened, so a minute with calls
   * and no error series had 0 errors. Without it a 5-minute average of errors would skip those minutes.
   */
  | { readonly kind: 'zero_where'; readonly quantity: StoredQuantity };

/** The quantity of one stored metric. */
export function quantity(
  metric: string | readonly string[],
  minuteValue: MinuteValue,
  across: AcrossSeries = 'sum',
  filters?: Readonly<Record<string, string>>,
): StoredQuantity {
  return {
    metrics: typeof metric === 'string' ? [metric] : metric,
    minuteValue,
    across,
    ...(filters && { filters }),
  };
}

function describeQuantity(q: StoredQuantity): string {
  const filter = q.filters
    ? `{${Object.entries(q.filters)
        .map(([name, value]) => `${name}="${value}"`)
        .join(',')}}`
    : '';
  const listed = q.metrics.map((name) => `${name}${filter}`);
  const names = listed.length > 1 ? `(${listed.join(' + ')})` : listed.join('');
  const across = q.across === 'sum' ? 'Σ' : `${q.across} of`;
  const read =
    q.minuteValue === 'count'
      ? 'points of'
      : q.minuteValue === 'sum'
        ? ''
        : `${q.minuteValue === 'avg' ? 'mean' : q.minuteValue} of`;
  return [across, read, names].filter(Boolean).join(' ');
}

/**
 * A formula in words and symbols for the catalog API and docs/metrics.md.
 * @example describeFormula(ratio) // 'Σ Invocation_Time ÷ Σ Invocation_Count'
 */
export function describeFormula(formula: MetricFormula): string {
  switch (formula.kind) {
    case 'quantity':
      return describeQuantity(formula.quantity);
    case 'ratio': {
      const base = `${describeQuantity(formula.numerator)} ÷ ${describeQuantity(formula.denominator)}`;
      return formula.scale === 1 ? base : `${base} × ${formula.scale}`;
    }
    case 'zero_where':
      return `0 where ${describeQuantity(formula.quantity)} has data`;
  }
}

/** The stored metric names a formula reads. */
export function metricsRead(formula: MetricFormula): readonly string[] {
  return formula.kind === 'ratio'
    ? [...formula.numerator.metrics, ...formula.denominator.metrics]
    : formula.quantity.metrics;
}
