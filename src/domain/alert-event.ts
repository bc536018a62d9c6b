// Alert events as the rest of Tocsin sees them: one policy firing for one dimension value, from start to
// resolution, with the values that triggered it and who acknowledged or closed it (DESIGN.md §1).
import type { PolicyKind } from './metric-types.js';
import type { Severity } from './alert-policy.js';
import type { RuleResult } from './condition-evaluation.js';

export const ALERT_EVENT_STATES = ['firing', 'resolved'] as const;
export type AlertEventState = (typeof ALERT_EVENT_STATES)[number];

/**
 * Why an event resolved: its rules stopped holding (`recovered`), data went missing under noDataAction
 * `resolve` (`no_data`), a user closed it, or the policy was changed to watch something else, disabled
 * or deleted. Only `recovered` and `no_data` send a recovery message (docs/alert-events.md).
 */
export const RESOLVE_REASONS = [
  'recovered',
  'no_data',
  'closed',
  'policy_changed',
  'policy_disabled',
  'policy_deleted',
] as const;
export type ResolveReason = (typeof RESOLVE_REASONS)[number];

/** Events are kept this long after they resolve, unless configured otherwise. */
export const DEFAULT_EVENT_RETENTION_DAYS = 90;

export interface AlertEvent {
  readonly id: string;
  readonly policyId: string;
  /** The policy's name, kind and severity when the event opened. */
  readonly policyName: string;
  readonly policyKind: PolicyKind;
  readonly severity: Severity;
  /** The label the policy splits by (e.g. `host`); null for dimension mode none. */
  readonly dimensionName: string | null;
  /** The dimension value (e.g. `10.0.0.7`); null for dimension mode none. */
  readonly dimensionKey: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: AlertEventState;
  /** Opened because the dimension value had no data (noDataAction `alert`). */
  readonly noData: boolean;
  /**
   * The rules' values when the event opened, refreshed with each message and when the rules stop
   * holding: what triggered it, what was last sent, what resolved it.
   */
  readonly triggerValues: readonly RuleResult[];
  /** What the policy watched when the event opened (see evaluator/watch-fingerprint.ts). */
  readonly watchFingerprint: string;
  readonly startedAt: number;
  readonly resolvedAt: number | null;
  readonly resolveReason: ResolveReason | null;
  readonly lastEvaluatedAt: number;
  readonly lastNotifiedAt: number | null;
  /** Firing messages sent so far. */
  readonly notifyCount: number;
  /** Since when the rules have not held (the recovery delay counts from here); null while they hold. */
  readonly falseSince: number | null;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly closedAt: number | null;
  readonly closedBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
