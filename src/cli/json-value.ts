// The JSON values the CLI reads from the API and from configuration files, and the guards that narrow
// them; the CLI never trusts a shape it did not check.

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** An object the API returned: every resource carries an `id`, and all but API tokens a unique `name`. */
export interface ServerObject extends JsonObject {
  readonly id: string;
  readonly name: string;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isServerObject(value: unknown): value is ServerObject {
  return isJsonObject(value) && typeof value.id === 'string' && typeof value.name === 'string';
}
