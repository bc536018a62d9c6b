// /api/v1/contacts: authenticate → validate → do → present.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.js';
import { AppError, invalidRequest } from '../../errors.js';
import type { EmailTransport } from '../../notify/channels/email/index.js';
import { channelsOf, testContact } from '../../notify/contact-test.js';
import type { Store } from '../../store/store.js';
import { StillReferencedError } from '../../store/store-errors.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { actionRoute, idParamsSchema, listQuerySchema } from '../validation.js';
import { presentContact } from './present.js';
import { contactInputSchema, resolveContactSecrets } from './schema.js';

export interface ContactRouteOptions {
  readonly allowedWebhookOrigins: readonly string[];
  /** Base of the console link in test messages. */
  readonly publicUrl: string;
  readonly clock: Clock;
  /** The service's SMTP transport for test e-mails; null when no SMTP server is configured. */
  readonly emailTransport: EmailTransport | null;
}

/** A test message is a person waiting on a button: answer within this, whatever the channel does. */
const TEST_TIMEOUT_MS = 10_000;

const contactTestBodySchema = z
  .strictObject({
    channels: z
      .array(z.enum(['dingtalk', 'email', 'webhook']))
      .min(1)
      .optional()
      .describe('only these channels; default every channel the contact has'),
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  // No body at all reaches the validator as null.
  .nullish();

export function registerContactRoutes(
  app: FastifyInstance,
  store: Store,
  options: ContactRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const body = contactInputSchema({ allowedWebhookOrigins: options.allowedWebhookOrigins });
  const tags = ['contacts'];
  const notFound = (id: string) => new AppError('not_found', `no contact with id ${id}`);

  api.get('/api/v1/contacts', { schema: { tags, querystring: listQuerySchema } }, async (request) => {
    const page = await store.contacts.list(request.query);
    return { items: page.items.map(presentContact), nextCursor: page.nextCursor };
  });

  api.post(
    '/api/v1/contacts',
    { schema: { tags, body }, config: { permission: 'write' } },
    async (request, reply) => {
      const contact = await store.contacts.create(resolveContactSecrets(request.body, undefined));
      tagRevision(reply, contact);
      return reply.status(201).send(presentContact(contact));
    },
  );

  api.get('/api/v1/contacts/:id', { schema: { tags, params: idParamsSchema } }, async (request, reply) => {
    const contact = await store.contacts.get(request.params.id);
    if (!contact) throw notFound(request.params.id);
    tagRevision(reply, contact);
    return presentContact(contact);
  });

  api.put(
    '/api/v1/contacts/:id',
    { schema: { tags, params: idParamsSchema, body }, config: { permission: 'write' } },
    async (request, reply) => {
      const updated = await store.transaction(async (tx) => {
        const stored = await tx.contacts.get(request.params.id);
        if (!stored) throw notFound(request.params.id);
        checkIfMatch(request, stored);
        return tx.contacts.update(stored.id, resolveContactSecrets(request.body, stored));
      });
      if (!updated) throw notFound(request.params.id);
      tagRevision(reply, updated);
      return presentContact(updated);
    },
  );

  api.post(
    actionRoute('contacts', 'test'),
    {
      schema: {
        tags,
        params: idParamsSchema,
        body: contactTestBodySchema,
        description: "Sends a real test message through the contact's channels and returns each answer.",
      },
      config: { permission: 'write' },
    },
    async (request) => {
      const contact = await store.contacts.get(request.params.id);
      if (!contact) throw notFound(request.params.id);
      const available = channelsOf(contact);
      const wanted = request.body?.channels ?? available;
      const missing = wanted.flatMap((channel, i) =>
        available.includes(channel)
          ? []
          : [{ field: `channels[${i}]`, reason: `this contact has no ${channel} to test` }],
      );
      if (missing.length > 0) throw invalidRequest(missing);
      if (wanted.length === 0) {
        throw invalidRequest([
          {
            field: 'channels',
            reason: 'this contact has no channel Tocsin sends to (a phone alone is not one)',
          },
        ]);
      }
      const results = await testContact(contact, {
        now: () => options.clock.now(),
        publicUrl: options.publicUrl,
        locale: request.body?.locale ?? 'zh-CN',
        timeoutMs: TEST_TIMEOUT_MS,
        channels: wanted,
        allowedWebhookOrigins: options.allowedWebhookOrigins,
        emailTransport: options.emailTransport,
      });
      return { ok: results.every((result) => result.ok), results };
    },
  );

  api.delete(
    '/api/v1/contacts/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      await store.transaction(async (tx) => {
        const groups = await tx.contacts.groupsUsing(request.params.id);
        if (groups.length > 0) {
          throw new StillReferencedError(
            'contact',
            groups.map((g) => ({ kind: 'contact-group', ...g })),
          );
        }
        if (!(await tx.contacts.delete(request.params.id))) throw notFound(request.params.id);
      });
      return reply.status(204).send();
    },
  );
}
