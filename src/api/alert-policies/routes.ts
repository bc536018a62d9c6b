// /api/v1/alert-policies: create, edit, list with search and filters, enable and disable, delete; the
// message previews (`:render`) live in render.ts, the backtests (`:preview`) in preview.ts.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { alertPolicyInputSchema } from '../../domain/alert-policy.js';
import { POLICY_KINDS } from '../../domain/metric-types.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { actionRoute, idParamsSchema, listQuerySchema } from '../validation.js';
import { checkReferences } from './check-references.js';
import { presentAlertPolicy } from './present.js';
import { registerAlertPolicyPreviewRoutes, type AlertPolicyPreviewOptions } from './preview.js';
import { registerAlertPolicyRenderRoutes, type AlertPolicyRenderOptions } from './render.js';

const policyListQuerySchema = listQuerySchema.extend({
  kind: z.enum(POLICY_KINDS).optional(),
  target: z.string().max(200).optional(),
  enabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export interface AlertPolicyRouteOptions extends AlertPolicyRenderOptions {
  /** Where a policy's numbers come from; without it the `:preview` routes are not served. */
  readonly dataSourceFor?: AlertPolicyPreviewOptions['dataSourceFor'];
}

export function registerAlertPolicyRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertPolicyRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alert-policies'];
  const notFound = (id: string) => new AppError('not_found', `no alert policy with id ${id}`);

  api.get(
    '/api/v1/alert-policies',
    { schema: { tags, querystring: policyListQuerySchema } },
    async (request) => {
      const page = await store.alertPolicies.list(request.query);
      return { items: page.items.map(presentAlertPolicy), nextCursor: page.nextCursor };
    },
  );

  api.post(
    '/api/v1/alert-policies',
    { schema: { tags, body: alertPolicyInputSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      const policy = await store.transaction(async (tx) => {
        await checkReferences(tx, request.body);
        return tx.alertPolicies.create(request.body);
      });
      tagRevision(reply, policy);
      return reply.status(201).send(presentAlertPolicy(policy));
    },
  );

  api.get(
    '/api/v1/alert-policies/:id',
    { schema: { tags, params: idParamsSchema } },
    async (request, reply) => {
      const policy = await store.alertPolicies.get(request.params.id);
      if (!policy) throw notFound(request.params.id);
      tagRevision(reply, policy);
      return presentAlertPolicy(policy);
    },
  );

  api.put(
    '/api/v1/alert-policies/:id',
    {
      schema: { tags, params: idParamsSchema, body: alertPolicyInputSchema },
      config: { permission: 'write' },
    },
    async (request, reply) => {
      const policy = await store.transaction(async (tx) => {
        const stored = await tx.alertPolicies.get(request.params.id);
        if (!stored) throw notFound(request.params.id);
        checkIfMatch(request, stored);
        await checkReferences(tx, request.body);
        return tx.alertPolicies.update(request.params.id, request.body);
      });
      if (!policy) throw notFound(request.params.id);
      tagRevision(reply, policy);
      return presentAlertPolicy(policy);
    },
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    api.post(
      actionRoute('alert-policies', action),
      { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
      async (request) => {
        const policy = await store.alertPolicies.setEnabled(request.params.id, enabled);
        if (!policy) throw notFound(request.params.id);
        return presentAlertPolicy(policy);
      },
    );
  }

  registerAlertPolicyRenderRoutes(app, store, options);
  if (options.dataSourceFor) {
    registerAlertPolicyPreviewRoutes(app, store, {
      clock: options.clock,
      dataSourceFor: options.dataSourceFor,
    });
  }

  api.delete(
    '/api/v1/alert-policies/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      if (!(await store.alertPolicies.delete(request.params.id))) throw notFound(request.params.id);
      return reply.status(204).send();
    },
  );
}
