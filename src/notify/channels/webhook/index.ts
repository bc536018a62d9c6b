// The webhook channel's public surface, for the dispatcher and the contact test button: render a
// notification as a request body, sign it, send it with the SSRF check, and describe a webhook for logs.
export { describeWebhook, TOCSIN_OWNED_HEADERS, type WebhookConfig, type WebhookMethod } from './config.js';
export {
  isJsonTemplate,
  renderWebhookBody,
  unknownTemplateVariables,
  WEBHOOK_PAYLOAD_VERSION,
  WEBHOOK_TEMPLATE_VARIABLES,
  webhookPayload,
  WebhookTemplateError,
  type RenderedWebhookBody,
  type WebhookEventPayload,
  type WebhookPayload,
  type WebhookRenderContext,
} from './render.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature, webhookSignature } from './sign.js';
export { checkedDestination, resolveWithSystem, type ResolveHost } from './destination.js';
export { DEFAULT_RATE_LIMIT_RETRY_AFTER_MS, retryAfterMs } from './answer-classification.js';
export {
  sendWebhook,
  type WebhookFailure,
  type WebhookFailureClass,
  type WebhookOutcome,
  type WebhookSendOptions,
  type WebhookSuccess,
} from './send.js';
