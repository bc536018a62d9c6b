// What every table's operations need: the database (or the open transaction), the secret box, the clock
// and the id generator.
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SecretBox } from './secret-box.js';

export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly box: SecretBox;
  readonly now: () => number;
  readonly newId: () => string;
}
