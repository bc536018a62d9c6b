// What every table's operations need: the database (or the open transaction), the secret box, the clock
// and the id generator.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import type { SecretBox } from './secret-box.js';

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly box: SecretBox;
  readonly now: () => number;
  readonly newId: () => string;
}

/**
 * The new `updated_at` of an updated row: now, or one millisecond past the old value if that is not
 * earlier, so each update gives a new revision (the API's ETag) even within one millisecond.
 */
export function nextUpdatedAt(now: number): RawBuilder<number> {
  return sql<number>`case when updated_at >= ${now} then updated_at + 1 else ${now} end`;
}
