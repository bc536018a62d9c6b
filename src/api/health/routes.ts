// Liveness, readiness and self-metrics: /healthz (the process answers), /readyz (the database answers),
// /metrics (Prometheus text format, from Tocsin's own registry: src/self-metrics.ts).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { SelfMetrics } from '../../self-metrics.js';
import type { Store } from '../../store/store.js';

export function registerHealthRoutes(app: FastifyInstance, store: Store, selfMetrics: SelfMetrics): void {
  const registry = selfMetrics.registry;
  app.addHook('onResponse', function countRequest(request, reply, done) {
    selfMetrics.countHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
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
