// The default firing and recovery messages in both locales, escaping of user-provided values, and a
// policy's own title and body with the documented variables.
import { describe, expect, it } from 'vitest';
import { escapeMarkdownInline } from '../channels/dingtalk/index.js';
import {
  renderAlertNotification,
  type AlertNotificationInput,
  type AlertNotificationPolicy,
} from './alert-notification.js';

const STARTED = Date.UTC(2024, 10, 24, 8, 0, 0);
const MINUTE = 60_000;

const seedPolicy: AlertNotificationPolicy = {
  id: 'p1',
  name: 'JVM FullGC doubled vs previous hour',
  kind: 'application',
  target: 'order-service',
  metricType: 'JVM_Monitoring',
  severity: 'P2',
  dimension: { mode: 'traverse', key: 'host' },
  rules: {
    match: 'all',
    conditions: [
      {
        metric: 'JVM_FullGC',
        windowMinutes: 5,
        aggregation: 'avg',
        comparator: 'increase_pct',
        baseline: 'hour_ago',
        threshold: 100,
      },
    ],
  },
  template: null,
};

function input(patch: Partial<AlertNotificationInput> = {}): AlertNotificationInput {
  return {
    kind: 'firing',
    policy: seedPolicy,
    eventId: 'e1',
    dimensionValue: '10.0.0.7',
    results: [{ value: 2.2, baselineValue: 1 }],
    startedAt: STARTED,
    endedAt: null,
    notifiedAt: STARTED + 65 * MINUTE,
    publicUrl: 'https://tocsin.example/',
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    ...patch,
  };
}

