// DingTalk's markdown subset (dingtalk-robot.md §3.3) rendered to safe HTML for the sandbox page.
// Every piece of text is HTML-escaped before any markup is added; links keep only http(s) and
// dingtalk: URLs. Like DingTalk, a single newline does not break the line — a blank line or two
// trailing spaces do — so the page shows what the group would see.

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** http(s) and DingTalk deep links only; `javascript:` and friends are shown as text. */
export function isSafeUrl(url: string): boolean {
  return /^(https?:\/\/|dingtalk:\/\/)/i.test(url);
}

/**
 * Wraps each `@value` (escaped text in, escaped text out) in a highlight.
 * @example highlightMentions('ping @138', ['138']) // 'ping <span class="mention">@138</span>'
 */
export function highlightMentions(escaped: string, values: readonly string[]): string {
  let html = escaped.replace(/[\uE001\uE002]/g, '');
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    const needle = `@${escapeHtml(value)}`;
    html = html.split(needle).join(`\uE001${needle}\uE002`);
  }
  return html.replaceAll('\uE001', '<span class="mention">').replaceAll('\uE002', '</span>');
}

/** Inline markup on already-escaped text: images, links, bold, italic, `<font color>`, mentions. */
function renderInline(escaped: string, mentions: readonly string[]): string {
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE000`;
  let html = escaped
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, function image(_all, alt: string, url: string) {
      const label = `<span class="image">[图片${alt === '' ? '' : ` ${alt}`}]</span>`;
      return hold(
        isSafeUrl(url) ? `<a href="${url}" rel="noopener noreferrer" target="_blank">${label}</a>` : label,
      );
    })
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function link(all, text: string, url: string) {
      return isSafeUrl(url)
        ? hold(`<a href="${url}" rel="noopener noreferrer" target="_blank">${text}</a>`)
        : all;
    });
  html = html
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\s](?:[^*]*[^*\s])?)\*/g, '$1<em>$2</em>')
    .replace(
      /&lt;font color=(?:&quot;|&#39;)?(#?[A-Za-z0-9]{1,20})(?:&quot;|&#39;)?&gt;(.*?)&lt;\/font&gt;/gi,
      '<span style="color:$1">$2</span>',
    );
  html = highlightMentions(html, mentions);
  return html.replace(/\uE000(\d+)\uE000/g, (_all, index: string) => held[Number(index)] ?? '');
}

type Block =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'quote'; readonly lines: string[] }
  | { readonly kind: 'list'; readonly ordered: boolean; readonly items: string[] }
  | { readonly kind: 'code'; readonly lines: string[] }
  | { readonly kind: 'paragraph'; readonly lines: string[] };

function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let inCode = false;
  for (const line of markdown.replace(/[\uE000-\uE002]/g, '').split(/\r?\n/)) {
    if (inCode) {
      if (/^\s*```/.test(line)) inCode = false;
      else if (current?.kind === 'code') current.lines.push(line);
      continue;
    }
    if (/^\s*```/.test(line)) {
      inCode = true;
      current = { kind: 'code', lines: [] };
      blocks.push(current);
      continue;
    }
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,9}[.)]\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      current = undefined;
    } else if (quote) {
      if (current?.kind !== 'quote') blocks.push((current = { kind: 'quote', lines: [] }));
      current.lines.push(quote[1] ?? '');
    } else if (bullet || numbered) {
      const ordered = numbered !== null && bullet === null;
      if (current?.kind !== 'list' || current.ordered !== ordered) {
        blocks.push((current = { kind: 'list', ordered, items: [] }));
      }
      current.items.push((bullet ?? numbered)?.[1] ?? '');
    } else if (current?.kind === 'paragraph' || current?.kind === 'quote') {
      current.lines.push(line);
    } else {
      blocks.push((current = { kind: 'paragraph', lines: [line] }));
    }
  }
  return blocks;
}

/** Joins a block's lines the DingTalk way: two trailing spaces break the line, one newline does not. */
function joinLines(lines: readonly string[], mentions: readonly string[]): string {
  return lines
    .map((line, index) => {
      const html = renderInline(escapeHtml(line.trimEnd()), mentions);
      const last = index === lines.length - 1;
      return last ? html : `${html}${line.endsWith('  ') ? '<br>' : ' '}`;
    })
    .join('');
}

/**
 * Renders DingTalk markdown to HTML that is safe to put in the page; `mentions` are the values whose
 * `@value` is highlighted (those that would notify).
 * @example renderMarkdown('### 告警\n\n**CPU** > 90%') // '<h3>告警</h3>\n<p><strong>CPU</strong> &gt; 90%</p>'
 */
export function renderMarkdown(markdown: string, mentions: readonly string[] = []): string {
  return parseBlocks(markdown)
    .map(function renderBlock(block) {
      switch (block.kind) {
        case 'heading':
          return `<h${block.level}>${renderInline(escapeHtml(block.text), mentions)}</h${block.level}>`;
        case 'quote':
          return `<blockquote>${joinLines(block.lines, mentions)}</blockquote>`;
        case 'list': {
          const tag = block.ordered ? 'ol' : 'ul';
          const items = block.items.map((item) => `<li>${renderInline(escapeHtml(item), mentions)}</li>`);
          return `<${tag}>${items.join('')}</${tag}>`;
        }
        case 'code':
          return `<pre>${escapeHtml(block.lines.join('\n'))}</pre>`;
        case 'paragraph':
          return `<p>${joinLines(block.lines, mentions)}</p>`;
      }
    })
    .join('\n');
}
