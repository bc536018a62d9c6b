import { describe, expect, it } from 'vitest';
import type { Severity } from '../domain/alert-policy.js';
import { mergeNotifications } from './merge.js';
import type { NotificationRequest } from './outbox.js';

function request(policy: string, severity: Severity, locale: 'zh-CN' | 'en' = 'zh-CN'): NotificationRequest {
  return {
    kind: 'firing',
    severity,
    policyId: policy,
    policyName: `policy *${policy}*`,
    eventId: null,
    locale,
    title: `${severity} on ${policy}`,
    summary: '',
    markdown: `event of ${policy}`,
    links: [],
  };
}

describe('mergeNotifications', () => {
  const requests = [request('a', 'P3'), request('b', 'P1'), request('a', 'P3'), request('a', 'P2')];

  it('titles the message with the worst severity and the count, in Chinese', () => {
    expect(mergeNotifications(requests).title).toBe('[P1 告警] 4 条报警通知');
  });

  it('counts by severity and by policy, worst policy first, with names escaped', () => {
    const { summary } = mergeNotifications(requests);
    expect(summary).toBe(
      '共 **4** 条报警：P1 1 条，P2 1 条，P3 2 条\n\n- **policy \\*b\\***：P1 1 条\n- **policy \\*a\\***：P2 1 条，P3 2 条',
    );
  });

  it('lists every request as an item, most severe first and otherwise in the order given', () => {
    const { items } = mergeNotifications(requests);
    expect(items.map((item) => item.severity)).toEqual(['P1', 'P2', 'P3', 'P3']);
    expect(items[0]?.markdown).toBe('**P1 on b**\n\nevent of b');
  });

  it('speaks English when the first request does, and says resolved when all are', () => {
    const merged = mergeNotifications([
      { ...request('a', 'P2', 'en'), kind: 'resolved' },
      { ...request('a', 'P4', 'en'), kind: 'resolved' },
    ]);
    expect(merged).toMatchObject({
      kind: 'resolved',
      title: '[P2 resolved] 2 alerts resolved',
      locale: 'en',
    });
    expect(merged.summary).toContain('**2** alerts: P2 ×1, P4 ×1');
  });

  it('carries the events as data in the order of the items, when every request has its event', () => {
    const withEvent = (r: NotificationRequest, eventId: string): NotificationRequest => ({
      ...r,
      event: {
        eventId,
        policyId: r.policyId!,
        policyName: r.policyName!,
        severity: r.severity,
        state: 'firing',
        startedAt: 0,
      },
    });
    const merged = mergeNotifications([
      withEvent(request('a', 'P3'), 'e1'),
      withEvent(request('b', 'P1'), 'e2'),
    ]);
    expect(merged.events?.map((event) => event.eventId)).toEqual(['e2', 'e1']);
    expect(
      mergeNotifications([withEvent(request('a', 'P3'), 'e1'), request('b', 'P1')]).events,
    ).toBeUndefined();
  });

  it('counts the policies beyond the tenth together', () => {
    const many = Array.from({ length: 12 }, (_, i) => request(`p${i}`, 'P3', 'en'));
    expect(mergeNotifications(many).summary).toContain('- 2 other policies: 2');
  });
});
