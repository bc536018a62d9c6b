// Metrics in: OTLP/HTTP (`POST /v1/metrics`, protobuf or JSON), Prometheus remote-write 1.0
// (`POST /api/v1/write`, snappy protobuf) and JSON push (`POST /api/v1/push`). Each reads its body as
// raw bytes (so that gzip and snappy are undone under one decompressed-size limit), decodes it into
// IngestSeries and hands them to the metric store, telling the observer (the self-metrics) what was
// stored and refused. With forwarding configured, what each request brought is also spooled for the
// remote-write receiver before the sender is answered. They need a token with the `ingest` permission.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.js';
import type { IngestSeries, SeriesScope, SeriesTemporality } from '../../domain/metric-series.js';
import { AppError, invalidRequest } from '../../errors.js';
import { decodeBody, parseContentEncoding } from '../../ingest/body.js';
import { isIngestError } from '../../ingest/decode-errors.js';
import { decodeOtlpMetrics, otlpExportResponse, type OtlpFormat } from '../../ingest/otlp.js';
import { decodePush } from '../../ingest/push.js';
import type { RemoteWriteForwarder } from '../../ingest/forward/remote-write-forwarder.js';
import { decodeRemoteWrite, decodeWriteRequest, PrometheusMetadata } from '../../ingest/remote-write.js';
import { SnappyOutputBuffer } from '../../ingest/snappy-block.js';
import { snappyCompress } from '../../ingest/snappy-compress.js';
import type { Rejection } from '../../metrics/store/metric-store.js';
import type { SeriesIngest } from '../rum/routes.js';

/** The ingestion protocols, as the self-metrics label them. */
export type IngestProtocol = 'otlp' | 'remote_write' | 'push' | 'rum';

/** Points refused, by reason: a metric store RejectionReason, or `invalid_data_point` for OTLP decoding. */
export interface RefusedPoints {
  readonly reason: string;
  readonly points: number;
}

/** Told what each ingestion request stored and refused (the self-metrics on /metrics). Must not throw. */
export type IngestObserver = (
  protocol: IngestProtocol,
  acceptedPoints: number,
  refused: readonly RefusedPoints[],
) => void;

export interface IngestRouteOptions {
  readonly ingest: SeriesIngest;
  readonly observe?: IngestObserver;
  /** Where what is received is also sent (TOCSIN_REMOTE_WRITE_URL); absent: nowhere. */
  readonly forward?: Pick<RemoteWriteForwarder, 'forwardSeries' | 'forwardBody'> | undefined;
  readonly clock: Clock;
  /** Largest body as sent (TOCSIN_INGEST_BODY_LIMIT). */
  readonly bodyLimitBytes: number;
  /** The temporality of pushed samples that name none (the catalog's). */
  readonly defaultTemporality?: (scope: SeriesScope, metric: string) => SeriesTemporality;
}

/** A decompressed body may be this many times larger than the limit on what is sent. */
const DECODED_SIZE_FACTOR = 8;

const ingestRoute = { permission: 'ingest' } as const;

/** The body as bytes, every Content-Encoding undone; decoder errors become catalogued API errors. */
async function bodyBytes(
  request: FastifyRequest,
  maxDecodedBytes: number,
  defaultEncoding?: string,
): Promise<Uint8Array> {
  const raw = request.body;
  if (!(raw instanceof Uint8Array)) throw new AppError('invalid_request', 'the request has no body');
  const encoding = request.headers['content-encoding'] ?? defaultEncoding;
  return decodeBody(raw, encoding, { maxDecodedBytes });
}

/** Whether a Content-Encoding header amounts to snappy alone, Prometheus's. */
function isSnappyAlone(header: string): boolean {
  const codings = parseContentEncoding(header);
  return codings.length === 1 && codings[0] === 'snappy';
}

function asAppError(error: unknown): unknown {
  if (!isIngestError(error)) return error;
  const fields = 'field' in error && error.field ? [{ field: error.field, reason: error.message }] : [];
  return new AppError(error.code, error.message, fields, { cause: error });
}

function rejectionSummary(rejections: readonly unknown[]): string {
  return (rejections as readonly Rejection[])
    .map((r) => `${r.reason} (${r.detail}: ${r.points} points)`)
    .join('; ');
}

/** 422 when the store refused some points: the rest are stored, and the answer says which and why. */
function throwIfRejected(result: ReturnType<SeriesIngest>): void {
  if (result.rejections.length === 0) return;
  const rejections = result.rejections as readonly Rejection[];
  const refused = rejections.reduce((sum, r) => sum + r.points, 0);
  throw new AppError(
    'samples_rejected',
    `${refused} of ${refused + result.acceptedPoints} points were not stored: ${rejectionSummary(rejections)}`,
    [],
    { details: { acceptedPoints: result.acceptedPoints, rejections } },
  );
}

function otlpFormat(request: FastifyRequest): OtlpFormat {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new AppError(
    'unsupported_media_type',
    'send OTLP metrics as application/x-protobuf or application/json',
  );
}

/**
 * Registers the three ingestion endpoints in a scope of their own that reads every body as bytes.
 * @example registerIngestRoutes(app, { ingest: ingestSeries, clock, bodyLimitBytes: 16 << 20 })
 */
