// The body of `POST /api/v1/alertmanager`: Alertmanager's webhook payload, version 4 — a group of alerts
// with the group's labels and each alert's status, labels, annotations, times and fingerprint. Unknown
// fields are ignored, so senders that add their own (Grafana's `values`, `silenceURL`…) are accepted.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Alertmanager writes "no end" as Go's zero time. */
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

const instant = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 time such as 2025-01-06T02:00:00Z' })
  .transform((text) => Date.parse(text));

const labelSet = z
  .record(
    z.string().min(1, 'label names must not be empty').max(1024),
    z.string().max(16384, 'must be at most 16384 characters'),
  )
  .describe('label (or annotation) names to values');

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((labels) => Object.keys(labels).length > 0, 'an alert needs at least one label'),
  annotations: labelSet.default({}),
  startsAt: instant,
  endsAt: instant
    .nullish()
    .transform((ms) => (ms === undefined || ms === null || ms <= ZERO_TIME_MS ? null : ms)),
  generatorURL: z.string().max(8192).default(''),
  fingerprint: z.string().trim().max(128).optional(),
});

export const alertmanagerPayloadSchema = z
  .object({
    version: z.literal('4', 'must be "4": Tocsin reads version 4 of the Alertmanager webhook payload'),
    groupKey: z.string().max(16384),
    truncatedAlerts: z.int().min(0).optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(1000),
    groupLabels: labelSet.default({}),
    commonLabels: labelSet.default({}),
    commonAnnotations: labelSet.default({}),
    externalURL: z.string().max(8192).default(''),
    alerts: z.array(alertSchema).max(10000, 'at most 10000 alerts per payload'),
  })
  .describe('an Alertmanager webhook payload (webhook_configs, version 4)');

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

/**
 * The alert's fingerprint: Alertmanager's, or for a sender that gives none a hash of the labels (the
 * same labels, the same fingerprint, as Alertmanager's).
 */
export function fingerprintOf(alert: AlertmanagerAlert): string {
  if (alert.fingerprint) return alert.fingerprint;
  const canonical = Object.entries(alert.labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}\u0000${value}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The report of one payload, as the endpoint answers it. */
export interface ReceiveReport {
  /** Alerts that went to at least one route (or ended an open event). */
  readonly accepted: number;
  /** Alerts no route matched; nothing was done with them. */
  readonly unrouted: readonly {
    readonly fingerprint: string;
    readonly status: 'firing' | 'resolved';
    readonly labels: Readonly<Record<string, string>>;
  }[];
  /** Events opened, notified again after their silence period, and resolved. */
  readonly opened: number;
  readonly renotified: number;
  readonly resolved: number;
  /** Firing and recovery messages enqueued (each to every contact and channel of its route). */
  readonly messages: number;
  /** Outbox rows enqueued. */
  readonly notifications: number;
}
