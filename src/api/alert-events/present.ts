// The JSON of an alert event: its policy (as it was when the event opened), dimension value, state and
// times, the values that triggered it, and who acknowledged or closed it. Times are ISO 8601.
import type { AlertEvent } from '../../domain/alert-event.js';
import type { RuleResult } from '../../domain/condition-evaluation.js';

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** One rule's numbers: percent-change rules carry their baseline and change, the others only the value. */
function presentRuleValues(result: RuleResult) {
  const percentChange = result.comparator === 'increase_pct' || result.comparator === 'decrease_pct';
  return {
    metric: result.metric,
    aggregation: result.aggregation,
    comparator: result.comparator,
    threshold: result.threshold,
    value: result.value,
    ...(percentChange && {
      baseline: result.baseline,
      baselineValue: result.baselineValue,
      changePct: result.changePct,
    }),
    holds: result.holds,
  };
}

export function presentAlertEvent(event: AlertEvent) {
  return {
    id: event.id,
    state: event.state,
    policyId: event.policyId,
    policyName: event.policyName,
    policyKind: event.policyKind,
    severity: event.severity,
    // Dimension mode none has no dimension; a series without the label has its name but no value.
    dimension:
      event.dimensionName === null && event.dimensionKey === null
        ? null
        : { key: event.dimensionName, value: event.dimensionKey },
    labels: event.labels,
    noData: event.noData,
    triggerValues: event.triggerValues.map(presentRuleValues),
    startedAt: new Date(event.startedAt).toISOString(),
    resolvedAt: isoOrNull(event.resolvedAt),
    resolveReason: event.resolveReason,
    lastEvaluatedAt: new Date(event.lastEvaluatedAt).toISOString(),
    lastNotifiedAt: isoOrNull(event.lastNotifiedAt),
    notifyCount: event.notifyCount,
    acknowledgedAt: isoOrNull(event.acknowledgedAt),
    acknowledgedBy: event.acknowledgedBy,
    closedAt: isoOrNull(event.closedAt),
    closedBy: event.closedBy,
    createdAt: new Date(event.createdAt).toISOString(),
    updatedAt: new Date(event.updatedAt).toISOString(),
  };
}
