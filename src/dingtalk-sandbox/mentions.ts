// Which @-mentions of a message would really notify (dingtalk-robot.md §3.6, §9.9): a value listed in
// `at.atMobiles`, `at.atUserIds` or `at.atDingtalkIds` notifies only if the text also contains
// `@<value>`, and only text and markdown messages carry mentions at all.
import { isRecord, type MessageType } from './message-schemas.js';

export const MENTION_LISTS = ['atMobiles', 'atUserIds', 'atDingtalkIds'] as const;
export type MentionList = (typeof MENTION_LISTS)[number];

export interface Mention {
  readonly list: MentionList;
  readonly value: string;
}

export interface MentionOutcome {
  /** `at.isAtAll` was true on a text or markdown message. */
  readonly isAtAll: boolean;
  /** Listed in `at` and written as `@value` in the text: these people would be notified. */
  readonly wouldNotify: readonly Mention[];
  /** Listed in `at` but not written in the text, or on a msgtype without mentions: nobody is notified. */
  readonly silent: readonly Mention[];
}

/** The text a mention must appear in, for the msgtypes that have mentions. */
export function mentionText(msgtype: MessageType, body: Readonly<Record<string, unknown>>): string | null {
  const payload = body[msgtype];
  if (!isRecord(payload)) return null;
  if (msgtype === 'text' && typeof payload.content === 'string') return payload.content;
  if (msgtype === 'markdown' && typeof payload.text === 'string') return payload.text;
  return null;
}

/**
 * `@value` counts when it is not followed by another letter or digit, so `@1380000000` does not
 * mention 13800000000's shorter prefix; Chinese text right after the value is fine.
 */
export function textMentions(text: string, value: string): boolean {
  let from = 0;
  const needle = `@${value}`;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return false;
    const next = text.charAt(at + needle.length);
    if (!/[A-Za-z0-9_]/.test(next)) return true;
    from = at + 1;
  }
}

export function deriveMentions(
  msgtype: MessageType,
  body: Readonly<Record<string, unknown>>,
): MentionOutcome {
  const at = isRecord(body.at) ? body.at : {};
  const text = mentionText(msgtype, body);
  const wouldNotify: Mention[] = [];
  const silent: Mention[] = [];
  for (const list of MENTION_LISTS) {
    const values = at[list];
    if (!Array.isArray(values)) continue;
    for (const value of values) {
      if (typeof value !== 'string' || value === '') continue;
      const mention = { list, value };
      if (text !== null && textMentions(text, value)) wouldNotify.push(mention);
      else silent.push(mention);
    }
  }
  return { isAtAll: text !== null && at.isAtAll === true, wouldNotify, silent };
}
