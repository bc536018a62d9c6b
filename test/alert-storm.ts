// The alert storm the delivery bench and the crash-recovery test send, and how its events are accounted
// for in what the DingTalk sandbox received: every event carries a marker, a merged message counts the
// events it had no room for in "…另有 N 条" / "…and N more".
import type { ReceivedMessage, RobotConfig } from '../src/dingtalk-sandbox/index.js';
import { SEVERITIES } from '../src/domain/alert-policy.js';
import type { NotificationRequest } from '../src/notify/outbox.js';
import type { NotificationRecord } from '../src/store/notifications.js';
import type { Store } from '../src/store/store.js';

/** The keyword every storm robot requires; the DingTalk channel adds it where a title lacks it. */
export const STORM_KEYWORD = '报警';
export const STORM_SECRET = 'SEC5707a9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8';

/** `evt-000042`: unique per event and found again in any message that shows the event. */
export function eventMarker(n: number): string {
  return `evt-${String(n).padStart(6, '0')}`;
}

const MARKER = /evt-\d{6}/g;
const MORE = /(?:…另有 (\d+) 条|…and (\d+) more)/;

/**
 * Robot `index` of a storm: signed and keyword-protected on even indexes, keyword-only on odd ones, so
 * both ways DingTalk secures a robot are exercised.
 */
export function stormRobot(prefix: string, index: number): RobotConfig {
  const token = `${prefix}${index}`;
  return index % 2 === 0
    ? { token, secret: STORM_SECRET, keywords: [STORM_KEYWORD] }
    : { token, keywords: [STORM_KEYWORD] };
}

/** Firing event `n`: severities and policies vary so merged messages count by both. */
export function stormRequest(n: number): NotificationRequest {
  const severity = SEVERITIES[n % SEVERITIES.length]!;
  const marker = eventMarker(n);
  return {
    kind: 'firing',
    severity,
    policyId: `policy-${n % 7}`,
    policyName: `JVM FullGC ${n % 7}`,
    eventId: marker,
    locale: 'zh-CN',
    title: `[${severity} 告警] ${marker} FullGC on host-${n % 500}`,
    summary: '',
    markdown: `${marker} 主机 host-${n % 500}：JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)`,
    links: [],
  };
}

/** What one received message says about the storm's events. */
export interface MessageAccount {
  readonly token: string;
  readonly msgUuid: string | null;
  readonly receivedAt: number;
  /** Markers of the events the message shows. */
  readonly shown: ReadonlySet<string>;
  /** Events counted in its "and N more" line. */
  readonly more: number;
}

export function accountMessage(message: ReceivedMessage): MessageAccount {
  const text = JSON.stringify(message.body);
  const more = MORE.exec(text);
  return {
    token: message.token,
    msgUuid: message.msgUuid,
    receivedAt: message.receivedAt,
    shown: new Set(text.match(MARKER) ?? []),
    more: more ? Number(more[1] ?? more[2]) : 0,
  };
}

/** A notification row as far as accounting needs it. */
export interface AccountedRow {
  readonly eventId: string | null;
  readonly token: string;
  readonly messageId: string | null;
}

export interface StormAccount {
  /** Rows whose message id is a message their robot received. */
  readonly matchedRows: number;
  /** Σ (shown + "and N more") over the messages the rows were last sent in. */
  readonly countedInMessages: number;
  /** Rows whose message shows another set of events than the rows sharing its id (must be 0). */
  readonly mismatchedRows: number;
  /** When the last message any row needed arrived (sandbox clock). */
  readonly lastNeededAt: number;
  /** Received messages no row was finally recorded with: sent, answered, but not recorded. */
  readonly unrecorded: readonly MessageAccount[];
}

/**
 * Checks `rows` against `messages` both ways: by id (each row's message id was received by its robot)
 * and by content (each such message shows its rows' events or counts them in "and N more").
 */
export function accountStorm(
  rows: readonly AccountedRow[],
  messages: readonly ReceivedMessage[],
): StormAccount {
  const byKey = new Map<string, MessageAccount>();
  for (const message of messages) {
    const account = accountMessage(message);
    if (account.msgUuid !== null) byKey.set(`${account.token}\n${account.msgUuid}`, account);
  }
  const rowsByMessage = new Map<string, AccountedRow[]>();
  for (const row of rows) {
    if (row.messageId === null) continue;
    const key = `${row.token}\n${row.messageId}`;
    rowsByMessage.set(key, [...(rowsByMessage.get(key) ?? []), row]);
  }
  let matchedRows = 0;
  let countedInMessages = 0;
  let mismatchedRows = 0;
  let lastNeededAt = 0;
  for (const [key, group] of rowsByMessage) {
    const account = byKey.get(key);
    if (!account) continue;
    matchedRows += group.length;
    countedInMessages += account.shown.size + account.more;
    lastNeededAt = Math.max(lastNeededAt, account.receivedAt);
    const events = new Set(group.map((row) => row.eventId));
    const consistent =
      account.shown.size + account.more === group.length &&
      [...account.shown].every((marker) => events.has(marker));
    if (!consistent) mismatchedRows += group.length;
  }
  const unrecorded = [...byKey.entries()].filter(([key]) => !rowsByMessage.has(key)).map(([, a]) => a);
  return { matchedRows, countedInMessages, mismatchedRows, lastNeededAt, unrecorded };
}

/** Every notification row in the outbox, page by page. */
export async function allNotifications(store: Store): Promise<NotificationRecord[]> {
  const rows: NotificationRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.notifications.list({ limit: 1000, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rows;
}
