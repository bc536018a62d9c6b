import { Script } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRumTestApp, type RumTestApp } from '../../../test/rum-app.js';
import { RUM_SCRIPT } from '../../ingest/rum-script.js';
import { generateToken, hashToken } from '../auth.js';

const NOW = Date.UTC(2025, 0, 6, 9, 30, 15);

const BEACON = {
  site: 'shop-web',
  page: '/orders/42',
  sentAt: 5_000,
  events: [
    { type: 'pageview', at: 900, ttfb: 120, domReady: 480, load: 910 },
    { type: 'api', at: 2_000, url: 'https://api.example.com/x', status: 500, duration: 80, success: false },
  ],
};

describe('browser monitoring routes', () => {
  let rum: RumTestApp;
  let adminToken: string;

  beforeAll(async () => {
    rum = await startRumTestApp({ now: () => NOW });
    adminToken = generateToken();
    await rum.store.apiTokens.create({ name: 'admin', role: 'admin', tokenHash: hashToken(adminToken) });
  });
  afterAll(() => rum.close());
  beforeEach(() => {
    rum.ingested.length = 0;
  });

  const post = (payload: string, contentType: string) =>
    rum.app.inject({
      method: 'POST',
      url: '/api/v1/rum',
      headers: { 'content-type': contentType, origin: 'https://shop.example.com' },
      payload,
    });

  it('takes a sendBeacon body (text/plain) without a token and answers 204 open to every origin', async () => {
    const answer = await post(JSON.stringify(BEACON), 'text/plain;charset=UTF-8');
    expect(answer.statusCode).toBe(204);
    expect(answer.body).toBe('');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(rum.ingested.map((series) => series.metric)).toEqual([
      'PV',
      'TTFB',
      'DOM_Ready',
      'Page_Load',
      'API_Duration',
    ]);
    expect(rum.ingested[4]).toEqual({
      scope: 'browser',
      target: 'shop-web',
      metric: 'API_Duration',
      labels: { page: '/orders/:id', api: 'https://api.example.com/x', success: 'false' },
      temporality: 'gauge',
      timestampsMs: [NOW],
      values: [80],
    });
  });

  it('takes an application/json body alike', async () => {
    const answer = await post(JSON.stringify(BEACON), 'application/json');
    expect(answer.statusCode).toBe(204);
    expect(rum.ingested).toHaveLength(5);
  });

  it('answers the CORS preflight with 204 allowing POST and content-type', async () => {
    const answer = await rum.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/rum',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type',
    });
  });

  it('refuses a bad beacon with 400 invalid_request naming each field, still open to every origin', async () => {
    const bad = { ...BEACON, site: '', events: [{ type: 'vital', name: 'LCP', value: -5 }] };
    const answer = await post(JSON.stringify(bad), 'text/plain;charset=UTF-8');
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    const { error } = answer.json();
    expect(error.code).toBe('invalid_request');
    expect(error.fields.map((field: { field: string }) => field.field)).toEqual(['site', 'events[0].value']);
    expect(rum.ingested).toEqual([]);
  });

  it('refuses text that is not JSON with 400 invalid_json', async () => {
    const answer = await post('site=shop-web', 'text/plain');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.code).toBe('invalid_json');
  });

  it('refuses a __proto__ key in a text/plain body as in JSON', async () => {
    const answer = await post('{"site":"a","page":"/","events":[],"__proto__":{"x":1}}', 'text/plain');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.code).toBe('invalid_json');
  });

  it('refuses a beacon over 64 KiB with 413 payload_too_large', async () => {
    const events = Array.from({ length: 100 }, () => ({ type: 'error', message: 'x'.repeat(700) }));
    const answer = await post(JSON.stringify({ ...BEACON, events }), 'text/plain');
    expect(answer.statusCode).toBe(413);
    expect(answer.json().error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('65536 bytes'),
    });
  });

  it('keeps refusing text/plain on every other route with 415', async () => {
    const answer = await rum.app.inject({
      method: 'POST',
      url: '/api/v1/contacts',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${adminToken}` },
      payload: JSON.stringify({ name: 'x', email: 'x@example.com' }),
    });
    expect(answer.statusCode).toBe(415);
    expect(answer.json().error.code).toBe('unsupported_media_type');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves /rum.js as cacheable JavaScript, and 304 to a browser holding the same version', async () => {
    const answer = await rum.app.inject({ method: 'GET', url: '/rum.js' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=3600');
    expect(answer.body).toBe(RUM_SCRIPT);
    expect(() => new Script(answer.body)).not.toThrow();

    const etag = answer.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await rum.app.inject({ method: 'GET', url: '/rum.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('documents the beacon in the OpenAPI document', async () => {
    const answer = await rum.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(answer.statusCode).toBe(200);
    const post = answer.json().paths['/api/v1/rum'].post;
    expect(post.security).toEqual([]);
    expect(Object.keys(post.requestBody.content)).toContain('application/json');
  });
});
