// Alert events (one row per policy × dimension value × occurrence, its lifecycle bookkeeping in the row),
// the evaluation state of keys without an open event (pending, suppressed after a close), and each
// policy's evaluation status with the lease that lets one instance at a time evaluate it; and the index the
// retention sweep of notifications needs.
// Append-only: never edit a migration that has shipped; add the next number instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // No foreign key: the history outlives a deleted policy; name, kind and severity are kept as they were.
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('policy_kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('dimension_name', 'text')
    // '' for dimension mode none (and series without the label), so it can be part of a unique index.
    .addColumn('dimension_key', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('no_data', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trigger_values', 'text', (c) => c.notNull())
    .addColumn('watch_fingerprint', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('resolve_reason', 'text')
    .addColumn('last_evaluated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_notified_at', 'bigint')
    .addColumn('notify_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('false_since', 'bigint')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('closed_at', 'bigint')
    .addColumn('closed_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // At most one open event per policy and dimension value, whichever instance evaluates.
  await db.schema
    .createIndex('alert_events_open_key')
    .on('alert_events')
    .columns(['policy_id', 'dimension_key'])
    .unique()
    .where(sql.ref('state'), '=', 'firing')
    .execute();
  // The list's filters, each with the id it pages by; and the retention sweep.
  await db.schema.createIndex('alert_events_state').on('alert_events').columns(['state', 'id']).execute();
  await db.schema
    .createIndex('alert_events_policy')
    .on('alert_events')
    .columns(['policy_id', 'id'])
    .execute();
  await db.schema
    .createIndex('alert_events_severity')
    .on('alert_events')
    .columns(['severity', 'id'])
    .execute();
  await db.schema.createIndex('alert_events_started').on('alert_events').column('started_at').execute();
  await db.schema
    .createIndex('alert_events_resolved')
    .on('alert_events')
    .columns(['state', 'resolved_at'])
    .execute();

  // The retention sweep of the sending history (notifications.pruneFinished).
  await db.schema
    .createIndex('notifications_finished')
    .on('notifications')
    .columns(['state', 'updated_at'])
    .execute();

  await db.schema
    .createTable('alert_key_states')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('dimension_key', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('watch_fingerprint', 'text', (c) => c.notNull())
    .addColumn('consecutive_holds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('false_since', 'bigint')
    .addColumn('no_data', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_key_states_pk', ['policy_id', 'dimension_key'])
    .execute();

  await db.schema
    .createTable('policy_evaluations')
    .addColumn('policy_id', 'text', (c) => c.primaryKey())
    // The last evaluation time claimed: an instance evaluates a tick only if no one claimed it yet.
    .addColumn('tick', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_evaluated_at', 'bigint')
    .addColumn('last_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
