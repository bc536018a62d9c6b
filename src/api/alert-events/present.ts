// The JSON of an alert event: its policy (as it was when the event opened), dimension value, state and
// times, the values that triggered it, and who acknowledged or closed it. Times are ISO 8601. An event
// from the Alertmanager bridge has no policy: its alertname for a name, its labels for a dimension, and
// its route and annotations under `alertmanager`.
import type { AlertEvent, AlertmanagerEventDetails } from '../../domain/alert-event.js';
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

/** An alert's labels but its name, as Prometheus writes a selector: `{instance="10.0.0.7:9100", job="node"}`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels)
    .filter(([name]) => name !== 'alertname')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{${pairs.join(', ')}}`;
}

function presentAlertmanagerDetails(details: AlertmanagerEventDetails) {
  return {
    routeId: details.routeId,
    routeName: details.routeName,
    fingerprint: details.fingerprint,
    receiver: details.receiver,
    groupKey: details.groupKey,
    externalURL: details.externalURL,
    generatorURL: details.generatorURL,
    annotations: details.annotations,
  };
}

export function presentAlertEvent(event: AlertEvent) {
  const bridged = event.alertmanager !== null;
  return {
    id: event.id,
    state: event.state,
    source: event.source,
    // An Alertmanager event's stored key is its route's id; it has no policy to name.
    policyId: bridged ? null : event.policyId,
    policyName: event.policyName,
    policyKind: event.policyKind,
    severity: event.severity,
    // Dimension mode none has no dimension; a series without the label has its name but no value; an
    // Alertmanager alert is told apart by its labels.
    dimension: bridged
      ? { key: null, value: labelSelector(event.labels) }
      : event.dimensionName === null && event.dimensionKey === null
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
    ...(event.alertmanager !== null && { alertmanager: presentAlertmanagerDetails(event.alertmanager) }),
    createdAt: new Date(event.createdAt).toISOString(),
    updatedAt: new Date(event.updatedAt).toISOString(),
  };
}
