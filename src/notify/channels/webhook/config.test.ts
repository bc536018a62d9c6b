// A webhook described for logs: never its query string (it may hold a token) nor its secret.
import { describe, expect, it } from 'vitest';
import { describeWebhook, type WebhookConfig } from './config.js';

const WEBHOOK: WebhookConfig = {
  url: 'https://hooks.example.com/alerts?token=s3cret',
  method: 'PUT',
  headers: {},
  bodyTemplate: '{"text": "{{title}}"}',
  secret: 'whsec-0123456789abcdef',
};

describe('describeWebhook', () => {
  it('shows method, origin and path, and whether it signs and uses a template', () => {
    expect(describeWebhook(WEBHOOK)).toBe('PUT https://hooks.example.com/alerts?… (signed, template)');
    expect(describeWebhook({ ...WEBHOOK, secret: null, bodyTemplate: null })).toContain('(unsigned, JSON)');
  });

  it('says so rather than echoing an invalid URL', () => {
    expect(describeWebhook({ ...WEBHOOK, url: 'not a url token=s3cret' })).toBe(
      'PUT (invalid URL) (signed, template)',
    );
  });
});
