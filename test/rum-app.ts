// A Tocsin HTTP application (buildApp on a fresh SQLite store) whose series ingestion only records what
// it is given, for the browser monitoring tests: they look at the series a beacon became.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import type { Clock } from '../src/domain/clock.js';
import type { IngestSeries } from '../src/domain/metric-series.js';
import { SecretBox } from '../src/store/secret-box.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface RumTestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Every series handed to ingestion, in order. */
  readonly ingested: IngestSeries[];
  close(): Promise<void>;
}

/** Builds the app with a recording `ingestSeries`; `close` stops it and drops its database. */
export async function startRumTestApp(clock: Clock): Promise<RumTestApp> {
  const database: TestDatabase = await createTestDatabase('sqlite');
  const store: Store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)) });
  const ingested: IngestSeries[] = [];
  const app = await buildApp({
    config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
    store,
    clock,
    ingestSeries(series) {
      ingested.push(...series);
      return { acceptedPoints: series.reduce((sum, one) => sum + one.values.length, 0), rejections: [] };
    },
  });
  return {
    app,
    store,
    ingested,
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}
