// The console routes on a bare fastify: the "run npm run build" page when nothing is built, files with
// their content types and cache headers, index.html for client routes, and never for reserved paths.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from './routes.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function appFor(consoleDir: string) {
  const app = Fastify();
  registerConsoleRoutes(app, { consoleDir });
  await app.ready();
  return app;
}

describe('registerConsoleRoutes', () => {
  it('answers / with a page saying to run npm run build when the console is not built', async () => {
    const app = await appFor(join(dir, 'absent'));
    const answer = await app.inject({ url: '/' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toContain('npm run build');
    await app.close();
  });

  it('serves hashed assets as immutable and index.html for client routes, revalidated', async () => {
    const app = await appFor(dir);
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const route = await app.inject({ url: '/alerts/policies?q=gc' });
    expect(route.body).toContain('<title>console</title>');
    expect(route.headers['cache-control']).toBe('no-cache');
    await app.close();
  });

  it('never falls back to the console for API, ingestion, health or missing assets, nor leaves its folder', async () => {
    const app = await appFor(dir);
    for (const url of ['/api/v1/nothing', '/v1/traces', '/metrics', '/healthz', '/readyz', '/rum.js']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/assets/gone-999.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/%2e%2e/%2e%2e/etc/passwd' })).body).not.toContain('root:');
    await app.close();
  });
});
