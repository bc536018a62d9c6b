// Contacts: who receives notifications — a DingTalk robot, an e-mail address, a phone, a generic webhook.
import { z } from 'zod';
import { dingtalkWebhookProblem, webhookUrlProblem } from './network-address.js';
import { isMasked } from './secret-mask.js';

export const DINGTALK_MESSAGE_TYPES = ['markdown', 'actionCard', 'text'] as const;
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;

/** Fields the server owns; accepted in input so a fetched object can be sent back, and ignored. */
const setByServer = () => z.unknown().optional().describe('set by the server; ignored in requests');
export const readOnlyFields = { id: setByServer(), createdAt: setByServer(), updatedAt: setByServer() };

export const nameField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

const mobile = z
  .string()
  .regex(/^\+?[0-9][0-9-]{3,19}$/, 'must be a mobile number, e.g. 13800000000 or +852-12345678');

export interface ContactRules {
  /** Origins (scheme://host:port) allowed besides DingTalk's and public hosts, e.g. the sandbox. */
  readonly allowedWebhookOrigins: readonly string[];
}

/** The contact a client sends; URL rules depend on the operator's allow-list. */
export function contactInputSchema(rules: ContactRules) {
  const dingtalk = z.strictObject({
    webhook: z.string().superRefine((value, ctx) => {
      const problem = dingtalkWebhookProblem(value, rules.allowedWebhookOrigins);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    secret: z
      .string()
      .regex(/^SEC\S+$/, 'must be the signing secret starting with SEC, as shown on the robot security page')
      .nullish(),
    keywords: z
      .array(z.string().trim().min(1, 'must not be empty').max(100))
      .max(10, 'DingTalk allows at most 10 keywords')
      .default([]),
    atMobiles: z.array(mobile).max(50).default([]),
    atUserIds: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
    atAll: z.boolean().default(false),
    messageType: z.enum(DINGTALK_MESSAGE_TYPES).default('markdown'),
  });
  const webhook = z.strictObject({
    url: z.string().superRefine((value, ctx) => {
      const problem = webhookUrlProblem(value, rules.allowedWebhookOrigins);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    method: z.enum(WEBHOOK_METHODS).default('POST'),
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a valid HTTP header name'),
        z
          .string()
          .max(4096)
          .refine((v) => !/[\r\n]/.test(v), 'must not contain line breaks'),
      )
      .default({}),
    bodyTemplate: z.string().max(65536).nullish(),
    /** Signs each request (`X-Tocsin-Signature`, HMAC-SHA256) so the receiver can tell it came from us. */
    secret: z
      .string()
      .max(200, 'must be at most 200 characters')
      .superRefine((value, ctx) => {
        // A masked value (`…9f3a`, as the API shows it) stands for the stored secret; the route resolves it.
        if (isMasked(value)) return;
        if (value.length < 16) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be at least 16 characters (e.g. openssl rand -hex 32)',
          });
        } else if (/[\p{Cc}\s]/u.test(value)) {
          ctx.addIssue({ code: 'custom', message: 'must not contain spaces or control characters' });
        }
      })
      .nullish(),
  });
  return z
    .strictObject({
      ...readOnlyFields,
      name: nameField,
      description: z.string().max(2000).nullish(),
      dingtalk: dingtalk.nullish(),
      email: z.email('must be an e-mail address').max(320).nullish(),
      phone: z
        .string()
        .regex(/^\+?[0-9][0-9 -]{3,24}$/, 'must be a phone number, e.g. +8613800000000')
        .nullish(),
      webhook: webhook.nullish(),
    })
    .superRefine((contact, ctx) => {
      if (!contact.dingtalk && !contact.email && !contact.phone && !contact.webhook) {
        ctx.addIssue({
          code: 'custom',
          path: ['dingtalk'],
          message: 'a contact needs at least one of dingtalk, email, phone or webhook',
        });
      }
    })
    .transform(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => ({
      name: rest.name,
      description: rest.description ?? null,
      dingtalk: rest.dingtalk ? { ...rest.dingtalk, secret: rest.dingtalk.secret ?? null } : null,
      email: rest.email ?? null,
      phone: rest.phone ?? null,
      webhook: rest.webhook
        ? {
            ...rest.webhook,
            bodyTemplate: rest.webhook.bodyTemplate ?? null,
            secret: rest.webhook.secret ?? null,
          }
        : null,
    }));
}

export type ContactInput = z.output<ReturnType<typeof contactInputSchema>>;
export type DingtalkRobot = NonNullable<ContactInput['dingtalk']>;
export type GenericWebhook = NonNullable<ContactInput['webhook']>;

/** A stored contact: the input, with secrets in clear (the store encrypts them at rest). */
export interface Contact extends ContactInput {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}
