// The one error of data sources: why a query could not be answered, in words a user can act on. It is a
// catalogued AppError, so the API answers it as it is and the evaluator logs its message; `failure` says
// which way it failed, for the console and for tests.
import type { FieldProblem } from '../domain/field-problem.js';
import { AppError, type ErrorCode } from '../errors.js';

/** Every way a data source query fails. */
export const DATA_SOURCE_FAILURES = [
  /** The policy or request names a data source id that does not exist. */
  'unknown_datasource',
  /** Connection refused, host name not found, TLS refused, connection reset. */
  'unreachable',
  /** No answer within the data source's timeoutSeconds. */
  'timeout',
  /** HTTP 401 or 403: the credentials are missing or wrong. */
  'unauthorized',
  /** HTTP 400: the server says the PromQL expression is not valid. */
  'bad_query',
  /** HTTP 422: the expression is valid but failed on the server (e.g. many-to-many matching). */
  'query_failed',
  /** HTTP 503: the server is starting, overloaded, or its own query timeout ran out. */
  'unavailable',
  /** More series (or a bigger answer) than one policy may watch. */
  'too_many_series',
  /** Two result series differ only in their metric name, so they would be one dimension value. */
  'duplicate_series',
  /** An answer that is not the Prometheus API's JSON. */
  'bad_response',
  /** Any other HTTP error status (404 for a wrong URL path, 500, 502…). */
  'http_error',
] as const;

export type DataSourceFailure = (typeof DATA_SOURCE_FAILURES)[number];

/**
 * The API code of each failure: the expression or the id at fault is the request's problem (4xx); a peer
 * that cannot be used is `unavailable` (503), like the database.
 */
const CODE_OF_FAILURE = {
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

/**
 * A data source query that failed. The message names the data source and its URL, never its password or
 * token; the API body carries `failure` next to the code.
 * @example throw new DataSourceError('timeout', 'the Prometheus data source "prom" … did not answer within 30 s');
 */
export class DataSourceError extends AppError {
  readonly failure: DataSourceFailure;

  constructor(
    failure: DataSourceFailure,
    message: string,
    options: { cause?: unknown; fields?: readonly FieldProblem[] } = {},
  ) {
    super(CODE_OF_FAILURE[failure], message, options.fields ?? [], {
      cause: options.cause,
      details: { failure },
    });
    this.name = 'DataSourceError';
    this.failure = failure;
  }
}
