// The bridge event lifecycle: open and notify once, re-notify only after the silence period and never
// after an acknowledgement, resolve once with a recovery message, and leave re-sent, late or closed
// occurrences alone.
import { describe, expect, it } from 'vitest';
import { bridgeStep, type BridgeAlert, type BridgeEventState } from './alertmanager-lifecycle.js';

const MIN = 60_000;
const DAY = 1440 * MIN;
const T0 = Date.parse('2025-01-06T02:00:00Z');

const firing = (startsAt = T0): BridgeAlert => ({ status: 'firing', startsAt, endsAt: null });
const resolved = (startsAt = T0, endsAt: number | null = T0 + 10 * MIN): BridgeAlert => ({
  status: 'resolved',
  startsAt,
  endsAt,
});

function event(patch: Partial<BridgeEventState> = {}): BridgeEventState {
  return {
    state: 'firing',
    startedAt: T0,
    lastNotifiedAt: T0 + MIN,
    notifyCount: 1,
    acknowledged: false,
    ...patch,
  };
}

describe('bridgeStep for a firing alert', () => {
  it('opens an event for an alert never seen', () => {
    expect(bridgeStep(null, firing(), T0 + MIN, DAY)).toEqual({ action: 'open' });
  });

  it('changes nothing while the alert is re-sent within the silence period', () => {
    expect(bridgeStep(event(), firing(), T0 + 4 * 60 * MIN, DAY)).toEqual({ action: 'none' });
    expect(bridgeStep(event(), firing(), T0 + MIN, DAY)).toEqual({ action: 'none' });
  });

  it('notifies again once the silence period has passed since the last message', () => {
    expect(bridgeStep(event(), firing(), T0 + MIN + DAY, DAY)).toEqual({ action: 'renotify' });
    expect(bridgeStep(event(), firing(), T0 + MIN + DAY - 1, DAY)).toEqual({ action: 'none' });
  });

  it('never notifies an acknowledged event again', () => {
    expect(bridgeStep(event({ acknowledged: true }), firing(), T0 + 3 * DAY, DAY)).toEqual({
      action: 'none',
    });
  });

  it('leaves an occurrence that already ended alone — resolved, or closed by a user — and opens a new one', () => {
    const ended = event({ state: 'resolved' });
    expect(bridgeStep(ended, firing(T0), T0 + 20 * MIN, DAY)).toEqual({ action: 'none' });
    expect(bridgeStep(ended, firing(T0 + 15 * MIN), T0 + 20 * MIN, DAY)).toEqual({ action: 'open' });
  });
});

describe('bridgeStep for a resolved alert', () => {
  it('resolves the open event at the alert’s end, with a recovery message', () => {
    expect(bridgeStep(event(), resolved(), T0 + 11 * MIN, DAY)).toEqual({
      action: 'resolve',
      at: T0 + 10 * MIN,
      notify: true,
    });
  });

  it('resolves now when the end is missing, before the start, or still to come', () => {
    const now = T0 + 11 * MIN;
    expect(bridgeStep(event(), resolved(T0, null), now, DAY)).toMatchObject({ at: now });
    expect(bridgeStep(event(), resolved(T0, T0 - MIN), now, DAY)).toMatchObject({ at: now });
    expect(bridgeStep(event(), resolved(T0, now + MIN), now, DAY)).toMatchObject({ at: now });
  });

  it('sends the recovery message also for an acknowledged event, and none for one never notified', () => {
    expect(bridgeStep(event({ acknowledged: true }), resolved(), T0 + 11 * MIN, DAY)).toMatchObject({
      notify: true,
    });
    expect(
      bridgeStep(event({ notifyCount: 0, lastNotifiedAt: null }), resolved(), T0 + 11 * MIN, DAY),
    ).toMatchObject({ notify: false });
  });

  it('changes nothing without an open event, or for an older occurrence than the open one', () => {
    expect(bridgeStep(null, resolved(), T0 + 11 * MIN, DAY)).toEqual({ action: 'none' });
    expect(bridgeStep(event({ state: 'resolved' }), resolved(), T0 + 11 * MIN, DAY)).toEqual({
      action: 'none',
    });
    const reopened = event({ startedAt: T0 + 30 * MIN });
    expect(bridgeStep(reopened, resolved(T0), T0 + 40 * MIN, DAY)).toEqual({ action: 'none' });
  });
});
