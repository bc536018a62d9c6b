// A small fetch-based client for the Tocsin HTTP API: one base URL and token, JSON in and out, and every
// error answer turned into a CliError that names the code, the message and each field at fault.
import type { ClientConfig } from '../config.js';
import { CliError } from './cli-error.js';
import { isJsonObject, isServerObject, type JsonValue, type ServerObject } from './json-value.js';

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

/** An error answer from the API: `{ "error": { "code", "message", "fields" } }` with a 4xx/5xx status. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly fields: readonly FieldProblem[],
  ) {
    super(describeApiError(status, code, apiMessage, fields));
    this.name = 'ApiError';
  }
}

function describeApiError(
  status: number,
  code: string,
  message: string,
  fields: readonly FieldProblem[],
): string {
  const lines = [`${code}: ${message}`, ...fields.map((f) => `  ${f.field || '(body)'}: ${f.reason}`)];
  if (status === 401) lines.push('  (pass an API token with --token or TOCSIN_TOKEN)');
  return lines.join('\n');
}

function readFieldProblems(value: JsonValue | undefined): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: JsonValue) =>
    isJsonObject(item) && typeof item.reason === 'string'
      ? [{ field: typeof item.field === 'string' ? item.field : '', reason: item.reason }]
      : [],
  );
}

/** Why fetch failed, in words a user can act on; refused connections name the URL and `tocsin serve`. */
function describeNetworkError(error: unknown, baseUrl: string): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
  const code = cause && 'code' in cause ? String(cause.code) : '';
  if (code === 'ECONNREFUSED') {
    return (
      `cannot connect to the Tocsin API at ${baseUrl} (connection refused): is \`tocsin serve\` running? ` +
      `Point the CLI elsewhere with --url or TOCSIN_URL.`
    );
  }
  const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `cannot reach the Tocsin API at ${baseUrl}: ${reason}`;
}

export class ApiClient {
  readonly #baseUrl: string;
  readonly #token: string | null;

  constructor(config: ClientConfig) {
    this.#baseUrl = config.url;
    this.#token = config.token;
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  /**
   * Sends one request and returns the decoded JSON answer (null for 204).
   * @example await client.request('POST', '/api/v1/contacts', { name: 'ops', email: 'ops@example.com' })
   */
  async request(method: string, path: string, body?: JsonValue): Promise<JsonValue> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== null) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.#baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(describeNetworkError(error, this.#baseUrl));
    }
    const text = await response.text();
    let answer: JsonValue = null;
    if (text !== '') {
      try {
        answer = JSON.parse(text) as JsonValue;
      } catch {
        throw new CliError(
          `unexpected answer from ${this.#baseUrl} to ${method} ${path}: HTTP ${response.status}, not JSON ` +
            `(is ${this.#baseUrl} a Tocsin service?)`,
        );
      }
    }
    if (!response.ok) {
      const error = isJsonObject(answer) && isJsonObject(answer.error) ? answer.error : null;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `http_${response.status}`,
        typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${response.status}`,
        readFieldProblems(error?.fields),
      );
    }
    return answer;
  }

  /** Sends a request whose answer must be one resource object. */
  async object(method: string, path: string, body?: JsonValue): Promise<ServerObject> {
    const answer = await this.request(method, path, body);
    if (!isServerObject(answer)) {
      throw new CliError(`unexpected answer to ${method} ${path}: not a Tocsin object`);
    }
    return answer;
  }

  /** Every item of a list, following `nextCursor` page by page; `q` filters by part of the name. */
  async listAll(path: string, q?: string): Promise<ServerObject[]> {
    const items: ServerObject[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '1000' });
      if (q !== undefined) query.set('q', q);
      if (cursor !== null) query.set('cursor', cursor);
      const page = await this.request('GET', `${path}?${query.toString()}`);
      if (!isJsonObject(page) || !Array.isArray(page.items)) {
        throw new CliError(`unexpected answer to GET ${path}: not a list`);
      }
      items.push(...page.items.filter(isServerObject));
      cursor = typeof page.nextCursor === 'string' ? page.nextCursor : null;
    } while (cursor !== null);
    return items;
  }
}
