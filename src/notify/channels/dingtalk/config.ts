// What the DingTalk channel needs from a contact (its robot settings), the keyword every message must
// carry, and a log-safe description of a robot that never shows its access_token or secret.
import type { DingtalkRobot } from '../../../domain/contact.js';
import { maskWebhookToken } from '../../../domain/secret-mask.js';
import type { NotificationLocale } from '../../rendered-notification.js';

export type DingtalkMessageType = DingtalkRobot['messageType'];

/** A contact's `dingtalk` settings; a domain `DingtalkRobot` is one. */
export interface DingtalkRobotConfig {
  /** `https://oapi.dingtalk.com/robot/send?access_token=…`, possibly with other query parameters. */
  readonly webhook: string;
  /** The 加签 secret `SEC…`, or null when the robot does not sign. */
  readonly secret: string | null;
  /** The robot's custom keywords; every message must contain one of them. */
  readonly keywords: readonly string[];
  readonly atMobiles: readonly string[];
  readonly atUserIds: readonly string[];
  readonly atAll: boolean;
  readonly messageType: DingtalkMessageType;
}

/**
 * The keyword ARMS users set on their robots. A robot configured in Tocsin without keywords may still
 * have one in DingTalk (users often leave the list empty), so messages carry it anyway.
 */
export const DEFAULT_KEYWORD = { 'zh-CN': '报警', en: 'alert' } as const satisfies Record<
  NotificationLocale,
  string
>;

/** The keywords a message must contain one of: the robot's, or the locale's default keyword. */
export function requiredKeywords(robot: DingtalkRobotConfig, locale: NotificationLocale): readonly string[] {
  const configured = robot.keywords.filter((keyword) => keyword !== '');
  return configured.length > 0 ? configured : [DEFAULT_KEYWORD[locale]];
}

/**
 * For logs and error messages: the webhook with its access_token masked, and the security settings.
 * @example describeRobot(robot) // 'https://oapi.dingtalk.com/robot/send?access_token=…9f3a (signed, keywords: 报警, markdown)'
 */
export function describeRobot(robot: DingtalkRobotConfig): string {
  let webhook: string;
  try {
    webhook = maskWebhookToken(robot.webhook.trim());
  } catch {
    // Not a URL: say so rather than risk printing a token embedded in it.
    webhook = '(invalid webhook URL)';
  }
  const settings = [
    robot.secret ? 'signed' : 'unsigned',
    robot.keywords.length > 0 ? `keywords: ${robot.keywords.join(', ')}` : 'no keywords',
    robot.messageType,
  ];
  return `${webhook} (${settings.join(', ')})`;
}
