// The life of an alert event for one (policy, dimension value), as a pure state machine: given what the
// key was, what this evaluation found and the policy's settings, what it becomes and what must be sent.
// quiet → pending (holding, fewer than K evaluations) → firing → resolved (rules false for the recovery
// delay); a user's close suppresses the key until its rules stop holding. docs/alert-events.md tells
// users the same rules; keep the two in step.
import type { NoDataAction } from './alert-policy.js';
import type { EvaluationOutcome } from './condition-evaluation.js';

/** Nothing is going on for this key: no event, nothing pending. */
export interface QuietState {
  readonly phase: 'quiet';
}

/** The rules hold, but not yet for `forEvaluations` evaluations in a row. */
export interface PendingState {
  readonly phase: 'pending';
  /** Consecutive holding evaluations so far. */
  readonly holds: number;
  /** The first of them: the event's start if it comes to fire. */
  readonly since: number;
  /** Holding only because data was missing (noDataAction `alert`). */
  readonly noData: boolean;
}

/** An open event. */
export interface FiringState {
  readonly phase: 'firing';
  readonly startedAt: number;
  /** Since when the rules have not held; null while they hold. */
  readonly falseSince: number | null;
  /** The last firing message; null while none was sent (outside the effective window). */
  readonly lastNotifiedAt: number | null;
  readonly notifyCount: number;
  /** Acknowledged by a user: no more firing messages. */
  readonly acknowledged: boolean;
  /** Opened because data was missing (noDataAction `alert`). */
  readonly noData: boolean;
}

/** A user closed the event while its rules held: nothing new opens until they stop holding. */
export interface SuppressedState {
  readonly phase: 'suppressed';
  readonly falseSince: number | null;
}

export type KeyState = QuietState | PendingState | FiringState | SuppressedState;

export const QUIET: QuietState = { phase: 'quiet' };

/** The policy's settings the lifecycle follows, in milliseconds where they are durations. */
export interface LifecyclePolicy {
  /** Holding evaluations in a row before an event opens (≥ 1). */
  readonly forEvaluations: number;
  /** How long the rules must have been false before a firing event resolves. */
  readonly recoveryMs: number;
  /** Minimum time between two firing messages of one still-firing event. */
  readonly silenceMs: number;
  readonly noDataAction: NoDataAction;
}

export interface LifecycleInput {
  readonly state: KeyState;
  readonly outcome: EvaluationOutcome;
  readonly policy: LifecyclePolicy;
  readonly now: number;
  /** Whether the policy's effective window is open at `now`. */
  readonly mayNotify: boolean;
}

/** Why a firing event ended by itself. */
export type ResolveCause = 'recovered' | 'no_data';

export interface LifecycleStep {
  readonly next: KeyState;
  /** An event opened at this evaluation. */
  readonly opened: boolean;
  /** The open event resolved at this evaluation, and why. */
  readonly resolved: ResolveCause | null;
  /** The message to send now, if any. */
  readonly notify: 'firing' | 'resolved' | null;
  /** A firing message was due but the effective window is closed; it goes when the window opens. */
  readonly deferred: boolean;
}

/** How an outcome reads once the policy's noDataAction is applied. */
type Reading = 'holding' | 'holding_no_data' | 'not_holding' | 'not_holding_no_data' | 'unknown';

function readingOf(outcome: EvaluationOutcome, noDataAction: NoDataAction): Reading {
  if (outcome === 'holds') return 'holding';
  if (outcome === 'clear') return 'not_holding';
  switch (noDataAction) {
    case 'alert':
      return 'holding_no_data';
    case 'resolve':
      return 'not_holding_no_data';
    default:
      return 'unknown';
  }
}

function step(next: KeyState, changes: Partial<Omit<LifecycleStep, 'next'>> = {}): LifecycleStep {
  return { next, opened: false, resolved: null, notify: null, deferred: false, ...changes };
}

/** A firing message is due: never sent yet, or the silence period since the last one is over. */
function firingMessageDue(state: FiringState, silenceMs: number, now: number): boolean {
  if (state.acknowledged) return false;
  return state.lastNotifiedAt === null || now - state.lastNotifiedAt >= silenceMs;
}

function open(since: number, noData: boolean, input: LifecycleInput): LifecycleStep {
  const { now, mayNotify } = input;
  const next: FiringState = {
    phase: 'firing',
    startedAt: since,
    falseSince: null,
    lastNotifiedAt: mayNotify ? now : null,
    notifyCount: mayNotify ? 1 : 0,
    acknowledged: false,
    noData,
  };
  return step(next, { opened: true, notify: mayNotify ? 'firing' : null, deferred: !mayNotify });
}

/**
 * One evaluation's step for one key. The rules, in order:
 * - missing data (`no_data`) reads per noDataAction: `alert` as holding, `resolve` as not holding,
 *   `keep` changes nothing for a firing event (it neither resolves nor re-notifies) but ends a pending
 *   run and counts as not holding for a suppressed key;
 * - an event opens after `forEvaluations` holding evaluations in a row, starting at the first of them;
 * - firing messages go only at holding evaluations inside the effective window: the first one (deferred
 *   while the window is closed), then again once the silence period has passed, never after an
 *   acknowledgement;
 * - a firing event resolves once its rules have not held for the recovery delay; the recovery message
 *   goes whenever a firing message went before (window and silence do not hold it back);
 * - a closed (suppressed) key opens nothing new until its rules have not held for the recovery delay.
 * @example advanceKeyState({ state: QUIET, outcome: 'holds', policy, now, mayNotify: true }).notify // 'firing'
 */
export function advanceKeyState(input: LifecycleInput): LifecycleStep {
  const { state, policy, now } = input;
  const reading = readingOf(input.outcome, policy.noDataAction);
  // `keep` keeps a firing event as it is. Elsewhere no data does not hold: it breaks a pending run, and
  // it lets a suppressed key go quiet — else a value gone for good would stay suppressed forever.
  if (reading === 'unknown' && state.phase === 'firing') return step(state);
  const holding = reading === 'holding' || reading === 'holding_no_data';
  const noData = reading === 'holding_no_data';

  switch (state.phase) {
    case 'quiet': {
      if (!holding) return step(state);
      if (policy.forEvaluations <= 1) return open(now, noData, input);
      return step({ phase: 'pending', holds: 1, since: now, noData });
    }
    case 'pending': {
      if (!holding) return step(QUIET);
      const holds = state.holds + 1;
      if (holds >= policy.forEvaluations) return open(state.since, noData, input);
      return step({ ...state, holds, noData });
    }
    case 'suppressed': {
      if (holding) return step({ phase: 'suppressed', falseSince: null });
      const falseSince = state.falseSince ?? now;
      if (now - falseSince >= policy.recoveryMs) return step(QUIET);
      return step({ phase: 'suppressed', falseSince });
    }
    case 'firing': {
      if (holding) {
        const still: FiringState = { ...state, falseSince: null };
        if (!firingMessageDue(state, policy.silenceMs, now)) return step(still);
        if (!input.mayNotify) return step(still, { deferred: true });
        return step(
          { ...still, lastNotifiedAt: now, notifyCount: state.notifyCount + 1 },
          { notify: 'firing' },
        );
      }
      const falseSince = state.falseSince ?? now;
      if (now - falseSince < policy.recoveryMs) return step({ ...state, falseSince });
      return step(QUIET, {
        resolved: reading === 'not_holding_no_data' ? 'no_data' : 'recovered',
        notify: state.notifyCount > 0 ? 'resolved' : null,
      });
    }
  }
}
