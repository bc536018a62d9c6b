// Tokens and roles over HTTP: no token, unknown token, viewer, editor and admin; tokens shown once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../service.js';

describe('API tokens and roles', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService('sqlite');
  });
  afterEach(async () => {
    await service.stop();
  });

  async function tokenWithRole(role: string): Promise<string> {
    const created = await service.api('POST', '/api/v1/api-tokens', { name: `${role} token`, role });
    expect(created.status).toBe(201);
    return created.body.token as string;
  }

  it('answers 401 unauthorized without a token or with an unknown one, and lets health checks through', async () => {
    for (const token of [null, 'tcs_not-a-real-token']) {
      const answer = await service.api('GET', '/api/v1/contacts', undefined, token);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
    }
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${service.url}/api/openapi.json`)).status).toBe(200);
  });

  it('lets a viewer read but answers 403 forbidden when it writes', async () => {
    const viewer = await tokenWithRole('viewer');
    expect((await service.api('GET', '/api/v1/alert-policies', undefined, viewer)).status).toBe(200);
    const write = await service.api(
      'POST',
      '/api/v1/contacts',
      { name: 'x', email: 'x@example.com' },
      viewer,
    );
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
    expect((await service.api('GET', '/api/v1/contacts')).body.items).toEqual([]);
  });

  it('lets an editor change configuration but not manage tokens', async () => {
    const editor = await tokenWithRole('editor');
    expect(
      (await service.api('POST', '/api/v1/contacts', { name: 'x', email: 'x@example.com' }, editor)).status,
    ).toBe(201);
    expect((await service.api('GET', '/api/v1/api-tokens', undefined, editor)).status).toBe(403);
    expect(
      (await service.api('POST', '/api/v1/api-tokens', { name: 'more', role: 'admin' }, editor)).status,
    ).toBe(403);
  });

  it('shows a token value only when it is created, and stops accepting it once deleted', async () => {
    const created = await service.api('POST', '/api/v1/api-tokens', { name: 'ci', role: 'viewer' });
    const list = await service.api('GET', '/api/v1/api-tokens');
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body.items.map((t: { name: string }) => t.name)).toContain('ci');
    expect((await service.api('GET', '/api/v1/contacts', undefined, created.body.token)).status).toBe(200);
    expect((await service.api('DELETE', `/api/v1/api-tokens/${created.body.id}`)).status).toBe(204);
    expect((await service.api('GET', '/api/v1/contacts', undefined, created.body.token)).status).toBe(401);
  });

  it('stops accepting a token deleted through the API at once, although verified tokens are kept briefly', async () => {
    const viewer = await service.api('POST', '/api/v1/api-tokens', { name: 'busy', role: 'viewer' });
    for (let i = 0; i < 5; i++) {
      expect((await service.api('GET', '/api/v1/contacts', undefined, viewer.body.token)).status).toBe(200);
    }
    const list = await service.api('GET', '/api/v1/api-tokens');
    const busy = list.body.items.find((t: { name: string }) => t.name === 'busy');
    expect(busy.lastUsedAt).not.toBeNull();
    expect((await service.api('DELETE', `/api/v1/api-tokens/${viewer.body.id}`)).status).toBe(204);
    expect((await service.api('GET', '/api/v1/contacts', undefined, viewer.body.token)).status).toBe(401);
  });

  it('refuses to delete the last admin token', async () => {
    const list = await service.api('GET', '/api/v1/api-tokens');
    const admins = list.body.items.filter((t: { role: string }) => t.role === 'admin');
    expect(admins).toHaveLength(1);
    const refused = await service.api('DELETE', `/api/v1/api-tokens/${admins[0].id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('in_use');
  });
});
