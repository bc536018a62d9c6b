// The `{{variable}}` language of policy templates: what it accepts, what it refuses and where the
// refusal is reported in a policy.
import { describe, expect, it } from 'vitest';
import { seedPolicy } from '../../test/seed-fixtures.js';
import { alertPolicyInputSchema } from './alert-policy.js';
import { validate } from './field-problem.js';
import {
  fillNotificationTemplate,
  NOTIFICATION_TEMPLATE_VARIABLES,
  parseNotificationTemplate,
} from './notification-template.js';

function withTemplate(template: unknown): Record<string, unknown> {
  return seedPolicy(['group1'], {
    notification: { channels: ['dingtalk'], contactGroupIds: ['group1'], template },
  });
}

describe('parseNotificationTemplate', () => {
  it('cuts a template into text and variables, spaces inside the braces allowed', () => {
    expect(parseNotificationTemplate('[{{severity}}] {{ policy.name }}!')).toEqual({
      parts: [
        { text: '[' },
        { variable: 'severity' },
        { text: '] ' },
        { variable: 'policy.name' },
        { text: '!' },
      ],
      problems: [],
    });
  });

  it('accepts every documented variable', () => {
    const template = NOTIFICATION_TEMPLATE_VARIABLES.map((name) => `{{${name}}}`).join(' ');
    expect(parseNotificationTemplate(template).problems).toEqual([]);
  });

  it('takes any label as {{labels.NAME}}, in Prometheus and OpenTelemetry spellings', () => {
    const { parts, problems } = parseNotificationTemplate(
      '{{labels.instance}} {{ labels.jvm_gc_name }} {{labels.http.route}}',
    );
    expect(problems).toEqual([]);
    expect(parts.filter((part) => 'variable' in part)).toEqual([
      { variable: 'labels.instance' },
      { variable: 'labels.jvm_gc_name' },
      { variable: 'labels.http.route' },
    ]);
    expect(parseNotificationTemplate('{{labels.}} {{labels}}').problems).toHaveLength(2);
  });

  it('names an unknown variable and lists the known ones', () => {
    const { problems } = parseNotificationTemplate('{{policy.nam}} {{env.HOME}}');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^unknown variable \{\{policy\.nam\}\}; known: policy\.name, /);
    expect(problems[1]).toMatch(/^unknown variable \{\{env\.HOME\}\}/);
  });

  it('refuses a "{{" that does not open a variable, saying where', () => {
    expect(parseNotificationTemplate('ab{{policy name}}').problems).toEqual([
      expect.stringContaining('"{{" at character 3 does not start a variable'),
    ]);
    expect(parseNotificationTemplate('{{ 1 + 1 }}').problems).toHaveLength(1);
  });

  it('leaves single braces and closing braces alone', () => {
    expect(parseNotificationTemplate('{a} }} {').problems).toEqual([]);
  });
});

describe('fillNotificationTemplate', () => {
  it('replaces each variable by its value and nothing else', () => {
    const filled = fillNotificationTemplate('{{severity}} {{state}}: {{policy.name}}', (name) =>
      name === 'severity' ? 'P1' : name === 'state' ? '告警' : '{{severity}}',
    );
    // A value that looks like a variable is not substituted again: no second pass.
    expect(filled).toBe('P1 告警: {{severity}}');
  });

  it('keeps a bad placeholder of a stored template as text instead of losing the message', () => {
    expect(fillNotificationTemplate('{{nope}} {{severity}}', () => 'P2')).toBe('{{nope}} P2');
  });
});

describe('notification.template in a policy', () => {
  it('stores title and body, a missing one as null, and no template as null', () => {
    const parsed = alertPolicyInputSchema.parse(withTemplate({ title: '{{policy.name}}' }));
    expect(parsed.notification.template).toEqual({ title: '{{policy.name}}', body: null });
    expect(alertPolicyInputSchema.parse(seedPolicy(['group1'])).notification.template).toBeNull();
    expect(alertPolicyInputSchema.parse(withTemplate(null)).notification.template).toBeNull();
  });

  it('refuses an unknown variable with 400-ready problems naming notification.template.body', () => {
    const result = validate(alertPolicyInputSchema, withTemplate({ title: 'ok', body: 'x {{nope}}' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      { field: 'notification.template.body', reason: expect.stringContaining('unknown variable {{nope}}') },
    ]);
  });

  it('limits the title to 200 and the body to 4000 characters, and refuses empty texts and unknown keys', () => {
    const fields = (template: unknown) => {
      const result = validate(alertPolicyInputSchema, withTemplate(template));
      return result.ok ? [] : result.problems.map((problem) => problem.field);
    };
    expect(fields({ title: 'x'.repeat(200), body: 'x'.repeat(4000) })).toEqual([]);
    expect(fields({ title: 'x'.repeat(201) })).toEqual(['notification.template.title']);
    expect(fields({ body: 'x'.repeat(4001) })).toEqual(['notification.template.body']);
    expect(fields({ title: '' })).toEqual(['notification.template.title']);
    expect(fields({ subject: 'x' })).toEqual(['notification.template.subject']);
  });
});
