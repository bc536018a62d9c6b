// The JSON the console reads, as the API presents it (DESIGN.md §4; src/api/*/present.ts).

export const POLICY_KINDS = ['application', 'browser', 'custom', 'prometheus'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];
export const AGGREGATIONS = ['avg', 'sum', 'max', 'min', 'count'] as const;
export const PLAIN_COMPARATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'] as const;
export const PERCENT_COMPARATORS = ['increase_pct', 'decrease_pct'] as const;
export const BASELINES = ['previous_window', 'hour_ago', 'day_ago', 'week_ago'] as const;
export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const CHANNELS = ['dingtalk', 'email', 'webhook'] as const;
export const DIMENSION_MODES = ['traverse', 'specified', 'none'] as const;
export const NO_DATA_FILLS = ['none', 'zero', 'one'] as const;
export const EVENT_STATES = ['firing', 'resolved'] as const;
export const NOTIFICATION_STATES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;

export type Channel = (typeof CHANNELS)[number];

interface Stored {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DingtalkRobot {
  readonly webhook: string;
  readonly secret: string | null;
  readonly keywords: readonly string[];
  readonly atMobiles: readonly string[];
  readonly atUserIds?: readonly string[];
  readonly atAll?: boolean;
  readonly messageType?: string;
}

export interface Contact extends Stored {
  readonly name: string;
  readonly description: string | null;
  readonly dingtalk: DingtalkRobot | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly webhook: { readonly url: string; readonly method: string } | null;
}

export interface ChannelTestResult {
  readonly channel: Channel;
  readonly target: string;
  readonly ok: boolean;
  readonly reason: string | null;
  readonly errcode?: number;
  readonly errmsg?: string;
}

export interface ContactGroup extends Stored {
  readonly name: string;
  readonly description: string | null;
  readonly contactIds: readonly string[];
}

export interface Condition {
  readonly metric?: string | null;
  readonly windowMinutes: number;
  readonly aggregation: string;
  readonly comparator: string;
  readonly baseline?: string | null;
  readonly threshold: number;
}

export interface EffectiveWindow {
  readonly days: readonly number[];
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
}

export interface AlertPolicy extends Stored {
  readonly name: string;
  readonly description: string | null;
  readonly kind: PolicyKind;
  readonly target?: string;
  readonly metricType?: string | null;
  readonly datasourceId?: string | null;
  readonly expr?: string | null;
  readonly dimension: { readonly mode: string; readonly key?: string; readonly value?: string };
  readonly rules: { readonly match: 'all' | 'any'; readonly conditions: readonly Condition[] };
  readonly noData: string;
  readonly severity: string;
  readonly notification: {
    readonly channels: readonly Channel[];
    readonly contactGroupIds: readonly string[];
    readonly silenceMinutes: number;
    readonly effective: EffectiveWindow;
    readonly template: unknown;
  };
  readonly enabled: boolean;
  readonly [other: string]: unknown;
}

export interface AlertEvent extends Stored {
  readonly state: 'firing' | 'resolved';
  readonly policyId: string;
  readonly policyName: string;
  readonly policyKind: string;
  readonly severity: string;
  readonly dimension: { readonly key: string | null; readonly value: string | null } | null;
  readonly startedAt: string;
  readonly resolvedAt: string | null;
  readonly notifyCount: number;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly closedAt: string | null;
  readonly closedBy: string | null;
}

export interface Notification extends Stored {
  readonly state: string;
  readonly channel: string;
  readonly target: string;
  readonly kind: string;
  readonly severity: string;
  readonly title: string | null;
  readonly policyId: string | null;
  readonly eventId: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly answer: Readonly<Record<string, string | number>> | null;
  readonly sentAt: string | null;
}

export interface Datasource extends Stored {
  readonly name: string;
  readonly type: string;
  readonly url: string;
  readonly timeoutSeconds: number;
}

export interface CatalogMetric {
  readonly name: string;
  readonly unit: string;
  readonly zh: string;
  readonly en: string;
}

export interface CatalogMetricType {
  readonly name: string;
  readonly kind: 'application' | 'browser';
  readonly zh: string;
  readonly en: string;
  readonly dimensions: readonly string[];
  readonly metrics: readonly CatalogMetric[];
}

export interface MetricSummary {
  readonly kind: string;
  readonly target: string;
  readonly metric: string;
  readonly series: number;
  readonly labels: readonly string[];
}
