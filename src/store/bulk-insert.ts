// Inserting many rows of one shape, a few hundred a statement. Kysely builds the statement of a chunk
// from its rows (an operation tree of every value, then SQL); for a storm's 50,000 events that cost
// more than SQLite's own insert. So the SQL Kysely compiled for a chunk of n rows of these columns is
// kept and reused with the next chunk's values in the same order — once it has been checked that its
// parameters were exactly the rows' values, column by column (Kysely inlines nothing for plain values).
import { CompiledQuery, type InsertObject, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** SQL text by table, columns and row count, per dialect adapter (SQLite and PostgreSQL differ). */
const keptSql = new WeakMap<object, Map<string, string>>();

/** Rows per statement: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535. */
const CHUNK_ROWS = 500;

type Row<T extends keyof Database> = Database[T];

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Inserts `rows` into `table`, all with the keys of the first row in the same order and no undefined
 * value. Use `db` bound to the caller's transaction when the rows belong with other writes.
 * @example await insertRows(tx, 'alert_events', rows);
 */
export async function insertRows<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Row<T>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!) as (keyof Row<T> & string)[];
  const adapter = db.getExecutor().adapter;
  let byShape = keptSql.get(adapter);
  if (!byShape) keptSql.set(adapter, (byShape = new Map<string, string>()));
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of columns) parameters.push(row[column]);
    const shape = `${table}(${columns.join(',')})×${chunk.length}`;
    const kept = byShape.get(shape);
    if (kept !== undefined) {
      await db.executeQuery(CompiledQuery.raw(kept, parameters));
      continue;
    }
    const query = db.insertInto(table).values(chunk as unknown as InsertObject<Database, T>[]);
    const compiled = query.compile();
    if (sameValues(compiled.parameters, parameters)) byShape.set(shape, compiled.sql);
    await query.execute();
  }
}
