// The event lifecycle step by step — K consecutive evaluations, recovery delay, silence period, effective
// window, acknowledge and close, each noDataAction — and, over random runs, the promises users rely on:
// a recovery message always follows a firing one, silence is respected, nothing fires before its time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advanceKeyState,
  QUIET,
  type FiringState,
  type KeyState,
  type LifecyclePolicy,
  type LifecycleStep,
} from './alert-lifecycle.js';
import type { EvaluationOutcome } from './condition-evaluation.js';

const MIN = 60_000;
const T0 = Date.parse('2025-01-06T10:00:00Z');

const POLICY: LifecyclePolicy = {
  forEvaluations: 1,
  recoveryMs: 5 * MIN,
  silenceMs: 1440 * MIN,
  noDataAction: 'keep',
};

/** Runs outcomes one minute apart from T0; returns every step. */
function run(
  outcomes: readonly EvaluationOutcome[],
  policy: Partial<LifecyclePolicy> = {},
  options: { start?: KeyState; mayNotify?: (i: number) => boolean } = {},
): LifecycleStep[] {
  let state = options.start ?? QUIET;
  return outcomes.map((outcome, i) => {
    const step = advanceKeyState({
      state,
      outcome,
      policy: { ...POLICY, ...policy },
      now: T0 + i * MIN,
      mayNotify: options.mayNotify?.(i) ?? true,
    });
    state = step.next;
    return step;
  });
}

const notices = (steps: readonly LifecycleStep[]) => steps.map((s) => s.notify);
const phases = (steps: readonly LifecycleStep[]) => steps.map((s) => s.next.phase);

function firing(patch: Partial<FiringState> = {}): FiringState {
  return {
    phase: 'firing',
    startedAt: T0 - 10 * MIN,
    falseSince: null,
    lastNotifiedAt: T0 - 10 * MIN,
    notifyCount: 1,
    acknowledged: false,
    noData: false,
    ...patch,
  };
}

describe('opening an event', () => {
  it('opens and notifies at the first holding evaluation by default', () => {
    const [step] = run(['holds']);
    expect(step).toMatchObject({ opened: true, notify: 'firing', deferred: false });
    expect(step!.next).toMatchObject({ phase: 'firing', startedAt: T0, lastNotifiedAt: T0, notifyCount: 1 });
  });

  it('waits for forEvaluations holding evaluations in a row, and starts the event at the first of them', () => {
    const steps = run(['holds', 'holds', 'holds'], { forEvaluations: 3 });
    expect(phases(steps)).toEqual(['pending', 'pending', 'firing']);
    expect(notices(steps)).toEqual([null, null, 'firing']);
    expect(steps[2]!.next).toMatchObject({ startedAt: T0 });
  });

  it('starts counting again after an evaluation whose rules do not hold', () => {
    const steps = run(['holds', 'holds', 'clear', 'holds', 'holds', 'holds'], { forEvaluations: 3 });
    expect(phases(steps)).toEqual(['pending', 'pending', 'quiet', 'pending', 'pending', 'firing']);
  });

  it('records but does not notify outside the effective window, and notifies at the first holding evaluation inside', () => {
    const steps = run(['holds', 'holds', 'holds'], {}, { mayNotify: (i) => i >= 2 });
    expect(steps.map((s) => [s.opened, s.notify, s.deferred])).toEqual([
      [true, null, true],
      [false, null, true],
      [false, 'firing', false],
    ]);
    expect(steps[2]!.next).toMatchObject({ startedAt: T0, notifyCount: 1, lastNotifiedAt: T0 + 2 * MIN });
  });
});

describe('while firing', () => {
  it('re-notifies a still-firing event only once the silence period has passed', () => {
    const steps = run(['holds', 'holds', 'holds', 'holds', 'holds'], { silenceMs: 2 * MIN });
    expect(notices(steps)).toEqual(['firing', null, 'firing', null, 'firing']);
    expect(steps[4]!.next).toMatchObject({ notifyCount: 3 });
  });

  it('never re-notifies an acknowledged event', () => {
    const steps = run(['holds', 'holds'], { silenceMs: MIN }, { start: firing({ acknowledged: true }) });
    expect(notices(steps)).toEqual([null, null]);
  });

  it('holds a due re-notification until the effective window opens', () => {
    const steps = run(['holds', 'holds'], { silenceMs: MIN }, { mayNotify: (i) => i === 1, start: firing() });
    expect(steps.map((s) => [s.notify, s.deferred])).toEqual([
      [null, true],
      ['firing', false],
    ]);
  });

  it('does not re-notify while the rules are false within the recovery delay', () => {
    const steps = run(['clear', 'clear'], { silenceMs: MIN }, { start: firing() });
    expect(notices(steps)).toEqual([null, null]);
  });
});

