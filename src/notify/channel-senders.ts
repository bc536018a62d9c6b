// The senders the dispatcher uses, one per channel: each takes a contact and a rendered message, sends
// it through that channel and returns the channel's outcome. Only here do channels meet the dispatcher.
import type { Clock } from '../domain/clock.js';
import type { ChannelFailure } from './channel-outcome.js';
import { sendDingtalk } from './channels/dingtalk/index.js';
import { sendEmail, type EmailTransport } from './channels/email/index.js';
import { sendWebhook } from './channels/webhook/index.js';
import type { ChannelSender, ChannelSenders } from './dispatcher.js';

export interface ChannelSenderOptions {
  readonly clock: Clock;
  /** Covers one send; DingTalk reads the clock again for every signature. */
  readonly timeoutMs: number;
  readonly allowedWebhookOrigins: readonly string[];
  /** The service's SMTP transport; null sends fail with how to configure one. */
  readonly emailTransport: EmailTransport | null;
}

function noChannel(channel: string): ChannelFailure {
  return {
    ok: false,
    retryable: false,
    class: 'permanent',
    reason: `the contact no longer has a ${channel} channel`,
  };
}

/** The DingTalk sender: the contact's robot, signed afresh with the clock at each request. */
export function dingtalkSender(options: Pick<ChannelSenderOptions, 'clock' | 'timeoutMs'>): ChannelSender {
  return function sendToRobot(contact, notification, { msgUuid }) {
    if (!contact.dingtalk) return Promise.resolve(noChannel('dingtalk'));
    return sendDingtalk(contact.dingtalk, notification, {
      now: () => options.clock.now(),
      timeoutMs: options.timeoutMs,
      msgUuid,
    });
  };
}

/** Every channel's sender. The message id doubles as the e-mail Message-ID and webhook notification id. */
export function channelSenders(options: ChannelSenderOptions): ChannelSenders {
  return {
    dingtalk: dingtalkSender(options),
    email: function sendToMailbox(contact, notification, { msgUuid }) {
      if (!contact.email) return Promise.resolve(noChannel('email'));
      return sendEmail(options.emailTransport, contact.email, notification, { notificationId: msgUuid });
    },
    webhook: function sendToWebhook(contact, notification, { msgUuid }) {
      if (!contact.webhook) return Promise.resolve(noChannel('webhook'));
      return sendWebhook(contact.webhook, notification, {
        now: () => options.clock.now(),
        timeoutMs: options.timeoutMs,
        allowedWebhookOrigins: options.allowedWebhookOrigins,
        notificationId: msgUuid,
      });
    },
  };
}
