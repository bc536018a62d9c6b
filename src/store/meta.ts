// Instance-wide facts kept in the database, such as the fingerprint of the encryption key.
import type { StoreContext } from './store-context.js';

export class MetaStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.#ctx.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  /** Sets the value only if the key is absent; returns the value now stored (ours or a racing writer's). */
  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.#ctx.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.get(key)) ?? value;
  }
}
