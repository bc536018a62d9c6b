// Merging the notifications waiting for one target into one message: a title with the worst severity and
// the count, a summary counting by policy and severity, the events most severe first. DingTalk allows 20
// messages a minute per robot; we merge rather than drop, and the channel's "…and N more" counts the rest.
import { SEVERITIES, type Severity } from '../domain/alert-policy.js';
import { escapeMarkdownInline } from './channels/dingtalk/index.js';
import type { NotificationRequest } from './outbox.js';
import type { NotificationLocale, RenderedNotification } from './rendered-notification.js';

/** Policies named one by one in the summary; the rest are counted together, so the summary stays short. */
const MAX_POLICIES_LISTED = 10;

const WORDS = {
  'zh-CN': {
    title: (worst: Severity, count: number, resolved: boolean) =>
      resolved ? `[${worst} 恢复] ${count} 条报警已恢复` : `[${worst} 告警] ${count} 条报警通知`,
    total: (count: number, bySeverity: string) => `共 **${count}** 条报警：${bySeverity}`,
    severity: (severity: Severity, count: number) => `${severity} ${count} 条`,
    policy: (name: string, bySeverity: string) => `- ${name}：${bySeverity}`,
    otherPolicies: (policies: number, count: number) => `- 其他 ${policies} 个策略：${count} 条`,
    noPolicy: '(无策略)',
    separator: '，',
  },
  en: {
    title: (worst: Severity, count: number, resolved: boolean) =>
      resolved
        ? `[${worst} resolved] ${count} alerts resolved`
        : `[${worst} alert] ${count} alert notifications`,
    total: (count: number, bySeverity: string) => `**${count}** alerts: ${bySeverity}`,
    severity: (severity: Severity, count: number) => `${severity} ×${count}`,
    policy: (name: string, bySeverity: string) => `- ${name}: ${bySeverity}`,
    otherPolicies: (policies: number, count: number) => `- ${policies} other policies: ${count}`,
    noPolicy: '(no policy)',
    separator: ', ',
  },
} as const satisfies Record<NotificationLocale, unknown>;

function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function countBySeverity(requests: readonly NotificationRequest[], locale: NotificationLocale): string {
  const words = WORDS[locale];
  return SEVERITIES.map(
    (severity) => [severity, requests.filter((r) => r.severity === severity).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => words.severity(severity, count))
    .join(words.separator);
}

function summaryOf(requests: readonly NotificationRequest[], locale: NotificationLocale): string {
  const words = WORDS[locale];
  const byPolicy = new Map<string, NotificationRequest[]>();
  for (const request of requests) {
    // Requests without a policy (the Alertmanager bridge's) are counted by their alert's name.
    const key = request.policyId ?? `name:${request.policyName ?? ''}`;
    byPolicy.set(key, [...(byPolicy.get(key) ?? []), request]);
  }
  // Policies with the worst and most events first.
  const policies = [...byPolicy.values()].sort(
    (a, b) =>
      Math.min(...a.map((r) => severityRank(r.severity))) -
        Math.min(...b.map((r) => severityRank(r.severity))) || b.length - a.length,
  );
  const lines = policies.slice(0, MAX_POLICIES_LISTED).map((group) => {
    const name = group[0]!.policyName ?? words.noPolicy;
    return words.policy(`**${escapeMarkdownInline(name)}**`, countBySeverity(group, locale));
  });
  const rest = policies.slice(MAX_POLICIES_LISTED);
  if (rest.length > 0) {
    lines.push(
      words.otherPolicies(
        rest.length,
        rest.reduce((sum, group) => sum + group.length, 0),
      ),
    );
  }
  return [words.total(requests.length, countBySeverity(requests, locale)), lines.join('\n')].join('\n\n');
}

/**
 * One message for several requests to the same target, in the first request's language. Every request
 * becomes one item (its title in bold above its markdown), most severe first and otherwise oldest first,
 * so a channel that runs short of room drops the least severe into "…and N more".
 * @example mergeNotifications([fullGcOnHostA, fullGcOnHostB]).title // '[P2 告警] 2 条报警通知'
 */
export function mergeNotifications(requests: readonly NotificationRequest[]): RenderedNotification {
  if (requests.length === 0) throw new Error('mergeNotifications needs at least one request');
  const locale = requests[0]!.locale;
  const ordered = [...requests].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const worst = ordered[0]!.severity;
  const resolved = requests.every((r) => r.kind === 'resolved');
  return {
    kind: resolved ? 'resolved' : requests.every((r) => r.kind === 'test') ? 'test' : 'firing',
    title: WORDS[locale].title(worst, requests.length, resolved),
    summary: summaryOf(requests, locale),
    items: ordered.map((request) => ({
      severity: request.severity,
      markdown: `**${escapeMarkdownInline(request.title)}**\n\n${request.markdown}`,
    })),
    // Each event's own links are in its markdown; buttons for one event would mislead on a merged message.
    links: [],
    locale,
    // In the order of the items, so only when every request has its event as data.
    ...(ordered.every((request) => request.event) && { events: ordered.map((request) => request.event!) }),
  };
}
