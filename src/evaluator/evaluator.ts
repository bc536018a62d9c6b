// The evaluation loop: at every interval boundary (minute boundaries by default) the enabled policies are
// claimed a batch at a time, their windows fetched from their data sources, their dimension values
// evaluated and their events moved on, one transaction per batch. Policies fail alone; the loop yields
// between batches so the dispatcher keeps sending; events of disabled and deleted policies are ended; old
// history is pruned hourly.
import { randomUUID } from 'node:crypto';
import type { PolicyDataSource } from '../datasources/policy-data.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import type { Clock } from '../domain/clock.js';
import { evaluateDimensions } from '../domain/condition-evaluation.js';
import { isInsideEffectiveWindow } from '../domain/effective-window.js';
import { DEFAULT_EVENT_RETENTION_DAYS } from '../domain/alert-event.js';
import type { NotificationLocale } from '../notify/rendered-notification.js';
import type { PolicyOpenState } from '../store/alert-events.js';
import type { Store } from '../store/store.js';
import {
  commitEvaluations,
  ConcurrentChangeError,
  type CommitOutcome,
  type CommitReport,
  type EvaluationCommit,
} from './commit.js';
import {
  knownDimensions,
  lifecyclePolicyOf,
  planTransitions,
  sortStoredState,
  watchedData,
} from './key-transitions.js';
import { OpenStateCache } from './open-state-cache.js';
import { fetchPolicyWindows } from './policy-windows.js';
import { watchFingerprint } from './watch-fingerprint.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Past a data source's own timeout, the time its aborted request takes to come back as its error. */
const DATA_SOURCE_GRACE_MS = 1_000;

export interface EvaluatorOptions {
  /** Time between evaluations; ticks fall on multiples of it (minute boundaries for 60 s). ≥ 5 s. */
  readonly intervalMs: number;
  /** Policies whose data is fetched at once. */
  readonly concurrency: number;
  /**
   * Policies claimed and written together, in one transaction: a transaction per policy cost more than
   * the policy's own writes. Also how long the event loop waits on the synchronous SQLite writer at most.
   */
  readonly batchSize: number;
  /** How long a claimed policy is ours; longer than one evaluation (fetch and commit). */
  readonly leaseMs: number;
  /**
   * A data source that has not answered by then fails the policy's evaluation. A Prometheus data source
   * whose own timeoutSeconds is longer is given that, and a little more, so its own error says why.
   */
  readonly fetchTimeoutMs: number;
  /** Resolved events and sent or failed notifications older than this are deleted. */
  readonly retentionMs: number;
  /** How often the retention is applied. */
  readonly pruneEveryMs: number;
  /** TOCSIN_PUBLIC_URL: the base of the console links in messages. */
  readonly publicUrl: string;
  /** The language of the default message texts. */
  readonly locale: NotificationLocale;
}

export const DEFAULT_EVALUATOR_OPTIONS = {
  intervalMs: 60_000,
  concurrency: 4,
  batchSize: 50,
  leaseMs: 120_000,
  fetchTimeoutMs: 30_000,
  retentionMs: DEFAULT_EVENT_RETENTION_DAYS * DAY_MS,
  pruneEveryMs: HOUR_MS,
  locale: 'zh-CN',
} as const satisfies Omit<EvaluatorOptions, 'publicUrl'>;

export interface EvaluatorLog {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EvaluatorDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Where a policy's numbers come from: the built-in metric store, or its Prometheus data source. */
  readonly dataSourceFor: (policy: AlertPolicy) => PolicyDataSource | Promise<PolicyDataSource>;
  /** Woken after a commit that enqueued notifications (the dispatcher). */
  readonly notifier?: { notify(): void };
  readonly options: Partial<EvaluatorOptions> & Pick<EvaluatorOptions, 'publicUrl'>;
  readonly log?: EvaluatorLog;
  /** Names this instance in policy leases; random by default. */
  readonly instanceId?: string;
  /** Told what every tick did, `runOnce` included (the self-metrics on /metrics). Must not throw. */
  readonly onTick?: (report: TickReport) => void;
}

/** What one tick did. */
export interface TickReport {
  /** Enabled policies seen. */
  readonly policies: number;
  readonly evaluated: number;
  /** Claimed by another instance, or this tick was already evaluated. */
  readonly skipped: number;
  readonly failed: number;
  /** Rules (conditions) of the policies evaluated. */
  readonly rules: number;
  readonly opened: number;
  readonly resolved: number;
  /** Firing and recovery messages enqueued. */
  readonly messages: number;
  readonly notifications: number;
  /** Events ended because their policy was disabled or deleted. */
  readonly endedByPolicy: number;
  /** Real time the tick took, fetches and commits included (not the injected clock: a measurement). */
  readonly durationMs: number;
}

