// The console's only way to the service: fetch under /api/v1 with the signed-in API token. Errors come
// back as ApiError carrying the catalogued code and the fields at fault; a 401 signs the user out.

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldProblem[];

  constructor(status: number, code: string, message: string, fields: readonly FieldProblem[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

const TOKEN_KEY = 'tocsin.apiToken';

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
}

let onUnauthorized: () => void = () => undefined;

/** Called when the service refuses the stored token (deleted, or the data directory was replaced). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface ErrorBody {
  readonly error?: { code?: string; message?: string; fields?: FieldProblem[] };
}

/**
 * One API call; `token` overrides the stored one (the sign-in page checks a token before keeping it).
 * @example const page = await api<Page<Contact>>('GET', '/contacts');
 */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = storedToken(),
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (parsed as ErrorBody | null)?.error;
    const failure = new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.fields ?? [],
    );
    // Only the stored token signs the user out; a token being tried on the sign-in page does not.
    if (response.status === 401 && token !== null && token === storedToken()) {
      storeToken(null);
      onUnauthorized();
    }
    throw failure;
  }
  return parsed as T;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** `?a=1&b=x` from the defined entries only. */
export function queryString(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
