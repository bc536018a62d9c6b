// Turns a rendered notification into the JSON body of one DingTalk robot message — markdown (default),
// actionCard or text — that always carries one of the robot's keywords and its @-mentions, and is never
// larger than DingTalk's 20000-byte limit (dingtalk-robot.md §3, §4, §8).
import type {
  NotificationLink,
  NotificationLocale,
  RenderedNotification,
} from '../../rendered-notification.js';
import { requiredKeywords, type DingtalkMessageType, type DingtalkRobotConfig } from './config.js';
import {
  escapeMarkdownInline,
  jsonStringBytes,
  markdownLinkUrl,
  markdownToPlainText,
  shortenMarkdown,
  shortenPlainText,
} from './markdown-text.js';

/** DingTalk rejects a request body over 20000 UTF-8 bytes with 460101 (§4). */
export const DINGTALK_MAX_BODY_BYTES = 20_000;

/** The chat list shows only the start of a title; longer ones cost room the events could use. */
const MAX_TITLE_BYTES = 256;
/** Below this, a shortened event says too little to be worth including; "and N more" counts it instead. */
const MIN_SHORTENED_ITEM_BYTES = 64;
/** Blocks of a markdown message need a blank line between them: DingTalk ignores a single newline. */
const BLOCK_SEPARATOR = '\n\n';

const MORE_ITEMS: Readonly<Record<NotificationLocale, (count: number) => string>> = {
  'zh-CN': (count) => `…另有 ${count} 条`,
  en: (count) => `…and ${count} more`,
};

const UNTITLED_LINK: Readonly<Record<NotificationLocale, string>> = { 'zh-CN': '打开', en: 'Open' };

export interface RenderedDingtalkMessage {
  /** Usually the robot's messageType; `markdown` when an actionCard has no links to make buttons of. */
  readonly msgtype: DingtalkMessageType;
  /** The JSON request body. */
  readonly body: string;
  /** UTF-8 bytes of `body`; never more than DINGTALK_MAX_BODY_BYTES. */
  readonly byteLength: number;
  /** Events shown (the last of them possibly shortened). */
  readonly includedItems: number;
  /** Events counted in the "…and N more" line instead. */
  readonly omittedItems: number;
}

export interface DingtalkRenderOptions {
  /** Idempotency key sent as `msgUuid` (§1); part of the body, so it counts towards the size limit. */
  readonly msgUuid?: string;
}

interface Mentions {
  readonly mobiles: readonly string[];
  readonly userIds: readonly string[];
  readonly atAll: boolean;
}

/** One way of laying out the message; later layouts give up extras so the events keep their room. */
interface Layout {
  readonly msgtype: DingtalkMessageType;
  readonly title: string;
  readonly links: readonly NotificationLink[];
  readonly mentions: Mentions;
  /** Send atUserIds again as atDingtalkIds, which some deployments honour instead (§3.6). */
  readonly mirrorUserIds: boolean;
  readonly msgUuid: string | undefined;
}

function uniqueValues(values: readonly string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
}

function containsKeyword(text: string, keywords: readonly string[]): boolean {
  // DingTalk does not document case handling (§2a), so only an exact match is trusted.
  return keywords.some((keyword) => text.includes(keyword));
}

/** A one-line title of bounded size that contains a keyword (§2a: some clients check only the title). */
function titleWithKeyword(title: string, keywords: readonly string[], locale: NotificationLocale): string {
  const keyword = keywords[0] ?? '';
  const oneLine = shortenPlainText(title.replace(/\s+/g, ' ').trim(), MAX_TITLE_BYTES);
  if (oneLine === '') return keyword;
  if (containsKeyword(oneLine, keywords)) return oneLine;
  return locale === 'zh-CN' ? `【${keyword}】${oneLine}` : `[${keyword}] ${oneLine}`;
}

function usableLinks(links: readonly NotificationLink[], locale: NotificationLocale): NotificationLink[] {
  return links
    .filter((link) => link.url.trim() !== '')
    .map((link) => ({
      title: link.title.replace(/\s+/g, ' ').trim() || UNTITLED_LINK[locale],
      url: link.url.trim(),
    }));
}

function hasMentions(mentions: Mentions): boolean {
  return mentions.atAll || mentions.mobiles.length > 0 || mentions.userIds.length > 0;
}

