// What a DingTalk answer means for delivery (dingtalk-robot.md §5, §8.4): branch on errcode first and use
// errmsg substrings only to tell apart the four causes that share 310000. Every failure carries the
// errcode and errmsg verbatim plus a short hint of what the user must fix.
import type { DingtalkRobotConfig } from './config.js';

export type DingtalkFailureClass = 'rate_limited' | 'transient' | 'resign' | 'permanent';

export interface DingtalkFailure {
  readonly ok: false;
  readonly retryable: boolean;
  readonly class: DingtalkFailureClass;
  /** errcode and errmsg verbatim, then what to fix; safe to show users (no token, no secret). */
  readonly reason: string;
  readonly errcode?: number;
  readonly errmsg?: string;
  /** For rate_limited: wait at least this long before the robot's next message. */
  readonly retryAfterMs?: number;
  /** The HTTP status of the last answer, when there was one. */
  readonly httpStatus?: number;
  /** HTTP requests this send made (2 after a re-signed retry). */
  readonly requests: number;
}

/**
 * DingTalk blocks a robot for 10 minutes once it exceeds 20 messages a minute (§4); asking again
 * sooner only collects more refusals and, on some deployments, restarts the block.
 */
export const RATE_LIMIT_RETRY_AFTER_MS = 10 * 60_000;

const RATE_LIMIT_ERRCODES: ReadonlySet<number> = new Set([130101, 410100]);
const TOKEN_ERRCODES: ReadonlySet<number> = new Set([300005, 400101, 400106]);
const MODERATION_ERRCODES: ReadonlySet<number> = new Set([430101, 430102, 430103, 430104]);
const TOO_LONG_ERRCODES: ReadonlySet<number> = new Set([460101, 101002]);

function quoted(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/** Whether the answer is DingTalk's rate limit, by code or by its wording in any generation (§5.2). */
export function isRateLimitAnswer(errcode: number, errmsg: string): boolean {
  return RATE_LIMIT_ERRCODES.has(errcode) || /too fast|限流/i.test(errmsg);
}

/** Whether a 310000 answer says the signature's timestamp is outside DingTalk's one-hour window. */
export function isExpiredTimestampAnswer(errcode: number, errmsg: string): boolean {
  return errcode === 310000 && /timestamp|expired|过期/i.test(errmsg);
}

function securityHint(errmsg: string, robot: DingtalkRobotConfig): string {
  if (/keyword|关键词/i.test(errmsg)) {
    const listed =
      robot.keywords.length > 0
        ? `this contact lists ${quoted(robot.keywords)}`
        : 'this contact lists none, so messages carry only "报警"/"alert"';
    return `keyword missing: the robot requires one of the keywords set in its DingTalk security settings; ${listed} — make them match`;
  }
  if (/sign|签名/i.test(errmsg)) {
    return robot.secret
      ? "sign not match: check the SEC… secret; copy it again from the robot's security settings (加签)"
      : 'sign not match: the robot signs requests (加签) but this contact has no secret; add the SEC… secret';
  }
  if (/whitelist|白名单|\bip\b/i.test(errmsg)) {
    return "IP not allowed: add this server's outgoing address to the robot's IP allow-list";
  }
  return "refused by the robot's security settings";
}

function permanentHint(errcode: number, errmsg: string, robot: DingtalkRobotConfig): string {
  if (errcode === 310000) return securityHint(errmsg, robot);
  if (TOKEN_ERRCODES.has(errcode) || (errcode === 300001 && /token/i.test(errmsg))) {
    return "unknown robot: check the webhook's access_token; the robot may have been removed from the group";
  }
  if (errcode === 400102) return 'robot disabled: enable it again in the group settings';
  if (errcode === 400013) return 'group dissolved: point this contact at a robot in an existing group';
  if (MODERATION_ERRCODES.has(errcode)) return "refused by DingTalk's content moderation";
  if (TOO_LONG_ERRCODES.has(errcode))
    return 'message too long: Tocsin keeps bodies under 20000 bytes, please report this';
  if (errcode === 404 || errcode === 43002 || errcode === 40035) {
    return 'wrong webhook: it must be https://oapi.dingtalk.com/robot/send?access_token=…';
  }
  if (errcode === 400105 || errcode === 400403 || errcode === 300001 || errcode === 43004) {
    return 'message refused as malformed: please report this to the Tocsin developers';
  }
  return 'refused by DingTalk';
}

/** The failure for a DingTalk answer with a non-zero errcode. */
export function classifyDingtalkError(
  answer: { readonly errcode: number; readonly errmsg: string; readonly httpStatus: number },
  robot: DingtalkRobotConfig,
  requests: number,
): DingtalkFailure {
  const { errcode, errmsg, httpStatus } = answer;
  const verbatim = `${errcode} ${errmsg}`;
  const common = { ok: false, errcode, errmsg, httpStatus, requests } as const;
  if (isRateLimitAnswer(errcode, errmsg)) {
    return {
      ...common,
      retryable: true,
      class: 'rate_limited',
      retryAfterMs: RATE_LIMIT_RETRY_AFTER_MS,
      reason: `${verbatim} — rate limited: DingTalk allows 20 messages a minute per robot and then blocks it for 10 minutes`,
    };
  }
  if (errcode === -1) {
    return {
      ...common,
      retryable: true,
      class: 'transient',
      reason: `${verbatim} — DingTalk busy, retry later`,
    };
  }
  if (isExpiredTimestampAnswer(errcode, errmsg)) {
    // Still refused after a fresh signature: this server's clock is off by over an hour. Worth retrying
    // later (NTP may catch up) rather than losing the alert.
    return {
      ...common,
      retryable: true,
      class: 'resign',
      reason: `${verbatim} — timestamp expired even when signed afresh: sync this server's clock (NTP); DingTalk accepts at most 1 hour of difference`,
    };
  }
  return {
    ...common,
    retryable: false,
    class: 'permanent',
    reason: `${verbatim} — ${permanentHint(errcode, errmsg, robot)}`,
  };
}
