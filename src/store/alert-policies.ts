// Alert policies: the whole policy as JSON in `spec`, with the columns lists filter on (kind, target,
// enabled) and the contact groups it notifies mirrored in a link table so groups in use can't vanish.
import type { AlertPolicy, AlertPolicyInput } from '../domain/alert-policy.js';
import type { PolicyKind } from '../domain/metric-types.js';
import type { AlertPoliciesTable } from './database.js';
import { decodeCursor, nameContains, toPage, type ListQuery, type Page } from './paging.js';
import { nextUpdatedAt, type StoreContext } from './store-context.js';
import { isUniqueViolation, NameTakenError } from './store-errors.js';

export interface AlertPolicyListQuery extends ListQuery {
  readonly kind?: PolicyKind | undefined;
  readonly enabled?: boolean | undefined;
  readonly target?: string | undefined;
}

function toRow(input: AlertPolicyInput) {
  const { name, enabled, ...spec } = input;
  return {
    name,
    kind: input.kind,
    target: input.target,
    enabled: enabled ? 1 : 0,
    datasource_id: input.datasourceId,
    spec: JSON.stringify(spec),
  };
}

function fromRow(row: AlertPoliciesTable): AlertPolicy {
  const spec = JSON.parse(row.spec) as Omit<AlertPolicyInput, 'name' | 'enabled'>;
  return {
    id: row.id,
    name: row.name,
    ...spec,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class AlertPolicyStore {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async #writeGroups(policyId: string, groupIds: readonly string[]): Promise<void> {
    await this.#ctx.db.deleteFrom('alert_policy_contact_groups').where('policy_id', '=', policyId).execute();
    await this.#ctx.db
      .insertInto('alert_policy_contact_groups')
      .values(groupIds.map((groupId, position) => ({ policy_id: policyId, group_id: groupId, position })))
      .execute();
  }

  async list(query: AlertPolicyListQuery): Promise<Page<AlertPolicy>> {
    let select = this.#ctx.db
      .selectFrom('alert_policies')
      .selectAll()
      .orderBy('id')
      .limit(query.limit + 1);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) select = select.where('id', '>', after);
    if (query.q) select = select.where(nameContains('name', query.q));
    if (query.kind) select = select.where('kind', '=', query.kind);
    if (query.target) select = select.where('target', '=', query.target);
    if (query.enabled !== undefined) select = select.where('enabled', '=', query.enabled ? 1 : 0);
    return toPage(await select.execute(), query.limit, fromRow);
  }

  async get(id: string): Promise<AlertPolicy | undefined> {
    const row = await this.#ctx.db
      .selectFrom('alert_policies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Creates the policy and its group links; call inside a transaction. */
  async create(input: AlertPolicyInput): Promise<AlertPolicy> {
    const now = this.#ctx.now();
    const row = { id: this.#ctx.newId(), ...toRow(input), created_at: now, updated_at: now };
    try {
      await this.#ctx.db.insertInto('alert_policies').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('alert policy', input.name);
      throw error;
    }
    await this.#writeGroups(row.id, input.notification.contactGroupIds);
    return fromRow(row);
  }

  /** Replaces the policy and its group links; call inside a transaction. */
  async update(id: string, input: AlertPolicyInput): Promise<AlertPolicy | undefined> {
    let row: AlertPoliciesTable | undefined;
    try {
      row = await this.#ctx.db
        .updateTable('alert_policies')
        .set({ ...toRow(input), updated_at: nextUpdatedAt(this.#ctx.now()) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    } catch (error) {
      if (isUniqueViolation(error)) throw new NameTakenError('alert policy', input.name);
      throw error;
    }
    if (!row) return undefined;
    await this.#writeGroups(id, input.notification.contactGroupIds);
    return fromRow(row);
  }

  async setEnabled(id: string, enabled: boolean): Promise<AlertPolicy | undefined> {
    const row = await this.#ctx.db
      .updateTable('alert_policies')
      .set({ enabled: enabled ? 1 : 0, updated_at: nextUpdatedAt(this.#ctx.now()) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('alert_policies').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
