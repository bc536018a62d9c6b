// /api/v1/datasources: Prometheus-compatible servers that prometheus policies query.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { systemClock } from '../../domain/clock.js';
import { datasourceInputSchema, type Datasource, type DatasourceInput } from '../../domain/datasource.js';
import type { FieldProblem } from '../../domain/field-problem.js';
import { maskSecret, unmask } from '../../domain/secret-mask.js';
import { AppError, invalidRequest } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { StillReferencedError } from '../../store/store-errors.js';
import { checkIfMatch, tagRevision } from '../revision.js';
import { idParamsSchema, listQuerySchema } from '../validation.js';
import { presentDatasource } from './present.js';
import { registerDatasourceQueryRoutes, type DatasourceQueryRouteOptions } from './query-routes.js';

const MASKED_REASON = 'is a masked value; send the real value';

function resolveCredentials(input: DatasourceInput, stored: Datasource | undefined): DatasourceInput {
  const problems: FieldProblem[] = [];
  let { basicAuth, bearerToken } = input;
  if (basicAuth) {
    const password = unmask(basicAuth.password, stored?.basicAuth?.password, (v) => maskSecret(v));
    if (password === null) problems.push({ field: 'basicAuth.password', reason: MASKED_REASON });
    basicAuth = { ...basicAuth, password: password ?? '' };
  }
  if (bearerToken) {
    const token = unmask(bearerToken, stored?.bearerToken, (v) => maskSecret(v));
    if (token === null) problems.push({ field: 'bearerToken', reason: MASKED_REASON });
    bearerToken = token;
  }
  if (problems.length > 0) throw invalidRequest(problems);
  return { ...input, basicAuth, bearerToken };
}

/**
 * Registers the data source routes: list, create, get, replace, delete, `:test` and `:query`.
 * @example registerDatasourceRoutes(app, store, { clock });
 */
export function registerDatasourceRoutes(
  app: FastifyInstance,
  store: Store,
  options: Partial<DatasourceQueryRouteOptions> = {},
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['datasources'];
  const notFound = (id: string) => new AppError('not_found', `no data source with id ${id}`);

  api.get('/api/v1/datasources', { schema: { tags, querystring: listQuerySchema } }, async (request) => {
    const page = await store.datasources.list(request.query);
    return { items: page.items.map(presentDatasource), nextCursor: page.nextCursor };
  });

  api.post(
    '/api/v1/datasources',
    { schema: { tags, body: datasourceInputSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      const source = await store.datasources.create(resolveCredentials(request.body, undefined));
      tagRevision(reply, source);
      return reply.status(201).send(presentDatasource(source));
    },
  );

  api.get('/api/v1/datasources/:id', { schema: { tags, params: idParamsSchema } }, async (request, reply) => {
    const source = await store.datasources.get(request.params.id);
    if (!source) throw notFound(request.params.id);
    tagRevision(reply, source);
    return presentDatasource(source);
  });

  api.put(
    '/api/v1/datasources/:id',
    {
      schema: { tags, params: idParamsSchema, body: datasourceInputSchema },
      config: { permission: 'write' },
    },
    async (request, reply) => {
      const source = await store.transaction(async (tx) => {
        const stored = await tx.datasources.get(request.params.id);
        if (!stored) throw notFound(request.params.id);
        checkIfMatch(request, stored);
        return tx.datasources.update(stored.id, resolveCredentials(request.body, stored));
      });
      if (!source) throw notFound(request.params.id);
      tagRevision(reply, source);
      return presentDatasource(source);
    },
  );

  api.delete(
    '/api/v1/datasources/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async (request, reply) => {
      await store.transaction(async (tx) => {
        const policies = await tx.datasources.policiesUsing(request.params.id);
        if (policies.length > 0) {
          throw new StillReferencedError(
            'data source',
            policies.map((p) => ({ kind: 'alert-policy', ...p })),
          );
        }
        if (!(await tx.datasources.delete(request.params.id))) throw notFound(request.params.id);
      });
      return reply.status(204).send();
    },
  );

  registerDatasourceQueryRoutes(app, store, { clock: options.clock ?? systemClock, fetch: options.fetch });
}
