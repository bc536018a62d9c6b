// Escaping, plain-text reduction and safe shortening of DingTalk markdown.
import { describe, expect, it } from 'vitest';
import {
  escapeMarkdownInline,
  isClosedMarkdown,
  jsonStringBytes,
  markdownLinkUrl,
  markdownToPlainText,
  shortenMarkdown,
  shortenPlainText,
} from './markdown-text.js';

describe('escapeMarkdownInline', () => {
  it('escapes emphasis, link, code and tag characters and folds line breaks into spaces', () => {
    expect(escapeMarkdownInline('*prod* [db_1]\n`x` <font>')).toBe(
      '\\*prod\\* \\[db\\_1\\] \\`x\\` \\<font\\>',
    );
  });

  it('escapes a leading heading, list or ordered-list marker', () => {
    expect(escapeMarkdownInline('# not a heading')).toBe('\\# not a heading');
    expect(escapeMarkdownInline('- not a list')).toBe('\\- not a list');
    expect(escapeMarkdownInline('1. not a list')).toBe('1\\. not a list');
  });
});

describe('markdownLinkUrl', () => {
  it('percent-encodes the characters that would end a markdown link target', () => {
    expect(markdownLinkUrl('https://x/a (b)<c>')).toBe('https://x/a%20%28b%29%3Cc%3E');
  });
});

describe('markdownToPlainText', () => {
  it('drops markup, keeps link text and, when asked, the URL', () => {
    const markdown = '### **db-1** is *down*\n> see [view](https://x/1) <font color=#f00>now</font> \\*';
    expect(markdownToPlainText(markdown, { keepUrls: false })).toBe('db-1 is down\nsee view now *');
    expect(markdownToPlainText(markdown, { keepUrls: true })).toBe(
      'db-1 is down\nsee view (https://x/1) now *',
    );
  });
});

describe('isClosedMarkdown', () => {
  it('tells complete constructs from ones left open', () => {
    expect(isClosedMarkdown('**a** [b](https://c) `d` <font color=red>e</font>\n- *f*')).toBe(true);
    expect(isClosedMarkdown('**a')).toBe(false);
    expect(isClosedMarkdown('[b](https://c')).toBe(false);
    expect(isClosedMarkdown('[b')).toBe(false);
    expect(isClosedMarkdown('<font color=red>e')).toBe(false);
    expect(isClosedMarkdown('\\*\\* escaped')).toBe(true);
  });
});

describe('shortenMarkdown', () => {
  it('returns markdown that fits unchanged', () => {
    expect(shortenMarkdown('**short**', 100)).toBe('**short**');
  });

  it('keeps whole lines and turns the cut line into escaped plain text ending with an ellipsis', () => {
    const markdown = `- **host** 10.0.0.7\n- value [${'x'.repeat(200)}](https://console/e/1) **${'y'.repeat(200)}**`;
    const shortened = shortenMarkdown(markdown, 100);
    expect(jsonStringBytes(shortened)).toBeLessThanOrEqual(100);
    expect(shortened.startsWith('- **host** 10.0.0.7\n')).toBe(true);
    expect(shortened.endsWith('…')).toBe(true);
    expect(isClosedMarkdown(shortened)).toBe(true);
    expect(shortened).not.toContain('](');
  });

  it('never ends inside a bold run that spans lines', () => {
    const markdown = `**start\n${'中'.repeat(100)}\nend**`;
    const shortened = shortenMarkdown(markdown, 120);
    expect(jsonStringBytes(shortened)).toBeLessThanOrEqual(120);
    expect(isClosedMarkdown(shortened)).toBe(true);
    expect(shortened.startsWith('start')).toBe(true);
  });

  it('gives up to an empty string only when not even the ellipsis fits', () => {
    expect(shortenMarkdown('**abc** def', 2)).toBe('');
    expect(shortenMarkdown('**abc** def', 3)).toBe('…');
  });
});

describe('shortenPlainText', () => {
  it('cuts between code points, never inside a surrogate pair', () => {
    const shortened = shortenPlainText('😀'.repeat(10), 11);
    expect(shortened).toBe('😀😀…');
    expect(jsonStringBytes(shortened)).toBeLessThanOrEqual(11);
  });

  it('counts JSON escapes: quotes, backslashes and control characters take more than one byte', () => {
    const shortened = shortenPlainText('"\\\u0001'.repeat(50), 40);
    expect(jsonStringBytes(shortened)).toBeLessThanOrEqual(40);
    expect(jsonStringBytes(shortened)).toBeGreaterThan(30);
  });
});
