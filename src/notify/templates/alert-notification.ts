// The message of one alert event transition (firing or resolved): the default title and markdown body in
// Simplified Chinese or English, or the policy's own `{{variable}}` texts. Pure; the evaluator calls it
// and enqueues the result. docs/templates.md shows the default texts and the variables; keep it in sync.
import type {
  AlertPolicy,
  AlertPolicyInput,
  Condition,
  MatchMode,
  NotificationTemplate,
  Severity,
} from '../../domain/alert-policy.js';
import type { PolicyKind } from '../../domain/metric-types.js';
import {
  fillNotificationTemplate,
  labelOfVariable,
  type LabelVariable,
  type NotificationTemplateVariable,
} from '../../domain/notification-template.js';
import { escapeMarkdownInline } from '../channels/dingtalk/index.js';
import { markdownLinkUrl } from '../channels/dingtalk/markdown-text.js';
import type { NotificationRequest } from '../outbox.js';
import type { NotificationEventData, NotificationLocale } from '../rendered-notification.js';
import { consoleLinks, notificationLinks } from './console-links.js';
import { ruleText, ruleValueText, type ConditionResult, type RuleContext } from './rule-text.js';
import { TEMPLATE_WORDS, type AlertState } from './template-words.js';
import { formatDuration, formatTime } from './value-format.js';

/** What of a policy its messages show; `alertNotificationPolicy` picks it from a stored policy. */
export interface AlertNotificationPolicy {
  readonly id: string;
  readonly name: string;
  readonly kind: PolicyKind;
  /** The application or site; null for kinds without one. */
  readonly target: string | null;
  readonly metricType: string | null;
  readonly severity: Severity;
  readonly dimension: AlertPolicyInput['dimension'];
  readonly rules: { readonly match: MatchMode; readonly conditions: readonly Condition[] };
  /** `notification.template`: the policy's own title and body; null (or null fields) for the defaults. */
  readonly template: NotificationTemplate | null;
}

/** One alert event transition, everything its message says. Times are epoch milliseconds. */
export interface AlertNotificationInput {
  readonly kind: AlertState;
  readonly policy: AlertNotificationPolicy;
  readonly eventId: string;
  /** The dimension value the event is for (e.g. host 10.0.0.7); null when the policy splits by none. */
  readonly dimensionValue: string | null;
  /** The labels of the event's series, for `{{labels.NAME}}`; none when omitted. */
  readonly labels?: Readonly<Record<string, string>>;
  /** One per rule, in the order of `policy.rules.conditions`. */
  readonly results: readonly ConditionResult[];
  readonly startedAt: number;
  /** When a resolved event ended; null while firing. */
  readonly endedAt: number | null;
  /** When the message is made: a firing event's duration runs to here. */
  readonly notifiedAt: number;
  /** TOCSIN_PUBLIC_URL, the base of the console links. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
  /** The policy's `notification.effective.timeZone`; start and end times are shown in it. */
  readonly timeZone: string;
}

/** The message-relevant part of a stored policy. */
export function alertNotificationPolicy(policy: AlertPolicy): AlertNotificationPolicy {
  return {
    id: policy.id,
    name: policy.name,
    kind: policy.kind,
    target: policy.target,
    metricType: policy.metricType,
    severity: policy.severity,
    dimension: policy.dimension,
    rules: policy.rules,
    // Policies stored before templates existed have no such field.
    template: policy.notification.template ?? null,
  };
}

/** A variable's value in the title (plain text, one line) and in the body (markdown, escaped). */
interface VariableValue {
  readonly plain: string;
  readonly markdown: string;
}

/** Line breaks in a title would be folded anyway (e-mail) or lost (chat lists). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Escapes text that sits after a label, never at the start of a line: only inline markup is escaped, so
 * a host like 10.0.0.7 is not written `10\.0.0.7` (the "1." of an ordered list can only start a line).
 * escapeMarkdownInline does the rest; the leading letter keeps its start-of-line rules from applying.
 */
function escapeMidLine(text: string): string {
  return escapeMarkdownInline(`x${text}`).slice(1);
}

