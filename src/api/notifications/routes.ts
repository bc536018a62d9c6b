// /api/v1/notifications: the sending history — each notification's state, attempts, next attempt, last
// error and the channel's answer (DingTalk errcode/errmsg), newest first, filtered and paged.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS } from '../../domain/alert-policy.js';
import { NOTIFICATION_STATES } from '../../store/notifications.js';
import type { Store } from '../../store/store.js';
import { listQuerySchema } from '../validation.js';
import { presentNotification } from './present.js';

const notificationListQuerySchema = listQuerySchema.omit({ q: true }).extend({
  state: z.enum(NOTIFICATION_STATES).optional(),
  channel: z.enum(CHANNELS).optional(),
  contactId: z.string().max(64).optional(),
  policyId: z.string().max(64).optional(),
  eventId: z.string().max(64).optional(),
});

export function registerNotificationRoutes(app: FastifyInstance, store: Store): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['notifications'];

  api.get(
    '/api/v1/notifications',
    { schema: { tags, querystring: notificationListQuerySchema } },
    async function listNotifications(request) {
      const page = await store.notifications.list(request.query);
      return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
    },
  );
}
