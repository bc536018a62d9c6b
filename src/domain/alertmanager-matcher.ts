// Alertmanager label matchers (`severity=~"critical|warning"`, `team="ops"`, `alertname!="Watchdog"`):
// parsed the way Alertmanager 0.25 parses one entry of a route's `matchers` list, and matched against
// an alert's labels. A label the alert lacks reads as the empty string, as in Alertmanager.

export const MATCH_OPERATORS = ['=', '!=', '=~', '!~'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export interface LabelMatcher {
  readonly name: string;
  readonly operator: MatchOperator;
  /** The value unquoted and unescaped; for `=~` and `!~` the regular expression's source. */
  readonly value: string;
  /** For `=~` and `!~`: the expression anchored at both ends, as Alertmanager anchors it. */
  readonly regex: RegExp | null;
}

export type ParsedMatcher =
  { readonly ok: true; readonly matcher: LabelMatcher } | { readonly ok: false; readonly reason: string };

/** The longest matcher accepted; a routing table is configuration, not data. */
export const MAX_MATCHER_LENGTH = 1000;

// Alertmanager's own pattern (pkg/labels/parse.go): a label name, an operator, the rest is the value.
const MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/**
 * Go's RE2 takes flags as a leading `(?i)`; JavaScript takes them after the expression. The flags RE2
 * and JavaScript share are moved over; anything else is left for RegExp to refuse.
 */
function jsRegex(source: string): RegExp {
  let flags = '';
  let body = source;
  const leading = /^\(\?([ims]+)\)/.exec(source);
  if (leading) {
    flags = [...new Set(leading[1])].join('');
    body = source.slice(leading[0].length);
  }
  // RE2 is Unicode-aware (`\pL`, `.` is one code point); JavaScript's `u` mode is closest but refuses
  // identity escapes such as `\-` that RE2 allows, so those fall back to the plain mode.
  try {
    return new RegExp(`^(?:${body})$`, `${flags}u`);
  } catch {
    return new RegExp(`^(?:${body})$`, flags);
  }
}

/** Undoes Alertmanager's escapes in a (possibly double-quoted) value: `\"`, `\\`, `\n`. */
function unquote(raw: string): { value: string } | { problem: string } {
  let text = raw;
  let expectClosingQuote = false;
  if (text.startsWith('"')) {
    text = text.slice(1);
    expectClosingQuote = true;
  }
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i < text.length - 1) {
      const next = text[++i]!;
      // A spurious escape (`\d` in a regex) keeps its backslash, as in Alertmanager.
      value += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
    } else if (char === '"') {
      if (!expectClosingQuote || i < text.length - 1) {
        return {
          problem: text.slice(i + 1).match(/^\s*,/)
            ? 'holds more than one matcher: put each in its own list entry'
            : 'the value has an unescaped double quote (write \\")',
        };
      }
      expectClosingQuote = false;
    } else {
      value += char;
    }
  }
  if (expectClosingQuote) return { problem: 'the value opens a double quote it does not close' };
  // Alertmanager's config would split `team=ops,severity=critical` into two matchers; one entry is one.
  if (!raw.startsWith('"') && /,\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(=~|=|!=|!~)/.test(value)) {
    return { problem: 'holds more than one matcher: put each in its own list entry' };
  }
  return { value };
}

/**
 * Parses one matcher as Alertmanager writes it: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`; the quotes may be left out of simple values (`team=ops`).
 * @example parseMatcher('severity=~"critical|warning"') // { ok: true, matcher: { name: 'severity', operator: '=~', … } }
 */
export function parseMatcher(text: string): ParsedMatcher {
  if (text.length > MAX_MATCHER_LENGTH) {
    return { ok: false, reason: `must be at most ${MAX_MATCHER_LENGTH} characters` };
  }
  const parts = MATCHER.exec(text);
  if (!parts) {
    return {
      ok: false,
      reason:
        'must be a label name, an operator (= != =~ !~) and a value, e.g. severity="critical" or team=~"ops|sre"',
    };
  }
  const [, name, operator, raw] = parts as unknown as [string, string, MatchOperator, string];
  const unquoted = unquote(raw);
  if ('problem' in unquoted) return { ok: false, reason: unquoted.problem };
  let regex: RegExp | null = null;
  if (operator === '=~' || operator === '!~') {
    try {
      regex = jsRegex(unquoted.value);
    } catch (error) {
      const detail = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
      return { ok: false, reason: `the value is not a valid regular expression: ${detail}` };
    }
  }
  return { ok: true, matcher: { name, operator, value: unquoted.value, regex } };
}

/** Whether `labels` satisfy the matcher; a missing label is the empty string. */
export function matcherMatches(matcher: LabelMatcher, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, matcher.name) ? labels[matcher.name]! : '';
  switch (matcher.operator) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex!.test(value);
    case '!~':
      return !matcher.regex!.test(value);
  }
}

/** Whether `labels` satisfy every matcher; no matchers match everything (a catch-all route). */
export function matchersMatch(
  matchers: readonly LabelMatcher[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return matchers.every((matcher) => matcherMatches(matcher, labels));
}
