// Reads the whole configuration from a running service in document form (references by name), with the
// name ↔ id tables that `apply` needs to turn names back into ids.
import type { ApiClient } from './api-client.js';
import { emptyDocument, fromServerObject, type ConfigDocument } from './config-document.js';
import type { ServerObject } from './json-value.js';
import { RESOURCE_KIND_INFO, RESOURCE_KINDS, type ResourceKind } from './resource-kinds.js';

/** The ids of objects by kind and name; `apply` adds the objects it creates. */
export class ObjectIds {
  readonly #byKind = new Map<ResourceKind, Map<string, string>>(RESOURCE_KINDS.map((k) => [k, new Map()]));

  set(kind: ResourceKind, name: string, id: string): void {
    this.#byKind.get(kind)!.set(name, id);
  }

  idOf(kind: ResourceKind, name: string): string | undefined {
    return this.#byKind.get(kind)!.get(name);
  }
}

export interface ServerConfiguration {
  readonly document: ConfigDocument;
  readonly ids: ObjectIds;
}

/** Lists every object of every kind (RESOURCE_KINDS), and converts them to document form. */
export async function readServerConfiguration(client: ApiClient): Promise<ServerConfiguration> {
  const lists = new Map<ResourceKind, ServerObject[]>();
  for (const kind of RESOURCE_KINDS) lists.set(kind, await client.listAll(RESOURCE_KIND_INFO[kind].path));
  const names = new Map<string, string>();
  const ids = new ObjectIds();
  for (const [kind, items] of lists) {
    for (const item of items) {
      names.set(`${kind}/${item.id}`, item.name);
      ids.set(kind, item.name, item.id);
    }
  }
  const nameOf = (kind: ResourceKind, id: string) => names.get(`${kind}/${id}`);
  const document = emptyDocument();
  for (const [kind, items] of lists) {
    const section = RESOURCE_KIND_INFO[kind].section;
    document[section] = items
      .map((item) => fromServerObject(kind, item, nameOf))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return { document, ids };
}
