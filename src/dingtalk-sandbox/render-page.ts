// The sandbox's HTML page: each robot with its settings, the messages it accepted rendered roughly as
// the DingTalk group shows them, and its recent attempts with their errcodes. Self-contained (inline
// CSS, no scripts, no external assets) and refreshed by a meta tag.
import type { ReceivedMessage, SandboxAttempt } from './delivery-log.js';
import { isRecord } from './message-schemas.js';
import { escapeHtml, highlightMentions, isSafeUrl, renderMarkdown } from './render-markdown.js';
import type { Robot } from './robot-registry.js';

export interface PageRobot {
  readonly robot: Robot;
  readonly messageCount: number;
  readonly blockedUntil: number | null;
}

export interface PageView {
  readonly robots: readonly PageRobot[];
  /** The robot shown alone (`/robots/:token`), or undefined for every robot (`/`). */
  readonly selectedToken: string | undefined;
  /** Newest first. */
  readonly messages: readonly ReceivedMessage[];
  /** Newest first. */
  readonly attempts: readonly SandboxAttempt[];
  readonly nowMs: number;
  readonly refreshSeconds: number;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;background:#f2f3f5;color:#1f2329}
header{background:#3370ff;color:#fff;padding:10px 20px}header h1{margin:0;font-size:18px}header small{opacity:.85}
.layout{display:flex;gap:16px;padding:16px}nav{width:280px;flex:none}main{flex:1;min-width:0}
nav a.robot{display:block;background:#fff;border-radius:8px;padding:10px;margin-bottom:8px;color:inherit;text-decoration:none;border:2px solid transparent}
nav a.robot.selected{border-color:#3370ff}nav .token{font-family:monospace;word-break:break-all}
.badge{display:inline-block;font-size:12px;border-radius:4px;padding:0 6px;margin:2px 4px 0 0;background:#e8f0ff;color:#245bdb}
.badge.warn{background:#fff1e8;color:#c35a00}.badge.bad{background:#ffeceb;color:#d83931}
.msg{display:flex;gap:10px;margin-bottom:14px}.avatar{width:36px;height:36px;border-radius:50%;background:#3370ff;color:#fff;display:flex;align-items:center;justify-content:center;flex:none;font-weight:bold}
.bubble{background:#fff;border-radius:8px;padding:10px 14px;max-width:640px;min-width:200px;overflow-wrap:anywhere}
.meta{font-size:12px;color:#8f959e;margin-bottom:4px}.preview{font-size:12px;color:#646a73;border-bottom:1px dashed #dee0e3;margin-bottom:6px}
.text{white-space:pre-wrap}.mention{color:#3370ff;font-weight:600}.image{color:#646a73}
.bubble h1,.bubble h2,.bubble h3,.bubble h4,.bubble h5,.bubble h6{margin:6px 0}.bubble p{margin:6px 0}.bubble ul,.bubble ol{margin:6px 0;padding-left:22px}
blockquote{margin:6px 0;padding-left:10px;border-left:3px solid #dee0e3;color:#646a73}pre{background:#f5f6f7;padding:8px;overflow:auto}
.card-title{font-weight:600;margin-bottom:4px}.link-text{color:#646a73;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.buttons{display:flex;gap:8px;margin-top:8px;border-top:1px solid #eff0f1;padding-top:8px}.buttons.vertical{flex-direction:column}
.buttons a,.buttons span{flex:1;text-align:center;color:#3370ff;text-decoration:none}
.feed a{display:block;padding:6px 0;border-bottom:1px solid #eff0f1;color:inherit}
.notify{font-size:12px;margin-top:6px;color:#646a73}.silent{color:#d83931}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px;font-size:12px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eff0f1;vertical-align:top}
td.errmsg{max-width:420px;overflow-wrap:anywhere}.ok{color:#2ea121}.err{color:#d83931}h2{font-size:16px}
.empty{color:#8f959e}
`;

function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function linkTo(url: string, label: string): string {
  return isSafeUrl(url)
    ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer" target="_blank">${label}</a>`
    : `<span>${label}</span>`;
}

function renderButtons(card: Readonly<Record<string, unknown>>): string {
  const vertical = card.btnOrientation !== '1' && card.btnOrientation !== 1;
  const buttons: [string, string][] =
    card.singleTitle !== undefined || card.singleURL !== undefined
      ? [[str(card.singleTitle), str(card.singleURL)]]
      : (Array.isArray(card.btns) ? card.btns : []).map((button: unknown) =>
          isRecord(button) ? [str(button.title), str(button.actionURL)] : ['', ''],
        );
  const links = buttons.map(([title, url]) => linkTo(url, escapeHtml(title)));
  return `<div class="buttons${vertical ? ' vertical' : ''}">${links.join('')}</div>`;
}

function renderMessageBody(message: ReceivedMessage): string {
  const body = message.body;
  const payload = isRecord(body[message.msgtype])
    ? (body[message.msgtype] as Readonly<Record<string, unknown>>)
    : {};
  const mentions = message.mentions.wouldNotify.map((mention) => mention.value);
  switch (message.msgtype) {
    case 'text':
      return `<div class="text">${highlightMentions(escapeHtml(str(payload.content)), mentions)}</div>`;
    case 'markdown':
      return (
        `<div class="preview" title="Shown in the chat list and notification only">${escapeHtml(str(payload.title))}</div>` +
        renderMarkdown(str(payload.text), mentions)
      );
    case 'link':
      return (
        `<div class="card-title">${linkTo(str(payload.messageUrl), escapeHtml(str(payload.title)))}</div>` +
        `<div class="link-text">${escapeHtml(str(payload.text))}</div>` +
        (str(payload.picUrl) === ''
          ? ''
          : `<div class="image">[图片] ${escapeHtml(str(payload.picUrl))}</div>`)
      );
    case 'actionCard':
      return (
        `<div class="preview">${escapeHtml(str(payload.title))}</div>` +
        renderMarkdown(str(payload.text)) +
        renderButtons(payload)
      );
    case 'feedCard': {
      const links = Array.isArray(payload.links) ? payload.links : [];
      const rows = links.map((link: unknown) =>
        isRecord(link)
          ? linkTo(str(link.messageURL), `${escapeHtml(str(link.title))} <span class="image">[图片]</span>`)
          : '',
      );
      return `<div class="feed">${rows.join('')}</div>`;
    }
    case 'image':
      return `<div class="image">[图片] ${escapeHtml(str(payload.picURL))}</div>`;
  }
}

function renderMentions(message: ReceivedMessage): string {
  const { isAtAll, wouldNotify, silent } = message.mentions;
  const parts: string[] = [];
  if (isAtAll) parts.push('<span class="mention">@所有人</span> (isAtAll)');
  if (wouldNotify.length > 0) {
    parts.push(
      `notifies ${wouldNotify.map((m) => `<span class="mention">@${escapeHtml(m.value)}</span>`).join(' ')}`,
    );
  }
  if (silent.length > 0) {
    parts.push(
      `<span class="silent">not notified (not written as @value in the text): ${silent
        .map((m) => `${escapeHtml(m.value)} <small>(${m.list})</small>`)
        .join(', ')}</span>`,
    );
  }
  return parts.length === 0 ? '' : `<div class="notify">${parts.join(' · ')}</div>`;
}

function renderMessage(message: ReceivedMessage, showToken: boolean): string {
  const uuid = message.msgUuid === null ? '' : ` · msgUuid ${escapeHtml(message.msgUuid)}`;
  const robot = showToken ? ` · robot <code>${escapeHtml(message.token)}</code>` : '';
  return (
    `<div class="msg"><div class="avatar">R</div><div class="bubble">` +
    `<div class="meta">#${message.id} · ${escapeHtml(message.msgtype)} · ${formatTime(message.receivedAt)} · ${message.bodyBytes} bytes${robot}${uuid}</div>` +
    renderMessageBody(message) +
    renderMentions(message) +
    `</div></div>`
  );
}

function renderRobotCard(entry: PageRobot, selected: boolean, nowMs: number): string {
  const { robot } = entry;
  const badges: string[] = [];
  if (robot.secret !== undefined) badges.push('<span class="badge">加签 signed</span>');
  if (robot.keywords.length > 0) {
    badges.push(`<span class="badge">keywords: ${robot.keywords.map(escapeHtml).join(' | ')}</span>`);
  }
  if (robot.ipAllowList.length > 0) {
    badges.push(
      `<span class="badge">IP: ${robot.ipAllowList.map((r) => escapeHtml(r.text)).join(', ')}</span>`,
    );
  }
  if (robot.state !== 'active') badges.push(`<span class="badge bad">${robot.state}</span>`);
  if (entry.blockedUntil !== null) {
    const seconds = Math.ceil((entry.blockedUntil - nowMs) / 1000);
    badges.push(`<span class="badge warn">rate-limited, ${seconds} s left</span>`);
  }
  const name = robot.name === undefined ? '' : `<strong>${escapeHtml(robot.name)}</strong><br>`;
  return (
    `<a class="robot${selected ? ' selected' : ''}" href="/robots/${encodeURIComponent(robot.token)}">` +
    `${name}<span class="token">${escapeHtml(robot.token)}</span><br>` +
    `${badges.join('')}<br><small>${entry.messageCount} messages</small></a>`
  );
}

function renderAttempts(attempts: readonly SandboxAttempt[]): string {
  if (attempts.length === 0) return '<p class="empty">No attempts yet.</p>';
  const rows = attempts.map(function renderAttempt(attempt) {
    const outcome = attempt.errcode === 0 ? 'ok' : 'err';
    const errcode = attempt.errcode === null ? '—' : String(attempt.errcode);
    const fault = attempt.fault === null ? '' : ` <span class="badge warn">fault: ${attempt.fault}</span>`;
    const duplicate = attempt.duplicate ? ' <span class="badge">duplicate msgUuid</span>' : '';
    return (
      `<tr><td>${attempt.id}</td><td>${formatTime(attempt.receivedAt)}</td><td>${escapeHtml(attempt.method)}</td>` +
      `<td><code>${escapeHtml(attempt.token ?? '—')}</code></td><td>${escapeHtml(attempt.clientIp)}</td>` +
      `<td>${attempt.httpStatus ?? 'dropped'}</td><td class="${outcome}">${errcode}</td>` +
      `<td class="errmsg">${escapeHtml(attempt.errmsg ?? '')}${fault}${duplicate}</td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>#</th><th>time</th><th>method</th><th>token</th><th>client</th><th>HTTP</th>' +
    `<th>errcode</th><th>errmsg</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** The whole page for `/` (every robot) or `/robots/:token` (one robot). */
export function renderSandboxPage(view: PageView): string {
  const robots = view.robots.map((entry) =>
    renderRobotCard(entry, entry.robot.token === view.selectedToken, view.nowMs),
  );
  const heading =
    view.selectedToken === undefined ? 'All robots' : `Robot <code>${escapeHtml(view.selectedToken)}</code>`;
  const messages =
    view.messages.length === 0
      ? '<p class="empty">No messages yet.</p>'
      : view.messages.map((message) => renderMessage(message, view.selectedToken === undefined)).join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${view.refreshSeconds}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tocsin DingTalk sandbox</title><style>${STYLE}</style></head>
<body><header><h1>Tocsin DingTalk sandbox</h1><small>A local stand-in for oapi.dingtalk.com/robot/send · sandbox time ${formatTime(view.nowMs)} · refreshes every ${view.refreshSeconds} s · <a style="color:#fff" href="/">all robots</a></small></header>
<div class="layout"><nav>${robots.length === 0 ? '<p class="empty">No robots configured.</p>' : robots.join('\n')}</nav>
<main><h2>${heading}: messages (newest first)</h2>${messages}
<h2>Recent attempts</h2>${renderAttempts(view.attempts)}</main></div></body></html>
`;
}
