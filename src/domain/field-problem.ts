// How validation reports what is wrong: every problem at once, each with the field path a user can find
// in their JSON (`rules.conditions[0].windowMinutes`), never just the first.
import type { z } from 'zod';

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** Formats a path the way users write it: `rules.conditions[0].metric`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Turns zod issues into field problems; an unknown key becomes a problem on that key's own path. */
export function problemsFromZodIssues(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: formatFieldPath([...issue.path, key]), reason: 'unknown field' });
      }
    } else if (
      issue.code === 'invalid_union' &&
      issue.errors.length > 0 &&
      issue.errors.every((e) => e.length > 0)
    ) {
      // Report the branch that got furthest instead of a bare "invalid input".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      problems.push(...problemsFromZodIssues(best.map((e) => ({ ...e, path: [...issue.path, ...e.path] }))));
    } else {
      problems.push({ field: formatFieldPath(issue.path), reason: issue.message });
    }
  }
  return problems;
}

/** Validates `input` against `schema`, returning the parsed value or every problem found. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFromZodIssues(result.error.issues) };
}
