// The JSON of an alert policy: the shape of DESIGN.md §4, fields absent for kinds that do not use them.
import { lifecycleSettingsOf, type AlertPolicy } from '../../domain/alert-policy.js';

export function presentAlertPolicy(policy: AlertPolicy) {
  const isPrometheus = policy.kind === 'prometheus';
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    kind: policy.kind,
    ...(policy.target !== null && { target: policy.target }),
    ...(!isPrometheus && { metricType: policy.metricType }),
    ...(isPrometheus && { datasourceId: policy.datasourceId, expr: policy.expr }),
    dimension: policy.dimension,
    rules: policy.rules,
    noData: policy.noData,
    // Shown with their defaults filled in, also for policies stored before these settings existed.
    ...lifecycleSettingsOf(policy),
    severity: policy.severity,
    // Policies stored before templates existed have none: shown as null like any unset template.
    notification: { ...policy.notification, template: policy.notification.template ?? null },
    enabled: policy.enabled,
    createdAt: new Date(policy.createdAt).toISOString(),
    updatedAt: new Date(policy.updatedAt).toISOString(),
  };
}
