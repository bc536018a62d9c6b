// The message payloads a robot accepts (dingtalk-robot.md §3, §9.8): the msgtype names and the required
// fields of each, with DingTalk's exact casing (link `messageUrl` vs feedCard `messageURL`, `singleURL`).

export const MESSAGE_TYPES = ['text', 'link', 'markdown', 'actionCard', 'feedCard'] as const;
/** `image` is sent by some clients but is not in the custom-robot docs; it is off unless enabled. */
export type MessageType = (typeof MESSAGE_TYPES)[number] | 'image';

/** The outcome of checking a payload: its msgtype, or the path of the first missing field. */
export type PayloadCheck =
  | { readonly ok: true; readonly msgtype: MessageType }
  | { readonly ok: false; readonly problem: 'unsupported-msgtype' }
  | { readonly ok: false; readonly problem: 'missing-param'; readonly field: string };

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFilled(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** The first of `fields` that is not a non-empty string in `object`, as `prefix->field`. */
function firstMissing(object: unknown, prefix: string, fields: readonly string[]): string | undefined {
  const record = isRecord(object) ? object : {};
  const missing = fields.find((field) => !isFilled(record[field]));
  return missing === undefined ? undefined : `${prefix}->${missing}`;
}

function missingInActionCard(card: unknown): string | undefined {
  const basic = firstMissing(card, 'actionCard', ['title', 'text']);
  if (basic !== undefined || !isRecord(card)) return basic;
  // With singleTitle and singleURL set, btns is ignored (§3.4); half a single button is an error.
  if (card.singleTitle !== undefined || card.singleURL !== undefined) {
    return firstMissing(card, 'actionCard', ['singleTitle', 'singleURL']);
  }
  const buttons = card.btns;
  if (!Array.isArray(buttons) || buttons.length === 0) return 'actionCard->btns';
  for (const [index, button] of buttons.entries()) {
    const missing = firstMissing(button, `actionCard->btns[${index}]`, ['title', 'actionURL']);
    if (missing !== undefined) return missing;
  }
  return undefined;
}

function missingInFeedCard(card: unknown): string | undefined {
  const links = isRecord(card) ? card.links : undefined;
  if (!Array.isArray(links) || links.length === 0) return 'feedCard->links';
  for (const [index, link] of links.entries()) {
    const missing = firstMissing(link, `feedCard->links[${index}]`, ['title', 'messageURL', 'picURL']);
    if (missing !== undefined) return missing;
  }
  return undefined;
}

function missingField(msgtype: MessageType, payload: unknown): string | undefined {
  switch (msgtype) {
    case 'text':
      return firstMissing(payload, 'text', ['content']);
    case 'link':
      return firstMissing(payload, 'link', ['title', 'text', 'messageUrl']);
    case 'markdown':
      return firstMissing(payload, 'markdown', ['title', 'text']);
    case 'actionCard':
      return missingInActionCard(payload);
    case 'feedCard':
      return missingInFeedCard(payload);
    case 'image':
      return firstMissing(payload, 'image', ['picURL']);
  }
}

/**
 * Checks a parsed body against the schema of its msgtype. The names are case-sensitive: `actioncard`
 * is unsupported, and `link.messageURL` does not stand in for `link.messageUrl`.
 */
export function checkPayload(body: Readonly<Record<string, unknown>>, allowImage: boolean): PayloadCheck {
  const msgtype = body.msgtype;
  const known: readonly string[] = allowImage ? [...MESSAGE_TYPES, 'image'] : MESSAGE_TYPES;
  if (typeof msgtype !== 'string' || !known.includes(msgtype)) {
    return { ok: false, problem: 'unsupported-msgtype' };
  }
  const type = msgtype as MessageType;
  const field = missingField(type, body[type]);
  return field === undefined ? { ok: true, msgtype: type } : { ok: false, problem: 'missing-param', field };
}
