// The verified-token cache: one database lookup per token per TTL, revocation through the API at once,
// last use still recorded once a minute.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiToken } from '../domain/api-token.js';
import type { Store } from '../store/store.js';
import { hashToken, registerAuth, VerifiedTokenCache } from './auth.js';
import { registerErrorHandlers } from './error-handler.js';

interface Row {
  token: ApiToken;
  hash: string;
}

function fakeStore(clock: () => number) {
  const rows = new Map<string, Row>();
  const calls = { findByHash: 0, writes: 0 };
  const apiTokens = {
    findByHash(hash: string): Promise<ApiToken | undefined> {
      calls.findByHash++;
      for (const row of rows.values()) if (row.hash === hash) return Promise.resolve(row.token);
      return Promise.resolve(undefined);
    },
    touch(id: string, lastUsedAt: number | null): Promise<number | null> {
      const now = clock();
      if (lastUsedAt !== null && now - lastUsedAt < 60_000) return Promise.resolve(lastUsedAt);
      calls.writes++;
      const row = rows.get(id);
      if (row) row.token = { ...row.token, lastUsedAt: now };
      return Promise.resolve(now);
    },
    delete(id: string): Promise<boolean> {
      return Promise.resolve(rows.delete(id));
    },
  };
  function add(id: string, value: string, role: ApiToken['role']): void {
    rows.set(id, {
      token: { id, name: id, role, createdAt: 0, lastUsedAt: null },
      hash: hashToken(value),
    });
  }
  return { store: { apiTokens } as unknown as Store, rows, calls, add };
}

describe('authentication with verified tokens kept for a few seconds', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function setUp() {
    let now = 1_000_000;
    const clock = () => now;
    const fake = fakeStore(clock);
    fake.add('admin', 'tcs_admin', 'admin');
    fake.add('viewer', 'tcs_viewer', 'viewer');
    app = Fastify();
    registerErrorHandlers(app);
    const verifiedTokens = new VerifiedTokenCache(5_000, clock);
    registerAuth(app, fake.store, verifiedTokens);
    app.get('/api/v1/things', () => Promise.resolve({ ok: true }));
    app.delete<{ Params: { id: string } }>(
      '/api/v1/api-tokens/:id',
      { config: { permission: 'admin' } },
      async (request, reply) => {
        // As the real route (api-tokens/routes.ts) does once the deletion has committed.
        await fake.store.apiTokens.delete(request.params.id);
        verifiedTokens.clear();
        return reply.status(204).send();
      },
    );
    await app.ready();
    const get = async (token: string) =>
      (
        await app!.inject({
          method: 'GET',
          url: '/api/v1/things',
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode;
    return { fake, get, advance: (ms: number) => (now += ms) };
  }

  it('looks a token up once per TTL rather than once per request', async () => {
    const { fake, get, advance } = await setUp();
    for (let i = 0; i < 10; i++) expect(await get('tcs_viewer')).toBe(200);
    expect(fake.calls.findByHash).toBe(1);
    advance(5_000);
    expect(await get('tcs_viewer')).toBe(200);
    expect(fake.calls.findByHash).toBe(2);
    expect(await get('tcs_unknown')).toBe(401);
    expect(await get('tcs_unknown')).toBe(401);
  });

  it('forgets a token deleted through the API at once', async () => {
    const { get, fake } = await setUp();
    expect(await get('tcs_viewer')).toBe(200);
    expect(await get('tcs_viewer')).toBe(200);
    const deleted = await app!.inject({
      method: 'DELETE',
      url: '/api/v1/api-tokens/viewer',
      headers: { authorization: 'Bearer tcs_admin' },
    });
    expect(deleted.statusCode).toBe(204);
    expect(fake.rows.has('viewer')).toBe(false);
    expect(await get('tcs_viewer')).toBe(401);
    expect(await get('tcs_admin')).toBe(200);
  });

  it('still records the last use, at most once a minute per token', async () => {
    const { get, fake, advance } = await setUp();
    expect(await get('tcs_viewer')).toBe(200);
    expect(fake.calls.writes).toBe(1);
    const first = fake.rows.get('viewer')!.token.lastUsedAt;
    expect(first).not.toBeNull();
    for (let i = 0; i < 30; i++) {
      advance(1_000);
      expect(await get('tcs_viewer')).toBe(200);
    }
    expect(fake.calls.writes).toBe(1);
    advance(31_000);
    expect(await get('tcs_viewer')).toBe(200);
    expect(fake.calls.writes).toBe(2);
    expect(fake.rows.get('viewer')!.token.lastUsedAt).toBeGreaterThan(first!);
    // Served from the cache within the TTL: the kept record carries the new last use, no extra write.
    advance(1_000);
    expect(await get('tcs_viewer')).toBe(200);
    expect(fake.calls.writes).toBe(2);
  });
});

describe('VerifiedTokenCache', () => {
  it('does not keep a row looked up while tokens were being forgotten', () => {
    const cache = new VerifiedTokenCache(5_000, () => 0);
    const token: ApiToken = { id: 'a', name: 'a', role: 'viewer', createdAt: 0, lastUsedAt: null };
    const generation = cache.generation;
    cache.clear();
    cache.set('h', token, generation);
    expect(cache.get('h')).toBeUndefined();
    cache.set('h', token, cache.generation);
    expect(cache.get('h')).toBe(token);
  });
});
