// Authentication and roles: every /api/v1 request carries `Authorization: Bearer <token>`; each route
// declares the permission it needs (read, write, admin) and the token's role must grant it.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { roleAllows, type ApiToken, type Permission } from '../domain/api-token.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; `public` routes skip authentication. Default under /api/v1: read. */
    permission?: Permission | 'public';
  }
  interface FastifyRequest {
    apiToken: ApiToken | null;
  }
}

const TOKEN_PREFIX = 'tcs_';

/** A new clear-text token: recognisable prefix, 256 random bits. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy, so an unsalted SHA-256 is enough to keep them unusable if the table leaks. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function registerAuth(app: FastifyInstance, store: Store): void {
  app.decorateRequest('apiToken', null);
  app.addHook('onRequest', async function authenticate(request) {
    const declared = request.routeOptions.config.permission;
    const permission = declared ?? (request.url.startsWith('/api/v1/') ? 'read' : 'public');
    if (permission === 'public') return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new AppError('unauthorized', 'send an API token: Authorization: Bearer <token>');
    }
    const token = await store.apiTokens.findByHash(hashToken(match[1]!));
    if (!token) throw new AppError('unauthorized', 'the API token is unknown or was deleted');
    if (!roleAllows(token.role, permission)) {
      throw new AppError(
        'forbidden',
        `a ${token.role} token may not do this; it needs the ${permission} permission`,
      );
    }
    request.apiToken = token;
    await store.apiTokens.touch(token.id, token.lastUsedAt);
  });
}
