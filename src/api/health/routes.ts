// Liveness, readiness and self-metrics: /healthz (the process answers), /readyz (the database answers),
// /metrics (Prometheus text format, from Tocsin's own registry).
import type { FastifyInstance } from 'fastify';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';

export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tocsin_' });
  const requests = new Counter({
    name: 'tocsin_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  app.addHook('onResponse', function countRequest(request, reply, done) {
    requests.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
    });
    done();
  });

  const hidden = { hide: true };
  app.get('/healthz', { schema: hidden, config: { permission: 'public' } }, () => ({ status: 'ok' }));

  app.get('/readyz', { schema: hidden, config: { permission: 'public' } }, async () => {
    try {
      await store.ping();
    } catch (error) {
      throw new AppError('unavailable', 'the database does not answer', [], { cause: error });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', { schema: hidden, config: { permission: 'public' } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
