// The contact test button: sends a real test message through every channel a contact has and returns
// each channel's own answer (for DingTalk: errcode, errmsg and what to fix), sending nothing twice.
import type { Contact } from '../domain/contact.js';
import { describeRobot, sendDingtalk } from './channels/dingtalk/index.js';
import type { NotificationLocale } from './rendered-notification.js';
import { renderTestNotification } from './test-notification.js';

export type TestedChannel = 'dingtalk' | 'email' | 'webhook';

export interface ChannelTestResult {
  readonly channel: TestedChannel;
  /** Where it went, secrets masked. */
  readonly target: string;
  readonly ok: boolean;
  /** The channel's answer and what to fix, when it failed. */
  readonly reason: string | null;
  readonly errcode?: number | undefined;
  readonly errmsg?: string | undefined;
}

export interface ContactTestOptions {
  readonly now: () => number;
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
  readonly timeoutMs: number;
  /** Only these channels; default every channel the contact has. */
  readonly channels?: readonly TestedChannel[] | undefined;
}

/** The channels of a contact that can be tested, in a stable order. */
export function channelsOf(contact: Contact): TestedChannel[] {
  const channels: TestedChannel[] = [];
  if (contact.dingtalk) channels.push('dingtalk');
  if (contact.email) channels.push('email');
  if (contact.webhook) channels.push('webhook');
  return channels;
}

export async function testContact(
  contact: Contact,
  options: ContactTestOptions,
): Promise<ChannelTestResult[]> {
  const notification = renderTestNotification({
    contactName: contact.name,
    publicUrl: options.publicUrl,
    locale: options.locale,
    sentAt: options.now(),
  });
  const wanted = options.channels ?? channelsOf(contact);
  const results: ChannelTestResult[] = [];
  for (const channel of wanted) {
    if (channel === 'dingtalk' && contact.dingtalk) {
      const outcome = await sendDingtalk(contact.dingtalk, notification, {
        now: options.now,
        timeoutMs: options.timeoutMs,
      });
      results.push({
        channel,
        target: describeRobot(contact.dingtalk),
        ok: outcome.ok,
        reason: outcome.ok ? null : outcome.reason,
        errcode: outcome.errcode,
        errmsg: outcome.ok ? 'ok' : outcome.errmsg,
      });
    } else {
      // Never report a channel as fine without having sent through it.
      results.push({
        channel,
        target: channel === 'email' ? (contact.email ?? '') : 'webhook',
        ok: false,
        reason: `sending by ${channel} is not available in this version of Tocsin`,
      });
    }
  }
  return results;
}
