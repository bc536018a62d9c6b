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

/** How long a verified token is trusted without asking the database again. */
export const TOKEN_CACHE_TTL_MS = 5_000;

/**
 * Verified tokens by hash, so a busy sender (Prometheus remote write, an exporter) costs one database
 * lookup per token every few seconds rather than one per request. Only tokens that exist are kept, so
 * the cache is bounded by the tokens table. A token deleted through this instance's API is forgotten at
 * once; one deleted through another instance sharing the database stops working within the TTL.
 */
export class VerifiedTokenCache {
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #byHash = new Map<string, { token: ApiToken; expiresAt: number }>();
  /** Bumped when tokens are forgotten, so a lookup that raced with a deletion does not cache the old row. */
  #generation = 0;

  constructor(ttlMs = TOKEN_CACHE_TTL_MS, clock: () => number = () => performance.now()) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  get generation(): number {
    return this.#generation;
  }

  get(hash: string): ApiToken | undefined {
    const entry = this.#byHash.get(hash);
    if (!entry) return undefined;
    if (this.#clock() >= entry.expiresAt) {
      this.#byHash.delete(hash);
      return undefined;
    }
    return entry.token;
  }

  /** Keeps `token` unless tokens were forgotten since the lookup began (`generation` then). */
  set(hash: string, token: ApiToken, generation: number): void {
    if (generation !== this.#generation) return;
    this.#byHash.set(hash, { token, expiresAt: this.#clock() + this.#ttlMs });
  }

  /** Replaces a kept token's record (its last use) without extending its life. */
  update(hash: string, token: ApiToken): void {
    const entry = this.#byHash.get(hash);
    if (entry) entry.token = token;
  }

  clear(): void {
    this.#generation++;
    this.#byHash.clear();
  }
}

export function registerAuth(app: FastifyInstance, store: Store, cache: VerifiedTokenCache): void {
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
    const hash = hashToken(match[1]!);
    let token = cache.get(hash);
    if (!token) {
      const generation = cache.generation;
      token = await store.apiTokens.findByHash(hash);
      if (!token) throw new AppError('unauthorized', 'the API token is unknown or was deleted');
      cache.set(hash, token, generation);
    }
    if (!roleAllows(token.role, permission)) {
      throw new AppError(
        'forbidden',
        `a ${token.role} token may not do this; it needs the ${permission} permission`,
      );
    }
    request.apiToken = token;
    // At most one write a minute per token: the kept record carries the last use written.
    const lastUsedAt = await store.apiTokens.touch(token.id, token.lastUsedAt);
    if (lastUsedAt !== token.lastUsedAt) cache.update(hash, { ...token, lastUsedAt });
  });
}
