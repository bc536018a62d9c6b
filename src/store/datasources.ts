// Data sources; credentials (basic auth, bearer token) sealed in `secrets`.
import type { Datasource, DatasourceInput } from '../domain/datasource.js';
import type { DatasourcesTable } from './database.js';
import { decodeCursor, nameContains, toPage, type ListQuery, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';
import { isUniqueViolation, NameTakenError } from './store-errors.js';

type DatasourceSecrets = Pick<DatasourceInput, 'basicAuth' | 'bearerToken'>;

function toRow(ctx: StoreContext, input: DatasourceInput) {
  const { basicAuth, bearerToken, name, type, ...spec } = input;
  const secrets: DatasourceSecrets = { basicAuth, bearerToken };
  return { name, type, spec: JSON.stringify(spec), secrets: ctx.box.encrypt(JSON.stringify(secrets)) };
}

function fromRow(ctx: StoreContext, row: DatasourcesTable): Datasource {
  const spec = JSON.parse(row.spec) as Omit<DatasourceInput, 'name' | 'type' | keyof DatasourceSecrets>;
  const secrets = JSON.parse(ctx.box.decrypt(row.secrets)) as DatasourceSecrets;
  return {
    id: row.id,
    name: row.name,
    type: row.type as Datasource['type'],
    ...spec,
    ...secrets,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class DatasourceStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async list(query: ListQuery): Promise<Page<Datasource>> {
    let select = this.#ctx.db
      .selectFrom('datasources')
      .selectAll()
      .orderBy('id')
      .limit(query.limit + 1);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) select = select.where('id', '>', after);
    if (query.q) select = select.where(nameContains('name', query.q));
    return toPage(await select.execute(), query.limit, (row) => fromRow(this.#ctx, row));
  }

  async get(id: string): Promise<Datasource | undefined> {
    const row = await this.#ctx.db
      .selectFrom('datasources')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(this.#ctx, row);
  }

  async create(input: DatasourceInput): Promise<Datasource> {
    const now = this.#ctx.now();
    const row = { id: this.#ctx.newId(), ...toRow(this.#ctx, input), created_at: now, updated_at: now };
    try {
      await this.#ctx.db.insertInto('datasources').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('data source', input.name);
      throw error;
    }
    return fromRow(this.#ctx, row);
  }

  async update(id: string, input: DatasourceInput): Promise<Datasource | undefined> {
    try {
      const row = await this.#ctx.db
        .updateTable('datasources')
        .set({ ...toRow(this.#ctx, input), updated_at: nextUpdatedAt(this.#ctx.now()) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && fromRow(this.#ctx, row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('data source', input.name);
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('datasources').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async policiesUsing(id: string): Promise<{ id: string; name: string }[]> {
    return this.#ctx.db
      .selectFrom('alert_policies')
      .select(['id', 'name'])
      .where('datasource_id', '=', id)
      .orderBy('id')
      .execute();
  }
}