describe('renderAlertNotification: the default texts', () => {
  it('renders a firing event in Chinese: title, facts, rule in words, time in the policy’s zone, links', () => {
    const request = renderAlertNotification(input());
    expect(request).toEqual({
      kind: 'firing',
      severity: 'P2',
      policyId: 'p1',
      policyName: 'JVM FullGC doubled vs previous hour',
      eventId: 'e1',
      locale: 'zh-CN',
      title: '[P2 报警] JVM FullGC doubled vs previous hour',
      summary: '',
      markdown: [
        '**P2 报警 · JVM FullGC doubled vs previous hour**',
        '',
        '- 应用：order-service',
        '- host：10.0.0.7',
        '- 规则：JVM\\_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
        '- 当前值：2.2 (上小时 1)',
        '- 开始时间：2024-11-24 16:00:00 (Asia/Shanghai)',
        '- 持续时间：1 小时 5 分',
      ].join('\n'),
      links: [
        { title: '查看', url: 'https://tocsin.example/events/e1' },
        { title: '确认', url: 'https://tocsin.example/events/e1:acknowledge' },
        { title: '静默', url: 'https://tocsin.example/events/e1:silence' },
      ],
      event: {
        eventId: 'e1',
        policyId: 'p1',
        policyName: 'JVM FullGC doubled vs previous hour',
        severity: 'P2',
        state: 'firing',
        target: 'order-service',
        dimension: { key: 'host', value: '10.0.0.7' },
        value: 2.2,
        condition: 'JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
        startedAt: STARTED,
        url: 'https://tocsin.example/events/e1',
      },
    });
  });

  it('renders a resolved event in English with its end time, duration and only the view link', () => {
    const request = renderAlertNotification(
      input({
        kind: 'resolved',
        locale: 'en',
        timeZone: 'UTC',
        results: [{ value: 1.1, baselineValue: 1 }],
        endedAt: STARTED + 65 * MINUTE,
      }),
    );
    expect(request.title).toBe('[P2 Resolved] JVM FullGC doubled vs previous hour');
    expect(request.markdown).toBe(
      [
        '**P2 Resolved · JVM FullGC doubled vs previous hour**',
        '',
        '- Application: order-service',
        '- host: 10.0.0.7',
        '- Rule: JVM\\_FullGC 5-minute average up 10% on the hour before (threshold 100%)',
        '- Current value: 1.1 (the hour before: 1)',
        '- Started: 2024-11-24 08:00:00 (UTC)',
        '- Resolved: 2024-11-24 09:05:00 (UTC)',
        '- Duration: 1 h 5 min',
      ].join('\n'),
    );
    expect(request.links).toEqual([{ title: 'View', url: 'https://tocsin.example/events/e1' }]);
    expect(renderAlertNotification(input({ kind: 'resolved', endedAt: STARTED })).title).toBe(
      '[P2 报警恢复] JVM FullGC doubled vs previous hour',
    );
  });

  it('titles a firing event "[P2 Alert]" in English and leaves out a duration under a minute', () => {
    const request = renderAlertNotification(input({ locale: 'en', notifiedAt: STARTED + 30_000 }));
    expect(request.title).toBe('[P2 Alert] JVM FullGC doubled vs previous hour');
    expect(request.markdown).not.toContain('Duration');
    expect(request.links.map((link) => link.title)).toEqual(['View', 'Acknowledge', 'Silence']);
  });

  it('lists several rules one per line under how they combine, each value in its unit', () => {
    const policy: AlertNotificationPolicy = {
      ...seedPolicy,
      name: 'host busy',
      metricType: 'Host_Monitoring',
      rules: {
        match: 'any',
        conditions: [
          {
            metric: 'Host_CPU_Usage',
            windowMinutes: 10,
            aggregation: 'max',
            comparator: 'gt',
            threshold: 90,
          },
          {
            metric: 'Host_Memory_Free',
            windowMinutes: 5,
            aggregation: 'min',
            comparator: 'lt',
            threshold: 1024 ** 3,
          },
        ],
      },
    };
    const results = [{ value: 92.5 }, { value: 1.5 * 1024 ** 3 }];
    expect(renderAlertNotification(input({ policy, results })).markdown).toContain(
      [
        '- 规则：满足以下 2 条中任一条',
        '- 规则 1：Host\\_CPU\\_Usage 10 分钟最大值 92.5% > 90%',
        '- 规则 2：Host\\_Memory\\_Free 5 分钟最小值 1.5 GiB (阈值 < 1 GiB)',
        '- 当前值：92.5%；1.5 GiB',
      ].join('\n'),
    );
    expect(renderAlertNotification(input({ policy, results, locale: 'en' })).markdown).toContain(
      '- Rules: any of the 2 below\n- Rule 1: Host\\_CPU\\_Usage 10-minute maximum 92.5% > 90%',
    );
  });

  it('labels a site for browser policies and leaves out target and dimension when there are none', () => {
    const site = renderAlertNotification(
      input({ policy: { ...seedPolicy, kind: 'browser', target: 'shop.example' }, locale: 'en' }),
    );
    expect(site.markdown).toContain('- Site: shop.example');
    const bare = renderAlertNotification(
      input({ policy: { ...seedPolicy, target: null, dimension: { mode: 'none' } }, dimensionValue: null }),
    );
    expect(bare.markdown).not.toMatch(/应用|host/);
  });

  it('escapes hostile names, targets, dimension keys and values, never letting them add markup', () => {
    const hostile = '*x* [y](z) <b>';
    const request = renderAlertNotification(
      input({
        policy: {
          ...seedPolicy,
          kind: 'prometheus',
          metricType: null,
          name: hostile,
          target: `${hostile}\n# heading`,
          dimension: { mode: 'traverse', key: 'we_ird' },
          rules: {
            match: 'all',
            conditions: [{ windowMinutes: 1, aggregation: 'max', comparator: 'gt', threshold: 0 }],
          },
        },
        dimensionValue: '1. <script>alert(1)</script> **bold**',
        results: [{ value: 1 }],
      }),
    );
    // The title is plain text: channels escape it themselves.
    expect(request.title).toBe('[P2 报警] *x* [y](z) <b>');
    expect(request.policyName).toBe(hostile);
    const escaped = escapeMarkdownInline(hostile);
    expect(escaped).toBe('\\*x\\* \\[y\\](z) \\<b\\>');
    expect(request.markdown).toContain(`**P2 报警 · ${escaped}**`);
    expect(request.markdown).toContain(`- 对象：${escaped} # heading`);
    expect(request.markdown).toContain('- we\\_ird：1. \\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\*');
    // No unescaped markup character from the user reaches the body.
    const withoutEscapes = request.markdown.replace(/\\[\\`*_[\]<>#.+=-]/g, '');
    expect(withoutEscapes).not.toMatch(/<b>|<script>|\[y\]|\*x\*/);
  });
});

describe('renderAlertNotification: a policy’s own template', () => {
  const allVariables = [
    'policy.name={{policy.name}}',
    'policy.id={{policy.id}}',
    'severity={{severity}}',
    'state={{state}}',
    'target={{target}}',
    'dimension={{dimension.key}}/{{dimension.value}}',
    'value={{value}}',
    'startedAt={{startedAt}}',
    'endedAt={{endedAt}}',
    'duration={{duration}}',
    'view={{links.view}}',
    'ack={{links.acknowledge}}',
    'silence={{ links.silence }}',
    '{{rules}}',
  ].join('\n');

  it('fills every variable of the body, escaped for markdown', () => {
    const policy: AlertNotificationPolicy = {
      ...seedPolicy,
      name: 'GC *storm*',
      template: { title: null, body: allVariables },
    };
    const request = renderAlertNotification(
      input({ policy, kind: 'resolved', endedAt: STARTED + 90 * MINUTE, dimensionValue: 'host_7' }),
    );
    expect(request.title).toBe('[P2 报警恢复] GC *storm*');
    expect(request.markdown).toBe(
      [
        'policy.name=GC \\*storm\\*',
        'policy.id=p1',
        'severity=P2',
        'state=报警恢复',
        'target=order-service',
        'dimension=host/host\\_7',
        'value=2.2 (上小时 1)',
        'startedAt=2024-11-24 16:00:00 (Asia/Shanghai)',
        'endedAt=2024-11-24 17:30:00 (Asia/Shanghai)',
        'duration=1 小时 30 分',
        'view=https://tocsin.example/events/e1',
        'ack=https://tocsin.example/events/e1:acknowledge',
        'silence=https://tocsin.example/events/e1:silence',
        '- JVM\\_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
      ].join('\n'),
    );
  });

  it('fills the title as one line of plain text, user values unescaped, and keeps the default body', () => {
    const policy: AlertNotificationPolicy = {
      ...seedPolicy,
      name: 'GC *storm*\nsecond line',
      template: {
        title: '{{state}}｜{{severity}}｜{{policy.name}}｜{{dimension.value}}｜{{rules}}',
        body: null,
      },
    };
    const request = renderAlertNotification(input({ policy, locale: 'en' }));
    expect(request.title).toBe(
      'Alert｜P2｜GC *storm* second line｜10.0.0.7｜JVM_FullGC 5-minute average up 120% on the hour before (threshold 100%)',
    );
    expect(request.markdown).toContain('**P2 Alert · GC \\*storm\\* second line**');
  });

  it('fills {{labels.NAME}} from the event’s series labels, escaped, and empty for a label it lacks', () => {
    const policy: AlertNotificationPolicy = {
      ...seedPolicy,
      template: {
        title: '{{labels.instance}} down',
        body: 'job={{labels.job}} gc={{labels.jvm_gc_name}} none={{labels.zone}}',
      },
    };
    const request = renderAlertNotification(
      input({ policy, labels: { instance: '10.0.0.9:9100', job: 'node_exporter', jvm_gc_name: 'G1 Old' } }),
    );
    expect(request.title).toBe('10.0.0.9:9100 down');
    expect(request.markdown).toBe('job=node\\_exporter gc=G1 Old none=');
  });

  it('makes link variables safe inside a markdown link and leaves empty values for what the event lacks', () => {
    const policy: AlertNotificationPolicy = {
      ...seedPolicy,
      target: null,
      dimension: { mode: 'none' },
      template: {
        title: null,
        body: '[open]({{links.view}}) t={{target}} d={{dimension.key}}{{dimension.value}} e={{endedAt}}',
      },
    };
    const request = renderAlertNotification(
      input({ policy, dimensionValue: null, eventId: 'a b(c)', publicUrl: 'https://tocsin.example' }),
    );
    expect(request.markdown).toBe('[open](https://tocsin.example/events/a%20b%28c%29) t= d= e=');
  });
});
