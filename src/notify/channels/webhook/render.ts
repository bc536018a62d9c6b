// The webhook's body: Tocsin's versioned JSON payload by default, or the contact's `{{variable}}` body
// template filled in — JSON-escaped where the template is JSON. Plain substitution only: no expressions,
// no loops, nothing executed. docs/channels.md documents the payload and the variables; keep it in sync.
import type {
  NotificationEventData,
  NotificationKind,
  NotificationLink,
  RenderedNotification,
} from '../../rendered-notification.js';
import { markdownToPlainText } from '../dingtalk/markdown-text.js';
import type { WebhookConfig } from './config.js';

/** Bumped only when a field of the payload changes meaning or disappears; new fields keep the version. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

export interface WebhookEventPayload {
  readonly eventId: string;
  readonly policyId: string;
  readonly policyName: string;
  readonly severity: string;
  readonly state: 'firing' | 'resolved';
  readonly target: string | null;
  readonly dimension: { readonly key: string; readonly value: string } | null;
  readonly value: number | null;
  readonly condition: string | null;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly url: string | null;
}

/** The default JSON body. Every key is always present (null or [] when empty), so receivers can rely on it. */
export interface WebhookPayload {
  readonly version: typeof WEBHOOK_PAYLOAD_VERSION;
  readonly kind: NotificationKind;
  readonly notificationId: string | null;
  /** ISO 8601, UTC: the same instant as the `X-Tocsin-Timestamp` header. */
  readonly sentAt: string;
  readonly locale: string;
  readonly title: string;
  /** Markdown. */
  readonly summary: string;
  /** One per event, most severe first; `markdown` is the event as the other channels show it. */
  readonly items: readonly { readonly severity: string; readonly markdown: string }[];
  readonly links: readonly NotificationLink[];
  /** The events as data; [] when the notification carries none (a test message). */
  readonly events: readonly WebhookEventPayload[];
}

/** What the body is built for: the send's identity and time. */
export interface WebhookRenderContext {
  readonly notificationId?: string;
  /** Epoch milliseconds; also the signature's timestamp. */
  readonly sentAt: number;
}

export interface RenderedWebhookBody {
  readonly body: string;
  /** The Content-Type to send, or null when the contact's headers set one. */
  readonly contentType: string | null;
}

/** Names a body template may use, each `{{name}}` (spaces inside the braces are allowed). */
export const WEBHOOK_TEMPLATE_VARIABLES = [
  'version',
  'kind',
  'notificationId',
  'sentAt',
  'timestamp',
  'locale',
  'title',
  'summary',
  'severity',
  'itemCount',
  'items',
  'markdown',
  'text',
  'link',
  'events',
  'payload',
] as const;

type TemplateVariable = (typeof WEBHOOK_TEMPLATE_VARIABLES)[number];
type TemplateValue = string | number | object;

/** Thrown by `renderWebhookBody` when the template cannot produce a body; the message says what to fix. */
export class WebhookTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/y;
const KNOWN: ReadonlySet<string> = new Set(WEBHOOK_TEMPLATE_VARIABLES);
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

function isoTime(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}

function eventPayload(event: NotificationEventData): WebhookEventPayload {
  return {
    eventId: event.eventId,
    policyId: event.policyId,
    policyName: event.policyName,
    severity: event.severity,
    state: event.state,
    target: event.target ?? null,
    dimension: event.dimension ?? null,
    value: event.value ?? null,
    condition: event.condition ?? null,
    startedAt: new Date(event.startedAt).toISOString(),
    endedAt: isoTime(event.endedAt),
    url: event.url ?? null,
  };
}

/**
 * The default JSON body of a notification.
 * @example JSON.stringify(webhookPayload(notification, { notificationId: 'n1', sentAt: Date.now() }))
 */
export function webhookPayload(
  notification: RenderedNotification,
  context: WebhookRenderContext,
): WebhookPayload {
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    kind: notification.kind,
    notificationId: context.notificationId ?? null,
    sentAt: new Date(context.sentAt).toISOString(),
    locale: notification.locale,
    title: notification.title,
    summary: notification.summary,
    items: notification.items.map((item) => ({ severity: item.severity, markdown: item.markdown })),
    links: notification.links.map((link) => ({ title: link.title, url: link.url })),
    events: (notification.events ?? []).map(eventPayload),
  };
}

