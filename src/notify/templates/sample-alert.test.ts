// The sample event of a render preview: a typical dimension value, and values under which every rule
// holds when firing and none does when resolved.
import { describe, expect, it } from 'vitest';
import { COMPARATORS, type Condition } from '../../domain/alert-policy.js';
import type { AlertNotificationPolicy } from './alert-notification.js';
import { ruleHolds } from './rule-text.js';
import { sampleAlertInput, sampleDimensionValue, sampleResult } from './sample-alert.js';
import type { ValueUnit } from './value-format.js';

const policy: AlertNotificationPolicy = {
  id: 'p1',
  name: 'p',
  kind: 'application',
  target: 'order-service',
  metricType: 'JVM_Monitoring',
  severity: 'P3',
  dimension: { mode: 'traverse', key: 'host' },
  rules: {
    match: 'all',
    conditions: [
      { metric: 'JVM_FullGC', windowMinutes: 5, aggregation: 'avg', comparator: 'gt', threshold: 3 },
    ],
  },
  template: null,
};

describe('sampleResult', () => {
  const units: readonly ValueUnit[] = ['count', 'ms', 'percent', 'bytes', 'none'];
  const thresholds = [0, 1, 90, 100, 250, -5];
  it('makes every comparator hold when firing and not hold when resolved, whatever the unit', () => {
    for (const comparator of COMPARATORS) {
      for (const unit of units) {
        for (const threshold of thresholds) {
          const percentChange = comparator === 'increase_pct' || comparator === 'decrease_pct';
          // A percent-change threshold is never negative, and nothing decreases by more than 100%.
          if (percentChange && (threshold < 0 || (comparator === 'decrease_pct' && threshold > 100)))
            continue;
          const condition: Condition = {
            metric: 'm',
            windowMinutes: 5,
            aggregation: 'avg',
            comparator,
            threshold,
            ...(percentChange && { baseline: 'hour_ago' as const }),
          };
          const label = `${comparator} ${threshold} ${unit}`;
          expect(ruleHolds(condition, sampleResult(condition, unit, true)), label).toBe(true);
          expect(ruleHolds(condition, sampleResult(condition, unit, false)), label).toBe(false);
        }
      }
    }
  });

  it('keeps sample percentages possible', () => {
    const cpu: Condition = {
      metric: 'm',
      windowMinutes: 5,
      aggregation: 'max',
      comparator: 'gt',
      threshold: 90,
    };
    expect(sampleResult(cpu, 'percent', true)).toEqual({ value: 95 });
  });
});

describe('sampleDimensionValue and sampleAlertInput', () => {
  it('takes the policy’s specified value, a typical value for known keys, and none without a dimension', () => {
    expect(sampleDimensionValue(policy)).toBe('10.0.0.7');
    expect(sampleDimensionValue({ ...policy, dimension: { mode: 'traverse', key: 'interface' } })).toBe(
      '/api/orders',
    );
    expect(
      sampleDimensionValue({ ...policy, dimension: { mode: 'specified', key: 'host', value: 'db-1' } }),
    ).toBe('db-1');
    expect(sampleDimensionValue({ ...policy, dimension: { mode: 'traverse', key: 'zone' } })).toBe('zone-1');
    expect(sampleDimensionValue({ ...policy, dimension: { mode: 'none' } })).toBeNull();
  });

  it('starts the sample event 65 minutes before now and resolves it now', () => {
    const now = Date.UTC(2024, 10, 24, 9, 5);
    const resolved = sampleAlertInput(policy, {
      kind: 'resolved',
      locale: 'en',
      publicUrl: 'http://x',
      timeZone: 'UTC',
      now,
    });
    expect(resolved).toMatchObject({
      startedAt: now - 65 * 60_000,
      endedAt: now,
      notifiedAt: now,
      eventId: 'sample',
    });
    const firing = sampleAlertInput(policy, {
      kind: 'firing',
      locale: 'en',
      publicUrl: 'http://x',
      timeZone: 'UTC',
      now,
    });
    expect(firing.endedAt).toBeNull();
    expect(firing.results).toEqual([{ value: 3.6 }]);
  });
});
