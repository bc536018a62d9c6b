// Writing one Alertmanager payload: each alert routed through the routing table, its events opened,
// notified again or resolved (domain/alertmanager-lifecycle.ts), and their messages put into the outbox —
// all in ONE transaction, as the evaluator commits an evaluation. A crash before the commit loses nothing
// (Alertmanager retries, and re-sends the group anyway); after it, the event knows it was notified, so a
// re-sent payload sends nothing twice.
import type { AlertEvent, AlertmanagerEventDetails } from '../../domain/alert-event.js';
import { bridgeStep, type BridgeAlert } from '../../domain/alertmanager-lifecycle.js';
import {
  compileRoutes,
  routesFor,
  severityOf,
  type AlertmanagerRoute,
} from '../../domain/alertmanager-route.js';
import type { Contact } from '../../domain/contact.js';
import { enqueueForContacts } from '../../notify/outbox.js';
import type { NotificationLocale } from '../../notify/rendered-notification.js';
import { renderAlertmanagerNotification } from '../../notify/templates/index.js';
import { isUniqueViolation } from '../../store/store-errors.js';
import type { Store } from '../../store/store.js';
import {
  fingerprintOf,
  type AlertmanagerAlert,
  type AlertmanagerPayload,
  type ReceiveReport,
} from './schema.js';

export interface ReceiveOptions {
  /** When the payload arrived: events are notified and resolved at it. */
  readonly now: number;
  /** TOCSIN_PUBLIC_URL: the base of the console links in messages. */
  readonly publicUrl: string;
  readonly locale: NotificationLocale;
}

/** A user acknowledged or closed an event while the payload was written; the transaction is retried. */
class ConcurrentEventChange extends Error {
  constructor(eventId: string) {
    super(`alert event ${eventId} was acknowledged or closed while an Alertmanager payload was written`);
    this.name = 'ConcurrentEventChange';
  }
}

/**
 * Two deliveries of one group may race on PostgreSQL: both see no open event, and the second insert
 * breaks the one-open-event-per-key index. A second try sees the first's event and changes nothing.
 */
const ATTEMPTS = 3;

const MINUTE_MS = 60_000;

function eventState(event: AlertEvent) {
  return {
    state: event.state,
    startedAt: event.startedAt,
    lastNotifiedAt: event.lastNotifiedAt,
    notifyCount: event.notifyCount,
    acknowledged: event.acknowledgedAt !== null,
  };
}

function bridgeAlert(alert: AlertmanagerAlert): BridgeAlert {
  return { status: alert.status, startsAt: alert.startsAt, endsAt: alert.endsAt };
}

/** The contacts of the groups, in order, each once; read once per route per payload. */
async function contactsOfGroups(store: Store, groupIds: readonly string[]): Promise<Contact[]> {
  const contacts: Contact[] = [];
  for (const groupId of groupIds) {
    const group = await store.contactGroups.get(groupId);
    for (const contactId of group?.contactIds ?? []) {
      const contact = await store.contacts.get(contactId);
      if (contact) contacts.push(contact);
    }
  }
  return contacts;
}