describe('resolving', () => {
  it('resolves once the rules have been false for the recovery delay, with one recovery message', () => {
    const steps = run(['holds', 'clear', 'clear', 'clear', 'clear', 'clear', 'clear', 'clear']);
    expect(phases(steps)).toEqual([
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'quiet',
      'quiet',
    ]);
    expect(notices(steps)).toEqual(['firing', null, null, null, null, null, 'resolved', null]);
    expect(steps[6]!.resolved).toBe('recovered');
    expect(steps[1]!.next).toMatchObject({ falseSince: T0 + MIN });
  });

  it('restarts the recovery delay when the rules hold again', () => {
    const steps = run([
      'holds',
      'clear',
      'clear',
      'holds',
      'clear',
      'clear',
      'clear',
      'clear',
      'clear',
      'clear',
    ]);
    expect(steps.findIndex((s) => s.resolved !== null)).toBe(9);
  });

  it('resolves at the first false evaluation with recoveryMs 0', () => {
    expect(notices(run(['holds', 'clear'], { recoveryMs: 0 }))).toEqual(['firing', 'resolved']);
  });

  it('sends the recovery message outside the effective window and within the silence period', () => {
    const steps = run(['clear'], { recoveryMs: 0 }, { start: firing(), mayNotify: () => false });
    expect(steps[0]).toMatchObject({ resolved: 'recovered', notify: 'resolved' });
  });

  it('resolves an event never notified (outside the window all along) without a recovery message', () => {
    const steps = run(['holds', 'clear'], { recoveryMs: 0 }, { mayNotify: () => false });
    expect(steps.map((s) => [s.opened, s.resolved, s.notify])).toEqual([
      [true, null, null],
      [false, 'recovered', null],
    ]);
  });

  it('sends the recovery message of an acknowledged event', () => {
    const steps = run(['clear'], { recoveryMs: 0 }, { start: firing({ acknowledged: true }) });
    expect(steps[0]!.notify).toBe('resolved');
  });
});

describe('no data', () => {
  it('keep: keeps a firing event as it is — no recovery, no progress of the recovery delay, no message', () => {
    expect(phases(run(['no_data', 'no_data']))).toEqual(['quiet', 'quiet']);
    const recovering = firing({ falseSince: T0 - 4 * MIN });
    const steps = run(['no_data', 'no_data', 'no_data'], { silenceMs: MIN }, { start: recovering });
    expect(steps.every((s) => s.next === recovering && s.notify === null)).toBe(true);
  });

  it('keep: breaks a pending run of holding evaluations, and lets a suppressed key go quiet', () => {
    expect(phases(run(['holds', 'no_data', 'holds'], { forEvaluations: 2 }))).toEqual([
      'pending',
      'quiet',
      'pending',
    ]);
    const closed: KeyState = { phase: 'suppressed', falseSince: null };
    expect(phases(run(['no_data', 'no_data'], { recoveryMs: MIN }, { start: closed }))).toEqual([
      'suppressed',
      'quiet',
    ]);
  });

  it('resolve: counts as the rules not holding, so a firing event resolves after the recovery delay', () => {
    const steps = run(['holds', 'no_data', 'no_data'], { noDataAction: 'resolve', recoveryMs: MIN });
    expect(steps[2]).toMatchObject({ resolved: 'no_data', notify: 'resolved' });
  });

  it('alert: opens a no-data event, subject to forEvaluations like any other', () => {
    const steps = run(['no_data', 'no_data'], { noDataAction: 'alert', forEvaluations: 2 });
    expect(phases(steps)).toEqual(['pending', 'firing']);
    expect(steps[1]!.next).toMatchObject({ noData: true });
    expect(steps[1]!.notify).toBe('firing');
  });
});

describe('a closed (suppressed) key', () => {
  const suppressed: KeyState = { phase: 'suppressed', falseSince: null };

  it('opens nothing while the rules keep holding', () => {
    const steps = run(['holds', 'holds', 'holds'], {}, { start: suppressed });
    expect(phases(steps)).toEqual(['suppressed', 'suppressed', 'suppressed']);
    expect(notices(steps)).toEqual([null, null, null]);
  });

  it('becomes quiet once the rules have been false for the recovery delay, and fires anew after', () => {
    const steps = run(
      ['clear', 'clear', 'holds', 'clear', 'clear', 'clear', 'holds'],
      { recoveryMs: 2 * MIN },
      { start: suppressed },
    );
    expect(phases(steps)).toEqual([
      'suppressed',
      'suppressed',
      'suppressed',
      'suppressed',
      'suppressed',
      'quiet',
      'firing',
    ]);
  });
});