function userText(text: string): VariableValue {
  return { plain: oneLine(text), markdown: escapeMarkdownInline(text) };
}

function linkValue(url: string): VariableValue {
  return { plain: url, markdown: markdownLinkUrl(url) };
}

/** Everything the message says, computed once for the default texts and the variables alike. */
interface MessageFacts {
  readonly words: (typeof TEMPLATE_WORDS)[NotificationLocale];
  /** One line per rule, plain text. */
  readonly rules: readonly string[];
  /** The same lines with metric names escaped for markdown. */
  readonly markdownRules: readonly string[];
  /** Rule values in their units: our own text, with nothing to escape. */
  readonly values: readonly string[];
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationMs: number;
  readonly duration: string;
  readonly dimensionKey: string | null;
}

function factsOf(input: AlertNotificationInput): MessageFacts {
  const { policy, locale } = input;
  const context: RuleContext = { kind: policy.kind, metricType: policy.metricType, locale };
  const noResult: ConditionResult = { value: null };
  const rulesIn = (escapeName?: (name: string) => string) =>
    policy.rules.conditions.map((condition, i) =>
      ruleText(condition, input.results[i] ?? noResult, context, escapeName),
    );
  const values = policy.rules.conditions.map((condition, i) =>
    ruleValueText(condition, input.results[i] ?? noResult, context),
  );
  const end = input.kind === 'resolved' && input.endedAt !== null ? input.endedAt : input.notifiedAt;
  const durationMs = Math.max(0, end - input.startedAt);
  return {
    words: TEMPLATE_WORDS[locale],
    rules: rulesIn(),
    markdownRules: rulesIn(escapeMidLine),
    values,
    startedAt: formatTime(input.startedAt, input.timeZone),
    endedAt: input.endedAt === null ? null : formatTime(input.endedAt, input.timeZone),
    durationMs,
    duration: formatDuration(durationMs, locale),
    dimensionKey: policy.dimension.mode === 'none' ? null : (policy.dimension.key ?? null),
  };
}

function variableValues(
  input: AlertNotificationInput,
  facts: MessageFacts,
): Record<Exclude<NotificationTemplateVariable, LabelVariable>, VariableValue> {
  const { policy } = input;
  const links = consoleLinks(input.publicUrl, input.eventId);
  // Our own words, numbers and times carry no markup characters.
  const ours = (text: string): VariableValue => ({ plain: text, markdown: text });
  return {
    'policy.name': userText(policy.name),
    'policy.id': userText(policy.id),
    severity: ours(policy.severity),
    state: ours(facts.words.state[input.kind]),
    target: userText(policy.target ?? ''),
    'dimension.key': userText(facts.dimensionKey ?? ''),
    'dimension.value': userText(input.dimensionValue ?? ''),
    // In a body, a markdown list (one "- " line per rule); in a title, one line.
    rules: {
      plain: oneLine(facts.rules.join(facts.words.listSeparator)),
      markdown: facts.markdownRules.map((rule) => `- ${rule}`).join('\n'),
    },
    value: ours(facts.values.join(facts.words.listSeparator)),
    startedAt: ours(facts.startedAt),
    endedAt: ours(facts.endedAt ?? ''),
    duration: ours(facts.duration),
    'links.view': linkValue(links.view),
    'links.acknowledge': linkValue(links.acknowledge),
    'links.silence': linkValue(links.silence),
  };
}

/** The default title of a policy's message: "[P2 报警] JVM FullGC doubled vs previous hour". */
export function defaultAlertTitle(
  kind: AlertState,
  policy: Pick<AlertNotificationPolicy, 'severity' | 'name'>,
  locale: NotificationLocale,
): string {
  return `[${policy.severity} ${TEMPLATE_WORDS[locale].state[kind]}] ${oneLine(policy.name)}`;
}

