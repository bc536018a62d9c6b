// The outbox of notifications (one row per notification request × channel target, its retry state in the
// row) and the shared per-target rate budget: a lockable row per target and a log of recent sends.
// Append-only: never edit a migration that has shipped; add the next number instead.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    // No foreign key: the history outlives a deleted contact, and the dispatcher fails such rows itself.
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('answer', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  // Claiming: due rows by state and time; expired leases by state and lease.
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .columns(['state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notifications_lease')
    .on('notifications')
    .columns(['state', 'lease_until'])
    .execute();
  // Sweeping what waits for one robot into the message about to go to it.
  await db.schema
    .createIndex('notifications_target')
    .on('notifications')
    .columns(['target_key', 'state', 'next_attempt_at'])
    .execute();
  // Listing the history filtered by contact, policy or event.
  await db.schema
    .createIndex('notifications_contact')
    .on('notifications')
    .columns(['contact_id', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_policy')
    .on('notifications')
    .columns(['policy_id', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_event')
    .on('notifications')
    .columns(['event_id', 'id'])
    .execute();

  await db.schema
    .createTable('rate_targets')
    .addColumn('target_key', 'text', (c) => c.primaryKey())
    .addColumn('paused_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rate_sends')
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_sends_target')
    .on('rate_sends')
    .columns(['target_key', 'sent_at'])
    .execute();
}
