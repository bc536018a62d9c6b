// Contacts in the database: the public part as JSON, the robot webhook, signing secret, webhook
// headers and webhook signing secret sealed in `secrets`.
import type { Contact, ContactInput } from '../domain/contact.js';
import type { ContactsTable } from './database.js';
import { decodeCursor, nameContains, toPage, type ListQuery, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';
import { isUniqueViolation, NameTakenError } from './store-errors.js';

interface ContactSecrets {
  dingtalkWebhook: string | null;
  dingtalkSecret: string | null;
  webhookHeaders: Record<string, string> | null;
  /** Absent in rows written before webhooks could be signed; read as null. */
  webhookSecret?: string | null;
}

function toRow(ctx: StoreContext, input: ContactInput) {
  const secrets: ContactSecrets = {
    dingtalkWebhook: input.dingtalk?.webhook ?? null,
    dingtalkSecret: input.dingtalk?.secret ?? null,
    webhookHeaders: input.webhook?.headers ?? null,
    webhookSecret: input.webhook?.secret ?? null,
  };
  const spec = {
    description: input.description,
    dingtalk: input.dingtalk ? { ...input.dingtalk, webhook: undefined, secret: undefined } : null,
    email: input.email,
    phone: input.phone,
    webhook: input.webhook ? { ...input.webhook, headers: undefined, secret: undefined } : null,
  };
  return { name: input.name, spec: JSON.stringify(spec), secrets: ctx.box.encrypt(JSON.stringify(secrets)) };
}

function fromRow(ctx: StoreContext, row: ContactsTable): Contact {
  const spec = JSON.parse(row.spec) as Omit<ContactInput, 'name'>;
  const secrets = JSON.parse(ctx.box.decrypt(row.secrets)) as ContactSecrets;
  return {
    id: row.id,
    name: row.name,
    description: spec.description,
    dingtalk: spec.dingtalk
      ? { ...spec.dingtalk, webhook: secrets.dingtalkWebhook ?? '', secret: secrets.dingtalkSecret }
      : null,
    email: spec.email,
    phone: spec.phone,
    webhook: spec.webhook
      ? { ...spec.webhook, headers: secrets.webhookHeaders ?? {}, secret: secrets.webhookSecret ?? null }
      : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ContactStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async list(query: ListQuery): Promise<Page<Contact>> {
    let select = this.#ctx.db
      .selectFrom('contacts')
      .selectAll()
      .orderBy('id')
      .limit(query.limit + 1);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) select = select.where('id', '>', after);
    if (query.q) select = select.where(nameContains('name', query.q));
    const rows = await select.execute();
    return toPage(rows, query.limit, (row) => fromRow(this.#ctx, row));
  }

  async get(id: string): Promise<Contact | undefined> {
    const row = await this.#ctx.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(this.#ctx, row);
  }

  /** The ids among `ids` that name existing contacts. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#ctx.db.selectFrom('contacts').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((row) => row.id));
  }

  async create(input: ContactInput): Promise<Contact> {
    const now = this.#ctx.now();
    const row = { id: this.#ctx.newId(), ...toRow(this.#ctx, input), created_at: now, updated_at: now };
    try {
      await this.#ctx.db.insertInto('contacts').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('contact', input.name);
      throw error;
    }
    return fromRow(this.#ctx, row);
  }

  async update(id: string, input: ContactInput): Promise<Contact | undefined> {
    try {
      const row = await this.#ctx.db
        .updateTable('contacts')
        .set({ ...toRow(this.#ctx, input), updated_at: nextUpdatedAt(this.#ctx.now()) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && fromRow(this.#ctx, row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('contact', input.name);
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The contact groups that list this contact. */
  async groupsUsing(id: string): Promise<{ id: string; name: string }[]> {
    return this.#ctx.db
      .selectFrom('contact_group_members as m')
      .innerJoin('contact_groups as g', 'g.id', 'm.group_id')
      .select(['g.id', 'g.name'])
      .where('m.contact_id', '=', id)
      .orderBy('g.id')
      .execute();
  }
}
