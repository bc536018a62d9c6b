// The message of one Alertmanager alert the bridge took (firing or resolved): the alertname as the title,
// then its summary and description annotations, its labels, times and the link to the rule that fired.
// Pure; the bridge calls it and enqueues the result. docs/alertmanager.md shows the texts; keep in sync.
import type { Severity } from '../../domain/alert-policy.js';
import { escapeMarkdownInline } from '../channels/dingtalk/index.js';
import { markdownLinkUrl } from '../channels/dingtalk/markdown-text.js';
import type { NotificationRequest } from '../outbox.js';
import type { NotificationLocale } from '../rendered-notification.js';
import { consoleLinks, notificationLinks } from './console-links.js';
import { TEMPLATE_WORDS, type AlertState } from './template-words.js';
import { formatDuration, formatTime } from './value-format.js';

/** One alert transition, everything its message says. Times are epoch milliseconds. */
export interface AlertmanagerNotificationInput {
  readonly kind: AlertState;
  readonly eventId: string;
  /** The `alertname` label (or the route's name when the alert has none). */
  readonly alertName: string;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The rule's page in Prometheus; '' for none. */
  readonly generatorURL: string;
  readonly startedAt: number;
  /** When a resolved alert ended; null while firing. */
  readonly endedAt: number | null;
  readonly notifiedAt: number;
  /** TOCSIN_PUBLIC_URL, the base of the console links. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
  /** The route's `timeZone`; times are shown in it. */
  readonly timeZone: string;
}

const WORDS = {
  'zh-CN': { summary: '摘要', description: '描述', labels: '标签', source: '来源', rule: '告警规则' },
  en: {
    summary: 'Summary',
    description: 'Description',
    labels: 'Labels',
    source: 'Source',
    rule: 'Alert rule',
  },
} as const satisfies Record<NotificationLocale, Record<string, string>>;

/** Labels every message leaves out: the name is the title, the severity is in it. */
const LABELS_SHOWN_ELSEWHERE = new Set(['alertname']);

/** Text after a label, never at the start of a line: the leading letter keeps line-start rules away. */
function escapeMidLine(text: string): string {
  return escapeMarkdownInline(`x${text}`).slice(1);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A generator URL worth linking: http(s) only, so a message never carries a `javascript:` link. */
function linkable(url: string): boolean {
  return /^https?:\/\//i.test(url.trim());
}

/**
 * The notification of one Alertmanager alert transition, ready for the outbox, in the default texts'
 * words (`[P1 报警] HighErrorRate`).
 * @example renderAlertmanagerNotification({ kind: 'firing', alertName: 'HighErrorRate', severity: 'P1', … }).title // '[P1 报警] HighErrorRate'
 */
export function renderAlertmanagerNotification(input: AlertmanagerNotificationInput): NotificationRequest {
  const words = TEMPLATE_WORDS[input.locale];
  const ours = WORDS[input.locale];
  const state = words.state[input.kind];
  const line = (label: string, value: string) => `- ${escapeMarkdownInline(label)}${words.colon}${value}`;
  const lines: string[] = [];
  const { summary, description, message } = input.annotations;
  if (summary) lines.push(line(ours.summary, escapeMidLine(summary)));
  const detail = description ?? message;
  if (detail) lines.push(line(ours.description, escapeMidLine(detail)));
  const labels = Object.entries(input.labels)
    .filter(([name]) => !LABELS_SHOWN_ELSEWHERE.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`);
  if (labels.length > 0) lines.push(line(ours.labels, escapeMidLine(labels.join(', '))));
  lines.push(line(words.startedAt, formatTime(input.startedAt, input.timeZone)));
  const end = input.kind === 'resolved' && input.endedAt !== null ? input.endedAt : input.notifiedAt;
  if (input.kind === 'resolved' && input.endedAt !== null) {
    lines.push(line(words.endedAt, formatTime(input.endedAt, input.timeZone)));
  }
  const durationMs = Math.max(0, end - input.startedAt);
  if (input.kind === 'resolved' || durationMs >= 60_000) {
    lines.push(line(words.duration, formatDuration(durationMs, input.locale)));
  }
  if (linkable(input.generatorURL)) {
    lines.push(line(ours.source, `[${ours.rule}](${markdownLinkUrl(input.generatorURL)})`));
  }
  const heading = `**${input.severity} ${state} · ${escapeMidLine(input.alertName)}**`;
  return {
    kind: input.kind,
    severity: input.severity,
    policyId: null,
    policyName: input.alertName,
    eventId: input.eventId,
    locale: input.locale,
    title: `[${input.severity} ${state}] ${oneLine(input.alertName)}`,
    summary: '',
    markdown: `${heading}\n\n${lines.join('\n')}`,
    links: notificationLinks(consoleLinks(input.publicUrl, input.eventId), input.kind, input.locale),
  };
}
