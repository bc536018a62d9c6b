// From stored rows to lifecycle steps for one policy's evaluation: its open events and pending or
// suppressed keys become lifecycle states (those left from before the policy changed what it watches are
// set aside as stale), each dimension value's outcome advances its state, and every key where something
// happens becomes a transition for the commit to write and send. No I/O.
import {
  advanceKeyState,
  QUIET,
  type KeyState,
  type LifecyclePolicy,
  type LifecycleStep,
} from '../domain/alert-lifecycle.js';
import { lifecycleSettingsOf, type AlertPolicy } from '../domain/alert-policy.js';
import type {
  ConditionData,
  DimensionEvaluation,
  KnownDimension,
  RuleResult,
} from '../domain/condition-evaluation.js';
import { MINUTE_MS } from '../domain/metric-series.js';
import type { AlertKeyState, OpenAlertEvent, PolicyOpenState } from '../store/alert-events.js';

/** A dimension value the policy follows: its open event or its pending or suppressed state. */
export interface FollowedKey {
  readonly key: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly event: OpenAlertEvent | null;
  readonly keyState: AlertKeyState | null;
  readonly state: KeyState;
}

/** The stored state of a policy, sorted into what its evaluation continues and what is stale. */
export interface SortedState {
  readonly followed: ReadonlyMap<string | null, FollowedKey>;
  /** Open events opened while the policy watched something else. */
  readonly staleEvents: readonly OpenAlertEvent[];
  readonly staleKeys: readonly AlertKeyState[];
}

/** What happens to one dimension value at this evaluation. */
export interface KeyTransition {
  readonly key: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** The open event before this evaluation. */
  readonly event: OpenAlertEvent | null;
  /** The pending or suppressed state before this evaluation. */
  readonly keyState: AlertKeyState | null;
  readonly before: KeyState;
  readonly step: LifecycleStep;
  /** The rules' values at this evaluation; empty when the value was not evaluated. */
  readonly results: readonly RuleResult[];
}

/** The lifecycle settings of a policy, durations in milliseconds. */
export function lifecyclePolicyOf(policy: AlertPolicy): LifecyclePolicy {
  const settings = lifecycleSettingsOf(policy);
  return {
    forEvaluations: settings.forEvaluations,
    recoveryMs: settings.recoveryMinutes * MINUTE_MS,
    silenceMs: policy.notification.silenceMinutes * MINUTE_MS,
    noDataAction: settings.noDataAction,
  };
}

function stateOfEvent(event: OpenAlertEvent): KeyState {
  return {
    phase: 'firing',
    startedAt: event.startedAt,
    falseSince: event.falseSince,
    lastNotifiedAt: event.lastNotifiedAt,
    notifyCount: event.notifyCount,
    acknowledged: event.acknowledgedAt !== null,
    noData: event.noData,
  };
}

function stateOfKey(keyState: AlertKeyState): KeyState {
  return keyState.phase === 'pending'
    ? {
        phase: 'pending',
        holds: keyState.consecutiveHolds,
        since: keyState.since,
        noData: keyState.noData,
      }
    : { phase: 'suppressed', falseSince: keyState.falseSince };
}

/**
 * Sorts a policy's stored events and key states by dimension value, setting aside those whose watch
 * fingerprint is not `fingerprint` (the policy now watches something else). An open event wins over a
 * key state of the same value.
 */
export function sortStoredState(stored: PolicyOpenState, fingerprint: string): SortedState {
  const followed = new Map<string | null, FollowedKey>();
  const staleEvents: OpenAlertEvent[] = [];
  const staleKeys: AlertKeyState[] = [];
  for (const event of stored.events) {
    if (event.watchFingerprint !== fingerprint) staleEvents.push(event);
    else {
      followed.set(event.dimensionKey, {
        key: event.dimensionKey,
        labels: event.labels,
        event,
        keyState: null,
        state: stateOfEvent(event),
      });
    }
  }
  for (const keyState of stored.keys) {
    if (keyState.watchFingerprint !== fingerprint) staleKeys.push(keyState);
    else {
      const existing = followed.get(keyState.dimensionKey);
      followed.set(keyState.dimensionKey, {
        key: keyState.dimensionKey,
        labels: existing?.labels ?? keyState.labels,
        event: existing?.event ?? null,
        keyState,
        state: existing?.state ?? stateOfKey(keyState),
      });
    }
  }
  return { followed, staleEvents, staleKeys };
}

