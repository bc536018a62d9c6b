// The life of a bridge event — one Alertmanager alert (fingerprint) on one route — as a pure decision:
// given the newest event of that key and what Alertmanager says now, open, re-notify, resolve or leave it.
// Alertmanager re-sends every group each repeat_interval and may send a payload twice; these rules make
// a re-sent payload change nothing. docs/alertmanager.md tells users the same rules; keep them in step.

/** One alert of a webhook payload, as the lifecycle needs it. Times are epoch milliseconds. */
export interface BridgeAlert {
  readonly status: 'firing' | 'resolved';
  /** When the alert started firing (Prometheus' activeAt); identifies one occurrence of the alert. */
  readonly startsAt: number;
  /** When it ended, for a resolved alert; null when Alertmanager sent none (the zero time). */
  readonly endsAt: number | null;
}

/** The newest event of the key, as far as the lifecycle cares. */
export interface BridgeEventState {
  readonly state: 'firing' | 'resolved';
  readonly startedAt: number;
  readonly lastNotifiedAt: number | null;
  readonly notifyCount: number;
  readonly acknowledged: boolean;
}

export type BridgeStep =
  /** Nothing changes: a re-send within the silence period, an acknowledged event, an ended occurrence. */
  | { readonly action: 'none' }
  /** A new event opens at the alert's start, with a firing message. */
  | { readonly action: 'open' }
  /** The open event's silence period is over: another firing message. */
  | { readonly action: 'renotify' }
  /** The open event resolves at `at`, with a recovery message when a firing message went before. */
  | { readonly action: 'resolve'; readonly at: number; readonly notify: boolean };

/**
 * The step for one alert on one route. The rules, in order:
 * - a firing alert without an open event opens one and notifies — unless the newest event is the same
 *   occurrence (same startsAt) already ended: resolved earlier (a late re-send) or closed by a user, who
 *   closed it until Alertmanager reports it anew;
 * - a firing alert with an open event is notified again only once the silence period has passed since
 *   the last message, and never after an acknowledgement;
 * - a resolved alert resolves the open event — unless it is about an older occurrence than the event's —
 *   at its endsAt (at most now), with a recovery message whenever a firing message went before;
 * - a resolved alert without an open event changes nothing (never notified, nothing recovered).
 * @example bridgeStep(null, { status: 'firing', startsAt, endsAt: null }, now, DAY).action // 'open'
 */
export function bridgeStep(
  latest: BridgeEventState | null,
  alert: BridgeAlert,
  now: number,
  silenceMs: number,
): BridgeStep {
  const open = latest?.state === 'firing' ? latest : null;
  if (alert.status === 'firing') {
    if (!open) {
      const sameOccurrenceEnded = latest !== null && latest.startedAt === alert.startsAt;
      return sameOccurrenceEnded ? { action: 'none' } : { action: 'open' };
    }
    if (open.acknowledged) return { action: 'none' };
    const due = open.lastNotifiedAt === null || now - open.lastNotifiedAt >= silenceMs;
    return due ? { action: 'renotify' } : { action: 'none' };
  }
  if (!open || alert.startsAt < open.startedAt) return { action: 'none' };
  const endedAt = alert.endsAt !== null && alert.endsAt >= open.startedAt ? Math.min(alert.endsAt, now) : now;
  return { action: 'resolve', at: endedAt, notify: open.notifyCount > 0 };
}