/** A claimed policy: its revision, and its open state at that revision. */
interface ClaimedPolicy {
  readonly policy: AlertPolicy;
  readonly revision: number;
  readonly openState: PolicyOpenState;
}

/** Runs `work` on every item, at most `limit` at once. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    // After a failure no item is started; those under way finish before the failure is thrown, so
    // nothing runs on once the caller has its answer.
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

/** Batches of a tick being claimed, evaluated or committed at once. */
const BATCHES_IN_FLIGHT = 2;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `promise`, or a rejection naming `what` once `ms` have passed (real time: a hung peer). */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Evaluates the enabled policies on every interval boundary. `runOnce(now)` is one tick (tests move a
 * clock and call it); `start()` runs ticks until `stop()`.
 * @example
 * const evaluator = new Evaluator({ store, clock, dataSourceFor, notifier: dispatcher, options: { publicUrl } });
 * evaluator.start(); // at shutdown, before the dispatcher and the store: await evaluator.stop();
 */
export class Evaluator {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #dataSourceFor: EvaluatorDeps['dataSourceFor'];
  readonly #notifier: EvaluatorDeps['notifier'];
  readonly #options: EvaluatorOptions;
  readonly #log: EvaluatorLog | undefined;
  readonly #instanceId: string;
  readonly #onTick: EvaluatorDeps['onTick'];
  readonly #openStates = new OpenStateCache();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #started = false;
  #stopped = false;
  #lastTick = -Infinity;
  #lastPrune = -Infinity;

  constructor(deps: EvaluatorDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#dataSourceFor = deps.dataSourceFor;
    this.#notifier = deps.notifier;
    this.#options = { ...DEFAULT_EVALUATOR_OPTIONS, ...deps.options };
    this.#log = deps.log;
    this.#instanceId = deps.instanceId ?? randomUUID();
    this.#onTick = deps.onTick;
  }

  /**
   * One tick at `now`: every enabled policy evaluated once for the interval `now` falls in (a second
   * run in the same interval skips them), and the events of the others ended.
   */
  async runOnce(now: number = this.#clock.now()): Promise<TickReport> {
    // Instances claim a policy per interval boundary, not per instant: their clocks differ by a few
    // milliseconds, and one boundary must be evaluated once.
    const tick = Math.floor(now / this.#options.intervalMs) * this.#options.intervalMs;
    const startedAt = performance.now();
    const policies = await this.#enabledPolicies();
    const endedByPolicy = await this.#endEventsOfInactivePolicies(policies, now);
    const totals = {
      policies: policies.length,
      evaluated: 0,
      skipped: 0,
      failed: 0,
      rules: 0,
      opened: 0,
      resolved: 0,
      messages: 0,
      notifications: 0,
      endedByPolicy,
    };
    const batchSize = Math.max(1, this.#options.batchSize);
    const batches: AlertPolicy[][] = [];
    for (let i = 0; i < policies.length; i += batchSize) batches.push(policies.slice(i, i + batchSize));
    // Two batches in flight: while one commits, the next is claimed and evaluated. On PostgreSQL that
    // hides the round trips of a commit behind the next batch's work; SQLite's one connection takes the
    // two batches' statements in turn.
    await forEachConcurrently(batches, BATCHES_IN_FLIGHT, async (batch) => {
      const outcomes = await this.#evaluateBatch(batch, tick, now);
      batch.forEach((policy, j) => {
        const outcome = outcomes[j]!;
        if (outcome === 'skipped' || outcome === 'failed') {
          totals[outcome] += 1;
          return;
        }
        totals.evaluated += 1;
        totals.rules += policy.rules.conditions.length;
        totals.opened += outcome.opened;
        totals.resolved += outcome.resolved;
        totals.messages += outcome.messages;
        totals.notifications += outcome.notifications;
      });
      if (outcomes.some((o) => typeof o === 'object' && o.notifications > 0)) this.#notifier?.notify();
      // A synchronous SQLite writer must not starve the dispatcher and the API of the event loop.
      await yieldToEventLoop();
    });
    this.#openStates.retainOnly(new Set(policies.map((policy) => policy.id)));
    const report = { ...totals, durationMs: performance.now() - startedAt };
    this.#onTick?.(report);
    return report;
  }

  /** Applies the retention: resolved events and finished notifications older than it are deleted. */
  async prune(now: number = this.#clock.now()): Promise<{ events: number; notifications: number }> {
    const before = now - this.#options.retentionMs;
    const events = await this.#store.alertEvents.pruneResolved(before);
    const notifications = await this.#store.notifications.pruneFinished(before);
    await this.#store.policyEvaluations.deleteOrphans();
    return { events, notifications };
  }

  async #enabledPolicies(): Promise<AlertPolicy[]> {
    const policies: AlertPolicy[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.alertPolicies.list({ limit: 1000, cursor, enabled: true });
      policies.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return policies;
  }

  /**
   * Ends the open events and pending keys of policies that are no longer enabled — disabled or deleted
   * since — without a message: nothing recovered, the policy was switched off.
   */
  async #endEventsOfInactivePolicies(enabled: readonly AlertPolicy[], now: number): Promise<number> {
    const enabledIds = new Set(enabled.map((policy) => policy.id));
    let ended = 0;
    for (const policyId of await this.#store.alertEvents.policiesWithOpenState()) {
      if (enabledIds.has(policyId)) continue;
      const policy = await this.#store.alertPolicies.get(policyId);
      if (policy?.enabled) continue; // enabled again since the list was read
      ended += await this.#store.alertEvents.resolvePolicy(
        policyId,
        policy ? 'policy_disabled' : 'policy_deleted',
        now,
      );
    }
    return ended;
  }

