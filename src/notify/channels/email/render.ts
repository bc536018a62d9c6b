// A notification as an e-mail: the title as subject, a plain-text part and an HTML part. Everything from
// the notification is escaped in the HTML; markdown becomes a small set of safe tags (markdown-html.ts).
import type { Severity } from '../../../domain/alert-policy.js';
import type { RenderedNotification } from '../../rendered-notification.js';
import { markdownToPlainText } from '../dingtalk/markdown-text.js';
import { escapeHtml, markdownToHtml } from './markdown-html.js';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The colour of an event's left border, most severe reddest, as the console shows severities. */
const SEVERITY_COLOURS = {
  P1: '#cf1322',
  P2: '#fa541c',
  P3: '#faad14',
  P4: '#1677ff',
} as const satisfies Record<Severity, string>;

const FOOTER = { 'zh-CN': '由 Tocsin 发送', en: 'Sent by Tocsin' } as const;

/** Subjects are one line: line breaks (which nodemailer would fold anyway) become spaces. */
function subjectOf(title: string): string {
  return title.replace(/\s+/g, ' ').trim();
}

function plainText(notification: RenderedNotification): string {
  const parts = [
    subjectOf(notification.title),
    markdownToPlainText(notification.summary, { keepUrls: true }),
    ...notification.items.map((item) => markdownToPlainText(item.markdown, { keepUrls: true })),
    notification.links.map((link) => `${link.title}: ${link.url}`).join('\n'),
    `-- \n${FOOTER[notification.locale]}`,
  ];
  return `${parts.filter((part) => part.trim() !== '').join('\n\n')}\n`;
}

function linkHtml(title: string, url: string): string {
  // Links come from Tocsin's own console URL, but stay defensive: only http(s) becomes a link.
  if (!/^https?:\/\//i.test(url)) return escapeHtml(`${title}: ${url}`);
  return `<a href="${escapeHtml(url)}" style="color:#1677ff">${escapeHtml(title)}</a>`;
}

function html(notification: RenderedNotification): string {
  const items = notification.items
    .map(
      (item) =>
        `<div style="border-left:4px solid ${SEVERITY_COLOURS[item.severity]};padding:2px 12px;margin:12px 0">${markdownToHtml(item.markdown)}</div>`,
    )
    .join('\n');
  const links = notification.links.map((link) => linkHtml(link.title, link.url)).join(' &middot; ');
  const lang = notification.locale === 'zh-CN' ? 'zh-CN' : 'en';
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subjectOf(notification.title))}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f1f1f">',
    `<h2 style="font-size:18px">${escapeHtml(notification.title)}</h2>`,
    markdownToHtml(notification.summary),
    items,
    links === '' ? '' : `<p>${links}</p>`,
    `<p style="color:#8c8c8c;font-size:12px">${escapeHtml(FOOTER[notification.locale])}</p>`,
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The subject and both parts of the e-mail for `notification`.
 * @example const { subject, text, html } = renderEmail(notification);
 */
export function renderEmail(notification: RenderedNotification): RenderedEmail {
  return { subject: subjectOf(notification.title), text: plainText(notification), html: html(notification) };
}
