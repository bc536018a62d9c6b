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

/**
 * The wording zod falls back to where a schema sets no message of its own: a missing field says it is
 * required instead of "expected string, received undefined". Pass it to every parse of user input.
 */
export const fieldErrorMap: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

/** Turns zod issues into field problems; an unknown key becomes a problem on that key's own path. */
export function problemsFromZodIssues(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: formatFieldPath([...issue.path, key]), reason: 'unknown field' });
      }
    } else if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      // A record key that fails its own schema: say why (e.g. "must be a valid HTTP header name").
      const reason = issue.issues.map((inner) => inner.message).join('; ');
      problems.push({ field: formatFieldPath(issue.path), reason });
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
  const result = schema.safeParse(input, { error: fieldErrorMap });
  const problems = [
    ...(result.success ? [] : problemsFromZodIssues(result.error.issues)),
    ...nulProblems(input),
  ];
  if (result.success && problems.length === 0) return { ok: true, value: result.data };
  return { ok: false, problems };
}

/** How many NUL problems to report at most; one is enough to act on, a flood helps nobody. */
const MAX_NUL_PROBLEMS = 10;

/**
 * Problems for every string (value or object key) holding U+0000: PostgreSQL text cannot store it, so it
 * is refused for every dialect alike. Walks without recursion, so deeply nested JSON cannot overflow the
 * stack, and builds a path only for what it reports.
 */
export function nulProblems(input: unknown): FieldProblem[] {
  interface Visit {
    readonly value: unknown;
    readonly key: PropertyKey | null;
    readonly parent: Visit | null;
  }
  const pathOf = (visit: Visit): PropertyKey[] => {
    const path: PropertyKey[] = [];
    for (let at: Visit | null = visit; at && at.key !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const problems: FieldProblem[] = [];
  const reason = 'must not contain the NUL character (\\u0000)';
  const pending: Visit[] = [{ value: input, key: null, parent: null }];
  while (pending.length > 0 && problems.length < MAX_NUL_PROBLEMS) {
    const visit = pending.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field: formatFieldPath(pathOf(visit)), reason });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], key: i, parent: visit });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value as Record<string, unknown>).reverse()) {
        const at = { value: child, key, parent: visit };
        if (key.includes('\u0000')) problems.push({ field: formatFieldPath(pathOf(at)), reason });
        else pending.push(at);
      }
    }
  }
  return problems;
}
