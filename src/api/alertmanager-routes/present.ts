// The JSON of an Alertmanager route: its matchers as written, the groups and channels it notifies, and
// its severity mapping with the defaults filled in.
import type { AlertmanagerRoute } from '../../domain/alertmanager-route.js';

export function presentAlertmanagerRoute(route: AlertmanagerRoute) {
  return {
    id: route.id,
    name: route.name,
    description: route.description,
    matchers: route.matchers,
    contactGroupIds: route.contactGroupIds,
    channels: route.channels,
    severity: { label: route.severity.label, values: route.severity.values, default: route.severity.default },
    continue: route.continue,
    order: route.order,
    silenceMinutes: route.silenceMinutes,
    timeZone: route.timeZone,
    createdAt: new Date(route.createdAt).toISOString(),
    updatedAt: new Date(route.updatedAt).toISOString(),
  };
}