/** The message object with `text` as its body text; `text` is the only part that varies in size. */
function messageObject(layout: Layout, text: string): Record<string, unknown> {
  const { mentions } = layout;
  // `at` works only on text and markdown messages (§3.6); actionCard has no mentions.
  const at = hasMentions(mentions)
    ? {
        ...(mentions.mobiles.length > 0 && { atMobiles: mentions.mobiles }),
        ...(mentions.userIds.length > 0 && { atUserIds: mentions.userIds }),
        ...(mentions.userIds.length > 0 && layout.mirrorUserIds && { atDingtalkIds: mentions.userIds }),
        isAtAll: mentions.atAll,
      }
    : undefined;
  const extras = { ...(layout.msgUuid !== undefined && { msgUuid: layout.msgUuid }) };
  switch (layout.msgtype) {
    case 'text':
      return { msgtype: 'text', text: { content: text }, ...(at && { at }), ...extras };
    case 'markdown':
      return { msgtype: 'markdown', markdown: { title: layout.title, text }, ...(at && { at }), ...extras };
    case 'actionCard':
      return {
        msgtype: 'actionCard',
        actionCard: {
          title: layout.title,
          text,
          // "1" lays the buttons out in a row, which fits view / acknowledge / silence; more stack.
          btnOrientation: layout.links.length <= 3 ? '1' : '0',
          btns: layout.links.map((link) => ({ title: link.title, actionURL: link.url })),
        },
        ...extras,
      };
  }
}

/** The blocks that are always kept, in the order they appear around the summary and the events. */
interface FixedBlocks {
  readonly head: string;
  readonly trailer: readonly string[];
}

function fixedBlocks(layout: Layout, keywords: readonly string[]): FixedBlocks {
  const { msgtype, mentions } = layout;
  const trailer: string[] = [];
  let head: string;
  if (msgtype === 'text') {
    head = layout.title;
    if (layout.links.length > 0) {
      trailer.push(layout.links.map((link) => `${link.title}: ${link.url}`).join('\n'));
    }
  } else {
    head = `#### ${escapeMarkdownInline(layout.title)}`;
    // Escaping can break up a keyword that contains markup characters: then say it verbatim, in a
    // paragraph of its own so that a stray `*` or `[` in it cannot reach the rest of the message.
    if (!containsKeyword(head, keywords)) head = `${keywords[0] ?? ''}${BLOCK_SEPARATOR}${head}`;
    if (msgtype === 'markdown' && layout.links.length > 0) {
      const links = layout.links.map(
        (link) => `[${escapeMarkdownInline(link.title)}](${markdownLinkUrl(link.url)})`,
      );
      trailer.push(links.join(' | '));
    }
  }
  // DingTalk notifies a mentioned person only if the text also says @<mobile> / @<userId> (§3.6).
  // Mentions stay unescaped: an escaped `@user\_1` would no longer match the listed id.
  const mentioned = [...mentions.mobiles, ...mentions.userIds];
  if (msgtype !== 'actionCard' && mentioned.length > 0) {
    trailer.push(mentioned.map((value) => `@${value}`).join(' '));
  }
  return { head, trailer };
}

interface FittedText {
  readonly text: string;
  readonly includedItems: number;
}

/**
 * The body text within `textBudget` bytes: head, summary (shortened beyond half the room),
 * as many events as fit in order, "…and N more", links and mentions. Null when even the fixed blocks
 * do not fit.
 */
