// The JSON of an API token: never its value or hash.
import type { ApiToken } from '../../domain/api-token.js';

export function presentApiToken(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    createdAt: new Date(token.createdAt).toISOString(),
    lastUsedAt: token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString(),
  };
}
