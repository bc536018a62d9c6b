// The service as a user starts it: the built `tocsin serve` in its own process, its first-start admin
// token, health endpoints, the OpenAPI document, a clean stop; and the encryption-key guard.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';

const built = join(import.meta.dirname, '../../dist/cli/main.js');

/** Waits until `read()` matches, or fails after `ms`: for real external effects only. */
async function waitFor<T>(read: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('tocsin serve', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('starts from the build, prints a first admin token once, serves health, metrics and OpenAPI, and stops on SIGTERM', async () => {
    const database = await createTestDatabase('sqlite');
    cleanups.push(() => database.drop());
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TOCSIN_DATA_DIR: database.dataDir,
      TOCSIN_PORT: '0',
      TOCSIN_LOG_LEVEL: 'warn',
    };
    delete env.TOCSIN_ADMIN_TOKEN;
    const child = spawn(process.execPath, [built, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });

    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 15_000);
    const token = await waitFor(() => /TOCSIN_TOKEN=(tcs_\S+)/.exec(output)?.[1], 5_000);
    expect(statSync(join(database.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    const contacts = await fetch(`${url}/api/v1/contacts`, { headers: { authorization: `Bearer ${token}` } });
    expect(contacts.status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('tocsin_http_requests_total');
    const openapi = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/v1/contacts', '/api/v1/contact-groups', '/api/v1/alert-policies/{id}']),
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toContain('Error');

    // A second start finds the token in place and prints none.
    const again = spawn(process.execPath, [built, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let againOutput = '';
    again.stdout.on('data', (chunk: Buffer) => (againOutput += chunk.toString()));
    const againExited = new Promise<number | null>((resolve) => again.on('exit', resolve));
    await waitFor(() => /listening on/.exec(againOutput)?.[0], 15_000);
    again.kill('SIGTERM');
    expect(await againExited).toBe(0);
    expect(againOutput).not.toContain('TOCSIN_TOKEN=');
  });

  it('refuses to start on a PostgreSQL database whose secrets were sealed with another key', async () => {
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const configWith = (key: Buffer) =>
      loadServerConfig({
        TOCSIN_PORT: '0',
        TOCSIN_DATA_DIR: database.dataDir,
        TOCSIN_DATABASE_URL: database.url,
        TOCSIN_ENCRYPTION_KEY: key.toString('base64'),
        TOCSIN_LOG_LEVEL: 'silent',
      });
    const key = randomBytes(32);
    const first = await startServer(configWith(key));
    // A second instance with the same key shares the database fine.
    const second = await startServer(configWith(key));
    await second.close();
    await expect(startServer(configWith(randomBytes(32)))).rejects.toThrow(/same TOCSIN_ENCRYPTION_KEY/);
    await first.close();
  });
});
