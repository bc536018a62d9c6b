// Markdown as DingTalk's robot renders it (dingtalk-robot.md §3.3): escaping user text, reducing markdown
// to plain text, and shortening a block to a byte budget without ever cutting inside a link, bold,
// italic, code span or <font> tag — a cut construct would garble the rest of the message.

export const ELLIPSIS = '…';

/** Bytes a string adds to a JSON body: its UTF-8 length once JSON-escaped, without the quotes. */
export function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * Escapes text for use inside one markdown line (a heading, a link title, a plain fragment): line
 * breaks become spaces, inline markup characters are backslash-escaped, and a leading character that
 * would start a heading, quote, list or setext underline is escaped too.
 * @example escapeMarkdownInline('*prod* [db]') // '\\*prod\\* \\[db\\]'
 */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]<>]/g, '\\$&')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*)(\d+)\./, '$1$2\\.');
}

/** A URL made safe inside `[title](url)`: whitespace, parentheses and angle brackets would end the link. */
export function markdownLinkUrl(url: string): string {
  return url.trim().replace(/[\s()<>]/g, function encodeLinkBreaker(char) {
    if (char === '(') return '%28';
    if (char === ')') return '%29';
    return encodeURIComponent(char);
  });
}

/**
 * Markdown reduced to what a reader would see, for `text` messages and for shortened fragments:
 * markup removed, links as their text (plus ` (url)` when `keepUrls`), escapes undone.
 */
