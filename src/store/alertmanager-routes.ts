// The Alertmanager bridge's routes: the whole route as JSON in `spec`, its order in a column, and the
// contact groups it notifies mirrored in a link table so groups in use can't vanish.
import type { AlertmanagerRoute, AlertmanagerRouteInput } from '../domain/alertmanager-route.js';
import type { AlertmanagerRoutesTable } from './database.js';
import { decodeCursor, nameContains, toPage, type ListQuery, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';
import { isUniqueViolation, NameTakenError } from './store-errors.js';

function toRow(input: AlertmanagerRouteInput) {
  const { name, order, ...spec } = input;
  return { name, route_order: order, spec: JSON.stringify(spec) };
}

function fromRow(row: AlertmanagerRoutesTable): AlertmanagerRoute {
  const spec = JSON.parse(row.spec) as Omit<AlertmanagerRouteInput, 'name' | 'order'>;
  return {
    id: row.id,
    name: row.name,
    ...spec,
    order: row.route_order,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AlertmanagerRouteStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async #writeGroups(routeId: string, groupIds: readonly string[]): Promise<void> {
    await this.#ctx.db
      .deleteFrom('alertmanager_route_contact_groups')
      .where('route_id', '=', routeId)
      .execute();
    await this.#ctx.db
      .insertInto('alertmanager_route_contact_groups')
      .values(groupIds.map((groupId, position) => ({ route_id: routeId, group_id: groupId, position })))
      .execute();
  }

  /** Routes by id (creation order), paged like every list. */
  async list(query: ListQuery): Promise<Page<AlertmanagerRoute>> {
    let select = this.#ctx.db
      .selectFrom('alertmanager_routes')
      .selectAll()
      .orderBy('id')
      .limit(query.limit + 1);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) select = select.where('id', '>', after);
    if (query.q) select = select.where(nameContains('name', query.q));
    return toPage(await select.execute(), query.limit, fromRow);
  }

  /** Every route, in the order alerts try them (`order`, then name). */
  async all(): Promise<AlertmanagerRoute[]> {
    const rows = await this.#ctx.db
      .selectFrom('alertmanager_routes')
      .selectAll()
      .orderBy('route_order')
      .orderBy('name')
      .execute();
    return rows.map(fromRow);
  }

  async get(id: string): Promise<AlertmanagerRoute | undefined> {
    const row = await this.#ctx.db
      .selectFrom('alertmanager_routes')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Creates the route and its group links; call inside a transaction. */
  async create(input: AlertmanagerRouteInput): Promise<AlertmanagerRoute> {
    const now = this.#ctx.now();
    const row = { id: this.#ctx.newId(), ...toRow(input), created_at: now, updated_at: now };
    try {
      await this.#ctx.db.insertInto('alertmanager_routes').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('alertmanager route', input.name);
      throw error;
    }
    await this.#writeGroups(row.id, input.contactGroupIds);
    return fromRow(row);
  }

  /** Replaces the route and its group links; call inside a transaction. */
  async update(id: string, input: AlertmanagerRouteInput): Promise<AlertmanagerRoute | undefined> {
    let row: AlertmanagerRoutesTable | undefined;
    try {
      row = await this.#ctx.db
        .updateTable('alertmanager_routes')
        .set({ ...toRow(input), updated_at: nextUpdatedAt(this.#ctx.now()) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('alertmanager route', input.name);
      throw error;
    }
    if (!row) return undefined;
    await this.#writeGroups(id, input.contactGroupIds);
    return fromRow(row);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db
      .deleteFrom('alertmanager_routes')
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** The routes that notify this contact group. */
  async usingGroup(groupId: string): Promise<{ id: string; name: string }[]> {
    return this.#ctx.db
      .selectFrom('alertmanager_route_contact_groups as l')
      .innerJoin('alertmanager_routes as r', 'r.id', 'l.route_id')
      .select(['r.id', 'r.name'])
      .where('l.group_id', '=', groupId)
      .orderBy('r.id')
      .execute();
  }
}
