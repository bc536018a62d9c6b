// Contact groups and their members (in the order the user listed them).
import type { ContactGroup, ContactGroupInput } from '../domain/contact-group.js';
import type { ContactGroupsTable } from './database.js';
import { decodeCursor, nameContains, toPage, type ListQuery, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';
import { isUniqueViolation, NameTakenError } from './store-errors.js';

export class ContactGroupStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async #withMembers(rows: readonly ContactGroupsTable[]): Promise<ContactGroup[]> {
    if (rows.length === 0) return [];
    const members = await this.#ctx.db
      .selectFrom('contact_group_members')
      .select(['group_id', 'contact_id'])
      .where(
        'group_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('group_id')
      .orderBy('position')
      .execute();
    const byGroup = new Map<string, string[]>();
    for (const member of members) {
      const list = byGroup.get(member.group_id) ?? [];
      list.push(member.contact_id);
      byGroup.set(member.group_id, list);
    }
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      contactIds: byGroup.get(row.id) ?? [],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async #writeMembers(groupId: string, contactIds: readonly string[]): Promise<void> {
    await this.#ctx.db.deleteFrom('contact_group_members').where('group_id', '=', groupId).execute();
    if (contactIds.length === 0) return;
    await this.#ctx.db
      .insertInto('contact_group_members')
      .values(
        contactIds.map((contactId, position) => ({ group_id: groupId, contact_id: contactId, position })),
      )
      .execute();
  }

  async list(query: ListQuery): Promise<Page<ContactGroup>> {
    let select = this.#ctx.db
      .selectFrom('contact_groups')
      .selectAll()
      .orderBy('id')
      .limit(query.limit + 1);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) select = select.where('id', '>', after);
    if (query.q) select = select.where(nameContains('name', query.q));
    const rows = await select.execute();
    const page = toPage(rows, query.limit, (row) => row);
    return { items: await this.#withMembers(page.items), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<ContactGroup | undefined> {
    const row = await this.#ctx.db
      .selectFrom('contact_groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && (await this.#withMembers([row]))[0];
  }

  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#ctx.db
      .selectFrom('contact_groups')
      .select('id')
      .where('id', 'in', ids)
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  /** Creates the group; the caller runs this in a transaction so the group and its members land together. */
  async create(input: ContactGroupInput): Promise<ContactGroup> {
    const now = this.#ctx.now();
    const row = {
      id: this.#ctx.newId(),
      name: input.name,
      description: input.description,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.#ctx.db.insertInto('contact_groups').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('contact group', input.name);
      throw error;
    }
    await this.#writeMembers(row.id, input.contactIds);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      contactIds: [...input.contactIds],
      createdAt: now,
      updatedAt: now,
    };
  }

  async update(id: string, input: ContactGroupInput): Promise<ContactGroup | undefined> {
    let row: ContactGroupsTable | undefined;
    try {
      row = await this.#ctx.db
        .updateTable('contact_groups')
        .set({ name: input.name, description: input.description, updated_at: nextUpdatedAt(this.#ctx.now()) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('contact group', input.name);
      throw error;
    }
    if (!row) return undefined;
    await this.#writeMembers(id, input.contactIds);
    return {
      id,
      name: row.name,
      description: row.description,
      contactIds: [...input.contactIds],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('contact_groups').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The alert policies that notify this group. */
  async policiesUsing(id: string): Promise<{ id: string; name: string }[]> {
    return this.#ctx.db
      .selectFrom('alert_policy_contact_groups as l')
      .innerJoin('alert_policies as p', 'p.id', 'l.policy_id')
      .select(['p.id', 'p.name'])
      .where('l.group_id', '=', id)
      .orderBy('p.id')
      .execute();
  }
}