async function writePayload(
  tx: Store,
  payload: AlertmanagerPayload,
  options: ReceiveOptions,
): Promise<ReceiveReport> {
  const { now } = options;
  const routes = await tx.alertmanagerRoutes.all();
  const compiled = compileRoutes(routes);
  const routeById = new Map(routes.map((route) => [route.id, route]));
  const contactsByRoute = new Map<string, Promise<Contact[]>>();
  const report = { accepted: 0, opened: 0, renotified: 0, resolved: 0, messages: 0, notifications: 0 };
  const unrouted: ReceiveReport['unrouted'][number][] = [];

  const send = async (
    kind: 'firing' | 'resolved',
    event: AlertEvent,
    route: AlertmanagerRoute | undefined,
    alert: AlertmanagerAlert,
    endedAt: number | null,
  ) => {
    // A route deleted meanwhile has no one left to tell.
    if (!route) return;
    const request = renderAlertmanagerNotification({
      kind,
      eventId: event.id,
      alertName: event.policyName,
      severity: event.severity,
      labels: alert.labels,
      annotations: alert.annotations,
      generatorURL: alert.generatorURL,
      startedAt: event.startedAt,
      endedAt,
      notifiedAt: now,
      publicUrl: options.publicUrl,
      locale: options.locale,
      timeZone: route.timeZone,
    });
    let contacts = contactsByRoute.get(route.id);
    if (!contacts) {
      contacts = contactsOfGroups(tx, route.contactGroupIds);
      contactsByRoute.set(route.id, contacts);
    }
    const rows = await enqueueForContacts(tx, await contacts, route.channels, request);
    report.messages += 1;
    report.notifications += rows.length;
  };

  for (const alert of payload.alerts) {
    const fingerprint = fingerprintOf(alert);
    const matched = routesFor(compiled, alert.labels);

    if (alert.status === 'resolved') {
      // Every open event of the alert ends, on whichever route opened it — also one whose matchers were
      // edited since — so a resolved alert never leaves an event firing.
      const open = await tx.alertEvents.openAlertmanagerEvents(fingerprint);
      for (const event of open) {
        const route = routeById.get(event.policyId);
        const step = bridgeStep(eventState(event), bridgeAlert(alert), now, 0);
        if (step.action !== 'resolve') continue;
        if (!(await tx.alertEvents.resolve(event.id, 'recovered', step.at))) {
          throw new ConcurrentEventChange(event.id);
        }
        report.resolved += 1;
        if (step.notify) await send('resolved', event, route, alert, step.at);
      }
      if (matched.length > 0 || open.length > 0) report.accepted += 1;
      else unrouted.push({ fingerprint, status: alert.status, labels: alert.labels });
      continue;
    }

    if (matched.length === 0) {
      unrouted.push({ fingerprint, status: alert.status, labels: alert.labels });
      continue;
    }
    report.accepted += 1;
    for (const route of matched) {
      const latest = await tx.alertEvents.latestAlertmanagerEvent(route.id, fingerprint);
      const step = bridgeStep(
        latest ? eventState(latest) : null,
        bridgeAlert(alert),
        now,
        route.silenceMinutes * MINUTE_MS,
      );
      if (step.action === 'open') {
        const details: AlertmanagerEventDetails = {
          routeId: route.id,
          routeName: route.name,
          fingerprint,
          annotations: alert.annotations,
          generatorURL: alert.generatorURL,
          receiver: payload.receiver,
          groupKey: payload.groupKey,
          externalURL: payload.externalURL,
        };
        const [event] = await tx.alertEvents.open([
          {
            source: 'alertmanager',
            policyId: route.id,
            policyName: alert.labels.alertname || route.name,
            policyKind: null,
            severity: severityOf(route.severity, alert.labels),
            dimensionName: null,
            dimensionKey: fingerprint,
            labels: alert.labels,
            noData: false,
            triggerValues: [],
            watchFingerprint: '',
            startedAt: alert.startsAt,
            lastEvaluatedAt: now,
            lastNotifiedAt: now,
            notifyCount: 1,
            alertmanager: details,
          },
        ]);
        report.opened += 1;
        await send('firing', event!, route, alert, null);
      } else if (step.action === 'renotify') {
        const event = latest!;
        const changed = await tx.alertEvents.changeOpen(
          event.id,
          {
            falseSince: null,
            lastNotifiedAt: now,
            notifyCount: event.notifyCount + 1,
            triggerValues: [],
            labels: alert.labels,
            lastEvaluatedAt: now,
          },
          true,
        );
        if (!changed) throw new ConcurrentEventChange(event.id);
        report.renotified += 1;
        await send('firing', event, route, alert, null);
      }
    }
  }
  return { ...report, unrouted };
}

/**
 * Routes and writes one Alertmanager payload and enqueues its messages in one transaction; the caller
 * wakes the dispatcher when `notifications` > 0. The same payload again changes nothing.
 * @example const report = await receiveAlerts(store, payload, { now: clock.now(), publicUrl, locale: 'zh-CN' });
 */
export async function receiveAlerts(
  store: Store,
  payload: AlertmanagerPayload,
  options: ReceiveOptions,
): Promise<ReceiveReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.transaction(function writeAlertmanagerPayload(tx) {
        return writePayload(tx, payload, options);
      });
    } catch (error) {
      const raced = isUniqueViolation(error) || error instanceof ConcurrentEventChange;
      if (!raced || attempt >= ATTEMPTS) throw error;
    }
  }
}