/** The default body: a bold heading (the event alone in a merged message needs it), then a list. */
function defaultBody(input: AlertNotificationInput, facts: MessageFacts): string {
  const { policy } = input;
  const { words } = facts;
  const line = (label: string, value: string) => `- ${escapeMarkdownInline(label)}${words.colon}${value}`;
  const heading = `**${policy.severity} ${words.state[input.kind]} · ${escapeMidLine(policy.name)}**`;
  const lines: string[] = [];
  if (policy.target !== null) {
    lines.push(line(words.target[policy.kind], escapeMidLine(policy.target)));
  }
  if (facts.dimensionKey !== null && input.dimensionValue !== null) {
    lines.push(line(facts.dimensionKey, escapeMidLine(input.dimensionValue)));
  }
  const rules = facts.markdownRules;
  if (rules.length === 1) {
    lines.push(line(words.rule, rules[0]!));
  } else {
    lines.push(line(words.rules, words.match(policy.rules.match, rules.length)));
    rules.forEach((rule, i) => lines.push(line(`${words.rule} ${i + 1}`, rule)));
  }
  lines.push(line(words.value, facts.values.join(words.listSeparator)));
  lines.push(line(words.startedAt, facts.startedAt));
  if (input.kind === 'resolved' && facts.endedAt !== null) lines.push(line(words.endedAt, facts.endedAt));
  // A first firing message is sent within the evaluation interval: "0 秒" would only be noise.
  if (input.kind === 'resolved' || facts.durationMs >= 60_000)
    lines.push(line(words.duration, facts.duration));
  return `${heading}\n\n${lines.join('\n')}`;
}

/**
 * The notification of one alert event transition, ready for the outbox: the policy's template where it
 * has one (title as plain text, body as markdown with every value escaped), else the default texts.
 * @example enqueueForPolicy(tx, policy, renderAlertNotification({ kind: 'firing', policy: alertNotificationPolicy(policy), … }))
 */
export function renderAlertNotification(input: AlertNotificationInput): NotificationRequest {
  const { policy } = input;
  const facts = factsOf(input);
  let values: ReturnType<typeof variableValues> | undefined;
  const valueOf = (variable: NotificationTemplateVariable): VariableValue => {
    const label = labelOfVariable(variable);
    if (label !== null)
      return userText(Object.hasOwn(input.labels ?? {}, label) ? input.labels![label]! : '');
    return (values ??= variableValues(input, facts))[
      variable as Exclude<NotificationTemplateVariable, LabelVariable>
    ];
  };
  const template = policy.template;
  const title =
    typeof template?.title === 'string'
      ? oneLine(fillNotificationTemplate(template.title, (name) => valueOf(name).plain))
      : defaultAlertTitle(input.kind, policy, input.locale);
  const markdown =
    typeof template?.body === 'string'
      ? fillNotificationTemplate(template.body, (name) => valueOf(name).markdown)
      : defaultBody(input, facts);
  const links = consoleLinks(input.publicUrl, input.eventId);
  return {
    kind: input.kind,
    severity: policy.severity,
    policyId: policy.id,
    policyName: policy.name,
    eventId: input.eventId,
    locale: input.locale,
    title,
    summary: '',
    markdown,
    links: notificationLinks(links, input.kind, input.locale),
    event: eventData(input, facts, links.view),
  };
}

/** The event as data, for channels that carry structure (the webhook's `events`). */
function eventData(input: AlertNotificationInput, facts: MessageFacts, url: string): NotificationEventData {
  const { policy } = input;
  const value = input.results[0]?.value;
  return {
    eventId: input.eventId,
    policyId: policy.id,
    policyName: policy.name,
    severity: policy.severity,
    state: input.kind,
    ...(policy.target !== null && { target: policy.target }),
    ...(facts.dimensionKey !== null &&
      input.dimensionValue !== null && {
        dimension: { key: facts.dimensionKey, value: input.dimensionValue },
      }),
    ...(typeof value === 'number' && { value }),
    condition: facts.rules.join(facts.words.listSeparator),
    startedAt: input.startedAt,
    ...(input.kind === 'resolved' && input.endedAt !== null && { endedAt: input.endedAt }),
    url,
  };
}
