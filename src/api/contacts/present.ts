// The JSON of a contact. Secrets never leave: the robot token and signing secret are masked
// (`SEC…a54c`), as are the webhook signing secret (`…9f3a`) and credential-like webhook headers.
import type { Contact } from '../../domain/contact.js';
import { isSensitiveHeader, maskSecret, maskWebhookToken } from '../../domain/secret-mask.js';

export function maskDingtalkSecret(secret: string): string {
  return maskSecret(secret, 3);
}

export function maskWebhookSecret(secret: string): string {
  return maskSecret(secret);
}

export function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isSensitiveHeader(name) ? maskSecret(value) : value,
    ]),
  );
}

export function presentContact(contact: Contact) {
  return {
    id: contact.id,
    name: contact.name,
    description: contact.description,
    dingtalk: contact.dingtalk && {
      ...contact.dingtalk,
      webhook: maskWebhookToken(contact.dingtalk.webhook),
      secret: contact.dingtalk.secret && maskDingtalkSecret(contact.dingtalk.secret),
    },
    email: contact.email,
    phone: contact.phone,
    webhook: contact.webhook && {
      ...contact.webhook,
      headers: maskHeaders(contact.webhook.headers),
      secret: contact.webhook.secret && maskWebhookSecret(contact.webhook.secret),
    },
    createdAt: new Date(contact.createdAt).toISOString(),
    updatedAt: new Date(contact.updatedAt).toISOString(),
  };
}
