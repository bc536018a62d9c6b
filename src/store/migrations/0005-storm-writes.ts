// What a storm writes, made cheaper. A notification may carry several alert events of one policy (one
// message per policy, kind and target per evaluation, rendered when it is sent): their ids, as a JSON
// array, beside `event_id`, which stays set when the row is about exactly one event. And fewer indexes
// for each event the evaluator opens: the severity filter of the list reads the newest events and skips
// the others, and the bridge's (route, fingerprint) index covers the bridge's events only.
// Append-only: never edit a migration that has shipped; add the next number instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('event_ids', 'text').execute();
  await db.schema.dropIndex('alert_events_severity').execute();
  await db.schema.dropIndex('alert_events_key').execute();
  await db.schema
    .createIndex('alert_events_alertmanager_key')
    .on('alert_events')
    .columns(['policy_id', 'dimension_key', 'id'])
    .where(sql.raw<boolean>(`source = 'alertmanager'`))
    .execute();
}
