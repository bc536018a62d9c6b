// POST /api/v1/alertmanager: the Alertmanager bridge. Alertmanager posts its webhook payloads here (with
// an ingest token in `http_config.authorization`); each alert is routed by the alertmanager-routes table
// and becomes or updates an alert event, notified once when it fires and once when it resolves
// (docs/alertmanager.md). Alerts no route matches are answered and logged, never refused.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../../domain/clock.js';
import type { NotificationLocale } from '../../notify/rendered-notification.js';
import type { Store } from '../../store/store.js';
import { presentReceiveReport } from './present.js';
import { receiveAlerts } from './receive-alerts.js';
import { alertmanagerPayloadSchema } from './schema.js';

export interface AlertmanagerRouteOptions {
  readonly clock: Clock;
  /** TOCSIN_PUBLIC_URL: the base of the console links in messages. */
  readonly publicUrl: string;
  /** The language of the messages; Simplified Chinese unless given, as the evaluator's. */
  readonly locale?: NotificationLocale;
  /** Woken after a payload that enqueued notifications (the dispatcher), so they go out at once. */
  readonly notifier?: { notify(): void } | undefined;
  /** Largest payload; a big group of alerts is larger than a configuration object. */
  readonly bodyLimitBytes?: number;
}

/**
 * Registers `POST /api/v1/alertmanager`.
 * @example registerAlertmanagerRoutes(app, store, { clock, publicUrl, notifier: dispatcher });
 */
export function registerAlertmanagerRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertmanagerRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/v1/alertmanager',
    {
      schema: {
        tags: ['alertmanager'],
        summary: 'Alertmanager webhook receiver (payload version 4, firing and resolved)',
        description:
          'Routes each alert by /api/v1/alertmanager-routes and opens, re-notifies or resolves its alert ' +
          'event. The same payload twice changes nothing. Alerts no route matches are listed in `unrouted`.',
        body: alertmanagerPayloadSchema,
      },
      config: { permission: 'ingest' },
      ...(options.bodyLimitBytes !== undefined && { bodyLimit: options.bodyLimitBytes }),
    },
    async function receiveAlertmanagerPayload(request) {
      const payload = request.body;
      const report = await receiveAlerts(store, payload, {
        now: options.clock.now(),
        publicUrl: options.publicUrl,
        locale: options.locale ?? 'zh-CN',
      });
      if (report.notifications > 0) options.notifier?.notify();
      if (report.unrouted.length > 0) {
        request.log.warn(
          {
            receiver: payload.receiver,
            groupKey: payload.groupKey,
            unrouted: report.unrouted.map((alert) => ({
              fingerprint: alert.fingerprint,
              labels: alert.labels,
            })),
          },
          `${report.unrouted.length} Alertmanager alert(s) matched no route; add a route in /api/v1/alertmanager-routes`,
        );
      }
      return presentReceiveReport(report);
    },
  );
}
