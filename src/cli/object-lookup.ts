// Finds an object by exact name or by id, so every command accepts either, and turns the names an
// object refers to (a group's contacts, a policy's groups and data source) into the ids the API takes.
import { ApiError, type ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { referencesOf, toApiBody } from './config-document.js';
import type { JsonObject, ServerObject } from './json-value.js';
import { RESOURCE_KIND_INFO, quoteName, type ResourceKind } from './resource-kinds.js';

const ID_SHAPE = /^[0-9a-z]{1,64}$/;

/**
 * The object of `kind` whose name is exactly `nameOrId`, else the one with that id.
 * @example await findObject(client, 'contact-group', 'ops')
 */
export async function findObject(
  client: ApiClient,
  kind: ResourceKind,
  nameOrId: string,
): Promise<ServerObject> {
  const { path, label } = RESOURCE_KIND_INFO[kind];
  // `q` matches part of the name, case-insensitively; keep only the exact name.
  const named = (await client.listAll(path, nameOrId)).filter((item) => item.name === nameOrId);
  if (named[0]) return named[0];
  if (ID_SHAPE.test(nameOrId)) {
    try {
      return await client.object('GET', `${path}/${nameOrId}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  throw new CliError(`no ${label} named or with id ${quoteName(nameOrId)}`);
}

/**
 * The body to send for an object written with references by name or id (`contacts: [ops-robot]`,
 * `notification.contactGroups: [ops]`, `datasource: prom`): each reference resolved to an id.
 */
export async function resolveReferences(
  client: ApiClient,
  kind: ResourceKind,
  value: JsonObject,
): Promise<JsonObject> {
  const ids = new Map<string, string>();
  for (const reference of referencesOf(kind, value)) {
    const key = `${reference.kind}/${reference.key}`;
    if (!ids.has(key)) ids.set(key, (await findObject(client, reference.kind, reference.key)).id);
  }
  return toApiBody(kind, value, (refKind, name) => ids.get(`${refKind}/${name}`));
}
