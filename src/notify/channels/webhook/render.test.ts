// The webhook body: the documented JSON payload, and body templates filled in — escaped by where each
// placeholder sits in a JSON template, raw in a text template, refused when unknown or not valid JSON.
import { describe, expect, it } from 'vitest';
import type { RenderedNotification } from '../../rendered-notification.js';
import {
  isJsonTemplate,
  renderWebhookBody,
  unknownTemplateVariables,
  WebhookTemplateError,
  webhookPayload,
} from './render.js';

const SENT_AT = Date.parse('2025-01-01T01:00:00Z');

const FIRING: RenderedNotification = {
  kind: 'firing',
  title: '[P2 告警] "orders" <slow>',
  summary: '1 条告警: **P2** × 1',
  items: [{ severity: 'P2', markdown: '- **order-service** 主机 10.0.0.7: p99 > 500 ms\n  second line' }],
  links: [{ title: '查看', url: 'https://tocsin.example/events/1' }],
  locale: 'zh-CN',
  events: [
    {
      eventId: 'e1',
      policyId: 'p1',
      policyName: 'orders slow',
      severity: 'P2',
      state: 'firing',
      target: 'order-service',
      dimension: { key: 'host', value: '10.0.0.7' },
      value: 612.5,
      startedAt: Date.parse('2025-01-01T00:55:00Z'),
    },
  ],
};

function render(bodyTemplate: string | null, headers: Record<string, string> = {}) {
  return renderWebhookBody(FIRING, { bodyTemplate, headers }, { notificationId: 'n-1', sentAt: SENT_AT });
}

describe('the default JSON payload', () => {
  it('has the documented shape, every key present, times as ISO strings', () => {
    const rendered = render(null);
    expect(rendered.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(rendered.body)).toEqual({
      version: 1,
      kind: 'firing',
      notificationId: 'n-1',
      sentAt: '2025-01-01T01:00:00.000Z',
      locale: 'zh-CN',
      title: '[P2 告警] "orders" <slow>',
      summary: '1 条告警: **P2** × 1',
      items: [{ severity: 'P2', markdown: '- **order-service** 主机 10.0.0.7: p99 > 500 ms\n  second line' }],
      links: [{ title: '查看', url: 'https://tocsin.example/events/1' }],
      events: [
        {
          eventId: 'e1',
          policyId: 'p1',
          policyName: 'orders slow',
          severity: 'P2',
          state: 'firing',
          target: 'order-service',
          dimension: { key: 'host', value: '10.0.0.7' },
          value: 612.5,
          condition: null,
          startedAt: '2025-01-01T00:55:00.000Z',
          endedAt: null,
          url: null,
        },
      ],
    });
  });

  it('carries an empty events list and a null id when the notification has neither', () => {
    const payload = webhookPayload({ ...FIRING, events: undefined }, { sentAt: SENT_AT });
    expect(payload.events).toEqual([]);
    expect(payload.notificationId).toBeNull();
  });

  it("keeps the contact's own Content-Type", () => {
    expect(render(null, { 'content-type': 'application/vnd.alerts+json' }).contentType).toBeNull();
  });
});

describe('a body template', () => {
  it('escapes values inside JSON strings, so quotes and line breaks keep the JSON valid', () => {
    const rendered = render('{"msgtype": "text", "text": {"content": "{{title}}\\n{{items}}"}}');
    expect(rendered.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(rendered.body)).toEqual({
      msgtype: 'text',
      text: {
        content: '[P2 告警] "orders" <slow>\n- **order-service** 主机 10.0.0.7: p99 > 500 ms\n  second line',
      },
    });
  });

  it('writes whole JSON values outside strings: numbers stay numbers, strings get quotes, objects nest', () => {
    const body = render(
      '{ "n": {{ itemCount }}, "t": {{title}}, "all": {{payload}}, "ev": {{events}} }',
    ).body;
    const parsed = JSON.parse(body);
    expect(parsed.n).toBe(1);
    expect(parsed.t).toBe('[P2 告警] "orders" <slow>');
    expect(parsed.all.version).toBe(1);
    expect(parsed.ev[0].eventId).toBe('e1');
  });

  it('embeds structured values inside a JSON string as escaped JSON text', () => {
    const parsed = JSON.parse(render('{"raw": "{{events}}"}').body);
    expect(JSON.parse(parsed.raw)[0].policyName).toBe('orders slow');
  });

  it('fills a text template raw, sent as text/plain', () => {
    const rendered = render('{{kind}} {{severity}} {{title}} at {{timestamp}} see {{link}}');
    expect(rendered.contentType).toBe('text/plain; charset=utf-8');
    expect(rendered.body).toBe(
      'firing P2 [P2 告警] "orders" <slow> at 1735693200 see https://tocsin.example/events/1',
    );
  });

  it('offers the whole message as markdown and as plain text', () => {
    expect(render('{{markdown}}').body).toBe(
      '### [P2 告警] "orders" <slow>\n\n1 条告警: **P2** × 1\n\n- **order-service** 主机 10.0.0.7: p99 > 500 ms\n  second line\n\n[查看](https://tocsin.example/events/1)',
    );
    expect(render('{{text}}').body).toContain('1 条告警: P2 × 1');
    expect(render('{{text}}').body).toContain('查看 (https://tocsin.example/events/1)');
  });

  it('leaves braces that are not a placeholder alone', () => {
    expect(render('{{ 1 }} {x} {{title').body).toBe('{{ 1 }} {x} {{title');
  });

  it('refuses unknown variables, listing them all and the known ones', () => {
    expect(unknownTemplateVariables('{{title}} {{severty}} {{constructor}} {{severty}}')).toEqual([
      'severty',
      'constructor',
    ]);
    expect(() => render('{{severty}}')).toThrow(WebhookTemplateError);
    expect(() => render('{{severty}}')).toThrow(/unknown variables \{\{severty\}\}; known: version, kind/);
  });

  it('refuses a JSON template that does not render valid JSON', () => {
    expect(() => render('{"title": "{{title}}",}')).toThrow(/does not render valid JSON/);
  });

  it('decides JSON by the Content-Type header first, else by a leading { or [', () => {
    expect(isJsonTemplate('{{payload}}', { 'Content-Type': 'application/json' })).toBe(true);
    expect(isJsonTemplate('{"a": 1}', { 'Content-Type': 'text/plain' })).toBe(false);
    expect(isJsonTemplate('  [ {{payload}} ]', {})).toBe(true);
    expect(isJsonTemplate('alert: {{title}}', {})).toBe(false);
    expect(isJsonTemplate('{{title}} fired', {})).toBe(false);
  });
});
