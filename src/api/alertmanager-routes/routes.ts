// /api/v1/alertmanager-routes: the Alertmanager bridge's routing table — list, create, get, replace (with
// If-Match), delete. A route's contact groups must exist; deleting a route ends its open events.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  alertmanagerRouteInputSchema,
  type AlertmanagerRouteInput,
} from '../../domain/alertmanager-route.js';
import type { Clock } from '../../domain/clock.js';
import { AppError, invalidRequest } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { idParamsSchema, listQuerySchema } from '../validation.js';
import { presentAlertmanagerRoute } from './present.js';

async function checkGroupsExist(store: Store, input: AlertmanagerRouteInput): Promise<void> {
  const existing = await store.contactGroups.existingIds(input.contactGroupIds);
  const problems = input.contactGroupIds.flatMap((id, i) =>
    existing.has(id) ? [] : [{ field: `contactGroupIds[${i}]`, reason: `no contact group with id ${id}` }],
  );
  if (problems.length > 0) throw invalidRequest(problems);
}

export interface AlertmanagerRouteRouteOptions {
  /** When a deleted route's open events end. */
  readonly clock: Clock;
}

/**
 * Registers the alertmanager-routes routes: list, create, get, replace, delete.
 * @example registerAlertmanagerRouteRoutes(app, store, { clock });
 */
export function registerAlertmanagerRouteRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertmanagerRouteRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alertmanager-routes'];
  const notFound = (id: string) => new AppError('not_found', `no alertmanager route with id ${id}`);

  api.get(
    '/api/v1/alertmanager-routes',
    { schema: { tags, querystring: listQuerySchema } },
    async function listAlertmanagerRoutes(request) {
      const page = await store.alertmanagerRoutes.list(request.query);
      return { items: page.items.map(presentAlertmanagerRoute), nextCursor: page.nextCursor };
    },
  );

  api.post(
    '/api/v1/alertmanager-routes',
    { schema: { tags, body: alertmanagerRouteInputSchema }, config: { permission: 'write' } },
    async function createAlertmanagerRoute(request, reply) {
      const route = await store.transaction(async (tx) => {
        await checkGroupsExist(tx, request.body);
        return tx.alertmanagerRoutes.create(request.body);
      });
      tagRevision(reply, route);
      return reply.status(201).send(presentAlertmanagerRoute(route));
    },
  );

  api.get(
    '/api/v1/alertmanager-routes/:id',
    { schema: { tags, params: idParamsSchema } },
    async function getAlertmanagerRoute(request, reply) {
      const route = await store.alertmanagerRoutes.get(request.params.id);
      if (!route) throw notFound(request.params.id);
      tagRevision(reply, route);
      return presentAlertmanagerRoute(route);
    },
  );

  api.put(
    '/api/v1/alertmanager-routes/:id',
    {
      schema: { tags, params: idParamsSchema, body: alertmanagerRouteInputSchema },
      config: { permission: 'write' },
    },
    async function replaceAlertmanagerRoute(request, reply) {
      const route = await store.transaction(async (tx) => {
        const stored = await tx.alertmanagerRoutes.get(request.params.id);
        if (!stored) throw notFound(request.params.id);
        checkIfMatch(request, stored);
        await checkGroupsExist(tx, request.body);
        return tx.alertmanagerRoutes.update(request.params.id, request.body);
      });
      if (!route) throw notFound(request.params.id);
      tagRevision(reply, route);
      return presentAlertmanagerRoute(route);
    },
  );

  api.delete(
    '/api/v1/alertmanager-routes/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async function deleteAlertmanagerRoute(request, reply) {
      await store.transaction(async (tx) => {
        if (!(await tx.alertmanagerRoutes.delete(request.params.id))) throw notFound(request.params.id);
        // Its events end without a message, as a deleted policy's do: nothing recovered.
        await tx.alertEvents.resolvePolicy(request.params.id, 'policy_deleted', options.clock.now());
      });
      return reply.status(204).send();
    },
  );
}
