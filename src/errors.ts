// The catalogue of error codes: each stable snake_case code with its HTTP status. docs/errors.md explains
// each and how to fix it; keep the two in step (a test checks that every code is documented).
import type { FieldProblem } from './domain/field-problem.js';

export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  name_taken: 409,
  in_use: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  samples_rejected: 422,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error a user can act on: a catalogued code, a message, and the fields at fault. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: readonly FieldProblem[];
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    fields: readonly FieldProblem[] = [],
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.fields = fields;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** The catalogued JSON body: `{ "error": { "code", "message", "fields" } }`. */
  toBody(): {
    error: { code: ErrorCode; message: string; fields: readonly FieldProblem[] } & Record<string, unknown>;
  } {
    return { error: { code: this.code, message: this.message, fields: this.fields, ...this.details } };
  }
}

/** A request that failed validation, naming every field at fault. */
export function invalidRequest(fields: readonly FieldProblem[], message?: string): AppError {
  const summary = fields.map((f) => (f.field ? `${f.field}: ${f.reason}` : f.reason)).join('; ');
  return new AppError('invalid_request', message ?? `invalid request: ${summary}`, fields);
}
