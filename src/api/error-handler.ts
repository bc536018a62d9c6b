// Every error leaves the API as the catalogued body `{ "error": { "code", "message", "fields" } }`:
// our AppErrors as they are, fastify's own (bad JSON, body too large, wrong media type) translated,
// anything else a logged 500 that reveals nothing internal.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DataSourceError, type DataSourceFailure } from '../datasources/datasource-error.js';
import { AppError, type ErrorCode } from '../errors.js';
import { NameTakenError, StillReferencedError, isForeignKeyViolation } from '../store/store-errors.js';

/**
 * The API code of each data source failure: the expression or the id at fault is the request's problem
 * (4xx); a peer that cannot be used is `unavailable` (503), like the database.
 */
const CODE_OF_DATA_SOURCE_FAILURE = {
  unknown_datasource: 'not_found',
  unreachable: 'unavailable',
  timeout: 'unavailable',
  unauthorized: 'unavailable',
  bad_query: 'invalid_request',
  query_failed: 'invalid_request',
  unavailable: 'unavailable',
  too_many_series: 'invalid_request',
  duplicate_series: 'invalid_request',
  bad_response: 'unavailable',
  http_error: 'unavailable',
} as const satisfies Record<DataSourceFailure, ErrorCode>;

function translate(error: FastifyError | Error): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof DataSourceError) {
    // The body carries `failure` next to the code, for the console and for scripts.
    return new AppError(CODE_OF_DATA_SOURCE_FAILURE[error.failure], error.message, error.fields, {
      cause: error,
      details: { failure: error.failure },
    });
  }
  if (error instanceof NameTakenError) {
    return new AppError('name_taken', error.message, [{ field: 'name', reason: 'already taken' }]);
  }
  if (error instanceof StillReferencedError) {
    return new AppError('in_use', error.message, [], { details: { referencedBy: error.referencedBy } });
  }
  if (isForeignKeyViolation(error)) {
    return new AppError(
      'in_use',
      'the object is referenced by another one, or refers to one that no longer exists',
    );
  }
  const code = 'code' in error ? error.code : undefined;
  const statusCode = 'statusCode' in error ? error.statusCode : undefined;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'payload_too_large',
        'the request body is larger than the limit (TOCSIN_BODY_LIMIT)',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'the body is empty but Content-Type says JSON', [
        { field: 'body', reason: 'empty' },
      ]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Fastify drops the parser's detail; bad syntax and __proto__ / constructor.prototype keys land here.
      return new AppError('invalid_json', 'the body is not valid JSON (or carries a __proto__ key)', [
        { field: 'body', reason: 'not valid JSON' },
      ]);
    case 'FST_ERR_BAD_URL':
      return new AppError('invalid_request', 'the URL path is not valid: check its percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Fastify would answer 414 in its own body; ids are at most 64 characters, so this is a bad id.
      return new AppError('invalid_request', 'a path parameter is too long: ids are at most 64 characters');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_request', 'Content-Length does not match the body');
  }
  if (error instanceof SyntaxError && statusCode === 400) {
    return new AppError('invalid_json', `the body is not valid JSON: ${error.message}`, [
      { field: 'body', reason: 'not valid JSON' },
    ]);
  }
  if (statusCode === 413) return new AppError('payload_too_large', error.message);
  if (statusCode === 415) return new AppError('unsupported_media_type', error.message);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new AppError('invalid_request', error.message);
  }
  return null;
}

/**
 * Answers any error with the catalogued body. Also given to fastify as `frameworkErrors`, which it calls
 * for URLs it cannot route (bad percent-encoding, over-long path parameters) before any hook runs.
 */
export function replyWithError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = translate(error);
  if (known) {
    if (known.status >= 500) request.log.error({ err: error }, known.message);
    reply.status(known.status).send(known.toBody());
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  const internal = new AppError('internal', 'internal error; the server log has the details');
  reply.status(500).send(internal.toBody());
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(replyWithError);

  app.setNotFoundHandler(function handleNotFound(request, reply) {
    const error = new AppError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(error.toBody());
  });
}
