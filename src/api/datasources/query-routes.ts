// `POST /api/v1/datasources/{id}:test` (editors: does Tocsin reach the server with these credentials?) and
// `POST /api/v1/datasources/{id}:query` (viewers: what would a policy with this expression see?).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { queryPrometheusRange, testPrometheusConnection } from '../../datasources/prometheus.js';
import type { Clock } from '../../domain/clock.js';
import { MINUTE_MS } from '../../domain/metric-series.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { actionRoute, idParamsSchema } from '../validation.js';
import { presentConnectionTest, presentQuerySeries } from './present.js';
import { datasourceQueryBodySchema } from './schema.js';

export interface DatasourceQueryRouteOptions {
  /** The end of a query's default window. */
  readonly clock: Clock;
  /** Replaces the global fetch (tests). */
  readonly fetch?: typeof fetch;
}

export function registerDatasourceQueryRoutes(
  app: FastifyInstance,
  store: Store,
  options: DatasourceQueryRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['datasources'];

  async function datasourceOf(id: string) {
    const source = await store.datasources.get(id);
    if (!source) throw new AppError('not_found', `no data source with id ${id}`);
    return source;
  }

  api.post(
    actionRoute('datasources', 'test'),
    {
      schema: {
        tags,
        params: idParamsSchema,
        description:
          'Runs `vector(1)` on the data source with its URL, credentials and timeout, and reads its version ' +
          'from /api/v1/status/buildinfo. Answers 200 `{ ok: true, version }` or `{ ok: false, failure, error }`.',
      },
      config: { permission: 'write' },
    },
    async function testDatasource(request) {
      const source = await datasourceOf(request.params.id);
      return presentConnectionTest(await testPrometheusConnection(source, { fetch: options.fetch }));
    },
  );

  api.post(
    actionRoute('datasources', 'query'),
    {
      schema: {
        tags,
        params: idParamsSchema,
        body: datasourceQueryBodySchema,
        description:
          'Runs a PromQL expression over the window a rule would read and answers each result series as ' +
          'the evaluator sees it: its key (canonical labels without __name__), its labels, one value per ' +
          'minute (null: no data). Errors of the data source answer with their catalogued code.',
      },
      config: { permission: 'read' },
    },
    async function queryDatasource(request) {
      const source = await datasourceOf(request.params.id);
      const { expr, window, to } = request.body;
      // Like the evaluator, the window ends at a minute boundary and leaves the minute in progress out.
      const toMs = Math.floor((to ?? options.clock.now()) / MINUTE_MS) * MINUTE_MS;
      const fromMs = toMs - window;
      const series = await queryPrometheusRange(source, expr, { fromMs, toMs }, { fetch: options.fetch });
      return presentQuerySeries(series, { expr, fromMs, toMs });
    },
  );
}