/** The single dimension value a built-in policy watches in mode `none` (null) or `specified`; else undefined. */
function onlyValueOf(policy: Pick<AlertPolicy, 'kind' | 'dimension'>): string | null | undefined {
  if (policy.kind === 'prometheus') return undefined;
  const { mode, value } = policy.dimension;
  if (mode === 'none') return null;
  return mode === 'specified' && value !== undefined ? value : undefined;
}

/**
 * The series of the dimension values the policy watches: a data source that answers more (other hosts
 * for a `specified` policy, groups for `none`) must not open events for them.
 */
export function watchedData(
  policy: Pick<AlertPolicy, 'kind' | 'dimension'>,
  data: readonly ConditionData[],
): ConditionData[] {
  const only = onlyValueOf(policy);
  if (only === undefined) return [...data];
  return data.map((windows) => ({
    current: windows.current.filter((series) => series.key === only),
    baseline: windows.baseline.filter((series) => series.key === only),
  }));
}

/**
 * The dimension values the evaluation must look at even without data: those it follows, and for built-in
 * policies the single value of dimension mode `none` and the value of `specified` — so that missing data
 * for them counts (noDataAction, fill zero / one).
 */
export function knownDimensions(
  policy: Pick<AlertPolicy, 'kind' | 'dimension'>,
  followed: ReadonlyMap<string | null, FollowedKey>,
): KnownDimension[] {
  const known: KnownDimension[] = [...followed.values()].map(({ key, labels }) => ({ key, labels }));
  const expected = onlyValueOf(policy);
  if (expected !== undefined && !followed.has(expected)) {
    const label = policy.dimension.key;
    known.push({ key: expected, labels: expected !== null && label ? { [label]: expected } : {} });
  }
  return known;
}

/**
 * Advances every evaluated or followed dimension value one step; returns those where something happens
 * (a value that stays quiet is left out).
 */
export function planTransitions(input: {
  readonly followed: ReadonlyMap<string | null, FollowedKey>;
  readonly evaluations: readonly DimensionEvaluation[];
  readonly lifecycle: LifecyclePolicy;
  readonly now: number;
  readonly mayNotify: boolean;
}): KeyTransition[] {
  const transitions: KeyTransition[] = [];
  const evaluated = new Set<string | null>();
  const advance = (
    key: string | null,
    labels: Readonly<Record<string, string>>,
    followed: FollowedKey | undefined,
    evaluation: DimensionEvaluation | undefined,
  ) => {
    const before = followed?.state ?? QUIET;
    const step = advanceKeyState({
      state: before,
      outcome: evaluation?.outcome ?? 'no_data',
      policy: input.lifecycle,
      now: input.now,
      mayNotify: input.mayNotify,
    });
    if (before.phase === 'quiet' && step.next.phase === 'quiet') return;
    transitions.push({
      key,
      labels,
      event: followed?.event ?? null,
      keyState: followed?.keyState ?? null,
      before,
      step,
      results: evaluation?.results ?? [],
    });
  };
  for (const evaluation of input.evaluations) {
    evaluated.add(evaluation.key);
    advance(evaluation.key, evaluation.labels, input.followed.get(evaluation.key), evaluation);
  }
  // Followed values are always evaluated (they are known dimensions); this covers a caller that did not.
  for (const [key, followed] of input.followed) {
    if (!evaluated.has(key)) advance(key, followed.labels, followed, undefined);
  }
  return transitions;
}
