// API tokens, stored as SHA-256 hashes: the clear token exists only in the answer that created it.
import type { ApiToken, Role } from '../domain/api-token.js';
import type { ApiTokensTable } from './database.js';
import type { StoreContext } from './store-context.js';

function fromRow(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export class ApiTokenStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async create(input: { name: string; role: Role; tokenHash: string }): Promise<ApiToken> {
    const row = {
      id: this.#ctx.newId(),
      name: input.name,
      role: input.role,
      token_hash: input.tokenHash,
      created_at: this.#ctx.now(),
      last_used_at: null,
    };
    await this.#ctx.db.insertInto('api_tokens').values(row).execute();
    return fromRow(row);
  }

  async findByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.#ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.#ctx.db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const row = await this.#ctx.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Records use at most once a minute per token, so reads do not turn into a write per request.
   * Answers the token's last use as now recorded (`lastUsedAt` when nothing was written).
   */
  async touch(id: string, lastUsedAt: number | null): Promise<number | null> {
    const now = this.#ctx.now();
    if (lastUsedAt !== null && now - lastUsedAt < 60_000) return lastUsedAt;
    await this.#ctx.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    return now;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
