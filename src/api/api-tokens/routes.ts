// /api/v1/api-tokens: admins create (the value is shown once), list and delete tokens.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apiTokenInputSchema } from '../../domain/api-token.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { generateToken, hashToken, type VerifiedTokenCache } from '../auth.js';
import { idParamsSchema } from '../validation.js';
import { presentApiToken } from './present.js';

export function registerApiTokenRoutes(
  app: FastifyInstance,
  store: Store,
  verifiedTokens: VerifiedTokenCache,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['api-tokens'];

  api.get('/api/v1/api-tokens', { schema: { tags }, config: { permission: 'admin' } }, async () => {
    const tokens = await store.apiTokens.list();
    return { items: tokens.map(presentApiToken), nextCursor: null };
  });

  api.post(
    '/api/v1/api-tokens',
    { schema: { tags, body: apiTokenInputSchema }, config: { permission: 'admin' } },
    async (request, reply) => {
      const value = generateToken();
      const token = await store.apiTokens.create({ ...request.body, tokenHash: hashToken(value) });
      return reply.status(201).send({ ...presentApiToken(token), token: value });
    },
  );

  api.delete(
    '/api/v1/api-tokens/:id',
    { schema: { tags, params: idParamsSchema }, config: { permission: 'admin' } },
    async (request, reply) => {
      await store.transaction(async (tx) => {
        const tokens = await tx.apiTokens.list();
        const token = tokens.find((t) => t.id === request.params.id);
        if (!token) throw new AppError('not_found', `no API token with id ${request.params.id}`);
        if (token.role === 'admin' && tokens.filter((t) => t.role === 'admin').length === 1) {
          throw new AppError('in_use', 'this is the last admin token; create another admin token first');
        }
        await tx.apiTokens.delete(token.id);
      });
      // Deleting is the only way the API revokes a token: once it has committed, no kept token is trusted
      // any more (and a lookup already under way does not keep the deleted one).
      verifiedTokens.clear();
      return reply.status(204).send();
    },
  );
}
