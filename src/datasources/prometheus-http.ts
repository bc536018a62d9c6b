// HTTP to a Prometheus-compatible server: the data source's credentials and timeout on every request, an
// answer of bounded size, and each way a call fails turned into a DataSourceError that names the server's
// URL but never its password or token.
import type { Datasource } from '../domain/datasource.js';
import { DataSourceError } from './datasource-error.js';

/** The largest answer read (after decompression); a policy never needs this much. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Expressions are quoted in messages up to this many characters. */
const QUOTED_EXPR_LENGTH = 200;

/** A call to the Prometheus HTTP API. */
export interface PrometheusApiCall {
  /** Below the data source's URL, e.g. `/api/v1/query_range`. */
  readonly path: `/api/v1/${string}`;
  /**
   * Sent form-encoded with POST, as Grafana does: a long expression does not fit in a URL. Absent: GET.
   */
  readonly form?: Readonly<Record<string, string>>;
  /** The PromQL expression asked, quoted when the server rejects it. */
  readonly expr?: string;
}

/** A successful call: the answer's `data`, and the warnings Prometheus added. */
export interface PrometheusAnswer {
  readonly data: unknown;
  readonly warnings: readonly string[];
}

/** Where and how to call: the base URL without credentials, the Authorization header, what to redact. */
interface Endpoint {
  readonly baseUrl: string;
  readonly authorization: string | null;
  /** Strings that must never appear in a message. */
  readonly secrets: readonly string[];
  /** `the Prometheus data source "prom" at http://…`, for messages. */
  readonly described: string;
  readonly hasCredentials: boolean;
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function endpointOf(source: Datasource): Endpoint {
  const url = new URL(source.url);
  let { basicAuth } = source;
  // fetch refuses a URL carrying credentials; one written http://user:pass@host means basic auth.
  if (url.username !== '' || url.password !== '') {
    if (!basicAuth && !source.bearerToken) {
      basicAuth = {
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      };
    }
    url.username = '';
    url.password = '';
  }
  const baseUrl = url.href.replace(/\/+$/, '');
  let authorization: string | null = null;
  const secrets: string[] = [];
  if (basicAuth) {
    authorization = basicAuthorization(basicAuth.username, basicAuth.password);
    secrets.push(basicAuth.password, authorization.slice('Basic '.length));
  } else if (source.bearerToken) {
    authorization = `Bearer ${source.bearerToken}`;
    secrets.push(source.bearerToken);
  }
  return {
    baseUrl,
    authorization,
    // Short secrets would redact ordinary words ("a" as a password); they cannot be told apart anyway.
    secrets: secrets.filter((secret) => secret.length >= 4),
    described: `the Prometheus data source "${source.name}" at ${baseUrl}`,
    hasCredentials: authorization !== null,
  };
}

/** `expr` as a message quotes it: on one line, cut short. */
export function quoteExpr(expr: string): string {
  const line = expr.replace(/\s+/g, ' ').trim();
  return `\`${line.length > QUOTED_EXPR_LENGTH ? `${line.slice(0, QUOTED_EXPR_LENGTH)}…` : line}\``;
}

/** An error whose message can carry no secret of the data source, whatever a server echoed. */
function failure(
  endpoint: Endpoint,
  ...[kind, message, options]: ConstructorParameters<typeof DataSourceError>
): DataSourceError {
  const redact = (text: string) =>
    endpoint.secrets.reduce((safe, secret) => safe.replaceAll(secret, '[redacted]'), text);
  const fields = options?.fields?.map((field) => ({ ...field, reason: redact(field.reason) }));
  return new DataSourceError(kind, redact(message), { ...options, fields });
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'name' in error && error.name === 'TimeoutError';
}

/** The system error under fetch's "fetch failed": its code (ECONNREFUSED…) and message. */
function networkCause(error: unknown): { code: string; message: string } {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const code = cause && 'code' in cause ? String(cause.code) : '';
  return { code, message: cause?.message ?? (error instanceof Error ? error.message : String(error)) };
}

function networkFailure(endpoint: Endpoint, error: unknown, timeoutSeconds: number): DataSourceError {
  if (isTimeout(error)) {
    return failure(
      endpoint,
      'timeout',
      `${endpoint.described} did not answer within ${timeoutSeconds} s (its timeoutSeconds): the server ` +
        'is slow or the expression too expensive; simplify the expression or raise timeoutSeconds',
      { cause: error },
    );
  }
  const { code, message } = networkCause(error);
  const host = new URL(endpoint.baseUrl).hostname;
  let reason: string;
  if (code === 'ECONNREFUSED') reason = 'connection refused; check the URL and that the server is running';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    reason = `the host name ${host} is not found (DNS); check the URL`;
  } else if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    reason = 'the connection timed out; check the URL and that a firewall lets Tocsin through';
  } else if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    reason = `the TLS connection failed (${message}); check the URL's scheme and the server's certificate`;
  } else reason = message;
  return failure(endpoint, 'unreachable', `cannot reach ${endpoint.described}: ${reason}`, {
    cause: error,
  });
}

/** The body as text, or null when it is larger than `limit` bytes. */
async function readBounded(response: Response, limit: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    return null;
  }
  if (!response.body) return '';
  // undici types the body's chunks as any; they are bytes.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The parts of the Prometheus API's JSON envelope; null for anything else. */
interface Envelope {
  readonly status: string;
  readonly data?: unknown;
  readonly errorType?: string;
  readonly error?: string;
  readonly warnings?: unknown;
}