  /**
   * Evaluates a batch of policies: claims them, fetches and evaluates those claimed, and writes them in
   * one transaction. Returns, per policy, what its commit did, or why it was not evaluated.
   */
  async #evaluateBatch(
    policies: readonly AlertPolicy[],
    tick: number,
    now: number,
  ): Promise<(CommitReport | 'skipped' | 'failed')[]> {
    const claimed = await this.#claim(policies, tick);
    const commits: (EvaluationCommit | undefined)[] = [];
    await forEachConcurrently(claimed, this.#options.concurrency, async (entry, index) => {
      try {
        commits[index] = await this.#evaluate(entry, now);
      } catch (error) {
        await this.#fail(entry.policy, error);
      }
    });
    const ready = commits.filter((commit) => commit !== undefined);
    const outcomes = await this.#commit(ready, now);
    const reports = new Map<string, CommitReport | 'failed'>(
      claimed.map((entry) => [entry.policy.id, 'failed']),
    );
    ready.forEach((commit, i) => {
      const outcome = outcomes[i];
      if (outcome?.status === 'committed') reports.set(commit.policy.id, outcome.report);
    });
    return policies.map((policy) => reports.get(policy.id) ?? 'skipped');
  }

  /** Claims the batch's policies for `tick`; each claimed one comes with its open state. */
  async #claim(policies: readonly AlertPolicy[], tick: number): Promise<ClaimedPolicy[]> {
    const store = this.#store;
    const revisions = await store.policyEvaluations.claimMany(
      policies.map((policy) => policy.id),
      tick,
      this.#instanceId,
      this.#clock.now(),
      this.#options.leaseMs,
    );
    const unknown = policies.filter((policy) => {
      const revision = revisions.get(policy.id);
      return revision !== undefined && !this.#openStates.get(policy.id, revision);
    });
    const read =
      unknown.length > 0 ? await store.alertEvents.openStatesOf(unknown.map((policy) => policy.id)) : null;
    const claimed: ClaimedPolicy[] = [];
    for (const policy of policies) {
      const revision = revisions.get(policy.id);
      if (revision === undefined) continue;
      let openState = this.#openStates.get(policy.id, revision);
      if (!openState) {
        openState = read!.get(policy.id)!;
        this.#openStates.set(policy.id, revision, openState);
      }
      claimed.push({ policy, revision, openState });
    }
    return claimed;
  }

  /** Fetches a claimed policy's data and works out what its evaluation changes. */
  async #evaluate({ policy, revision, openState }: ClaimedPolicy, now: number): Promise<EvaluationCommit> {
    const fingerprint = watchFingerprint(policy);
    const sorted = this.#openStates.sorted(policy.id, revision, fingerprint, () =>
      sortStoredState(openState, fingerprint),
    );
    const source = await this.#dataSourceFor(policy);
    const data = await withDeadline(
      fetchPolicyWindows(source, policy, now),
      await this.#fetchTimeoutMs(policy),
      'the data source',
    );
    const evaluations = evaluateDimensions(
      policy,
      watchedData(policy, data),
      knownDimensions(policy, sorted.followed),
    );
    const transitions = planTransitions({
      followed: sorted.followed,
      evaluations,
      lifecycle: lifecyclePolicyOf(policy),
      now,
      mayNotify: isInsideEffectiveWindow(policy.notification.effective, now),
    });
    return { policy, fingerprint, revision, ...sorted, transitions };
  }

  /** How long the policy's data source may take: its own timeoutSeconds when longer than ours. */
  async #fetchTimeoutMs(policy: AlertPolicy): Promise<number> {
    const ours = this.#options.fetchTimeoutMs;
    if (policy.kind !== 'prometheus' || !policy.datasourceId) return ours;
    const datasource = await this.#store.datasources.get(policy.datasourceId);
    return datasource ? Math.max(ours, datasource.timeoutSeconds * 1000 + DATA_SOURCE_GRACE_MS) : ours;
  }

  /**
   * Writes the evaluations in one transaction; when that fails (a user closed an event meanwhile), each
   * on its own, so that only the policy concerned fails. Returns, per evaluation, how it fared; a failed
   * one is already recorded.
   */
  async #commit(commits: readonly EvaluationCommit[], now: number): Promise<(CommitOutcome | null)[]> {
    if (commits.length === 0) return [];
    const write = (evaluations: readonly EvaluationCommit[]) =>
      commitEvaluations(
        this.#store,
        { now, leaseOwner: this.#instanceId, committedAt: this.#clock.now(), evaluations },
        { publicUrl: this.#options.publicUrl, locale: this.#options.locale },
      );
    let outcomes: (CommitOutcome | null)[];
    try {
      outcomes = await write(commits);
    } catch (error) {
      if (commits.length === 1) {
        await this.#fail(commits[0]!.policy, error);
        return [null];
      }
      outcomes = [];
      for (const commit of commits) {
        try {
          outcomes.push((await write([commit]))[0]!);
        } catch (alone) {
          await this.#fail(commit.policy, alone);
          outcomes.push(null);
        }
      }
    }
    for (const [i, outcome] of outcomes.entries()) {
      const { policy, revision } = commits[i]!;
      const revised = outcome?.status === 'committed' ? outcome.openState : null;
      if (revised?.changed) {
        this.#openStates.set(policy.id, revised.revision, revised.state);
        continue;
      }
      if (revised) {
        this.#openStates.advance(policy.id, revision, revised.revision);
        continue;
      }
      this.#openStates.delete(policy.id);
      if (outcome?.status === 'lease_lost') {
        await this.#fail(
          policy,
          new ConcurrentChangeError(`the evaluation lease of policy ${policy.id} went to another instance`),
        );
      }
    }
    return outcomes;
  }

  /** Logs a policy's failed evaluation and records it on the policy, if its lease is still ours. */
  async #fail(policy: AlertPolicy, error: unknown): Promise<void> {
    this.#openStates.delete(policy.id);
    const details = { err: error, policyId: policy.id, policyName: policy.name };
    if (error instanceof ConcurrentChangeError) this.#log?.warn(details, 'policy evaluation discarded');
    else this.#log?.error(details, 'policy evaluation failed');
    try {
      await this.#store.policyEvaluations.finish(policy.id, this.#instanceId, this.#clock.now(), {
        ok: false,
        error: messageOf(error),
      });
    } catch (recordError) {
      this.#log?.error({ err: recordError, policyId: policy.id }, 'could not record the evaluation failure');
    }
  }

  /** Starts the loop: the first tick at the next interval boundary, then one per boundary. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#running = this.#prepare();
  }

  /** Stops the loop and waits for the tick in progress, so no commit is cut off. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#started = false;
  }

  async #prepare(): Promise<void> {
    try {
      // The embedded SQLite store has one instance by design: leases a crashed run left are void now,
      // where waiting them out would skip ticks. On PostgreSQL they may be another instance's.
      if (this.#store.dialect === 'sqlite') await this.#store.policyEvaluations.releaseAll(this.#clock.now());
    } catch (error) {
      this.#log?.error({ err: error }, 'could not release the evaluation leases');
    } finally {
      this.#running = undefined;
    }
    if (!this.#stopped) this.#schedule();
  }

  #schedule(): void {
    const interval = this.#options.intervalMs;
    const now = this.#clock.now();
    const due = Math.max(Math.floor(now / interval) * interval + interval, this.#lastTick + interval);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#tick(due);
    }, due - now);
  }

  async #tick(due: number): Promise<void> {
    try {
      // Timers may fire a little early; a tick never runs before its boundary, so windows are whole.
      const now = this.#clock.now();
      if (now >= due) {
        this.#lastTick = due;
        await this.runOnce(now);
        if (now - this.#lastPrune >= this.#options.pruneEveryMs) {
          this.#lastPrune = now;
          await this.prune(now);
        }
      }
    } catch (error) {
      // A database hiccup must not end the loop; the next tick tries again.
      this.#log?.error({ err: error }, 'evaluation tick failed');
    } finally {
      this.#running = undefined;
    }
    if (!this.#stopped) this.#schedule();
  }
}
