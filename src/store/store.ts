// The Store: every table's operations behind one object, over SQLite or PostgreSQL with one query
// code path. `transaction` gives the same object bound to one database transaction.
import { randomFillSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import { idGenerator } from '../domain/ids.js';
import { AlertEventStore } from './alert-events.js';
import { AlertPolicyStore } from './alert-policies.js';
import { AlertmanagerRouteStore } from './alertmanager-routes.js';
import { ApiTokenStore } from './api-tokens.js';
import { ContactGroupStore } from './contact-groups.js';
import { ContactStore } from './contacts.js';
import { dialectOf, openDatabase, type Database, type DatabaseLocation, type Dialect } from './database.js';
import { DatasourceStore } from './datasources.js';
import { MetaStore } from './meta.js';
import { migrateToLatest } from './migrate.js';
import { NotificationStore } from './notifications.js';
import { PolicyEvaluationStore } from './policy-evaluations.js';
import type { SecretBox } from './secret-box.js';
import type { StoreContext } from './store-context.js';

export interface Store {
  readonly dialect: Dialect;
  readonly contacts: ContactStore;
  readonly contactGroups: ContactGroupStore;
  readonly alertPolicies: AlertPolicyStore;
  readonly datasources: DatasourceStore;
  readonly apiTokens: ApiTokenStore;
  readonly meta: MetaStore;
  /** The outbox of notifications and the shared per-target rate budgets. */
  readonly notifications: NotificationStore;
  /** Alert events and the evaluation state of their keys (pending, suppressed). */
  readonly alertEvents: AlertEventStore;
  /** Each policy's evaluation status and the lease of the instance evaluating it. */
  readonly policyEvaluations: PolicyEvaluationStore;
  /** The Alertmanager bridge's routing table. */
  readonly alertmanagerRoutes: AlertmanagerRouteStore;
  /** Runs `work` in one transaction: all of its writes land, or none. */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Answers whether the database is reachable (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions extends DatabaseLocation {
  readonly box: SecretBox;
  /** Epoch milliseconds; injected so tests control time. */
  readonly now?: () => number;
}

function bind(
  db: Kysely<Database>,
  dialect: Dialect,
  base: Omit<StoreContext, 'db'>,
  inTransaction: boolean,
): Store {
  const ctx: StoreContext = { ...base, db };
  const store: Store = {
    dialect,
    contacts: new ContactStore(ctx),
    contactGroups: new ContactGroupStore(ctx),
    alertPolicies: new AlertPolicyStore(ctx),
    datasources: new DatasourceStore(ctx),
    apiTokens: new ApiTokenStore(ctx),
    meta: new MetaStore(ctx),
    notifications: new NotificationStore(ctx, dialect),
    alertEvents: new AlertEventStore(ctx),
    policyEvaluations: new PolicyEvaluationStore(ctx),
    alertmanagerRoutes: new AlertmanagerRouteStore(ctx),
    transaction: inTransaction
      ? (work) => work(store)
      : (work) => db.transaction().execute((trx) => work(bind(trx, dialect, base, true))),
    ping: async () => {
      await db.selectFrom('meta').select('key').limit(1).execute();
    },
    close: () => db.destroy(),
  };
  return store;
}

/** Opens the database, applies pending migrations and returns the Store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const db = openDatabase(options);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const now = options.now ?? Date.now;
  return bind(
    db,
    dialectOf(options),
    { box: options.box, now, newId: idGenerator(now, randomFillSync) },
    false,
  );
}
