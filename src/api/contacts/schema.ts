// What a client may send for a contact, and how masked secrets in it are resolved against the stored
// contact (a masked value sent back unchanged keeps the stored secret).
import type { Contact, ContactInput } from '../../domain/contact.js';
import type { FieldProblem } from '../../domain/field-problem.js';
import { isSensitiveHeader, maskSecret, maskWebhookToken, unmask } from '../../domain/secret-mask.js';
import { invalidRequest } from '../../errors.js';
import { maskDingtalkSecret, maskWebhookSecret } from './present.js';

export { contactInputSchema } from '../../domain/contact.js';

const MASKED_REASON =
  'is a masked value; send the real value (a masked value only keeps the stored one unchanged)';

/** Replaces masked secrets by the stored ones; throws `invalid_request` for masked values that match nothing. */
export function resolveContactSecrets(input: ContactInput, stored: Contact | undefined): ContactInput {
  const problems: FieldProblem[] = [];
  let dingtalk = input.dingtalk;
  if (dingtalk) {
    const webhook = unmask(dingtalk.webhook, stored?.dingtalk?.webhook, maskWebhookToken);
    if (webhook === null) problems.push({ field: 'dingtalk.webhook', reason: MASKED_REASON });
    const secret =
      dingtalk.secret === null ? null : unmask(dingtalk.secret, stored?.dingtalk?.secret, maskDingtalkSecret);
    if (dingtalk.secret !== null && secret === null)
      problems.push({ field: 'dingtalk.secret', reason: MASKED_REASON });
    dingtalk = { ...dingtalk, webhook: webhook ?? '', secret };
  }
  let webhook = input.webhook;
  if (webhook) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(webhook.headers)) {
      const storedValue = stored?.webhook?.headers[name];
      const resolved = isSensitiveHeader(name) ? unmask(value, storedValue, (v) => maskSecret(v)) : value;
      if (resolved === null) problems.push({ field: `webhook.headers.${name}`, reason: MASKED_REASON });
      headers[name] = resolved ?? '';
    }
    const secret =
      webhook.secret === null ? null : unmask(webhook.secret, stored?.webhook?.secret, maskWebhookSecret);
    if (webhook.secret !== null && secret === null)
      problems.push({ field: 'webhook.secret', reason: MASKED_REASON });
    webhook = { ...webhook, headers, secret };
  }
  if (problems.length > 0) throw invalidRequest(problems);
  return { ...input, dingtalk, webhook };
}
