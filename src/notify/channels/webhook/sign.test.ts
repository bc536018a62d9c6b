// The webhook signature: a vector computed independently with openssl, and the receiver's verification.
import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from './sign.js';

const SECRET = '0123456789abcdef';
const BODY = '{"version":1}';
const AT = 1735693200;

describe('webhookSignature', () => {
  it('is sha256= and the hex HMAC of "<timestamp>.<body>", as openssl dgst -hmac computes it', () => {
    // printf '%s' '1735693200.{"version":1}' | openssl dgst -sha256 -hmac 0123456789abcdef
    expect(webhookSignature(SECRET, AT, BODY)).toBe(
      'sha256=58145e2619059ed37b37667847da1b2d87c37de56ed8467f47371be0afcf2b38',
    );
  });

  it('changes with the timestamp, so a captured body cannot be replayed under a new time', () => {
    expect(webhookSignature(SECRET, AT + 1, BODY)).not.toBe(webhookSignature(SECRET, AT, BODY));
  });
});

describe('verifyWebhookSignature', () => {
  const signature = webhookSignature(SECRET, AT, BODY);

  it('accepts the exact body and timestamp within the tolerance', () => {
    expect(verifyWebhookSignature(SECRET, { signature, timestamp: String(AT) }, BODY, AT + 299)).toBe(true);
  });

  it('refuses a changed body, another secret, a stale timestamp and a garbled header', () => {
    const headers = { signature, timestamp: String(AT) };
    expect(verifyWebhookSignature(SECRET, headers, '{"version":2}', AT)).toBe(false);
    expect(verifyWebhookSignature('fedcba9876543210', headers, BODY, AT)).toBe(false);
    expect(verifyWebhookSignature(SECRET, headers, BODY, AT + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { signature: 'sha256=00', timestamp: String(AT) }, BODY, AT)).toBe(
      false,
    );
    expect(verifyWebhookSignature(SECRET, { signature, timestamp: 'soon' }, BODY, AT)).toBe(false);
  });
});
