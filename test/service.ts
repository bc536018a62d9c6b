// Starts the real Tocsin service on a free port for a test, and talks to it over HTTP like a user would.
import { loadServerConfig, type ServerConfig } from '../src/config.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/main.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const SANDBOX_ORIGIN = 'http://127.0.0.1:9701';

export interface TestService {
  readonly server: RunningServer;
  readonly url: string;
  readonly config: ServerConfig;
  readonly database: TestDatabase;
  /** `fetch` against the service with the admin token and JSON encoding. */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiAnswer>;
  /**
   * Stops the service and starts it again on the same database and data directory; on the same port when
   * asked (for senders configured with the address, such as an OpenTelemetry exporter).
   */
  restart(samePort?: boolean): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: any;
}

export async function startTestService(
  dialect: TestDialect = 'sqlite',
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<TestService> {
  const database = await createTestDatabase(dialect);
  const config = loadServerConfig({
    TOCSIN_PORT: '0',
    TOCSIN_DATA_DIR: database.dataDir,
    TOCSIN_ADMIN_TOKEN: ADMIN_TOKEN,
    TOCSIN_ALLOWED_WEBHOOK_ORIGINS: SANDBOX_ORIGIN,
    TOCSIN_LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' && { TOCSIN_DATABASE_URL: database.url }),
    ...env,
  });
  let server = await startServer(config, options);
  const service: TestService = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    config,
    database,
    async api(method, path, body, token = ADMIN_TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(server.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async restart(samePort = false) {
      const port = samePort ? Number(new URL(server.url).port) : config.port;
      await server.close();
      // Lets fetch see its pooled connections to the old server closed before anything is sent again.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A new port by default: fetch's pooled connections to the old server cannot be reused by mistake.
      server = await startServer({ ...config, port }, options);
    },
    async stop() {
      await server.close();
      await database.drop();
    },
  };
  return service;
}
