// What the store refuses, as typed errors the API turns into catalogued answers.

/** Another object of the same kind already has this name (names identify objects in `tocsin apply`). */
export class NameTakenError extends Error {
  constructor(
    readonly resource: string,
    readonly takenName: string,
  ) {
    super(`a ${resource} named "${takenName}" already exists`);
    this.name = 'NameTakenError';
  }
}

/** The object is still referenced (a contact by a group, a group by a policy…) and cannot be deleted. */
export class StillReferencedError extends Error {
  constructor(
    readonly resource: string,
    readonly referencedBy: readonly { readonly kind: string; readonly id: string; readonly name: string }[],
  ) {
    const users = referencedBy.map((r) => `${r.kind} "${r.name}" (${r.id})`).join(', ');
    super(`this ${resource} is still used by ${users || 'another object'}; remove it from there first`);
    this.name = 'StillReferencedError';
  }
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
