// The tables as Kysely sees them, and opening a database: SQLite (embedded default) or PostgreSQL.
// Both dialects share one query code path; times are epoch milliseconds, booleans 0/1, JSON as text.
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import {
  BACKSTOP_CHECKPOINT_PAGES,
  startSqliteCheckpointer,
  type SqliteCheckpointer,
} from './sqlite-checkpointer.js';

export interface ContactsTable {
  id: string;
  name: string;
  /** The contact without its secrets, as JSON. */
  spec: string;
  /** The robot webhook, signing secret and sensitive headers, sealed by the SecretBox. */
  secrets: string;
  created_at: number;
  updated_at: number;
}

export interface ContactGroupsTable {
  id: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface ContactGroupMembersTable {
  group_id: string;
  contact_id: string;
  position: number;
}

export interface AlertPoliciesTable {
  id: string;
  name: string;
  kind: string;
  target: string | null;
  enabled: number;
  datasource_id: string | null;
  spec: string;
  created_at: number;
  updated_at: number;
}

export interface AlertPolicyContactGroupsTable {
  policy_id: string;
  group_id: string;
  position: number;
}

/** The Alertmanager bridge's routing table: matchers, groups, channels and severity mapping in `spec`. */
export interface AlertmanagerRoutesTable {
  id: string;
  name: string;
  /** The route's `order` (`order` is an SQL keyword). */
  route_order: number;
  spec: string;
  created_at: number;
  updated_at: number;
}

/** The contact groups a route notifies, mirrored so that a group in use cannot be deleted. */
export interface AlertmanagerRouteContactGroupsTable {
  route_id: string;
  group_id: string;
  position: number;
}

export interface DatasourcesTable {
  id: string;
  name: string;
  type: string;
  spec: string;
  secrets: string;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
}

/** The outbox: one row per notification request × channel target; DESIGN.md §2. */
export interface NotificationsTable {
  id: string;
  channel: string;
  contact_id: string;
  /** The rate-budget key, e.g. `dingtalk:<hash of host + access_token>`; never a secret in clear. */
  target_key: string;
  /** Where it goes, secrets masked, for the history. */
  target: string;
  kind: string;
  severity: string;
  policy_id: string | null;
  /** The event the row is about, when it is about exactly one. */
  event_id: string | null;
  /** The events of a message rendered when sent (a JSON array of ids); null for a rendered request. */
  event_ids: string | null;
  /** The NotificationRequest's content as JSON, or what rendering the events needs. */
  payload: string;
  /** queued → sending → sent | retrying | failed */
  state: string;
  attempts: number;
  next_attempt_at: number;
  /** While `sending`: when another dispatcher may take the row over (its claimer died). */
  lease_until: number | null;
  last_error: string | null;
  /** The channel's answer as JSON: DingTalk errcode/errmsg, an HTTP status, an SMTP reply. */
  answer: string | null;
  /** Rows sent together in one (merged) message share it. */
  message_id: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** One row per rate-limited target, locked while a send slot is reserved. */
export interface RateTargetsTable {
  target_key: string;
  /** Epoch ms before which nothing is sent to this target (the receiver said "too fast"). */
  paused_until: number;
  updated_at: number;
}

/** The sends of the rolling window, counted to enforce the budget across instances. */
export interface RateSendsTable {
  target_key: string;
  sent_at: number;
}

/** One alert event: a policy firing for one dimension value, then resolved; DESIGN.md §1. */
export interface AlertEventsTable {
  id: string;
  /** policy | alertmanager */
  source: string;
  /** The policy's id; for an Alertmanager event, its route's. */
  policy_id: string;
  /** The policy's name, kind and severity when the event opened. */
  policy_name: string;
  policy_kind: string;
  severity: string;
  /** The label the policy splits by (e.g. `host`); null for dimension mode none. */
  dimension_name: string | null;
  /** The dimension value; '' for none; an Alertmanager event's fingerprint. */
  dimension_key: string;
  /** The series' labels as JSON. */
  labels: string;
  /** firing → resolved */
  state: string;
  no_data: number;
  /** Per rule: metric, aggregation, value, baseline, change %, threshold — as JSON. */
  trigger_values: string;
  /** What the policy watched when the event opened; a different one ends the event (policy changed). */
  watch_fingerprint: string;
  started_at: number;
  resolved_at: number | null;
  /** recovered | no_data | closed | policy_changed | policy_disabled | policy_deleted */
  resolve_reason: string | null;
  last_evaluated_at: number;
  last_notified_at: number | null;
  notify_count: number;
  false_since: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  closed_at: number | null;
  closed_by: string | null;
  /** An Alertmanager event's route, annotations and links (AlertmanagerEventDetails) as JSON; else null. */
  details: string | null;
  created_at: number;
  updated_at: number;
}

/** The evaluation state of a key without an open event: pending (holding < K times) or suppressed. */
export interface AlertKeyStatesTable {
  policy_id: string;
  dimension_key: string;
  /** pending | suppressed */
  phase: string;
  labels: string;
  watch_fingerprint: string;
  consecutive_holds: number;
  since: number;
  false_since: number | null;
  no_data: number;
  updated_at: number;
}

/** Each policy's last evaluation and the lease of the instance evaluating it. */
export interface PolicyEvaluationsTable {
  policy_id: string;
  tick: number;
  lease_owner: string | null;
  lease_until: number;
  last_evaluated_at: number | null;
  /** ok | error */
  last_status: string | null;
  last_error: string | null;
  /** Failed evaluations in a row. */
  failures: number;
  updated_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  contacts: ContactsTable;
  contact_groups: ContactGroupsTable;
  contact_group_members: ContactGroupMembersTable;
  alert_policies: AlertPoliciesTable;
  alert_policy_contact_groups: AlertPolicyContactGroupsTable;
  alertmanager_routes: AlertmanagerRoutesTable;
  alertmanager_route_contact_groups: AlertmanagerRouteContactGroupsTable;
  datasources: DatasourcesTable;
  api_tokens: ApiTokensTable;
  meta: MetaTable;
  notifications: NotificationsTable;
  rate_targets: RateTargetsTable;
  rate_sends: RateSendsTable;
  alert_events: AlertEventsTable;
  alert_key_states: AlertKeyStatesTable;
  policy_evaluations: PolicyEvaluationsTable;
}

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file path (or `:memory:`). */
  readonly url: string;
  /**
   * SQLite: checkpoint the write-ahead log on a worker thread instead of inside commits (the service
   * does; tests that open hundreds of short-lived stores need not start a thread for each).
   */
  readonly checkpointInBackground?: boolean;
}

export function dialectOf(location: DatabaseLocation): Dialect {
  return /^postgres(ql)?:\/\//.test(location.url) ? 'postgres' : 'sqlite';
}

// int8 columns hold epoch milliseconds, well inside Number's exact range; pg would return strings.
const PG_INT8_OID = 20;
const int8AsNumber = ((oid: number, format: 'text' | 'binary'): unknown =>
  oid === PG_INT8_OID
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser;

export function openDatabase(location: DatabaseLocation): Kysely<Database> {
  if (dialectOf(location) === 'postgres') {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: 10,
      types: { getTypeParser: int8AsNumber },
    });
    // An idle connection the server closes (a restart, a failover, an administrator) is dropped from the
    // pool and the next query opens a new one; without a listener its error would end the process.
    pool.on('error', () => undefined);
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const sqlite = new SQLite(location.url);
  // WAL + NORMAL: a committed write survives a crash or kill -9 of the process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  let checkpointer: SqliteCheckpointer | null = null;
  if (location.checkpointInBackground && !sqlite.memory) {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    checkpointer = startSqliteCheckpointer(location.url, (message) =>
      process.emitWarning(`SQLite checkpoint failed: ${message}`),
    );
  }
  const database = keptStatements(sqlite, () => void checkpointer?.stop());
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

/** Prepared statements kept per connection; past it the least recently used is dropped. */
const KEPT_STATEMENTS = 512;

/**
 * The connection with its prepared statements kept by SQL text. Kysely prepares every query anew, and
 * preparing costs about as much as running a small query: an evaluation writing thousands of events
 * spent a tenth of its time in it. One statement object per text is safe because the connection runs
 * one statement at a time and Tocsin never streams a query (an iteration in progress would make the
 * statement busy).
 */
function keptStatements(sqlite: SQLite.Database, beforeClose: () => void): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      beforeClose();
      sqlite.close();
    },
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement) {
        // Map order is insertion order: re-inserting makes this the most recently used.
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= KEPT_STATEMENTS) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
