// Request validation with the same zod schemas that document the API: every problem is reported with its
// field path, in the catalogued error body.
import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { validate } from '../domain/field-problem.js';
import { invalidRequest } from '../errors.js';
import { decodeCursor } from '../store/paging.js';

/** Fastify's validator compiler for zod schemas: a failure becomes `invalid_request` naming each field. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) =>
  function validateRequestPart(data: unknown) {
    const result = validate(schema, data);
    if (result.ok) return { value: result.value };
    const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
    const problems = result.problems.map((p) => ({ ...p, field: p.field || part }));
    return { error: invalidRequest(problems) };
  };

/** `?limit=&cursor=&q=` of every list. */
export const listQuerySchema = z.object({
  limit: z.coerce
    .number('must be a whole number from 1 to 1000')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100),
  // A cursor that is not ours would silently list from the start again; a client paging through would
  // then loop for ever.
  cursor: z
    .string()
    .max(200)
    .refine((cursor) => decodeCursor(cursor) !== null, 'not a cursor this service gave out; pass nextCursor')
    .optional(),
  q: z.string().max(200).optional().describe('case-insensitive part of the name'),
});

export const idParamsSchema = z.object({ id: z.string() });

/**
 * The route of an action on one object, `/api/v1/contacts/{id}:test`: the router needs the id matched up
 * to the colon, or it would take `abc:test` for the id.
 */
export function actionRoute(collection: string, action: string): string {
  return `/api/v1/${collection}/:id(^[0-9A-Za-z_-]+)::${action}`;
}