function fitText(
  notification: RenderedNotification,
  layout: Layout,
  keywords: readonly string[],
  textBudget: number,
): FittedText | null {
  const plain = layout.msgtype === 'text';
  const toBlock = (markdown: string) =>
    plain ? markdownToPlainText(markdown, { keepUrls: true }) : markdown;
  const shorten = plain ? shortenPlainText : shortenMarkdown;
  const separatorBytes = jsonStringBytes(BLOCK_SEPARATOR);
  const blockBytes = (block: string) => separatorBytes + jsonStringBytes(block);
  const moreLine = (count: number) => MORE_ITEMS[notification.locale](count);
  const moreBytes = (count: number) => (count > 0 ? blockBytes(moreLine(count)) : 0);

  const { head, trailer } = fixedBlocks(layout, keywords);
  const itemCount = notification.items.length;
  const fixedBytes = jsonStringBytes(head) + trailer.reduce((sum, block) => sum + blockBytes(block), 0);
  if (fixedBytes + moreBytes(itemCount) > textBudget) return null;

  // A summary longer than half the room is shortened when there are events, so that a merged storm's
  // counts never crowd out every event.
  const roomLeft = textBudget - fixedBytes - moreBytes(itemCount) - separatorBytes;
  const summaryRoom = itemCount > 0 ? Math.min(roomLeft, Math.floor(textBudget / 2)) : roomLeft;
  const summary = summaryRoom > 0 ? shorten(toBlock(notification.summary).trim(), summaryRoom) : '';
  const summaryBytes = summary === '' ? 0 : blockBytes(summary);

  // Byte counts of separately escaped pieces add up to at least the count of their concatenation,
  // so the sums below never underestimate the final body.
  const itemRoom = textBudget - fixedBytes - summaryBytes;
  const items: string[] = [];
  let used = 0;
  for (const [index, item] of notification.items.entries()) {
    const block = toBlock(item.markdown);
    const cost = blockBytes(block);
    const after = itemCount - index - 1;
    if (used + cost + moreBytes(after) <= itemRoom) {
      items.push(block);
      used += cost;
      continue;
    }
    // Only the first event is shortened: a later one that does not fit is counted in "…and N more".
    const room = itemRoom - moreBytes(after) - separatorBytes;
    if (index === 0 && room >= MIN_SHORTENED_ITEM_BYTES) items.push(shorten(block, room));
    break;
  }
  const omitted = itemCount - items.length;
  const blocks = [head, ...(summary === '' ? [] : [summary]), ...items];
  if (omitted > 0) blocks.push(moreLine(omitted));
  blocks.push(...trailer);
  return { text: blocks.join(BLOCK_SEPARATOR), includedItems: items.length };
}

/** Layouts from the richest to the barest; the first whose fixed parts fit is used. */
function layouts(
  notification: RenderedNotification,
  robot: DingtalkRobotConfig,
  title: string,
  msgUuid?: string,
): readonly Layout[] {
  const links = usableLinks(notification.links, notification.locale);
  const mentions: Mentions = {
    mobiles: uniqueValues(robot.atMobiles),
    userIds: uniqueValues(robot.atUserIds),
    atAll: robot.atAll,
  };
  // An actionCard needs at least one button; without links it is sent as markdown.
  const msgtype = robot.messageType === 'actionCard' && links.length === 0 ? 'markdown' : robot.messageType;
  const full: Layout = { msgtype, title, links, mentions, mirrorUserIds: true, msgUuid };
  const withoutMirror: Layout = { ...full, mirrorUserIds: false };
  const withoutLinks: Layout = {
    ...withoutMirror,
    links: [],
    msgtype: msgtype === 'actionCard' ? 'markdown' : msgtype,
  };
  const bare: Layout = { ...withoutLinks, mentions: { mobiles: [], userIds: [], atAll: false } };
  return [full, withoutMirror, withoutLinks, bare];
}

/**
 * The DingTalk message for `notification` on `robot`. Keeps the title and summary, adds events in
 * order while they fit, then "…and N more" / "…另有 N 条"; never cuts inside a markdown construct.
 * The body contains one of the robot's keywords (or 报警 / alert when it has none) in its title and
 * its text, and @-mentions in `at` and, for text and markdown, in the text. Only when mentions and
 * links alone would not leave room for the title are they given up (impossible within the contact's
 * validation limits).
 * @throws RangeError when not even the title fits (a msgUuid of many kilobytes); sendDingtalk reports it.
 * @example renderDingtalkMessage(notification, contact.dingtalk, { msgUuid: notificationId })
 */
export function renderDingtalkMessage(
  notification: RenderedNotification,
  robot: DingtalkRobotConfig,
  options: DingtalkRenderOptions = {},
): RenderedDingtalkMessage {
  const keywords = requiredKeywords(robot, notification.locale);
  const title = titleWithKeyword(notification.title, keywords, notification.locale);
  for (const layout of layouts(notification, robot, title, options.msgUuid)) {
    const skeletonBytes = Buffer.byteLength(JSON.stringify(messageObject(layout, '')), 'utf8');
    const fitted = fitText(notification, layout, keywords, DINGTALK_MAX_BODY_BYTES - skeletonBytes);
    if (fitted === null) continue;
    const body = JSON.stringify(messageObject(layout, fitted.text));
    const byteLength = Buffer.byteLength(body, 'utf8');
    // fitText's sums are upper bounds, so this holds; checked because a rejected body loses the alert.
    if (byteLength > DINGTALK_MAX_BODY_BYTES) continue;
    return {
      msgtype: layout.msgtype,
      body,
      byteLength,
      includedItems: fitted.includedItems,
      omittedItems: notification.items.length - fitted.includedItems,
    };
  }
  throw new RangeError(`a DingTalk message cannot fit its title within ${DINGTALK_MAX_BODY_BYTES} bytes`);
}
