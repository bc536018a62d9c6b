// The channel-neutral markdown of a notification as safe, simple HTML for e-mail: every character of the
// source is HTML-escaped, and only a fixed set of constructs becomes markup — paragraphs, `- ` lists,
// headings, **bold**, `code` and http(s)/mailto links. Raw HTML tags in the markdown are dropped.

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** Only these link targets become `<a href>`; `javascript:` and friends stay plain text. */
function isSafeLinkUrl(url: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(url);
}

// One alternative per construct, tried left to right: an escaped character, a raw tag (dropped), a code
// span, a link, bold. Text between matches is escaped as is.
const INLINE =
  /\\([\\`*_[\]()#<>!|~{}+\-.=])|<\/?[A-Za-z][^<>]*>|`([^`\n]+)`|\[([^\]]*)\]\(([^)\s]*)\)|(\*\*|__)(?=\S)([\s\S]*?\S)\5/g;

/** One line (or a few joined lines) of markdown to inline HTML. */
export function inlineMarkdownToHtml(markdown: string): string {
  let html = '';
  let last = 0;
  for (const match of markdown.matchAll(INLINE)) {
    html += escapeHtml(markdown.slice(last, match.index));
    last = match.index + match[0].length;
    const [, escaped, code, linkText, linkUrl, , bold] = match;
    if (escaped !== undefined) html += escapeHtml(escaped);
    else if (code !== undefined) html += `<code>${escapeHtml(code)}</code>`;
    else if (linkText !== undefined && linkUrl !== undefined) {
      const text = inlineMarkdownToHtml(linkText);
      html += isSafeLinkUrl(linkUrl)
        ? `<a href="${escapeHtml(linkUrl)}">${text === '' ? escapeHtml(linkUrl) : text}</a>`
        : `${text} (${escapeHtml(linkUrl)})`;
    } else if (bold !== undefined) html += `<strong>${inlineMarkdownToHtml(bold)}</strong>`;
    // else: a raw tag, dropped.
  }
  return html + escapeHtml(markdown.slice(last));
}

type Block = { readonly kind: 'paragraph' | 'list'; readonly lines: string[] };

/**
 * A markdown block (a summary, an event item) to HTML: blank lines separate paragraphs, `- `/`* `/`+ `
 * lines make a list (indented lines continue an item), headings and quotes become plain paragraphs.
 * @example markdownToHtml('- **db** <b>down</b>') // '<ul><li><strong>db</strong> down</li></ul>'
 */
export function markdownToHtml(markdown: string): string {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const rawLine of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    const item = /^ {0,3}[-*+]\s+(.*)$/.exec(line);
    if (line.trim() === '' || /^ {0,3}```/.test(line)) {
      current = undefined;
    } else if (item) {
      if (current?.kind !== 'list') blocks.push((current = { kind: 'list', lines: [] }));
      current.lines.push(item[1]!);
    } else if (current?.kind === 'list' && /^\s+\S/.test(line)) {
      current.lines[current.lines.length - 1] += `\n${line.trim()}`;
    } else {
      if (current?.kind !== 'paragraph') blocks.push((current = { kind: 'paragraph', lines: [] }));
      current.lines.push(line.replace(/^ {0,3}(#{1,6}\s+|>\s?)/, ''));
    }
  }
  const inline = (text: string) => text.split('\n').map(inlineMarkdownToHtml).join('<br>');
  return blocks
    .map((block) =>
      block.kind === 'list'
        ? `<ul>${block.lines.map((line) => `<li>${inline(line)}</li>`).join('')}</ul>`
        : `<p>${inline(block.lines.join('\n'))}</p>`,
    )
    .join('\n');
}
