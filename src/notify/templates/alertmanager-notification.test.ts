// The messages of Alertmanager alerts: the alertname in the title with the same state words as policy
// messages (so robots' keywords still match), annotations and labels escaped, times in the route's zone,
// the rule's link only when it is http(s).
import { describe, expect, it } from 'vitest';
import { renderAlertmanagerNotification, type AlertmanagerNotificationInput } from './index.js';

const T0 = Date.parse('2025-01-06T02:00:00Z');

function input(patch: Partial<AlertmanagerNotificationInput> = {}): AlertmanagerNotificationInput {
  return {
    kind: 'firing',
    eventId: 'e1',
    alertName: 'HighErrorRate',
    severity: 'P1',
    labels: { alertname: 'HighErrorRate', job: 'api', severity: 'critical', instance: '10.0.0.7:9100' },
    annotations: { summary: 'Error rate above 5%', description: 'api returns *5xx* for 7% of requests' },
    generatorURL: 'http://prometheus:9090/graph?g0.expr=rate(errors[5m])',
    startedAt: T0,
    endedAt: null,
    notifiedAt: T0 + 30_000,
    publicUrl: 'https://tocsin.example',
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    ...patch,
  };
}

describe('renderAlertmanagerNotification', () => {
  it('writes a firing message with the summary, description, labels, start and rule link', () => {
    const request = renderAlertmanagerNotification(input());
    expect(request).toMatchObject({
      kind: 'firing',
      severity: 'P1',
      policyId: null,
      policyName: 'HighErrorRate',
      eventId: 'e1',
      title: '[P1 报警] HighErrorRate',
    });
    expect(request.markdown).toBe(
      [
        '**P1 报警 · HighErrorRate**',
        '',
        '- 摘要：Error rate above 5%',
        '- 描述：api returns \\*5xx\\* for 7% of requests',
        '- 标签：instance=10.0.0.7:9100, job=api, severity=critical',
        '- 开始时间：2025-01-06 10:00:00 (Asia/Shanghai)',
        '- 来源：[告警规则](http://prometheus:9090/graph?g0.expr=rate%28errors[5m]%29)',
      ].join('\n'),
    );
    expect(request.links.map((link) => link.url)).toEqual([
      'https://tocsin.example/events/e1',
      'https://tocsin.example/events/e1:acknowledge',
      'https://tocsin.example/events/e1:silence',
    ]);
  });

  it('writes a recovery in English with the end and the duration, and only the view link', () => {
    const request = renderAlertmanagerNotification(
      input({ kind: 'resolved', locale: 'en', endedAt: T0 + 65 * 60_000, notifiedAt: T0 + 66 * 60_000 }),
    );
    expect(request.title).toBe('[P1 Resolved] HighErrorRate');
    expect(request.markdown).toContain('- Resolved: 2025-01-06 11:05:00 (Asia/Shanghai)');
    expect(request.markdown).toContain('- Duration: 1 h 5 min');
    expect(request.links).toEqual([{ title: 'View', url: 'https://tocsin.example/events/e1' }]);
  });

  it('leaves out what the alert lacks and never links a non-http generator URL', () => {
    const request = renderAlertmanagerNotification(
      input({ annotations: {}, labels: { alertname: 'X' }, generatorURL: 'javascript:alert(1)' }),
    );
    expect(request.markdown).toBe(
      '**P1 报警 · HighErrorRate**\n\n- 开始时间：2025-01-06 10:00:00 (Asia/Shanghai)',
    );
  });
});
