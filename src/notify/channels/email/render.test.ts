// A notification as an e-mail: subject on one line, the plain-text part readable, the HTML part escaped.
import { describe, expect, it } from 'vitest';
import type { RenderedNotification } from '../../rendered-notification.js';
import { renderEmail } from './render.js';

const RESOLVED: RenderedNotification = {
  kind: 'resolved',
  title: '[P3 Resolved]\nDisk <full> on db-1',
  summary: '1 resolved',
  items: [{ severity: 'P3', markdown: '- **db-1**: free disk back to 40%, lasted 12 min' }],
  links: [
    { title: 'View', url: 'https://tocsin.example/events/9' },
    { title: 'Bad', url: 'javascript:alert(1)' },
  ],
  locale: 'en',
};

describe('renderEmail', () => {
  it('puts the title on one subject line', () => {
    expect(renderEmail(RESOLVED).subject).toBe('[P3 Resolved] Disk <full> on db-1');
  });

  it('writes a plain-text part with markup removed and links spelled out', () => {
    expect(renderEmail(RESOLVED).text).toBe(
      '[P3 Resolved] Disk <full> on db-1\n\n1 resolved\n\n- db-1: free disk back to 40%, lasted 12 min\n\nView: https://tocsin.example/events/9\nBad: javascript:alert(1)\n\n-- \nSent by Tocsin\n',
    );
  });

  it('writes an HTML part with the title escaped, the item in its severity colour and only http links', () => {
    const { html } = renderEmail(RESOLVED);
    expect(html).toContain('<h2 style="font-size:18px">[P3 Resolved]\nDisk &lt;full&gt; on db-1</h2>');
    expect(html).toContain('border-left:4px solid #faad14');
    expect(html).toContain('<a href="https://tocsin.example/events/9" style="color:#1677ff">View</a>');
    expect(html).toContain('Bad: javascript:alert(1)');
    expect(html).not.toContain('href="javascript');
  });
});
