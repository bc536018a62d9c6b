// The page's markdown renderer: DingTalk's subset, and nothing from a message ever becomes live HTML.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './render-markdown.js';

describe('renderMarkdown', () => {
  it('renders headings, bold, italic, links, lists and quotes', () => {
    const html = renderMarkdown(
      '### 告警 **P1**\n\n- CPU *high*\n- [查看](https://tocsin.example/e/1)\n\n1. one\n2. two\n\n> quoted',
    );
    expect(html).toBe(
      [
        '<h3>告警 <strong>P1</strong></h3>',
        '<ul><li>CPU <em>high</em></li><li><a href="https://tocsin.example/e/1" rel="noopener noreferrer" target="_blank">查看</a></li></ul>',
        '<ol><li>one</li><li>two</li></ol>',
        '<blockquote>quoted</blockquote>',
      ].join('\n'),
    );
  });

  it('ignores a single newline like DingTalk, and breaks on a blank line or two trailing spaces', () => {
    expect(renderMarkdown('a\nb')).toBe('<p>a b</p>');
    expect(renderMarkdown('a  \nb')).toBe('<p>a<br>b</p>');
    expect(renderMarkdown('a\n\nb')).toBe('<p>a</p>\n<p>b</p>');
  });

  it('escapes HTML in text, titles and link labels, and never links a javascript: URL', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> [x](javascript:alert(1)) [<b>y</b>](https://e.x/"onmouseover=1)',
    );
    expect(html).not.toMatch(/<script|<b>|href="javascript/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('[x](javascript:alert(1))');
    expect(html).toContain('href="https://e.x/&quot;onmouseover=1"');
  });

  it('keeps "*" and "_" inside link URLs intact and shows images as a placeholder link', () => {
    expect(renderMarkdown('[a](https://e.x/*b*) ![chart](https://e.x/c.png)')).toBe(
      '<p><a href="https://e.x/*b*" rel="noopener noreferrer" target="_blank">a</a> ' +
        '<a href="https://e.x/c.png" rel="noopener noreferrer" target="_blank"><span class="image">[图片 chart]</span></a></p>',
    );
  });

  it('supports <font color> as senders use it, with only a plain colour value', () => {
    expect(renderMarkdown('<font color=#FF0000>down</font>')).toBe(
      '<p><span style="color:#FF0000">down</span></p>',
    );
    expect(renderMarkdown('<font color="red;background:url(x)">x</font>')).not.toContain('style=');
  });

  it('highlights the mentions that would notify', () => {
    expect(renderMarkdown('处理人 @13800000000', ['13800000000'])).toBe(
      '<p>处理人 <span class="mention">@13800000000</span></p>',
    );
  });

  it('shows code fences as escaped preformatted text', () => {
    expect(renderMarkdown('```\n<a> & b\n```')).toBe('<pre>&lt;a&gt; &amp; b</pre>');
  });
});
