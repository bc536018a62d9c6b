// The dispatcher: claims due outbox rows, and per target (a DingTalk robot, an address, a webhook origin)
// reserves a slot of the shared rate budget, sends ONE message — a row as itself or several merged; rows
// about alert events are rendered now, from the events — and records the outcome in the rows (sent,
// retrying with backoff, failed with the reason). Channels only send.
import { createHash } from 'node:crypto';
import type { Channel } from '../domain/alert-policy.js';
import type { Clock } from '../domain/clock.js';
import type { Contact } from '../domain/contact.js';
import type { ChannelAnswer, NotificationRecord, RateBudget } from '../store/notifications.js';
import type { Store } from '../store/store.js';
import type { ChannelOutcome } from './channel-outcome.js';
import { carriesAlertEvents, renderAlertEventRows } from './alert-event-messages.js';
import { mergeNotifications } from './merge.js';
import { renderSingle, requestOf, type NotificationRequest } from './outbox.js';
import type { RenderedNotification } from './rendered-notification.js';

export interface ChannelSendOptions {
  /** Stable for the same set of rows, so a receiver that honours it drops a retried duplicate. */
  readonly msgUuid: string;
}

/** Sends one rendered message through one channel of a contact; never throws. */
export type ChannelSender = (
  contact: Contact,
  notification: RenderedNotification,
  options: ChannelSendOptions,
) => Promise<ChannelOutcome>;

export type ChannelSenders = Readonly<Partial<Record<Channel, ChannelSender>>>;

export interface DispatcherOptions {
  /** Rows claimed per cycle. */
  readonly batchSize: number;
  /** How long a claim is ours; after that another dispatcher may take the rows over. Longer than a send. */
  readonly leaseMs: number;
  /** Per-target budgets by channel; a channel without one is not rate limited. */
  readonly budgets: Readonly<Partial<Record<Channel, RateBudget>>>;
  /** Retry n (1-based) waits about base × 2^(n-1), at most max, ±20 % jitter. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** After this many failed attempts a retryable failure becomes `failed`. */
  readonly maxAttempts: number;
  /** How long the loop sleeps when there was nothing to do (real time; `notify()` wakes it sooner). */
  readonly idleMs: number;
  /** Targets sent to at once within a cycle. */
  readonly concurrency: number;
  /** At most this many waiting rows are swept into one message to a rate-limited target. */
  readonly maxMergedRows: number;
}

/**
 * DingTalk allows 20 messages per rolling minute per robot and then blocks it for 10 minutes; 18 leaves
 * room for a clock skew between us and DingTalk and for a manual test-button message.
 */
export const DEFAULT_DINGTALK_BUDGET: RateBudget = { limit: 18, windowMs: 60_000 };

export const DEFAULT_DISPATCHER_OPTIONS = {
  batchSize: 500,
  leaseMs: 120_000,
  budgets: { dingtalk: DEFAULT_DINGTALK_BUDGET },
  backoffBaseMs: 5_000,
  backoffMaxMs: 10 * 60_000,
  maxAttempts: 10,
  idleMs: 1_000,
  maxMergedRows: 5_000,
  concurrency: 8,
} as const satisfies DispatcherOptions;

/** The most events one message to a target without a rate budget (e-mail, webhook) carries. */
const MAX_EVENTS_PER_MESSAGE = 500;

/** What became of some rows of one channel: sent, to be retried, or failed for good. */
export interface DeliveryRecord {
  readonly channel: Channel;
  readonly result: 'sent' | 'retrying' | 'failed';
  readonly rows: number;
}

export interface DispatcherLog {
  error(details: object, message: string): void;
}

export interface DispatcherDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly senders: ChannelSenders;
  readonly options?: Partial<DispatcherOptions>;
  /** For jitter; injected so tests get exact retry times. */
  readonly random?: () => number;
  readonly log?: DispatcherLog;
  /** Told each outcome as it is recorded (the self-metrics on /metrics). Must not throw. */
  readonly onRecorded?: (record: DeliveryRecord) => void;
}

