// /api/v1/contact-groups: a group lists existing contacts; a group that policies or Alertmanager routes
// notify cannot be deleted.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { contactGroupInputSchema, type ContactGroupInput } from '../../domain/contact-group.js';
import { AppError, invalidRequest } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { StillReferencedError } from '../../store/store-errors.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { idParamsSchema, listQuerySchema } from '../validation.js';
import { presentContactGroup } from './present.js';

async function checkContactsExist(store: Store, input: ContactGroupInput): Promise<void> {
  const existing = await store.contacts.existingIds(input.contactIds);
  const problems = input.contactIds.flatMap((id, i) =>
    existing.has(id) ? [] : [{ field: `contactIds[${i}]`, reason: `no contact with id ${id}` }],
  );
  if (problems.length > 0) throw invalidRequest(problems);
}

export function registerContactGroupRoutes(app: FastifyInstance, store: Store): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['contact-groups'];
  const notFound = (id: string) => new AppError('not_found', `no contact group with id ${id}`);

  api.get('/api/v1/contact-groups', { schema: { tags, querystring: listQuerySchema } }, async (request) => {
    const page = await store.contactGroups.list(request.query);
    return { items: page.items.map(presentContactGroup), nextCursor: page.nextCursor };
  });

  api.post(
    '/api/v1/contact-groups',
    { schema: { tags, body: contactGroupInputSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      const group = await store.transaction(async (tx) => {
        await checkContactsExist(tx, request.body);
        return tx.contactGroups.create(request.body);
      });
      tagRevision(reply, group);
      return reply.status(201).send(presentContactGroup(group));
    },
  );

  api.get(
    '/api/v1/contact-groups/:id',
    { schema: { tags, params: idParamsSchema } },
    async (request, reply) => {
      const group = await store.contactGroups.get(request.params.id);
      if (!group) throw notFound(request.params.id);
      tagRevision(reply, group);
      return presentContactGroup(group);
    },
  );

  api.put(
    '/api/v1/contact-groups/:id',
    {
      schema: { tags, params: idParamsSchema, body: contactGroupInputSchema },
      config: { permission: 'write' },
    },
    async (request, reply) => {
      const group = await store.transaction(async (tx) => {
        const stored = await tx.contactGroups.get(request.params.id);
        if (!stored) throw notFound(request.params.id);
        checkIfMatch(request, stored);
        await checkContactsExist(tx, request.body);
        return tx.contactGroups.update(request.params.id, request.body);
      });
      if (!group) throw notFound(request.params.id);
      tagRevision(reply, group);
      return presentContactGroup(group);
    },
  );

  api.delete(
    '/api/v1/contact-groups/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      await store.transaction(async (tx) => {
        const policies = await tx.contactGroups.policiesUsing(request.params.id);
        const routes = await tx.alertmanagerRoutes.usingGroup(request.params.id);
        if (policies.length > 0 || routes.length > 0) {
          throw new StillReferencedError('contact group', [
            ...policies.map((p) => ({ kind: 'alert-policy', ...p })),
            ...routes.map((r) => ({ kind: 'alertmanager-route', ...r })),
          ]);
        }
        if (!(await tx.contactGroups.delete(request.params.id))) throw notFound(request.params.id);
      });
      return reply.status(204).send();
    },
  );
}
