// The contact test button: sends a real test message through every channel a contact has and returns
// each channel's own answer (for DingTalk: errcode, errmsg and what to fix), sending nothing twice.
import type { Contact } from '../domain/contact.js';
import type { ChannelOutcome } from './channel-outcome.js';
import { describeRobot, sendDingtalk } from './channels/dingtalk/index.js';
import { sendEmail, type EmailTransport } from './channels/email/index.js';
import { describeWebhook, sendWebhook } from './channels/webhook/index.js';
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
  readonly allowedWebhookOrigins: readonly string[];
  /** The service's SMTP transport, or null when none is configured (the e-mail test then says so). */
  readonly emailTransport: EmailTransport | null;
}

function resultOf(channel: TestedChannel, target: string, outcome: ChannelOutcome): ChannelTestResult {
  return {
    channel,
    target,
    ok: outcome.ok,
    reason: outcome.ok ? null : outcome.reason,
    // DingTalk answers carry errcode/errmsg whether or not they succeeded; other channels have none.
    errcode: 'errcode' in outcome && typeof outcome.errcode === 'number' ? outcome.errcode : undefined,
    errmsg: outcome.ok ? ('errcode' in outcome ? 'ok' : undefined) : outcome.errmsg,
  };
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
  // One channel after another, so a user reads the answers in the order of the form.
  for (const channel of wanted) {
    if (channel === 'dingtalk' && contact.dingtalk) {
      const outcome = await sendDingtalk(contact.dingtalk, notification, {
        now: options.now,
        timeoutMs: options.timeoutMs,
      });
      results.push(resultOf(channel, describeRobot(contact.dingtalk), outcome));
    } else if (channel === 'email' && contact.email) {
      const outcome = await sendEmail(options.emailTransport, contact.email, notification);
      results.push(resultOf(channel, contact.email, outcome));
    } else if (channel === 'webhook' && contact.webhook) {
      const outcome = await sendWebhook(contact.webhook, notification, {
        now: options.now,
        timeoutMs: options.timeoutMs,
        allowedWebhookOrigins: options.allowedWebhookOrigins,
      });
      results.push(resultOf(channel, describeWebhook(contact.webhook), outcome));
    }
  }
  return results;
}
