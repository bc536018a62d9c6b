// Every channel's own outcome is a ChannelOutcome, so the dispatcher handles them all alike.
import { describe, expectTypeOf, it } from 'vitest';
import type { ChannelOutcome } from './channel-outcome.js';
import type { DingtalkOutcome } from './channels/dingtalk/index.js';
import type { EmailOutcome } from './channels/email/index.js';
import type { WebhookOutcome } from './channels/webhook/index.js';

describe('ChannelOutcome', () => {
  it('accepts the DingTalk, e-mail and webhook outcomes', () => {
    expectTypeOf<DingtalkOutcome>().toExtend<ChannelOutcome>();
    expectTypeOf<EmailOutcome>().toExtend<ChannelOutcome>();
    expectTypeOf<WebhookOutcome>().toExtend<ChannelOutcome>();
  });
});
