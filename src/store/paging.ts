// Lists are ordered by id (ids are time-ordered) and paged by an opaque cursor: the last id seen.
import { ID_PATTERN } from '../domain/ids.js';
import { sql, type Expression, type SqlBool } from 'kysely';

export interface ListQuery {
  /** 1 to 1000. */
  readonly limit: number;
  readonly cursor?: string | undefined;
  /** Case-insensitive substring of the name. */
  readonly q?: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id a cursor stands for, or null when the cursor is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return ID_PATTERN.test(id) ? id : null;
}

/** `name` contains `q`, ignoring case, with LIKE's wildcards in `q` taken literally. */
export function nameContains(column: string, q: string): Expression<SqlBool> {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** Cuts a `limit + 1` row fetch into a page. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  limit: number,
  present: (row: Row) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(present), nextCursor: more ? encodeCursor(kept[kept.length - 1]!.id) : null };
}
