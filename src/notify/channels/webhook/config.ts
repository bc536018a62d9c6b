// What the webhook channel needs from a contact (its generic webhook), which request headers Tocsin owns,
// and a log-safe description of a webhook that never shows its query string or secret.
import type { GenericWebhook } from '../../../domain/contact.js';

export type WebhookMethod = GenericWebhook['method'];

/** A contact's `webhook` settings; a domain `GenericWebhook` is one. */
export interface WebhookConfig {
  /** http(s) URL; checked again at send time against what its host name resolves to. */
  readonly url: string;
  readonly method: WebhookMethod;
  /** Sent as given, except the headers in `TOCSIN_OWNED_HEADERS`. */
  readonly headers: Readonly<Record<string, string>>;
  /** `{{variable}}` template of the body, or null for Tocsin's JSON payload (docs/channels.md). */
  readonly bodyTemplate: string | null;
  /** HMAC-SHA256 key of `X-Tocsin-Signature`, or null to send unsigned. */
  readonly secret: string | null;
}

/**
 * Header names (lower case) a contact cannot set: the framing headers would let a header value smuggle a
 * second request or change where the pinned connection's request is routed, and the `X-Tocsin-` headers
 * carry the signature the receiver trusts.
 */
export const TOCSIN_OWNED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'x-tocsin-signature',
  'x-tocsin-timestamp',
  'x-tocsin-notification',
]);

/**
 * For logs and error messages: method, origin and path — the query string may hold a token.
 * @example describeWebhook(webhook) // 'POST https://hooks.example.com/alerts (signed, template)'
 */
export function describeWebhook(webhook: WebhookConfig): string {
  let where: string;
  try {
    const url = new URL(webhook.url);
    where = `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
  } catch {
    where = '(invalid URL)';
  }
  const settings = [webhook.secret ? 'signed' : 'unsigned', webhook.bodyTemplate ? 'template' : 'JSON'];
  return `${webhook.method} ${where} (${settings.join(', ')})`;
}
