// The JSON of a data source; credentials masked.
import type { Datasource } from '../../domain/datasource.js';
import { maskSecret } from '../../domain/secret-mask.js';

export function presentDatasource(source: Datasource) {
  return {
    id: source.id,
    name: source.name,
    type: source.type,
    url: source.url,
    basicAuth: source.basicAuth && {
      username: source.basicAuth.username,
      password: maskSecret(source.basicAuth.password),
    },
    bearerToken: source.bearerToken && maskSecret(source.bearerToken),
    timeoutSeconds: source.timeoutSeconds,
    createdAt: new Date(source.createdAt).toISOString(),
    updatedAt: new Date(source.updatedAt).toISOString(),
  };
}
