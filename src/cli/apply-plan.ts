// What `apply` will do, decided without touching the server: for each object of the document, in the
// order datasources → contacts → groups → policies → Alertmanager routes, create it, update it (with the
// fields that differ), or leave it; and the lines that report it (`+ contact ops`,
// `~ alert-policy "X": a: 1 → 2`, `= …`).
import {
  maskFileObject,
  normalizeFileObject,
  referencesOf,
  sectionOf,
  type ConfigDocument,
  type FileObject,
} from './config-document.js';
import { isJsonObject, type JsonValue } from './json-value.js';
import { RESOURCE_KINDS, RESOURCE_KIND_INFO, quoteName, type ResourceKind } from './resource-kinds.js';

export type PlanAction = 'create' | 'update' | 'unchanged';

/** One difference between the stored object and the file, at a field path such as `rules.conditions[0].threshold`. */
export interface FieldChange {
  readonly path: string;
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
}

export interface PlanEntry {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly action: PlanAction;
  /** For updates: what differs, secrets shown masked. */
  readonly changes: readonly FieldChange[];
  /** The object to send (defaults filled, secrets as the file gives them, references by name). */
  readonly desired: FileObject;
}

export interface Plan {
  readonly entries: readonly PlanEntry[];
  /** References to objects that exist neither in the file nor on the server; nothing may be applied. */
  readonly problems: readonly string[];
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * The fields that differ between `before` and `after`, as deep as both sides have the same structure;
 * lists of different lengths are reported whole.
 * @example diffValues({ a: { b: 1 } }, { a: { b: 2 } }) // [{ path: 'a.b', before: 1, after: 2 }]
 */
export function diffValues(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  path = '',
): FieldChange[] {
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return after.flatMap((item: JsonValue, i) => diffValues(before[i] as JsonValue, item, joinPath(path, i)));
  }
  if (isJsonObject(before) && isJsonObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    return keys.flatMap((key) => diffValues(before[key], after[key], joinPath(path, key)));
  }
  if (before === after) return [];
  return [{ path, before, after }];
}

/**
 * Decides what applying `document` does to a server whose configuration is `current` (in document form,
 * as `export` would write it). Objects are matched by name; secrets compare by their masks, since the
 * server never shows them.
 */
export function planApply(document: ConfigDocument, current: ConfigDocument): Plan {
  const entries: PlanEntry[] = [];
  const problems: string[] = [];
  const known = new Map<ResourceKind, Set<string>>(
    RESOURCE_KINDS.map((kind) => {
      const section = sectionOf(kind);
      return [kind, new Set([...current[section], ...document[section]].map((o) => o.name.trim()))];
    }),
  );
  for (const kind of RESOURCE_KINDS) {
    const section = sectionOf(kind);
    const stored = new Map(current[section].map((o) => [o.name, o]));
    for (const object of document[section]) {
      const desired = normalizeFileObject(kind, object);
      for (const reference of referencesOf(kind, desired)) {
        if (!known.get(reference.kind)?.has(reference.key)) {
          problems.push(
            `${kind} ${quoteName(desired.name)}: ${reference.field}: no ${RESOURCE_KIND_INFO[reference.kind].label} ` +
              `named ${quoteName(reference.key)} in the file or on the server`,
          );
        }
      }
      const existing = stored.get(desired.name);
      if (!existing) {
        entries.push({ kind, name: desired.name, action: 'create', changes: [], desired });
        continue;
      }
      const changes = diffValues(existing, maskFileObject(kind, desired));
      entries.push({
        kind,
        name: desired.name,
        action: changes.length === 0 ? 'unchanged' : 'update',
        changes,
        desired,
      });
    }
  }
  return { entries, problems };
}

/** A value in a diff line: `(none)` when unset, JSON otherwise (strings quoted, so `"100"` ≠ `100`). */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '(none)';
  return JSON.stringify(value);
}

function formatChange(change: FieldChange): string {
  return `${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
}

/**
 * The report of one entry: `+ contact ops-robot`, `= contact-group ops (unchanged)`, and for an update
 * `~ alert-policy "X": path: before → after`, or one indented line per field when several differ.
 */
export function formatPlanEntry(entry: PlanEntry): string {
  const subject = `${entry.kind} ${quoteName(entry.name)}`;
  if (entry.action === 'create') return `+ ${subject}\n`;
  if (entry.action === 'unchanged') return `= ${subject} (unchanged)\n`;
  const [only, ...more] = entry.changes;
  if (only && more.length === 0) return `~ ${subject}: ${formatChange(only)}\n`;
  return `~ ${subject}: ${entry.changes.length} changes\n${entry.changes.map((c) => `    ${formatChange(c)}\n`).join('')}`;
}

/** The closing line: what was (or, in a dry run, would be) done. */
export function summarizePlan(entries: readonly PlanEntry[], dryRun: boolean): string {
  const count = (action: PlanAction) => entries.filter((e) => e.action === action).length;
  const created = count('create');
  const updated = count('update');
  const unchanged = count('unchanged');
  if (dryRun) {
    return `dry run: would create ${created}, update ${updated}, leave ${unchanged} unchanged; nothing was changed\n`;
  }
  return `applied: ${created} created, ${updated} updated, ${unchanged} unchanged\n`;
}
