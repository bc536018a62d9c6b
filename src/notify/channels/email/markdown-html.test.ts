// Markdown to e-mail HTML: escaped by default, a few constructs as tags, nothing executable.
import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineMarkdownToHtml, markdownToHtml } from './markdown-html.js';

describe('inlineMarkdownToHtml', () => {
  it('escapes HTML special characters in plain text', () => {
    expect(inlineMarkdownToHtml(`a < b & "c" 'd' > e`)).toBe(
      'a &lt; b &amp; &quot;c&quot; &#39;d&#39; &gt; e',
    );
  });

  it('turns bold, code and http links into tags, escaping their contents', () => {
    expect(inlineMarkdownToHtml('**db <1>** `x<y` [see "it"](https://t.example/a?b=1&c=2)')).toBe(
      '<strong>db &lt;1&gt;</strong> <code>x&lt;y</code> <a href="https://t.example/a?b=1&amp;c=2">see &quot;it&quot;</a>',
    );
  });

  it('keeps a javascript: link as text and drops raw tags', () => {
    expect(inlineMarkdownToHtml('[x](javascript:alert(1)) <font color="red">hot</font>')).toBe(
      'x (javascript:alert(1)) hot',
    );
  });

  it('undoes markdown escapes without turning them into markup', () => {
    expect(inlineMarkdownToHtml('\\*not bold\\* \\<b\\>')).toBe('*not bold* &lt;b&gt;');
  });
});

describe('markdownToHtml', () => {
  it('makes lists of - lines, continuing indented lines, and paragraphs of the rest', () => {
    expect(markdownToHtml('### Title\n\n- one\n  more\n- two\nafter')).toBe(
      '<p>Title</p>\n<ul><li>one<br>more</li><li>two</li></ul>\n<p>after</p>',
    );
  });

  it('escapeHtml leaves nothing that can open a tag or an attribute', () => {
    expect(escapeHtml(`<a href='x' onclick="y">`)).not.toMatch(/[<>"']/);
  });
});
