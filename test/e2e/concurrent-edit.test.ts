// Two people editing the same alert policy: the second save, made on a stale read, is refused with 412
// when it sends If-Match, instead of silently undoing the first.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

describe('editing with If-Match', () => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService('sqlite');
  });
  afterEach(async () => {
    await service.stop();
  });

  async function put(path: string, body: unknown, etag: string): Promise<Response> {
    return fetch(service.url + path, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/json',
        'if-match': etag,
      },
      body: JSON.stringify(body),
    });
  }

  it('refuses a save based on a stale read with 412 precondition_failed and keeps the first edit', async () => {
    const contact = await service.api('POST', '/api/v1/contacts', { name: 'mail', email: 'ops@example.com' });
    const path = `/api/v1/contacts/${contact.body.id}`;
    const read = await fetch(service.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-z]+"$/);
    const body = (await read.json()) as Record<string, unknown>;

    const first = await put(path, { ...body, email: 'first@example.com' }, etag);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).not.toBe(etag);

    const second = await put(path, { ...body, email: 'second@example.com' }, etag);
    expect(second.status).toBe(412);
    const answer = (await second.json()) as { error: { code: string; currentEtag: string } };
    expect(answer.error.code).toBe('precondition_failed');
    expect(answer.error.currentEtag).toBe(first.headers.get('etag'));
    expect((await service.api('GET', path)).body.email).toBe('first@example.com');

    // With the current ETag, or without If-Match, the save goes through.
    expect((await put(path, { ...body, email: 'second@example.com' }, answer.error.currentEtag)).status).toBe(
      200,
    );
  });
});