describe('properties over random runs', () => {
  type Action =
    | {
        readonly type: 'evaluate';
        readonly outcome: EvaluationOutcome;
        readonly mayNotify: boolean;
        readonly after: number;
      }
    | { readonly type: 'acknowledge' }
    | { readonly type: 'close' };

  const action: fc.Arbitrary<Action> = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        type: fc.constant('evaluate' as const),
        outcome: fc.constantFrom<EvaluationOutcome>('holds', 'holds', 'clear', 'no_data'),
        mayNotify: fc.boolean(),
        after: fc.constantFrom(5_000, MIN, 7 * MIN, 60 * MIN),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ type: 'acknowledge' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'close' as const }) },
  );
  const lifecyclePolicy = fc.record({
    forEvaluations: fc.integer({ min: 1, max: 4 }),
    recoveryMs: fc.constantFrom(0, MIN, 5 * MIN),
    silenceMs: fc.constantFrom(MIN, 30 * MIN, 1440 * MIN),
    noDataAction: fc.constantFrom('keep' as const, 'resolve' as const, 'alert' as const),
  });

  interface EventLog {
    firingAt: number[];
    resolvedMessages: number;
    closed: boolean;
    resolvedByLifecycle: boolean;
  }

  function acknowledge(state: KeyState): KeyState {
    return state.phase === 'firing' ? { ...state, acknowledged: true } : state;
  }

  /** Plays the actions, checking each step, and returns every event's messages. */
  function play(policy: LifecyclePolicy, actions: readonly Action[]): EventLog[] {
    let state: KeyState = QUIET;
    let now = T0;
    let holdingRun = 0;
    let falseSince: number | null = null;
    const events: EventLog[] = [];
    for (const act of actions) {
      const current = events[events.length - 1];
      if (act.type === 'acknowledge') {
        state = acknowledge(state);
        continue;
      }
      if (act.type === 'close') {
        if (state.phase === 'firing') {
          state = { phase: 'suppressed', falseSince: null };
          current!.closed = true;
        }
        continue;
      }
      now += act.after;
      const before = state;
      const step = advanceKeyState({ state, outcome: act.outcome, policy, now, mayNotify: act.mayNotify });
      state = step.next;
      const reading =
        act.outcome === 'holds' || (act.outcome === 'no_data' && policy.noDataAction === 'alert')
          ? 'holding'
          : act.outcome === 'clear' || policy.noDataAction === 'resolve' || before.phase !== 'firing'
            ? 'false'
            : 'unknown';
      if (reading === 'holding') {
        holdingRun += 1;
        falseSince = null;
      } else if (reading === 'false') {
        holdingRun = 0;
        falseSince ??= now;
      }
      if (step.opened) {
        // Nothing opens before K holding evaluations in a row.
        expect(holdingRun).toBeGreaterThanOrEqual(policy.forEvaluations);
        events.push({ firingAt: [], resolvedMessages: 0, closed: false, resolvedByLifecycle: false });
      }
      const event = events[events.length - 1];
      if (step.notify === 'firing') {
        expect(act.mayNotify).toBe(true);
        expect(before.phase === 'firing' && before.acknowledged).toBe(false);
        event!.firingAt.push(now);
      }
      if (step.resolved !== null) {
        // Resolves only after the rules have been false for the recovery delay.
        expect(falseSince).not.toBeNull();
        expect(now - falseSince!).toBeGreaterThanOrEqual(policy.recoveryMs);
        event!.resolvedByLifecycle = true;
      }
      if (step.notify === 'resolved') {
        expect(step.resolved).not.toBeNull();
        event!.resolvedMessages += 1;
      }
    }
    return events;
  }

  it('sends one recovery message for every event it notified and then resolved, none for the others', () => {
    fc.assert(
      fc.property(lifecyclePolicy, fc.array(action, { maxLength: 80 }), (policy, actions) => {
        for (const event of play(policy, actions)) {
          const expected = event.resolvedByLifecycle && event.firingAt.length > 0 ? 1 : 0;
          expect(event.resolvedMessages).toBe(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never sends two firing messages of one event within the silence period', () => {
    fc.assert(
      fc.property(lifecyclePolicy, fc.array(action, { maxLength: 80 }), (policy, actions) => {
        for (const event of play(policy, actions)) {
          for (let i = 1; i < event.firingAt.length; i++) {
            expect(event.firingAt[i]! - event.firingAt[i - 1]!).toBeGreaterThanOrEqual(policy.silenceMs);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
