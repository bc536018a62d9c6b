// The one question the evaluator and the preview ask of wherever a policy's numbers live — the built-in
// metric store or a Prometheus server: "the per-minute values of this rule's metric over [from, to), one
// series per dimension value".
import type { AlertPolicy, Condition } from '../domain/alert-policy.js';

export interface DimensionSeries {
  /**
   * The dimension value this series belongs to: the value of the policy's dimension key (`traverse`,
   * `specified`), null for dimension mode `none`; for Prometheus policies the series' labels in canonical
   * form (`{host="a",job="b"}`).
   */
  readonly key: string | null;
  /** The labels that identify the series, for templates and the console. */
  readonly labels: Readonly<Record<string, string>>;
  /** One value per minute from fromMs; NaN where there was no data. */
  readonly values: Float64Array;
}

export interface WindowRequest {
  readonly policy: AlertPolicy;
  /** The rule whose metric is asked for (Prometheus policies: any rule; the expression is the policy's). */
  readonly condition: Condition;
  /** Minute-aligned epoch milliseconds; [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface PolicyDataSource {
  fetchWindow(request: WindowRequest): Promise<readonly DimensionSeries[]>;
}
