// The message the contact test button sends: unmistakably a test, in the user's language, carrying the
// words robots are commonly configured to require ("报警" / "alert").
import type { RenderedNotification, NotificationLocale } from './rendered-notification.js';
import { escapeMarkdownInline } from './channels/dingtalk/index.js';

export interface TestNotificationInput {
  readonly contactName: string;
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
  /** Epoch milliseconds, shown so a user can tell this test from an earlier one. */
  readonly sentAt: number;
}

/** China Standard Time for Chinese readers (ARMS's default), UTC otherwise, always named. */
function formatTime(ms: number, locale: NotificationLocale): string {
  const zone = locale === 'zh-CN' ? 'Asia/Shanghai' : 'UTC';
  const text = new Intl.DateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: zone,
  }).format(ms);
  return `${text} (${zone})`;
}

export function renderTestNotification(input: TestNotificationInput): RenderedNotification {
  const name = escapeMarkdownInline(input.contactName);
  const time = formatTime(input.sentAt, input.locale);
  if (input.locale === 'zh-CN') {
    return {
      kind: 'test',
      locale: 'zh-CN',
      title: `[测试] Tocsin 报警通知测试`,
      summary: `这是一条来自 Tocsin 的**测试**报警消息，不需要处理。收到它说明联系人「${name}」的通知配置正确。`,
      items: [{ severity: 'P4', markdown: `发送时间：${time}` }],
      links: [{ title: '打开 Tocsin 控制台', url: input.publicUrl }],
    };
  }
  return {
    kind: 'test',
    locale: 'en',
    title: `[Test] Tocsin alert notification test`,
    summary: `This is a **test** alert from Tocsin; nothing needs doing. It arriving means the notification settings of contact "${name}" work.`,
    items: [{ severity: 'P4', markdown: `Sent at ${time}` }],
    links: [{ title: 'Open the Tocsin console', url: input.publicUrl }],
  };
}
