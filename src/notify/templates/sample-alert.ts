// A plausible alert event of a policy, for previewing its messages before any event exists: a dimension
// value typical of the metric type's dimension, and values that make each rule hold (firing) or not
// (resolved), an event that started 65 minutes before `now`.
import type { Condition } from '../../domain/alert-policy.js';
import type { NotificationLocale } from '../rendered-notification.js';
import type { AlertNotificationInput, AlertNotificationPolicy } from './alert-notification.js';
import { ruleUnit, type ConditionResult } from './rule-text.js';
import type { AlertState } from './template-words.js';
import type { ValueUnit } from './value-format.js';

/** Values a user would recognise for the dimensions of the metric catalog and common Prometheus labels. */
const SAMPLE_DIMENSION_VALUES: Readonly<Record<string, string>> = {
  host: '10.0.0.7',
  interface: '/api/orders',
  invocation_type: 'HTTP',
  database: 'mysql://orders-db:3306/orders',
  exception: 'java.lang.NullPointerException',
  page: '/checkout',
  api: '/api/cart',
  key: 'checkout_click',
  instance: '10.0.0.7:9100',
  job: 'node',
  service: 'order-service',
  pod: 'order-service-7d9f8-x2k4q',
  namespace: 'production',
};

/** The sample event's id; its console links lead to a page that says the event does not exist. */
export const SAMPLE_EVENT_ID = 'sample';
/** How long the sample event has lasted: long enough for the duration to read "1 小时 5 分". */
const SAMPLE_DURATION_MS = 65 * 60_000;

/** A baseline that reads naturally in the metric's unit. */
function baseOf(unit: ValueUnit): number {
  switch (unit) {
    case 'percent':
      return 20;
    case 'ms':
      return 200;
    case 'bytes':
      return 512 * 1024 * 1024;
    default:
      return 10;
  }
}

/** Rounds to two decimals, so sample values print as written. */
function tidy(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A value above `threshold` that stays a possible percentage when the unit is percent. */
function above(threshold: number, unit: ValueUnit): number {
  if (unit === 'percent' && threshold >= 0 && threshold < 100) return tidy(threshold + (100 - threshold) / 2);
  return tidy(threshold === 0 ? 1 : threshold + Math.abs(threshold) * 0.2);
}

function below(threshold: number, unit: ValueUnit): number {
  if (unit === 'percent' && threshold > 0 && threshold <= 100) return tidy(threshold / 2);
  return tidy(threshold === 0 ? -1 : threshold - Math.abs(threshold) * 0.2);
}

/** A result for `condition` under which the rule holds (`holds`) or does not. */
export function sampleResult(condition: Condition, unit: ValueUnit, holds: boolean): ConditionResult {
  const { threshold } = condition;
  if (condition.comparator === 'increase_pct' || condition.comparator === 'decrease_pct') {
    const baselineValue = baseOf(unit);
    const up = condition.comparator === 'increase_pct';
    // Held: 20% beyond the threshold (a decrease stops at 100%). Not held: half the threshold, or a
    // change the other way when the threshold is 0 (any change in the rule's direction would hold).
    const held = up ? threshold * 1.2 || 20 : Math.min(threshold * 1.2 || 20, 100);
    const magnitude = holds ? held : threshold > 0 ? threshold / 2 : -10;
    const changePct = tidy(up ? magnitude : -magnitude);
    return { value: tidy(baselineValue * (1 + changePct / 100)), baselineValue, changePct };
  }
  const high = above(threshold, unit);
  const low = below(threshold, unit);
  switch (condition.comparator) {
    case 'gt':
    case 'gte':
      return { value: holds ? high : low };
    case 'lt':
    case 'lte':
      return { value: holds ? low : high };
    case 'eq':
      return { value: holds ? threshold : high };
    default:
      return { value: holds ? high : threshold };
  }
}

/** The dimension value of the sample event: the policy's own (specified), else a typical one. */
export function sampleDimensionValue(policy: AlertNotificationPolicy): string | null {
  const { dimension } = policy;
  if (dimension.mode === 'none') return null;
  if (dimension.mode === 'specified' && dimension.value !== undefined) return dimension.value;
  const key = dimension.key ?? '';
  return SAMPLE_DIMENSION_VALUES[key] ?? `${key}-1`;
}

export interface SampleAlertOptions {
  readonly kind: AlertState;
  readonly locale: NotificationLocale;
  readonly publicUrl: string;
  readonly timeZone: string;
  /** Epoch milliseconds: the sample event resolves (or is notified) now. */
  readonly now: number;
}

/**
 * A sample event of `policy` for `renderAlertNotification`.
 * @example renderAlertNotification(sampleAlertInput(alertNotificationPolicy(policy), { kind: 'firing', locale: 'en', publicUrl, timeZone, now: Date.now() }))
 */
export function sampleAlertInput(
  policy: AlertNotificationPolicy,
  options: SampleAlertOptions,
): AlertNotificationInput {
  const holds = options.kind === 'firing';
  const dimensionValue = sampleDimensionValue(policy);
  return {
    kind: options.kind,
    policy,
    eventId: SAMPLE_EVENT_ID,
    dimensionValue,
    labels:
      policy.dimension.mode === 'none' || !policy.dimension.key || dimensionValue === null
        ? {}
        : { [policy.dimension.key]: dimensionValue },
    results: policy.rules.conditions.map((condition) =>
      sampleResult(condition, ruleUnit(condition, policy), holds),
    ),
    startedAt: options.now - SAMPLE_DURATION_MS,
    endedAt: holds ? null : options.now,
    notifiedAt: options.now,
    publicUrl: options.publicUrl,
    locale: options.locale,
    timeZone: options.timeZone,
  };
}