export function registerIngestRoutes(app: FastifyInstance, options: IngestRouteOptions): void {
  const maxDecodedBytes = options.bodyLimitBytes * DECODED_SIZE_FACTOR;
  // Prometheus declares metric types in requests of their own; they apply to later requests.
  const prometheusMetadata = new PrometheusMetadata();
  // Remote-write bodies are decompressed into one buffer kept between requests (see SnappyOutputBuffer).
  const snappyOutput = new SnappyOutputBuffer();

  void app.register(function ingestRoutes(scope, _pluginOptions, done) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes },
      (_request: FastifyRequest, body: Buffer, parsed: (error: Error | null, body?: Buffer) => void) =>
        parsed(null, body),
    );
    const tags = ['metrics in'];
    // Senders post every few seconds: a line per request at info would drown the log.
    const routeOptions = {
      config: ingestRoute,
      bodyLimit: options.bodyLimitBytes,
      logLevel: 'warn' as const,
    };

    scope.post(
      '/v1/metrics',
      {
        ...routeOptions,
        schema: {
          tags,
          summary: 'OTLP/HTTP metrics export (protobuf or JSON, optionally gzip)',
          description:
            'service.name is the application, host.name the host label; answers an ExportMetricsServiceResponse, with partial_success when data points were not stored.',
        },
      },
      async function exportOtlpMetrics(request: FastifyRequest, reply: FastifyReply) {
        const format = otlpFormat(request);
        try {
          const decoded = decodeOtlpMetrics(await bodyBytes(request, maxDecodedBytes), format);
          const stored = options.ingest(decoded.series);
          options.forward?.forwardSeries(decoded.series);
          const rejections = stored.rejections as readonly Rejection[];
          options.observe?.('otlp', stored.acceptedPoints, [
            ...rejections,
            ...(decoded.rejectedDataPoints > 0
              ? [{ reason: 'invalid_data_point', points: decoded.rejectedDataPoints }]
              : []),
          ]);
          const refused = rejections.reduce((sum, r) => sum + r.points, 0);
          const errors = [...decoded.errors, ...rejections.map((r) => `${r.reason}: ${r.detail}`)];
          const response = otlpExportResponse(
            { rejectedDataPoints: decoded.rejectedDataPoints + refused, errors },
            format,
          );
          return reply.type(response.contentType).send(response.body);
        } catch (error) {
          throw asAppError(error);
        }
      },
    );

    scope.post(
      '/api/v1/write',
      {
        ...routeOptions,
        schema: {
          tags,
          summary: 'Prometheus remote-write 1.0 (snappy-compressed protobuf WriteRequest)',
          description:
            'The target is the first of the labels service_name, application, app, service, job. 204 when everything was stored; 422 samples_rejected naming what was not.',
        },
      },
      async function remoteWrite(request: FastifyRequest, reply: FastifyReply) {
        try {
          // Prometheus always sends `Content-Encoding: snappy`; a body without it is taken as snappy too.
          const encoding = request.headers['content-encoding'] ?? 'snappy';
          const raw = request.body;
          let series: IngestSeries[];
          // The body decoded from another encoding; null when it came as snappy alone.
          let bytes: Uint8Array | null = null;
          if (raw instanceof Uint8Array && isSnappyAlone(encoding)) {
            // The shared buffer is decompressed into and decoded from with no await in between, so no
            // other request can take it meanwhile.
            series = decodeRemoteWrite(raw, { maxDecodedBytes }, prometheusMetadata, snappyOutput);
          } else {
            bytes = await bodyBytes(request, maxDecodedBytes, encoding);
            series = decodeWriteRequest(bytes, prometheusMetadata);
          }
          const stored = options.ingest(series);
          if (options.forward) {
            // As the sender sent it, labels and all; recompressed only when it came in another encoding.
            options.forward.forwardBody(bytes === null ? (raw as Uint8Array) : snappyCompress(bytes));
          }
          options.observe?.('remote_write', stored.acceptedPoints, stored.rejections as readonly Rejection[]);
          throwIfRejected(stored);
          return reply.code(204).send();
        } catch (error) {
          throw asAppError(error);
        }
      },
    );

    scope.post(
      '/api/v1/push',
      {
        ...routeOptions,
        schema: {
          tags,
          summary: 'Push samples as JSON (custom metrics, or catalog metrics by name; back-filling)',
        },
      },
      async function pushSamples(request: FastifyRequest) {
        let body: unknown;
        try {
          const bytes = await bodyBytes(request, maxDecodedBytes);
          const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (type !== 'application/json') {
            throw new AppError('unsupported_media_type', 'send the samples as application/json');
          }
          body = JSON.parse(Buffer.from(bytes).toString('utf8'));
        } catch (error) {
          if (error instanceof SyntaxError) {
            throw new AppError('invalid_json', `the body is not JSON: ${error.message}`);
          }
          throw asAppError(error);
        }
        const decoded = decodePush(body, {
          nowMs: options.clock.now(),
          ...(options.defaultTemporality && { defaultTemporality: options.defaultTemporality }),
        });
        if (!decoded.ok) throw invalidRequest(decoded.problems);
        const stored = options.ingest(decoded.value);
        options.forward?.forwardSeries(decoded.value);
        options.observe?.('push', stored.acceptedPoints, stored.rejections as readonly Rejection[]);
        throwIfRejected(stored);
        return { acceptedPoints: stored.acceptedPoints };
      },
    );
    done();
  });
}
