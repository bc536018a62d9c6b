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
export const NO_DATA_ACTIONS = ['keep', 'resolve', 'alert'] as const;
export const DINGTALK_MESSAGE_TYPES = ['markdown', 'actionCard', 'text'] as const;
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
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
  readonly webhook: GenericWebhook | null;
}

export interface GenericWebhook {
  readonly url: string;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly bodyTemplate?: string | null;
  /** Masked as the API shows it (`…9f3a`); sent back unchanged it keeps the stored secret. */
  readonly secret?: string | null;
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
  readonly noDataAction?: string | null;
  readonly forEvaluations?: number | null;
  readonly recoveryMinutes?: number | null;
  readonly severity: string;
  readonly notification: {
    readonly channels: readonly Channel[];
    readonly contactGroupIds: readonly string[];
    readonly silenceMinutes: number;
    readonly effective: EffectiveWindow;
    readonly template: { readonly title: string | null; readonly body: string | null } | null;
  };
  readonly enabled: boolean;
  readonly [other: string]: unknown;
}

export interface AlertEvent extends Stored {
  readonly state: 'firing' | 'resolved';
  /** null for events of the Alertmanager bridge, which have no policy. */
  readonly policyId: string | null;
  readonly policyName: string;
  readonly policyKind: string;
  readonly severity: string;
  readonly dimension: { readonly key: string | null; readonly value: string | null } | null;
  readonly labels?: Readonly<Record<string, string>>;
  readonly triggerValues?: readonly TriggerValue[];
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
  readonly eventIds: readonly string[];
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
  /** The password comes back masked; sent back masked, the stored one is kept. */
  readonly basicAuth: { readonly username: string; readonly password: string } | null;
  /** Masked, as the password. */
  readonly bearerToken: string | null;
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

/** One rule's numbers when an event opened (percent-change rules with their baseline and change). */
export interface TriggerValue {
  readonly metric: string | null;
  readonly aggregation: string;
  readonly comparator: string;
  readonly threshold: number;
  readonly value: number | null;
  readonly baseline?: string | null;
  readonly baselineValue?: number | null;
  readonly changePct?: number | null;
  readonly holds: boolean;
}

/** The answer of `:preview` (src/api/alert-policies/preview-schema.ts): one list entry per minute. */
export interface PolicyPreview {
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  readonly totalDimensions: number;
  readonly truncated: boolean;
  readonly dimensions: readonly PreviewDimension[];
}

export interface PreviewDimension {
  readonly key: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly firing: readonly {
    readonly fromMs: number;
    readonly openedAtMs: number;
    readonly toMs: number;
    readonly ongoing: boolean;
    readonly noData: boolean;
  }[];
  readonly rules: readonly PreviewRule[];
}

export interface PreviewRule {
  readonly metric: string | null;
  readonly aggregation: string;
  readonly windowMinutes: number;
  readonly comparator: string;
  readonly baseline: string | null;
  readonly threshold: number;
  readonly series: readonly (number | null)[];
  readonly values: readonly (number | null)[];
  readonly baselineValues?: readonly (number | null)[];
  readonly thresholdValues?: readonly (number | null)[];
  readonly holds: readonly (boolean | null)[];
}

/** The answer of `GET /metrics/query`. */
export interface MetricQueryAnswer {
  readonly metric: string;
  readonly unit: string | null;
  readonly groupBy: string | null;
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  readonly groups: readonly { readonly key: string | null; readonly values?: readonly (number | null)[] }[];
}
