// Alert events as the rest of Tocsin sees them: one policy firing for one dimension value, from start to
// resolution, with the values that triggered it and who acknowledged or closed it (DESIGN.md §1).
import type { PolicyKind } from './metric-types.js';
import type { Severity } from './alert-policy.js';
import type { RuleResult } from './condition-evaluation.js';

export const ALERT_EVENT_STATES = ['firing', 'resolved'] as const;
export type AlertEventState = (typeof ALERT_EVENT_STATES)[number];

/**
 * Where an event comes from: a policy the evaluator evaluates, or an alert an Alertmanager sent to the
 * bridge (`POST /api/v1/alertmanager`, docs/alertmanager.md).
 */
export const ALERT_EVENT_SOURCES = ['policy', 'alertmanager'] as const;
export type AlertEventSource = (typeof ALERT_EVENT_SOURCES)[number];

/** What an Alertmanager event keeps of its alert and of the route that took it. */
export interface AlertmanagerEventDetails {
  readonly routeId: string;
  /** The route's name when the event opened. */
  readonly routeName: string;
  /** Alertmanager's fingerprint of the alert's labels: with the route, the event's key. */
  readonly fingerprint: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** The rule's page in Prometheus (or whatever generated the alert); '' when none was sent. */
  readonly generatorURL: string;
  readonly receiver: string;
  readonly groupKey: string;
  /** The Alertmanager's own address. */
  readonly externalURL: string;
}

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
  readonly source: AlertEventSource;
  /** The policy's id; for an Alertmanager event, the route's (with the fingerprint, its key). */
  readonly policyId: string;
  /**
   * The policy's name, kind and severity when the event opened. An Alertmanager event has its alert's
   * `alertname` for a name, no kind, and the severity its route mapped from the labels.
   */
  readonly policyName: string;
  readonly policyKind: PolicyKind | null;
  readonly severity: Severity;
  /** The label the policy splits by (e.g. `host`); null for dimension mode none. */
  readonly dimensionName: string | null;
  /**
   * The dimension value (e.g. `10.0.0.7`); null for dimension mode none. For an Alertmanager event, the
   * alert's fingerprint (its labels are in `labels`).
   */
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
  /** The alert and route of an Alertmanager event; null for a policy's. */
  readonly alertmanager: AlertmanagerEventDetails | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
