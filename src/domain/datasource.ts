// Data sources: where a policy's numbers come from besides the built-in metric store — a
// Prometheus-compatible server queried with PromQL.
import { z } from 'zod';
import { nameField, readOnlyFields } from './contact.js';

export const DATASOURCE_TYPES = ['prometheus'] as const;

export const datasourceInputSchema = z
  .strictObject({
    ...readOnlyFields,
    name: nameField,
    type: z.enum(DATASOURCE_TYPES).default('prometheus'),
    // Prometheus usually lives on a private network, so unlike webhooks no address range is refused here;
    // only editors and admins may set it.
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:9090' }),
    basicAuth: z.strictObject({ username: z.string().min(1), password: z.string() }).nullish(),
    bearerToken: z.string().min(1).nullish(),
    timeoutSeconds: z
      .number()
      .min(1, 'must be at least 1 second')
      .max(300, 'must be at most 300 seconds')
      .default(30),
  })
  .superRefine((source, ctx) => {
    if (source.basicAuth && source.bearerToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['bearerToken'],
        message: 'use basicAuth or bearerToken, not both',
      });
    }
  })
  .transform(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => ({
    ...rest,
    url: rest.url.replace(/\/+$/, ''),
    basicAuth: rest.basicAuth ?? null,
    bearerToken: rest.bearerToken ?? null,
  }));

export type DatasourceInput = z.output<typeof datasourceInputSchema>;

export interface Datasource extends DatasourceInput {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}
