// The `{{variable}}` language of a policy's own notification title and body: plain substitution of a
// fixed set of names, nothing executed. docs/templates.md documents the variables; keep it in sync.

/** The names a policy's template may use, each written `{{name}}` (spaces inside the braces allowed). */
export const NOTIFICATION_TEMPLATE_VARIABLES = [
  'policy.name',
  'policy.id',
  'severity',
  'state',
  'target',
  'dimension.key',
  'dimension.value',
  'rules',
  'value',
  'startedAt',
  'endedAt',
  'duration',
  'links.view',
  'links.acknowledge',
  'links.silence',
] as const;

/**
 * `labels.NAME`: a label of the event's series — a Prometheus policy's result labels, the dimension of
 * a built-in one (`labels.host`). Empty when the series has no such label.
 */
export type LabelVariable = `labels.${string}`;

export type NotificationTemplateVariable = (typeof NOTIFICATION_TEMPLATE_VARIABLES)[number] | LabelVariable;

/** The label a `labels.NAME` variable names, or null for the other variables. */
export function labelOfVariable(variable: NotificationTemplateVariable): string | null {
  return variable.startsWith(LABEL_PREFIX) ? variable.slice(LABEL_PREFIX.length) : null;
}

/** A template cut into literal text and the variables between it, in order. */
export type NotificationTemplatePart =
  { readonly text: string } | { readonly variable: NotificationTemplateVariable };

export interface ParsedNotificationTemplate {
  /** Unknown variables and stray `{{` are kept as text here, so a template is never lost. */
  readonly parts: readonly NotificationTemplatePart[];
  /** Empty when the template is valid. */
  readonly problems: readonly string[];
}

export const MAX_TEMPLATE_TITLE_LENGTH = 200;
export const MAX_TEMPLATE_BODY_LENGTH = 4000;

const KNOWN: ReadonlySet<string> = new Set(NOTIFICATION_TEMPLATE_VARIABLES);
const LABEL_PREFIX = 'labels.';
/**
 * `{{ name }}` with a dotted name, or `{{ labels.NAME }}` with a label name as Prometheus and
 * OpenTelemetry write them (`instance`, `jvm_gc_name`, `http.route`); sticky so parsing walks the
 * template once.
 */
const PLACEHOLDER =
  /\{\{\s*(labels\.[A-Za-z_][A-Za-z0-9_.]*|[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\s*\}\}/y;

function isVariable(name: string): name is NotificationTemplateVariable {
  return KNOWN.has(name) || (name.startsWith(LABEL_PREFIX) && name.length > LABEL_PREFIX.length);
}

/**
 * Cuts `template` into text and variables, and lists every problem: an unknown variable, or a `{{` that
 * does not open one (a typo like `{{policy name}}` should not reach a DingTalk group verbatim).
 * @example parseNotificationTemplate('[{{severity}}] {{policy.name}}')
 */
export function parseNotificationTemplate(template: string): ParsedNotificationTemplate {
  const parts: NotificationTemplatePart[] = [];
  const problems: string[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (!template.startsWith('{{', i)) {
      text += template[i];
      i += 1;
      continue;
    }
    PLACEHOLDER.lastIndex = i;
    const match = PLACEHOLDER.exec(template);
    if (!match) {
      problems.push(
        `"{{" at character ${i + 1} does not start a variable such as {{policy.name}}; ` +
          'write {{name}} with one of the documented names',
      );
      text += '{{';
      i += 2;
      continue;
    }
    const name = match[1]!;
    if (isVariable(name)) {
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ variable: name });
    } else {
      problems.push(
        `unknown variable {{${name}}}; known: ${NOTIFICATION_TEMPLATE_VARIABLES.join(', ')}, labels.NAME`,
      );
      text += match[0];
    }
    i += match[0].length;
  }
  if (text !== '') parts.push({ text });
  return { parts, problems };
}

/**
 * The template with each variable replaced by `valueOf(variable)`. Policies are validated on the way
 * in; should a stored template still hold a bad placeholder, it stays as text rather than losing the
 * alert.
 * @example fillNotificationTemplate('[{{severity}}] {{policy.name}}', (name) => values[name])
 */
export function fillNotificationTemplate(
  template: string,
  valueOf: (variable: NotificationTemplateVariable) => string,
): string {
  return parseNotificationTemplate(template)
    .parts.map((part) => ('text' in part ? part.text : valueOf(part.variable)))
    .join('');
}