/** The whole message as markdown: title, summary, items, links — for chat tools that take one text. */
function messageMarkdown(notification: RenderedNotification): string {
  const links = notification.links.map((link) => `[${link.title}](${link.url})`).join(' · ');
  return [
    `### ${notification.title}`,
    notification.summary,
    ...notification.items.map((item) => item.markdown),
    links,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

function templateValues(
  notification: RenderedNotification,
  context: WebhookRenderContext,
): Record<TemplateVariable, TemplateValue> {
  const payload = webhookPayload(notification, context);
  const markdown = messageMarkdown(notification);
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    kind: notification.kind,
    notificationId: context.notificationId ?? '',
    sentAt: payload.sentAt,
    timestamp: Math.floor(context.sentAt / 1000),
    locale: notification.locale,
    title: notification.title,
    summary: notification.summary,
    severity: notification.items[0]?.severity ?? '',
    itemCount: notification.items.length,
    items: notification.items.map((item) => item.markdown).join('\n'),
    markdown,
    text: markdownToPlainText(markdown, { keepUrls: true }),
    link: notification.links[0]?.url ?? '',
    events: payload.events,
    payload,
  };
}

/** The unknown variables a template uses, to report them all at once (empty when it is fine). */
export function unknownTemplateVariables(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g)) {
    if (!KNOWN.has(match[1]!)) unknown.add(match[1]!);
  }
  return [...unknown];
}

/**
 * Whether the body is JSON: the contact's Content-Type says so, or, without one, the template starts
 * with `{` (not a `{{` placeholder) or `[`.
 */
export function isJsonTemplate(template: string, headers: Readonly<Record<string, string>>): boolean {
  const contentType = contentTypeHeader(headers);
  if (contentType !== undefined) return /[/+]json\b/i.test(contentType);
  // `{{title}} …` starts with a placeholder, not a JSON object.
  return /^\s*(\[|\{(?!\{))/.test(template);
}

function contentTypeHeader(headers: Readonly<Record<string, string>>): string | undefined {
  return Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

type Placement = 'text' | 'json-string' | 'json-value';

function formatValue(value: TemplateValue, placement: Placement): string {
  const text =
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (placement === 'text') return text;
  // Inside a JSON string: the value's characters, escaped. Outside one: a complete JSON value, so
  // `"count": {{itemCount}}` stays a number and `"title": {{title}}` becomes a quoted string.
  if (placement === 'json-string') return JSON.stringify(text).slice(1, -1);
  return JSON.stringify(value);
}

/**
 * Fills `{{name}}` placeholders, tracking whether each sits inside a JSON string literal when `json`.
 * A `{{` that is not a placeholder is copied as is.
 */
function substitute(
  template: string,
  values: Record<TemplateVariable, TemplateValue>,
  json: boolean,
): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    PLACEHOLDER.lastIndex = i;
    const match = PLACEHOLDER.exec(template);
    if (match) {
      const placement: Placement = !json ? 'text' : inString ? 'json-string' : 'json-value';
      out += formatValue(values[match[1] as TemplateVariable], placement);
      i += match[0].length;
      continue;
    }
    const char = template[i]!;
    if (json && inString && char === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (json && char === '"') inString = !inString;
    out += char;
    i += 1;
  }
  return out;
}

/**
 * The request body for `webhook`: the JSON payload, or its body template filled in. Throws
 * `WebhookTemplateError` for an unknown variable or a JSON template that does not render valid JSON.
 * @example renderWebhookBody(notification, { ...webhook, bodyTemplate: '{"text": "{{title}}"}' }, { sentAt: Date.now() })
 */
export function renderWebhookBody(
  notification: RenderedNotification,
  webhook: Pick<WebhookConfig, 'bodyTemplate' | 'headers'>,
  context: WebhookRenderContext,
): RenderedWebhookBody {
  const ownContentType = contentTypeHeader(webhook.headers) === undefined;
  if (webhook.bodyTemplate === null) {
    return {
      body: JSON.stringify(webhookPayload(notification, context)),
      contentType: ownContentType ? JSON_CONTENT_TYPE : null,
    };
  }
  const unknown = unknownTemplateVariables(webhook.bodyTemplate);
  if (unknown.length > 0) {
    throw new WebhookTemplateError(
      `the body template uses unknown variables ${unknown.map((name) => `{{${name}}}`).join(', ')}; known: ${WEBHOOK_TEMPLATE_VARIABLES.join(', ')}`,
    );
  }
  const json = isJsonTemplate(webhook.bodyTemplate, webhook.headers);
  const body = substitute(webhook.bodyTemplate, templateValues(notification, context), json);
  if (json) {
    try {
      JSON.parse(body);
    } catch (error) {
      throw new WebhookTemplateError(
        `the body template is JSON but does not render valid JSON (${error instanceof Error ? error.message : String(error)}); check its quotes and commas`,
      );
    }
  }
  return { body, contentType: ownContentType ? (json ? JSON_CONTENT_TYPE : TEXT_CONTENT_TYPE) : null };
}