export function markdownToPlainText(markdown: string, options: { readonly keepUrls: boolean }): string {
  return markdown
    .replace(/^ {0,3}```.*$/gm, '')
    .replace(/<\/?[A-Za-z][^<>]*>/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, function linkText(_match, text: string, url: string) {
      return options.keepUrls && url !== '' ? `${text} (${url})` : text;
    })
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\\*\w])\*(?=[^\s*])([^*\n]*?[^\s*\\])\*(?!\w)/g, '$1$2')
    .replace(/`([^`\n]*)`/g, '$1')
    .replace(/^ {0,3}#{1,6}\s+/gm, '')
    .replace(/^ {0,3}>\s?/gm, '')
    .replace(/\\([\\`*_[\]()#<>!|~{}+\-.=])/g, '$1');
}

/** Open constructs after some lines: each must be even (pairs) or zero (nesting) at a safe boundary. */
interface OpenConstructs {
  readonly fences: number;
  readonly backticks: number;
  readonly doubleStars: number;
  readonly doubleUnderscores: number;
  readonly singleStars: number;
  readonly brackets: number;
  readonly fontTags: number;
  /** The last line ends inside a link target `](…` or an HTML tag `<font …`. */
  readonly endsInside: boolean;
}

const NOTHING_OPEN: OpenConstructs = {
  fences: 0,
  backticks: 0,
  doubleStars: 0,
  doubleUnderscores: 0,
  singleStars: 0,
  brackets: 0,
  fontTags: 0,
  endsInside: false,
};

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function addLine(open: OpenConstructs, line: string): OpenConstructs {
  const unescaped = line.replace(/\\[\s\S]/g, '');
  const withoutFences = unescaped.replace(/```/g, '');
  const withoutBold = withoutFences.replace(/\*\*/g, '').replace(/^\s*\*\s/, '');
  return {
    fences: open.fences + count(unescaped, /```/g),
    backticks: open.backticks + count(withoutFences, /`/g),
    doubleStars: open.doubleStars + count(withoutFences, /\*\*/g),
    doubleUnderscores: open.doubleUnderscores + count(withoutFences, /__/g),
    singleStars: open.singleStars + count(withoutBold, /\*/g),
    brackets: open.brackets + count(unescaped, /\[/g) - count(unescaped, /\]/g),
    fontTags: open.fontTags + count(unescaped, /<font\b/gi) - count(unescaped, /<\/font\s*>/gi),
    endsInside: /\]\([^)]*$/.test(unescaped) || /<[A-Za-z/][^>]*$/.test(unescaped),
  };
}

function isClosed(open: OpenConstructs): boolean {
  return (
    open.fences % 2 === 0 &&
    open.backticks % 2 === 0 &&
    open.doubleStars % 2 === 0 &&
    open.doubleUnderscores % 2 === 0 &&
    open.singleStars % 2 === 0 &&
    open.brackets === 0 &&
    open.fontTags === 0 &&
    !open.endsInside
  );
}

/** Whether `markdown` leaves no link, emphasis, code span, fence or <font> tag open. */
export function isClosedMarkdown(markdown: string): boolean {
  return isClosed(markdown.split('\n').reduce(addLine, NOTHING_OPEN));
}

/** The first `limit` code points of `text`, without splitting a surrogate pair. */
function firstCodePoints(text: string, limit: number): string[] {
  const codePoints: string[] = [];
  for (const codePoint of text) {
    if (codePoints.length >= limit) break;
    codePoints.push(codePoint);
  }
  return codePoints;
}

/** The longest prefix of `codePoints` whose rendering (`render`) fits `maxBytes`, by bisection. */
function longestFittingPrefix(
  codePoints: readonly string[],
  maxBytes: number,
  render: (text: string) => string,
): string {
  let low = 0;
  let high = codePoints.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonStringBytes(render(codePoints.slice(0, middle).join(''))) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  return render(codePoints.slice(0, low).join('').trimEnd());
}

/**
 * Plain text cut to at most `maxBytes` (JSON-escaped UTF-8), ending with "…" when cut. Cuts fall between
 * code points, so a surrogate pair is never split. Returns '' when not even "…" fits.
 */
export function shortenPlainText(text: string, maxBytes: number): string {
  if (jsonStringBytes(text) <= maxBytes) return text;
  const room = maxBytes - jsonStringBytes(ELLIPSIS);
  if (room < 0) return '';
  // Every code point costs at least one byte, so later ones can never fit.
  const codePoints = firstCodePoints(text, room + 1);
  return longestFittingPrefix(codePoints, room, (part) => part) + ELLIPSIS;
}

/**
 * Markdown cut to at most `maxBytes` (JSON-escaped UTF-8), ending with "…" when cut. Whole lines are
 * kept up to the last line break where no construct is open; what follows is reduced to plain,
 * escaped text and cut between code points, so the result never ends inside a link or emphasis.
 * Returns '' when not even "…" fits.
 * @example shortenMarkdown('**db-1** [view](https://x/y)\nlong…', 40)
 */
export function shortenMarkdown(markdown: string, maxBytes: number): string {
  if (jsonStringBytes(markdown) <= maxBytes) return markdown;
  const ellipsisBytes = jsonStringBytes(ELLIPSIS);
  const newlineBytes = jsonStringBytes('\n');
  if (maxBytes < ellipsisBytes) return '';

  const lines = markdown.split('\n');
  let open = NOTHING_OPEN;
  let bytes = -newlineBytes;
  let keptLines = 0;
  let keptBytes = 0;
  for (const [index, line] of lines.entries()) {
    bytes += newlineBytes + jsonStringBytes(line);
    if (bytes + newlineBytes + ellipsisBytes > maxBytes) break;
    open = addLine(open, line);
    if (isClosed(open)) {
      keptLines = index + 1;
      keptBytes = bytes;
    }
  }
  const prefix = lines.slice(0, keptLines).join('\n');
  const room = maxBytes - ellipsisBytes - (keptLines > 0 ? keptBytes + newlineBytes : 0);
  const rest = markdownToPlainText(lines.slice(keptLines).join('\n'), { keepUrls: false })
    .replace(/\s+/g, ' ')
    .trim();
  const codePoints = firstCodePoints(rest, room + 1);
  const tail = longestFittingPrefix(codePoints, room, escapeMarkdownInline);
  return keptLines > 0 ? `${prefix}\n${tail}${ELLIPSIS}` : `${tail}${ELLIPSIS}`;
}
