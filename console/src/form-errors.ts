// Puts the API's field problems (`rules.conditions[0].threshold: must be …`) next to the form fields they
// name. The typed values stay as they are: only the errors change.
import type { FormInstance } from 'antd';
import { ApiError, type FieldProblem } from './api/client';

export type FieldPath = (string | number)[];

/** `rules.conditions[0].threshold` → ['rules', 'conditions', 0, 'threshold']. */
export function parseFieldPath(field: string): FieldPath {
  const path: FieldPath = [];
  for (const part of field.split(/\.|\[|\]/)) {
    if (part === '') continue;
    path.push(/^\d+$/.test(part) ? Number(part) : part);
  }
  return path;
}

/**
 * Shows each problem on the field it names; `toFormPath` maps an API path to the form's (null: the
 * form has no such field, and the problem is only in the returned list). Returns the unplaced problems.
 */
export function showFieldErrors(
  form: FormInstance,
  error: unknown,
  toFormPath: (path: FieldPath) => FieldPath | null,
): readonly FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  const byField = new Map<string, { name: FieldPath; errors: string[] }>();
  const unplaced: FieldProblem[] = [];
  for (const problem of error.fields) {
    const name = toFormPath(parseFieldPath(problem.field));
    if (name === null) {
      unplaced.push(problem);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(problem.reason);
    byField.set(key, entry);
  }
  form.setFields([...byField.values()]);
  return unplaced;
}

/** Drops a trailing list index: `dingtalk.keywords[1]` belongs to the keywords field. */
export function withoutIndex(path: FieldPath): FieldPath {
  return typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
}
