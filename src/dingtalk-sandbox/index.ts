// The DingTalk sandbox's public surface: start a faithful local stand-in for DingTalk's group robot
// webhook, parse robot configurations, and move its clock in tests. Imports nothing else from src/.
export { startSandbox, ROBOT_SEND_PATH, type RunningSandbox } from './server.js';
export { DEFAULT_SANDBOX_PORT, type SandboxOptions } from './sandbox-options.js';
export {
  parseRobotSpec,
  parseRobotsFile,
  validateRobotConfig,
  robotConfigSchema,
  robotsFileSchema,
  RobotConfigError,
  ROBOT_STATES,
  type RobotConfig,
  type RobotState,
} from './robot-registry.js';
export { createManualClock, systemClock, type ManualClock, type SandboxClock } from './sandbox-clock.js';
export { computeSign } from './signature.js';
export {
  FAULT_KINDS,
  faultSpecSchema,
  type FaultKind,
  type FaultSpec,
  type PendingFault,
} from './fault-injection.js';
export type { ReceivedMessage, SandboxAttempt } from './delivery-log.js';
export type { Mention, MentionList, MentionOutcome } from './mentions.js';
export type { MessageType } from './message-schemas.js';
export type { RateLimitStatus } from './rate-limit.js';
export type {
  DingTalkAnswer,
  ErrmsgStyle,
  PayloadErrorStyle,
  RateLimitCode,
  UnknownTokenCode,
} from './dingtalk-errors.js';
export { DEFAULT_KEYWORD_FIELDS } from './keyword-match.js';
