// The HTTP application: buildApp wires routes, auth, validation and errors around the injected
// dependencies. It never listens by itself; main.ts (or a test) does.
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { ServerConfig } from '../config.js';
import type { PolicyDataSource } from '../datasources/policy-data.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { Clock } from '../domain/clock.js';
import type { RemoteWriteForwarder } from '../ingest/forward/remote-write-forwarder.js';
import { defaultTemporality } from '../metrics/catalog/index.js';
import type { MetricStore, Rejection } from '../metrics/store/metric-store.js';
import type { EmailTransport } from '../notify/channels/email/index.js';
import { SelfMetrics } from '../self-metrics.js';
import type { Store } from '../store/store.js';
import { registerAlertEventRoutes } from './alert-events/routes.js';
import { registerAlertPolicyRoutes } from './alert-policies/routes.js';
import { registerAlertmanagerRouteRoutes } from './alertmanager-routes/routes.js';
import { registerAlertmanagerRoutes } from './alertmanager/routes.js';
import { registerApiTokenRoutes } from './api-tokens/routes.js';
import { registerAuth, VerifiedTokenCache } from './auth.js';
import { registerConsoleRoutes } from './console/routes.js';
import { registerContactGroupRoutes } from './contact-groups/routes.js';
import { registerContactRoutes } from './contacts/routes.js';
import { registerDatasourceRoutes } from './datasources/routes.js';
import { registerErrorHandlers, replyWithError } from './error-handler.js';
import { registerHealthRoutes } from './health/routes.js';
import { registerIngestRoutes } from './ingest/routes.js';
import { registerMetricRoutes } from './metrics/routes.js';
import { registerNotificationRoutes } from './notifications/routes.js';
import { registerRumRoutes, type SeriesIngest } from './rum/routes.js';
import { zodValidatorCompiler } from './validation.js';

export interface AppDeps {
  readonly config: Pick<ServerConfig, 'allowedWebhookOrigins' | 'bodyLimitBytes' | 'publicUrl'> &
    Partial<Pick<ServerConfig, 'notificationLocale'>>;
  readonly store: Store;
  readonly clock: Clock;
  /** The SMTP transport for e-mails the API sends (the contact test); null or omitted without SMTP. */
  readonly emailTransport?: EmailTransport | null;
  /** The built-in metric store; without it the /api/v1/metrics routes are not served. */
  readonly metricStore?: MetricStore;
  /**
   * Where a policy's numbers come from (the built-in store, or its Prometheus data source), as for the
   * evaluator; without it `POST /api/v1/alert-policies:preview` and `/{id}:preview` are not served.
   */
  readonly policyDataSource?: (policy: AlertPolicy) => PolicyDataSource;
  /** Omit for a silent app (tests). */
  readonly log?: FastifyBaseLogger;
  /**
   * Stores ingested series (the metric store's append and the catalog's derivation); without it the
   * ingestion endpoints (/v1/metrics, /api/v1/write, /api/v1/push, /api/v1/rum) and /rum.js are absent.
   */
  readonly ingestSeries?: SeriesIngest;
  /** Forwards what is ingested to a remote-write receiver, when one is configured. */
  readonly forwarder?: Pick<RemoteWriteForwarder, 'forwardSeries' | 'forwardBody'>;
  /** Largest metrics body as sent (TOCSIN_INGEST_BODY_LIMIT); default 16 MiB. */
  readonly ingestBodyLimitBytes?: number;
  /** The registry /metrics serves, shared with the evaluator and dispatcher; one of the app's own if omitted. */
  readonly selfMetrics?: SelfMetrics;
  /** Woken when a request enqueued notifications (the dispatcher); without it they wait for its next cycle. */
  readonly notifier?: { notify(): void };
}

const DEFAULT_INGEST_BODY_LIMIT = 16 * 1024 * 1024;

export const API_VERSION = '0.1.0';

/**
 * Builds the Tocsin HTTP application around its dependencies.
 * @example const app = await buildApp({ config, store, clock: systemClock }); await app.listen({ port: 0 });
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(deps.log ? { loggerInstance: deps.log } : { logger: false }),
    bodyLimit: deps.config.bodyLimitBytes,
    // Ids are matched by the routes; a trailing slash is the same resource.
    routerOptions: { ignoreTrailingSlash: true },
    // URLs the router cannot take apart get the catalogued body too, not fastify's own.
    frameworkErrors: replyWithError,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // The API speaks JSON only; fastify's built-in text/plain parser would hand a string to the validator
  // and answer "expected object, received string" instead of 415.
  app.removeContentTypeParser('text/plain');
  registerErrorHandlers(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tocsin API',
        version: API_VERSION,
        description:
          'Contacts, contact groups, alert policies and data sources of a Tocsin alerting service.',
      },
      servers: [{ url: deps.config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const selfMetrics =
    deps.selfMetrics ?? new SelfMetrics({ store: deps.store, metricStore: deps.metricStore });
  const verifiedTokens = new VerifiedTokenCache();
  registerAuth(app, deps.store, verifiedTokens);
  registerHealthRoutes(app, deps.store, selfMetrics);
  registerContactRoutes(app, deps.store, {
    allowedWebhookOrigins: deps.config.allowedWebhookOrigins,
    publicUrl: deps.config.publicUrl,
    clock: deps.clock,
    emailTransport: deps.emailTransport ?? null,
  });
  registerContactGroupRoutes(app, deps.store);
  registerAlertPolicyRoutes(app, deps.store, {
    publicUrl: deps.config.publicUrl,
    clock: deps.clock,
    dataSourceFor: deps.policyDataSource,
  });
  registerDatasourceRoutes(app, deps.store, { clock: deps.clock });
  registerApiTokenRoutes(app, deps.store, verifiedTokens);
  registerNotificationRoutes(app, deps.store);
  registerAlertEventRoutes(app, deps.store, { clock: deps.clock });
  registerAlertmanagerRouteRoutes(app, deps.store, { clock: deps.clock });
  registerAlertmanagerRoutes(app, deps.store, {
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
    locale: deps.config.notificationLocale,
    notifier: deps.notifier,
    bodyLimitBytes: deps.ingestBodyLimitBytes ?? DEFAULT_INGEST_BODY_LIMIT,
  });
  if (deps.metricStore) registerMetricRoutes(app, { metricStore: deps.metricStore, clock: deps.clock });
  if (deps.ingestSeries) {
    const ingestSeries = deps.ingestSeries;
    registerRumRoutes(app, {
      ingest: function ingestBeacon(series) {
        const result = ingestSeries(series);
        deps.forwarder?.forwardSeries(series);
        selfMetrics.recordIngest('rum', result.acceptedPoints, result.rejections as readonly Rejection[]);
        return result;
      },
      clock: deps.clock,
    });
    registerIngestRoutes(app, {
      ingest: ingestSeries,
      observe: selfMetrics.recordIngest,
      forward: deps.forwarder,
      clock: deps.clock,
      bodyLimitBytes: deps.ingestBodyLimitBytes ?? DEFAULT_INGEST_BODY_LIMIT,
      defaultTemporality,
    });
  }

  registerConsoleRoutes(app);

  app.get('/api/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, () =>
    app.swagger(),
  );

  await app.ready();
  return app;
}
