// The DingTalk channel's public surface, for the dispatcher and the contact test button: render a
// notification as a robot message, send it, and describe a robot for logs.
export {
  DEFAULT_KEYWORD,
  describeRobot,
  requiredKeywords,
  type DingtalkMessageType,
  type DingtalkRobotConfig,
} from './config.js';
export { dingtalkSign, signedWebhookUrl } from './sign.js';
export {
  DINGTALK_MAX_BODY_BYTES,
  renderDingtalkMessage,
  type DingtalkRenderOptions,
  type RenderedDingtalkMessage,
} from './render.js';
export {
  RATE_LIMIT_RETRY_AFTER_MS,
  type DingtalkFailure,
  type DingtalkFailureClass,
} from './answer-classification.js';
export {
  sendDingtalk,
  type DingtalkOutcome,
  type DingtalkSendOptions,
  type DingtalkSuccess,
} from './send.js';
export { escapeMarkdownInline } from './markdown-text.js';
