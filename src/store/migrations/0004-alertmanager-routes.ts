// The Alertmanager bridge: its routing table (routes, and the contact groups each notifies mirrored in a
// link table so a group in use cannot vanish), and what alert events need to hold Alertmanager alerts —
// their source, and the alert's route, annotations and links as JSON.
// Append-only: never edit a migration that has shipped; add the next number instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alertmanager_routes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('route_order', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alertmanager_route_contact_groups')
    .addColumn('route_id', 'text', (c) =>
      c.notNull().references('alertmanager_routes.id').onDelete('cascade'),
    )
    .addColumn('group_id', 'text', (c) => c.notNull().references('contact_groups.id').onDelete('restrict'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('alertmanager_route_contact_groups_pk', ['route_id', 'group_id'])
    .execute();
  await db.schema
    .createIndex('alertmanager_route_contact_groups_group')
    .on('alertmanager_route_contact_groups')
    .column('group_id')
    .execute();

  // Existing events are all policies'. SQLite adds a NOT NULL column only with a default.
  await db.schema
    .alterTable('alert_events')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('policy'))
    .execute();
  await db.schema.alterTable('alert_events').addColumn('details', 'text').execute();
  // The bridge reads the newest event of a key (route, fingerprint) whatever its state, to tell a re-sent
  // payload from a new occurrence; the unique index of 0003 covers open events only.
  await db.schema
    .createIndex('alert_events_key')
    .on('alert_events')
    .columns(['policy_id', 'dimension_key', 'id'])
    .execute();
  // A resolved alert ends the open events of its fingerprint on every route. Partial: the evaluator's
  // inserts (most of the table) do not pay for an index only the bridge reads.
  await db.schema
    .createIndex('alert_events_alertmanager_open')
    .on('alert_events')
    .column('dimension_key')
    .where(sql.raw<boolean>(`source = 'alertmanager' and state = 'firing'`))
    .execute();
}
