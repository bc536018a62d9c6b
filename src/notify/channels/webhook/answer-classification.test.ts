// Webhook answers to outcomes, and Retry-After in both of its forms.
import { describe, expect, it } from 'vitest';
import {
  classifyWebhookAnswer,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  type WebhookAnswer,
} from './answer-classification.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function answer(status: number, changes: Partial<WebhookAnswer> = {}): WebhookAnswer {
  return { status, statusText: '', headers: {}, bodyStart: Buffer.alloc(0), ...changes };
}

describe('retryAfterMs', () => {
  it('reads delay-seconds and an HTTP date relative to now', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', NOW)).toBe(30_000);
  });

  it('ignores an absent or unreadable value, clamps a past date to 0 and a huge wait to the maximum', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs('86400', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('classifyWebhookAnswer', () => {
  it.each([408, 425, 500, 502, 503, 504])('treats HTTP %i as transient', (status) => {
    expect(classifyWebhookAnswer(answer(status), NOW)).toMatchObject({
      retryable: true,
      class: 'transient',
      httpStatus: status,
    });
  });

  it('honours Retry-After on a 503', () => {
    expect(classifyWebhookAnswer(answer(503, { headers: { 'retry-after': '7' } }), NOW).retryAfterMs).toBe(
      7000,
    );
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 422])('treats HTTP %i as permanent', (status) => {
    expect(classifyWebhookAnswer(answer(status), NOW)).toMatchObject({
      retryable: false,
      class: 'permanent',
    });
  });

  it('gives a hint for refused credentials', () => {
    expect(classifyWebhookAnswer(answer(401, { statusText: 'Unauthorized' }), NOW).reason).toBe(
      "HTTP 401 Unauthorized — check the credentials in the contact's headers and its signing secret",
    );
  });

  it('names the redirect target without its query string', () => {
    const outcome = classifyWebhookAnswer(
      answer(301, { headers: { location: 'https://new.example.com/hook?token=abc' } }),
      NOW,
    );
    expect(outcome.class).toBe('permanent');
    expect(outcome.reason).toContain('redirect to https://new.example.com/hook — redirects are not followed');
    expect(outcome.reason).not.toContain('abc');
  });
});
