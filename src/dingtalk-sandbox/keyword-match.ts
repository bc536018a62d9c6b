// The custom-keyword (自定义关键词) check of dingtalk-robot.md §2a: a message passes when one of the
// robot's keywords is a substring of one of its user-visible strings. Which fields count is undocumented,
// so the list is configurable; the default searches every visible string, titles included.
import { isRecord } from './message-schemas.js';

/**
 * Paths of the strings searched, `msgtype.field`; a segment that is an array is searched element by
 * element (`feedCard.links.title` is the title of every link).
 */
export const DEFAULT_KEYWORD_FIELDS: readonly string[] = [
  'text.content',
  'link.title',
  'link.text',
  'markdown.title',
  'markdown.text',
  'actionCard.title',
  'actionCard.text',
  'actionCard.singleTitle',
  'actionCard.btns.title',
  'feedCard.links.title',
];

function collectStrings(value: unknown, path: readonly string[], into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, path, into);
    return;
  }
  const [head, ...rest] = path;
  if (head === undefined) {
    if (typeof value === 'string') into.push(value);
    return;
  }
  if (isRecord(value)) collectStrings(value[head], rest, into);
}

/** The strings of `body` the keyword check searches. */
export function keywordSearchTexts(
  body: Readonly<Record<string, unknown>>,
  fields: readonly string[] = DEFAULT_KEYWORD_FIELDS,
): string[] {
  const texts: string[] = [];
  for (const field of fields) collectStrings(body, field.split('.'), texts);
  return texts;
}

export interface KeywordCheck {
  readonly body: Readonly<Record<string, unknown>>;
  readonly keywords: readonly string[];
  readonly fields?: readonly string[];
  /** DingTalk does not document case handling; the default is an exact (case-sensitive) match. */
  readonly caseSensitive?: boolean;
}

export function containsKeyword(check: KeywordCheck): boolean {
  const fold = (text: string) => (check.caseSensitive === false ? text.toLowerCase() : text);
  const texts = keywordSearchTexts(check.body, check.fields).map(fold);
  return check.keywords.some((keyword) => texts.some((text) => text.includes(fold(keyword))));
}
