// POST /api/v1/alert-policies/{id}:render and /api/v1/alert-policies:render: a policy's message for a
// sample event — the NotificationRequest its template makes and, for a chosen channel, exactly what
// that channel would send. Nothing is sent or stored.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertPolicyInputSchema, CHANNELS, type Channel } from '../../domain/alert-policy.js';
import type { Clock } from '../../domain/clock.js';
import type { Contact } from '../../domain/contact.js';
import { AppError, invalidRequest } from '../../errors.js';
import { renderDingtalkMessage, type DingtalkRobotConfig } from '../../notify/channels/dingtalk/index.js';
import { renderEmail } from '../../notify/channels/email/index.js';
import { renderWebhookBody, WebhookTemplateError } from '../../notify/channels/webhook/index.js';
import { renderSingle, type NotificationRequest } from '../../notify/outbox.js';
import {
  alertNotificationPolicy,
  renderAlertNotification,
  sampleAlertInput,
  type AlertNotificationPolicy,
} from '../../notify/templates/index.js';
import type { Store } from '../../store/store.js';
import { actionRoute, idParamsSchema } from '../validation.js';

export interface AlertPolicyRenderOptions {
  /** Base of the console links in the message. */
  readonly publicUrl: string;
  readonly clock: Clock;
}

/** A robot URL that is never called: the preview needs a robot's settings, not its address. */
const SAMPLE_ROBOT_WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=sample';

const renderOptionsShape = {
  kind: z.enum(['firing', 'resolved']).default('firing').describe('the transition to render'),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  channel: z.enum(CHANNELS).optional().describe('also answer what this channel would send'),
  contactId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("render the channel's message with this contact's settings (robot keywords, webhook template)"),
};

const renderOptionsSchema = z.strictObject(renderOptionsShape);
/** No body at all reaches the validator as null: then every option takes its default. */
const savedRenderBodySchema = renderOptionsSchema.nullish();
const DEFAULT_RENDER_OPTIONS = renderOptionsSchema.parse({});

const unsavedRenderBodySchema = z.strictObject({
  policy: alertPolicyInputSchema.describe('the policy as it would be created; nothing is saved'),
  ...renderOptionsShape,
});

type RenderOptions = z.output<typeof renderOptionsSchema>;

/** The robot the preview renders for: the contact's message type, keywords and mentions, or the defaults. */
function previewRobot(contact: Contact | null): DingtalkRobotConfig {
  const robot = contact?.dingtalk;
  return {
    webhook: SAMPLE_ROBOT_WEBHOOK,
    secret: null,
    keywords: robot?.keywords ?? [],
    atMobiles: robot?.atMobiles ?? [],
    atUserIds: robot?.atUserIds ?? [],
    atAll: robot?.atAll ?? false,
    messageType: robot?.messageType ?? 'markdown',
  };
}

/** What `channel` would send for `request`; the contact, when given, must have that channel. */
function channelMessage(
  channel: Channel,
  request: NotificationRequest,
  contact: Contact | null,
  now: number,
) {
  const notification = renderSingle(request);
  const lacking = (what: string) =>
    invalidRequest([{ field: 'contactId', reason: `this contact has no ${what} to render for` }]);
  switch (channel) {
    case 'dingtalk': {
      if (contact && !contact.dingtalk) throw lacking('DingTalk robot');
      const message = renderDingtalkMessage(notification, previewRobot(contact));
      return { msgtype: message.msgtype, body: message.body, byteLength: message.byteLength };
    }
    case 'email': {
      if (contact && !contact.email) throw lacking('e-mail address');
      return renderEmail(notification);
    }
    case 'webhook': {
      if (contact && !contact.webhook) throw lacking('webhook');
      try {
        const { body, contentType } = renderWebhookBody(
          notification,
          { bodyTemplate: contact?.webhook?.bodyTemplate ?? null, headers: contact?.webhook?.headers ?? {} },
          { sentAt: now },
        );
        return { contentType, body };
      } catch (error) {
        if (error instanceof WebhookTemplateError) {
          throw invalidRequest([{ field: 'contactId', reason: error.message }]);
        }
        throw error;
      }
    }
  }
}

async function renderPreview(
  store: Store,
  options: AlertPolicyRenderOptions,
  policy: AlertNotificationPolicy,
  timeZone: string,
  body: RenderOptions,
) {
  let contact: Contact | null = null;
  if (body.contactId !== undefined) {
    contact = (await store.contacts.get(body.contactId)) ?? null;
    if (!contact) {
      throw invalidRequest([{ field: 'contactId', reason: `no contact with id ${body.contactId}` }]);
    }
  }
  const now = options.clock.now();
  const notification = renderAlertNotification(
    sampleAlertInput(policy, {
      kind: body.kind,
      locale: body.locale,
      publicUrl: options.publicUrl,
      timeZone,
      now,
    }),
  );
  if (body.channel === undefined) return { notification };
  return {
    notification,
    channel: body.channel,
    message: channelMessage(body.channel, notification, contact, now),
  };
}

export function registerAlertPolicyRenderRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertPolicyRenderOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alert-policies'];
  const description =
    'Renders the message of a sample event of the policy (values that make its rules hold when firing), ' +
    'and what the chosen channel would send. Sends nothing.';

  api.post(
    // The id is matched up to the colon, as for :enable.
    actionRoute('alert-policies', 'render'),
    { schema: { tags, params: idParamsSchema, body: savedRenderBodySchema, description } },
    async (request) => {
      const policy = await store.alertPolicies.get(request.params.id);
      if (!policy) throw new AppError('not_found', `no alert policy with id ${request.params.id}`);
      const body = request.body ?? DEFAULT_RENDER_OPTIONS;
      return renderPreview(
        store,
        options,
        alertNotificationPolicy(policy),
        policy.notification.effective.timeZone,
        body,
      );
    },
  );

  api.post(
    '/api/v1/alert-policies::render',
    { schema: { tags, body: unsavedRenderBodySchema, description } },
    async (request) => {
      const { policy, ...body } = request.body;
      const unsaved = alertNotificationPolicy({ ...policy, id: 'unsaved', createdAt: 0, updatedAt: 0 });
      return renderPreview(store, options, unsaved, policy.notification.effective.timeZone, body);
    },
  );
}
