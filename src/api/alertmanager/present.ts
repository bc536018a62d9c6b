// The answer to an Alertmanager payload: how many alerts were taken, which no route matched, and what
// changed. Alertmanager only reads the status; the body is for people testing their routes with curl.
import type { ReceiveReport } from './schema.js';

export function presentReceiveReport(report: ReceiveReport) {
  return {
    accepted: report.accepted,
    unrouted: report.unrouted.map((alert) => ({
      fingerprint: alert.fingerprint,
      status: alert.status,
      labels: alert.labels,
    })),
    opened: report.opened,
    renotified: report.renotified,
    resolved: report.resolved,
    messages: report.messages,
  };
}
