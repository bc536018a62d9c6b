// Brings a database to the newest schema. Migrations are numbered modules under ./migrations, listed
// here explicitly so the build needs no file-system discovery.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as configuration from './migrations/0001-configuration.js';
import * as notifications from './migrations/0002-notifications.js';
import * as alertEvents from './migrations/0003-alert-events.js';
import * as alertmanagerRoutes from './migrations/0004-alertmanager-routes.js';
import * as stormWrites from './migrations/0005-storm-writes.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-configuration': configuration,
  '0002-notifications': notifications,
  '0003-alert-events': alertEvents,
  '0004-alertmanager-routes': alertmanagerRoutes,
  '0005-storm-writes': stormWrites,
};

class ListedMigrations implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(MIGRATIONS);
  }
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new ListedMigrations(),
    migrationTableName: 'tocsin_migrations',
    migrationLockTableName: 'tocsin_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed`, { cause: error });
  }
}