function parseEnvelope(text: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('status' in value)) return null;
  const envelope = value as Record<string, unknown>;
  if (typeof envelope.status !== 'string') return null;
  return {
    status: envelope.status,
    data: envelope.data,
    errorType: typeof envelope.errorType === 'string' ? envelope.errorType : undefined,
    error: typeof envelope.error === 'string' ? envelope.error : undefined,
    warnings: envelope.warnings,
  };
}

/** ` (bad_data: parse error…)` from Prometheus's own error fields, or nothing. */
function serverSaid(envelope: Envelope | null): string {
  if (!envelope?.error) return '';
  return envelope.errorType ? `${envelope.errorType}: ${envelope.error}` : envelope.error;
}

function statusFailure(
  endpoint: Endpoint,
  call: PrometheusApiCall,
  response: Response,
  envelope: Envelope | null,
): DataSourceError {
  const { status } = response;
  const said = serverSaid(envelope);
  const saidInParentheses = said ? ` (${said})` : '';
  const quoted =
    call.expr === undefined ? 'the PromQL expression' : `the PromQL expression ${quoteExpr(call.expr)}`;
  if (status === 401 || status === 403) {
    const advice = endpoint.hasCredentials
      ? status === 401
        ? 'refused its credentials (HTTP 401); check the basic auth username and password or the bearer token'
        : 'refused access with its credentials (HTTP 403); check that they may query the server'
      : `asks for credentials (HTTP ${status}); set basicAuth or bearerToken on the data source`;
    return failure(endpoint, 'unauthorized', `${endpoint.described} ${advice}`);
  }
  if (status === 400 && envelope) {
    return failure(endpoint, 'bad_query', `${endpoint.described} rejected ${quoted}: ${said || 'HTTP 400'}`, {
      fields: [{ field: 'expr', reason: said || 'rejected by the Prometheus server' }],
    });
  }
  if (status === 422 && envelope) {
    return failure(
      endpoint,
      'query_failed',
      `${quoted} failed on ${endpoint.described}: ${said || 'HTTP 422'}`,
      { fields: [{ field: 'expr', reason: said || 'failed on the Prometheus server' }] },
    );
  }
  if (status === 503) {
    const message =
      envelope?.errorType === 'timeout'
        ? `${endpoint.described} gave up on ${quoted}${saidInParentheses}: it takes longer than the ` +
          "server's query timeout; simplify the expression or shorten the window"
        : `${endpoint.described} is unavailable (HTTP 503${said ? `, ${said}` : ''}): it may be starting ` +
          'or overloaded; try again later';
    return failure(endpoint, 'unavailable', message);
  }
  if (status === 404) {
    return failure(
      endpoint,
      'http_error',
      `${endpoint.described} answered HTTP 404 for ${call.path}: the URL must be the server's base URL ` +
        '(such as http://prometheus:9090, plus any --web.route-prefix), without /api/v1',
    );
  }
  return failure(endpoint, 'http_error', `${endpoint.described} answered HTTP ${status}${saidInParentheses}`);
}

/**
 * Calls the Prometheus HTTP API of `source` with its credentials, within its timeout, and returns the
 * answer's data; every failure is a DataSourceError naming the data source and its URL.
 * @example const { data } = await callPrometheusApi(source, { path: '/api/v1/query', form: { query: 'vector(1)' } });
 */
export async function callPrometheusApi(
  source: Datasource,
  call: PrometheusApiCall,
  fetchImpl: typeof fetch = fetch,
): Promise<PrometheusAnswer> {
  const endpoint = endpointOf(source);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Tocsin' };
  if (endpoint.authorization) headers.authorization = endpoint.authorization;
  if (call.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  let response: Response;
  let text: string | null;
  // One deadline for the whole exchange: a server that sends headers and then stalls times out too.
  const signal = AbortSignal.timeout(source.timeoutSeconds * 1000);
  try {
    response = await fetchImpl(endpoint.baseUrl + call.path, {
      method: call.form ? 'POST' : 'GET',
      headers,
      body: call.form ? new URLSearchParams(call.form).toString() : undefined,
      signal,
    });
    text = await readBounded(response, MAX_ANSWER_BYTES);
  } catch (error) {
    throw networkFailure(endpoint, error, source.timeoutSeconds);
  }
  if (text === null) {
    throw failure(
      endpoint,
      'too_many_series',
      `the answer of ${endpoint.described} is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB: the ` +
        'expression returns too many series or points; aggregate it (sum by (…)) or filter it with label matchers',
    );
  }
  const envelope = parseEnvelope(text);
  if (!response.ok) throw statusFailure(endpoint, call, response, envelope);
  if (!envelope) {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw failure(
      endpoint,
      'bad_response',
      `${endpoint.described} did not answer with Prometheus API JSON (HTTP ${response.status}, ${type}): ` +
        "the URL must be a Prometheus-compatible server's base URL, not a web page or a login proxy",
    );
  }
  if (envelope.status !== 'success') {
    throw failure(
      endpoint,
      'bad_response',
      `${endpoint.described} answered status "${envelope.status}"${serverSaid(envelope) ? `: ${serverSaid(envelope)}` : ''}`,
    );
  }
  const warnings = Array.isArray(envelope.warnings)
    ? envelope.warnings.filter((w): w is string => typeof w === 'string')
    : [];
  return { data: envelope.data, warnings };
}

/**
 * A DataSourceError about the answer's content (not its transport), with the data source's secrets
 * redacted like every other message.
 */
export function answerFailure(
  source: Datasource,
  kind: ConstructorParameters<typeof DataSourceError>[0],
  describe: (described: string) => string,
): DataSourceError {
  const endpoint = endpointOf(source);
  return failure(endpoint, kind, describe(endpoint.described));
}