/** What one cycle did, counted in rows (messages counts sends). */
export interface CycleReport {
  readonly claimed: number;
  readonly messages: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
  /** Put back because the target was paused or out of budget. */
  readonly deferred: number;
}

interface Tally {
  messages: number;
  sent: number;
  retrying: number;
  failed: number;
  deferred: number;
}

const ANSWER_FIELDS = [
  'errcode',
  'errmsg',
  'httpStatus',
  'smtpCode',
  'smtpResponse',
  'includedItems',
  'omittedItems',
] as const;

/** The parts of an outcome worth keeping in the row: what the receiver said, verbatim. */
function answerOf(outcome: ChannelOutcome): ChannelAnswer | null {
  const fields = outcome as unknown as Record<string, unknown>;
  const answer: Record<string, string | number> = {};
  for (const field of ANSWER_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') answer[field] = value;
  }
  return Object.keys(answer).length > 0 ? answer : null;
}

/** The same rows give the same id: a retried message keeps its msgUuid, a different set gets another. */
function messageIdOf(rows: readonly NotificationRecord[]): string {
  const ids = rows.map((row) => row.id).sort();
  return createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Sends what the outbox holds. `runOnce()` is one cycle; `start()` runs cycles in a loop until `stop()`.
 * @example
 * const dispatcher = new Dispatcher({ store, clock, senders: channelSenders({ clock, timeoutMs: 10_000, allowedWebhookOrigins: [], emailTransport: null }) });
 * dispatcher.start(); // after an enqueue: dispatcher.notify(); at shutdown: await dispatcher.stop();
 */
export class Dispatcher {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #senders: ChannelSenders;
  readonly #options: DispatcherOptions;
  readonly #random: () => number;
  readonly #log: DispatcherLog | undefined;
  readonly #onRecorded: DispatcherDeps['onRecorded'];
  #started = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #wakeRequested = false;

  constructor(deps: DispatcherDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#senders = deps.senders;
    this.#options = { ...DEFAULT_DISPATCHER_OPTIONS, ...deps.options };
    this.#random = deps.random ?? Math.random;
    this.#log = deps.log;
    this.#onRecorded = deps.onRecorded;
  }

  /** One cycle: claim the due rows, send one message per target, record every outcome. */
  async runOnce(): Promise<CycleReport> {
    const now = this.#clock.now();
    const rows = await this.#store.notifications.claimDue(
      now,
      this.#options.batchSize,
      this.#options.leaseMs,
    );
    const tally: Tally = { messages: 0, sent: 0, retrying: 0, failed: 0, deferred: 0 };
    const groups = [...groupBy(rows, (row) => row.targetKey).values()];
    const contacts = new Map<string, Promise<Contact | undefined>>();
    const contactOf = (id: string) => {
      let contact = contacts.get(id);
      if (!contact) {
        contact = this.#store.contacts.get(id);
        contacts.set(id, contact);
      }
      return contact;
    };
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        // One target's messages one after the other, in the order of their rows.
        for (const rowsOfMessage of this.#messagesOf(group)) {
          await this.#dispatchTarget(rowsOfMessage, contactOf, tally);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.concurrency, groups.length) }, worker));
    return { claimed: rows.length, ...tally };
  }

  /**
   * The claimed rows of one target, cut into messages. A rate-limited target (a DingTalk robot) gets them
   * all in one, its channel keeping what fits; an address or a webhook gets at most
   * MAX_EVENTS_PER_MESSAGE events a message, as a receiver refuses a body of tens of thousands.
   */
  #messagesOf(rows: readonly NotificationRecord[]): NotificationRecord[][] {
    if (this.#options.budgets[rows[0]!.channel as Channel]) return [[...rows]];
    const messages: NotificationRecord[][] = [];
    let current: NotificationRecord[] = [];
    let events = 0;
    for (const row of rows) {
      const carried = row.eventIds?.length ?? 1;
      if (current.length > 0 && events + carried > MAX_EVENTS_PER_MESSAGE) {
        messages.push(current);
        current = [];
        events = 0;
      }
      current.push(row);
      events += carried;
    }
    if (current.length > 0) messages.push(current);
    return messages;
  }

  async #dispatchTarget(
    claimedInCycle: readonly NotificationRecord[],
    contactOf: (id: string) => Promise<Contact | undefined>,
    tally: Tally,
  ): Promise<void> {
    const notifications = this.#store.notifications;
    let claimed = claimedInCycle;
    const { targetKey: key, channel: targetChannel } = claimed[0]!;
    if (this.#options.budgets[targetChannel as Channel]) {
      // A robot's budget is scarce: everything already waiting for it goes into this one message
      // (merged, "and N more") rather than into later ones that would each cost a slot.
      const waiting = await notifications.claimDueForTarget(
        key,
        this.#clock.now(),
        this.#options.maxMergedRows,
        this.#options.leaseMs,
      );
      claimed = [...claimed, ...waiting];
    }
    // Rows whose contact or channel is gone fail without a send and without using the budget.
    const sendable: { row: NotificationRecord; contact: Contact }[] = [];
    for (const row of claimed) {
      const contact = await contactOf(row.contactId);
      const reason = !contact
        ? 'contact deleted'
        : !contact[row.channel as Channel]
          ? `the contact no longer has a ${row.channel} channel`
          : !this.#senders[row.channel as Channel]
            ? `sending by ${row.channel} is not available on this instance`
            : null;
      if (reason === null) sendable.push({ row, contact: contact! });
      else {
        await notifications.markFailed([row.id], reason, null, this.#clock.now(), false);
        this.#count(tally, row.channel as Channel, 'failed', 1);
      }
    }
    const requests = await this.#requestsOf(sendable.map((s) => s.row));
    // A row whose events were all deleted since (retention) has nothing left to say.
    for (const { row } of sendable) {
      if (requests.has(row.id)) continue;
      await notifications.markFailed(
        [row.id],
        'its alert events no longer exist',
        null,
        this.#clock.now(),
        false,
      );
      this.#count(tally, row.channel as Channel, 'failed', 1);
    }
    const sending = sendable.filter((s) => requests.has(s.row.id));
    if (sending.length === 0) return;
    const rows = sending.map((s) => s.row);
    const ids = rows.map((row) => row.id);
    const { targetKey, channel } = rows[0]!;
    const budget = this.#options.budgets[channel as Channel];
    if (budget) {
      const reservation = await notifications.reserveSlot(targetKey, this.#clock.now(), budget);
      if (!reservation.ok) {
        await notifications.release(ids, reservation.retryAt, this.#clock.now());
        tally.deferred += ids.length;
        return;
      }
    }
    // Several rows for one robot share it: the first row's contact settings (mentions, message type) apply.
    const contact = sending[0]!.contact;
    const all = rows.flatMap((row) => requests.get(row.id)!);
    const message = all.length === 1 ? renderSingle(all[0]!) : mergeNotifications(all);
    const messageId = messageIdOf(rows);
    const sender = this.#senders[channel as Channel]!;
    const outcome = await sender(contact, message, { msgUuid: messageId });
    tally.messages += 1;
    await this.#record(rows, targetKey, messageId, outcome, tally);
  }

  /**
   * What each row says, as requests (one per event): rendered now for rows carrying alert events, as
   * stored for the others. A row with nothing left to say is missing from the answer.
   */
  async #requestsOf(rows: readonly NotificationRecord[]): Promise<Map<string, NotificationRequest[]>> {
    const requests = await renderAlertEventRows(this.#store, rows.filter(carriesAlertEvents));
    for (const row of rows) if (!carriesAlertEvents(row)) requests.set(row.id, [requestOf(row)]);
    for (const [id, rendered] of requests) if (rendered.length === 0) requests.delete(id);
    return requests;
  }

  async #record(
    rows: readonly NotificationRecord[],
    targetKey: string,
    messageId: string,
    outcome: ChannelOutcome,
    tally: Tally,
  ): Promise<void> {
    const notifications = this.#store.notifications;
    const now = this.#clock.now();
    const ids = rows.map((row) => row.id);
    const channel = rows[0]!.channel as Channel;
    const answer = answerOf(outcome);
    if (outcome.ok) {
      await notifications.markSent(ids, messageId, answer, now);
      this.#count(tally, channel, 'sent', ids.length);
      // The target answers again: what waits out a backoff from its outage goes in the next cycle.
      await notifications.retryTargetNow(targetKey, now);
      return;
    }
    if (outcome.class === 'rate_limited') {
      // The receiver counts differently from us (another sender, a manual message): respect its pause
      // for every instance, and try again when it ends.
      const until = now + (outcome.retryAfterMs ?? this.#options.backoffMaxMs);
      await notifications.pauseTarget(targetKey, until, now);
      await notifications.markRetrying(ids, until, outcome.reason, answer, now);
      this.#count(tally, channel, 'retrying', ids.length);
      return;
    }
    if (!outcome.retryable || outcome.class === 'permanent') {
      await notifications.markFailed(ids, outcome.reason, answer, now);
      this.#count(tally, channel, 'failed', ids.length);
      return;
    }
    const exhausted = rows.filter((row) => row.attempts + 1 >= this.#options.maxAttempts);
    const retried = rows.filter((row) => row.attempts + 1 < this.#options.maxAttempts);
    if (exhausted.length > 0) {
      const attempts = this.#options.maxAttempts;
      await notifications.markFailed(
        exhausted.map((row) => row.id),
        `gave up after ${attempts} attempts: ${outcome.reason}`,
        answer,
        now,
      );
      this.#count(tally, channel, 'failed', exhausted.length);
    }
    if (retried.length > 0) {
      const attempt = Math.max(...retried.map((row) => row.attempts)) + 1;
      await notifications.markRetrying(
        retried.map((row) => row.id),
        now + this.backoffMs(attempt, outcome.retryAfterMs),
        outcome.reason,
        answer,
        now,
      );
      this.#count(tally, channel, 'retrying', retried.length);
    }
  }

  /** Adds rows to the cycle's tally and tells the observer, once per recorded outcome. */
  #count(tally: Tally, channel: Channel, result: DeliveryRecord['result'], rows: number): void {
    tally[result] += rows;
    this.#onRecorded?.({ channel, result, rows });
  }

  /** The wait after failed attempt `attempt` (1-based): exponential, capped, jittered ±20 %. */
  backoffMs(attempt: number, atLeastMs = 0): number {
    const { backoffBaseMs, backoffMaxMs } = this.#options;
    const exponential = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, attempt - 1));
    // Jitter spreads the retries of many rows failed by one outage, so they do not return together.
    const jittered = Math.round(exponential * (0.8 + 0.4 * this.#random()));
    return Math.max(atLeastMs, jittered);
  }

  /** Starts the loop: a cycle now, then whenever rows may be due. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Something was enqueued: run a cycle soon instead of waiting out the idle sleep. */
  notify(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) {
      this.#wakeRequested = true;
      return;
    }
    this.#schedule(0);
  }

  /** Stops the loop and waits for the running cycle, so no send is cut off between answer and record. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#started = false;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#cycle();
    }, delayMs);
  }

  async #cycle(): Promise<void> {
    let busy = false;
    try {
      const report = await this.runOnce();
      busy = report.claimed >= this.#options.batchSize;
    } catch (error) {
      // A database hiccup must not end the loop; the rows stay in the outbox and leases expire.
      this.#log?.error({ err: error }, 'notification dispatch cycle failed');
    } finally {
      this.#running = undefined;
    }
    if (this.#stopped) return;
    const again = busy || this.#wakeRequested;
    this.#wakeRequested = false;
    this.#schedule(again ? 0 : this.#options.idleMs);
  }
}
