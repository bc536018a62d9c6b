// /api/v1/contacts: authenticate → validate → do → present.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { StillReferencedError } from '../../store/store-errors.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { idParamsSchema, listQuerySchema } from '../validation.js';
import { presentContact } from './present.js';
import { contactInputSchema, resolveContactSecrets } from './schema.js';

export interface ContactRouteOptions {
  readonly allowedWebhookOrigins: readonly string[];
}

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
