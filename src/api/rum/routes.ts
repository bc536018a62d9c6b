// Browser monitoring: POST /api/v1/rum takes the beacons /rum.js sends, GET /rum.js serves that script.
// Both are public (a browser holds no token) and open to every origin; they are the only routes that
// take text/plain, the content type navigator.sendBeacon gives a string body.
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../../domain/clock.js';
import type { IngestSeries } from '../../domain/metric-series.js';
import { AppError } from '../../errors.js';
import { RUM_SCRIPT } from '../../ingest/rum-script.js';
import { RUM_BEACON_MAX_BYTES, rumBeaconSchema, rumBeaconSeries } from '../../ingest/rum.js';
import { replyWithError } from '../error-handler.js';

/** What storing series answers: the metric store's append result, of which the routes need this much. */
export interface SeriesIngestResult {
  readonly acceptedPoints: number;
  readonly rejections: readonly unknown[];
}

/** Stores decoded series (the built-in metric store's append). */
export type SeriesIngest = (series: IngestSeries[]) => SeriesIngestResult;

export interface RumRouteOptions {
  readonly ingest: SeriesIngest;
  /** Dates the beacons' points: browsers' own clocks are not trusted. */
  readonly clock: Clock;
}

/** Browsers revalidate the script hourly, so a new Tocsin version reaches every page within the hour. */
const SCRIPT_CACHE_CONTROL = 'public, max-age=3600';
const SCRIPT_ETAG = `"${createHash('sha256').update(RUM_SCRIPT).digest('base64url').slice(0, 32)}"`;

function allowEveryOrigin(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  // `*` and never Allow-Credentials: a beacon carries no cookie Tocsin would read.
  reply.header('access-control-allow-origin', '*');
  done();
}

/**
 * Registers POST /api/v1/rum (with its CORS preflight) and GET /rum.js.
 * @example registerRumRoutes(app, { ingest: (series) => metricStore.append(series), clock });
 */
export function registerRumRoutes(app: FastifyInstance, options: RumRouteOptions): void {
  // An encapsulated context, so the text/plain parser and the CORS header reach these routes only.
  // buildApp awaits app.ready(), which loads it.
  void app.register(function rumRoutes(scope, _pluginOptions, done) {
    scope.addContentTypeParser(
      'text/plain',
      { parseAs: 'string' },
      // The same parser as application/json, refusing __proto__ and constructor.prototype keys alike.
      scope.getDefaultJsonParser('error', 'error'),
    );
    scope.addHook('onRequest', allowEveryOrigin);
    scope.setErrorHandler(function replyWithRumError(error: FastifyError, request, reply) {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        const tooLarge = new AppError(
          'payload_too_large',
          `a beacon is at most ${RUM_BEACON_MAX_BYTES} bytes; send fewer events per beacon`,
        );
        replyWithError(tooLarge, request, reply);
        return;
      }
      replyWithError(error, request, reply);
    });

    const api = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['browser monitoring'];
    const publicRoute = { permission: 'public' } as const;

    api.post(
      '/api/v1/rum',
      {
        schema: {
          tags,
          summary: 'Browser beacon: page views, Web Vitals, JS errors, API calls, custom statistics',
          body: rumBeaconSchema,
          security: [],
        },
        config: publicRoute,
        bodyLimit: RUM_BEACON_MAX_BYTES,
      },
      function receiveBeacon(request, reply) {
        const series = rumBeaconSeries(request.body, options.clock.now());
        const result = options.ingest(series);
        if (result.rejections.length > 0) {
          // The browser can do nothing about it; the metric store counts rejections in its own stats.
          request.log.debug(
            { site: request.body.site, rejections: result.rejections },
            'beacon points refused',
          );
        }
        return reply.status(204).send();
      },
    );

    api.options(
      '/api/v1/rum',
      { schema: { hide: true }, config: publicRoute },
      function allowBeaconPreflight(_request, reply) {
        return reply
          .status(204)
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', 'content-type')
          .header('access-control-max-age', '86400')
          .send();
      },
    );

    api.get(
      '/rum.js',
      { schema: { hide: true }, config: publicRoute },
      function serveRumScript(request, reply) {
        reply
          .header('cache-control', SCRIPT_CACHE_CONTROL)
          .header('etag', SCRIPT_ETAG)
          .header('x-content-type-options', 'nosniff');
        if (request.headers['if-none-match'] === SCRIPT_ETAG) return reply.status(304).send();
        return reply.type('application/javascript; charset=utf-8').send(RUM_SCRIPT);
      },
    );

    done();
  });
}
