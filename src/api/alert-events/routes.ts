// /api/v1/alert-events: the event history filtered by state, policy, severity and time, one event with
// the notifications it caused, and a user's `:acknowledge` (no more firing messages) and `:close`
// (resolved now, no recovery message; docs/alert-events.md).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALERT_EVENT_SOURCES, ALERT_EVENT_STATES } from '../../domain/alert-event.js';
import { SEVERITIES } from '../../domain/alert-policy.js';
import type { Clock } from '../../domain/clock.js';
import { AppError } from '../../errors.js';
import type { UserActionResult } from '../../store/alert-events.js';
import type { Store } from '../../store/store.js';
import { presentNotification } from '../notifications/present.js';
import { actionRoute, idParamsSchema, listQuerySchema } from '../validation.js';
import { presentAlertEvent } from './present.js';

const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time such as 2025-01-06T10:00:00+08:00' })
  .transform((text) => Date.parse(text));

const alertEventListQuerySchema = listQuerySchema.omit({ q: true }).extend({
  state: z.enum(ALERT_EVENT_STATES).optional(),
  source: z
    .enum(ALERT_EVENT_SOURCES)
    .optional()
    .describe('policy: events of alert policies; alertmanager: alerts an Alertmanager sent'),
  policyId: z.string().max(64).optional(),
  severity: z.enum(SEVERITIES).optional(),
  from: instant.optional().describe('only events still firing at or after this time'),
  to: instant.optional().describe('only events that started before this time'),
});

/** The notifications shown with one event: its whole story is rarely longer. */
const EVENT_NOTIFICATIONS_SHOWN = 100;

export interface AlertEventRouteOptions {
  readonly clock: Clock;
}

/** Who did it, as the history shows it: the name of the API token used. */
function actorOf(request: FastifyRequest): string {
  return request.apiToken?.name ?? 'unknown';
}

export function registerAlertEventRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertEventRouteOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alert-events'];
  const notFound = (id: string) => new AppError('not_found', `no alert event with id ${id}`);
  const answer = (id: string, result: UserActionResult) => {
    if (result.outcome === 'not_found') throw notFound(id);
    return presentAlertEvent(result.event);
  };

  api.get(
    '/api/v1/alert-events',
    { schema: { tags, querystring: alertEventListQuerySchema } },
    async function listAlertEvents(request) {
      const page = await store.alertEvents.list(request.query);
      return { items: page.items.map(presentAlertEvent), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/api/v1/alert-events/:id',
    { schema: { tags, params: idParamsSchema } },
    async function getAlertEvent(request) {
      const event = await store.alertEvents.get(request.params.id);
      if (!event) throw notFound(request.params.id);
      const notifications = await store.notifications.list({
        limit: EVENT_NOTIFICATIONS_SHOWN,
        eventId: event.id,
      });
      return { ...presentAlertEvent(event), notifications: notifications.items.map(presentNotification) };
    },
  );

  api.post(
    actionRoute('alert-events', 'acknowledge'),
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async function acknowledgeAlertEvent(request) {
      const { id } = request.params;
      return answer(id, await store.alertEvents.acknowledge(id, actorOf(request), options.clock.now()));
    },
  );

  api.post(
    actionRoute('alert-events', 'close'),
    { schema: { tags, params: idParamsSchema }, config: { permission: 'write' } },
    async function closeAlertEvent(request) {
      const { id } = request.params;
      return answer(id, await store.alertEvents.close(id, actorOf(request), options.clock.now()));
    },
  );
}
