// The one error of data sources: why a query could not be answered, in words a user can act on. The API
// answers it with a catalogued code chosen by its `failure` (api/error-handler.ts) and the evaluator logs
// its message; `fields` names what in the request was at fault.
import type { FieldProblem } from '../domain/field-problem.js';

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
 * A data source query that failed. The message names the data source and its URL, never its password or
 * token; the API body carries `failure` next to the code.
 * @example throw new DataSourceError('timeout', 'the Prometheus data source "prom" … did not answer within 30 s');
 */
export class DataSourceError extends Error {
  readonly failure: DataSourceFailure;
  readonly fields: readonly FieldProblem[];

  constructor(
    failure: DataSourceFailure,
    message: string,
    options: { cause?: unknown; fields?: readonly FieldProblem[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DataSourceError';
    this.failure = failure;
    this.fields = options.fields ?? [];
  }
}
