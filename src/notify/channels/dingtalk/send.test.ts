// sendDingtalk against the real DingTalk sandbox over HTTP (port 0, injected clock): what robots
// receive for firing and resolved notifications, and how every kind of refusal becomes an outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createManualClock,
  startSandbox,
  type ManualClock,
  type RunningSandbox,
} from '../../../dingtalk-sandbox/index.js';
import type { RenderedNotification } from '../../rendered-notification.js';
import type { DingtalkRobotConfig } from './config.js';
import { sendDingtalk, type DingtalkOutcome, type DingtalkSendOptions } from './send.js';

const SECRET = 'SEC0123456789abcdef';
const HOUR = 3_600_000;

const FIRING: RenderedNotification = {
  kind: 'firing',
  title: '[P2 报警] JVM FullGC doubled vs previous hour',
  summary: '1 条告警: **P2** × 1',
  items: [
    {
      severity: 'P2',
      markdown: '- **order-service** 主机 10.0.0.7: JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
    },
  ],
  links: [
    { title: '查看', url: 'https://tocsin.example/events/1' },
    { title: '确认', url: 'https://tocsin.example/events/1:acknowledge' },
    { title: '静默', url: 'https://tocsin.example/events/1:silence' },
  ],
  locale: 'zh-CN',
};

const RESOLVED: RenderedNotification = {
  ...FIRING,
  kind: 'resolved',
  title: '[P2 报警恢复] JVM FullGC doubled vs previous hour',
  summary: '1 条已恢复',
  items: [{ severity: 'P2', markdown: '- **order-service** 主机 10.0.0.7: 已恢复, 持续 12 分钟' }],
};

let sandbox: RunningSandbox;
let clock: ManualClock;

function robotFor(token: string, changes: Partial<DingtalkRobotConfig> = {}): DingtalkRobotConfig {
  return {
    webhook: sandbox.webhookUrl(token),
    secret: SECRET,
    keywords: ['报警'],
    atMobiles: ['13800000000'],
    atUserIds: ['user001'],
    atAll: false,
    messageType: 'markdown',
    ...changes,
  };
}

function options(changes: Partial<DingtalkSendOptions> = {}): DingtalkSendOptions {
  return { now: () => clock.now(), timeoutMs: 2_000, ...changes };
}

function failure(outcome: DingtalkOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

beforeEach(async () => {
  clock = createManualClock(Date.parse('2025-01-01T01:00:00Z'));
  sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    clock,
    robots: [
      { token: 'ops', secret: SECRET, keywords: ['报警'] },
      { token: 'duty', secret: SECRET, keywords: ['值班机器人', 'oncall'] },
      { token: 'signed-only', secret: SECRET },
      { token: 'deploys', keywords: ['deploy'] },
    ],
  });
});

afterEach(async () => {
  await sandbox.close();
});

describe('delivery to a signed + keyword robot', () => {
  it('delivers a firing markdown message signed with the current time, with mentions that notify', async () => {
    const outcome = await sendDingtalk(robotFor('ops'), FIRING, options());
    expect(outcome).toEqual({ ok: true, errcode: 0, includedItems: 1, omittedItems: 0, requests: 1 });

    const [attempt] = sandbox.attempts('ops');
    expect(attempt?.query.timestamp).toBe(String(clock.now()));
    const [message] = sandbox.messages('ops');
    expect(message?.msgtype).toBe('markdown');
    const markdown = message?.body.markdown as { title: string; text: string };
    expect(markdown.title).toBe(FIRING.title);
    expect(markdown.text).toContain('#### \\[P2 报警\\] JVM FullGC doubled vs previous hour');
    expect(markdown.text).toContain(FIRING.items[0]!.markdown);
    expect(markdown.text).toContain('[静默](https://tocsin.example/events/1:silence)');
    expect(message?.mentions).toEqual({
      isAtAll: false,
      wouldNotify: [
        { list: 'atMobiles', value: '13800000000' },
        { list: 'atUserIds', value: 'user001' },
        { list: 'atDingtalkIds', value: 'user001' },
      ],
      silent: [],
    });
  });

  it('delivers a resolved markdown message that mentions the same people', async () => {
    expect((await sendDingtalk(robotFor('ops'), RESOLVED, options())).ok).toBe(true);
    const [message] = sandbox.messages('ops');
    expect((message?.body.markdown as { text: string }).text).toContain('已恢复, 持续 12 分钟');
    expect(message?.mentions.wouldNotify.map((mention) => mention.value)).toEqual([
      '13800000000',
      'user001',
      'user001',
    ]);
  });

  it.each([FIRING, RESOLVED])(
    'delivers a $kind actionCard with view / acknowledge / silence buttons in a row',
    async (notification) => {
      const outcome = await sendDingtalk(
        robotFor('ops', { messageType: 'actionCard' }),
        notification,
        options(),
      );
      expect(outcome.ok).toBe(true);
      const [message] = sandbox.messages('ops');
      expect(message?.msgtype).toBe('actionCard');
      const card = message?.body.actionCard as {
        title: string;
        text: string;
        btnOrientation: string;
        btns: unknown;
      };
      expect(card.title).toBe(notification.title);
      expect(card.text).toContain(notification.items[0]!.markdown);
      expect(card.btnOrientation).toBe('1');
      expect(card.btns).toEqual(
        notification.links.map((link) => ({ title: link.title, actionURL: link.url })),
      );
      // DingTalk's actionCard has no mentions, so none are sent that could only stay silent.
      expect(message?.mentions).toEqual({ isAtAll: false, wouldNotify: [], silent: [] });
    },
  );

  it.each([FIRING, RESOLVED])(
    'delivers a $kind text message with links spelled out and mentions that notify',
    async (notification) => {
      const robot = robotFor('ops', { messageType: 'text', atAll: true });
      expect((await sendDingtalk(robot, notification, options())).ok).toBe(true);
      const [message] = sandbox.messages('ops');
      const content = (message?.body.text as { content: string }).content;
      expect(content.startsWith(`${notification.title}\n\n`)).toBe(true);
      expect(content).toContain('确认: https://tocsin.example/events/1:acknowledge');
      expect(content).not.toContain('**');
      expect(content.endsWith('@13800000000 @user001')).toBe(true);
      expect(message?.mentions.isAtAll).toBe(true);
      expect(message?.mentions.wouldNotify).toHaveLength(3);
    },
  );

  it('is accepted by a robot whose keywords the template lacks, the first keyword prepended', async () => {
    const outcome = await sendDingtalk(
      robotFor('duty', { keywords: ['值班机器人', 'oncall'] }),
      FIRING,
      options(),
    );
    expect(outcome.ok).toBe(true);
    const markdown = sandbox.messages('duty')[0]?.body.markdown as { title: string; text: string };
    expect(markdown.title).toBe(`【值班机器人】${FIRING.title}`);
    expect(markdown.text.startsWith('#### 【值班机器人】')).toBe(true);
  });

  it('carries "alert" for an English notification to a robot configured without keywords', async () => {
    const english = { ...FIRING, title: '[P2] JVM FullGC doubled', locale: 'en' as const };
    const robot = robotFor('signed-only', { keywords: [] });
    expect((await sendDingtalk(robot, english, options())).ok).toBe(true);
    expect((sandbox.messages('signed-only')[0]?.body.markdown as { title: string }).title).toBe(
      '[alert] [P2] JVM FullGC doubled',
    );
  });

  it('delivers 500 events as one message under 20000 bytes ending the list with "…另有 N 条"', async () => {
    const items = Array.from({ length: 500 }, (_, index) => ({
      severity: 'P3' as const,
      markdown: `- **order-service-${index}** 主机 10.0.${index % 256}.7: JVM_FullGC 环比上小时增长 ${100 + index}% [查看](https://tocsin.example/events/${index})`,
    }));
    const outcome = await sendDingtalk(robotFor('ops'), { ...FIRING, items }, options());
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.includedItems + outcome.omittedItems).toBe(500);
    expect(outcome.omittedItems).toBeGreaterThan(0);
    const messages = sandbox.messages('ops');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.bodyBytes).toBeLessThanOrEqual(20_000);
    expect((messages[0]!.body.markdown as { text: string }).text).toContain(
      `…另有 ${outcome.omittedItems} 条`,
    );
  });

  it('sends a caller-given msgUuid, so a retried message is not delivered twice', async () => {
    const first = await sendDingtalk(robotFor('ops'), FIRING, options({ msgUuid: 'notification-7' }));
    const retry = await sendDingtalk(robotFor('ops'), FIRING, options({ msgUuid: 'notification-7' }));
    expect([first.ok, retry.ok]).toEqual([true, true]);
    expect(sandbox.messages('ops')).toHaveLength(1);
    expect(sandbox.messages('ops')[0]?.msgUuid).toBe('notification-7');
  });
});

describe('refusals that no retry can fix are permanent', () => {
  it('reports a wrong secret as permanent 310000 with the sign hint and the errmsg verbatim', async () => {
    const outcome = failure(await sendDingtalk(robotFor('ops', { secret: 'SECwrong' }), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: false, class: 'permanent', errcode: 310000, requests: 1 });
    expect(outcome.errmsg).toContain('机器人发送签名不匹配');
    expect(outcome.reason).toContain(`310000 ${outcome.errmsg}`);
    expect(outcome.reason).toContain('sign not match: check the SEC… secret');
  });

  it('tells a contact without a secret that its robot signs requests', async () => {
    const outcome = failure(await sendDingtalk(robotFor('ops', { secret: null }), FIRING, options()));
    expect(outcome).toMatchObject({ class: 'permanent', errcode: 310000 });
    expect(outcome.reason).toContain('has no secret');
  });

  it("names the contact's keywords when the robot requires another one", async () => {
    const robot = robotFor('deploys', { secret: null, keywords: ['报警'] });
    const outcome = failure(await sendDingtalk(robot, FIRING, options()));
    expect(outcome).toMatchObject({ class: 'permanent', retryable: false, errcode: 310000 });
    expect(outcome.reason).toContain('keyword missing: the robot requires one of');
    expect(outcome.reason).toContain('"报警"');
  });

  it('reports an unknown token as permanent 300005 without repeating the token', async () => {
    const outcome = failure(await sendDingtalk(robotFor('no-such-robot'), FIRING, options()));
    expect(outcome).toMatchObject({
      class: 'permanent',
      retryable: false,
      errcode: 300005,
      errmsg: 'token is not exist',
    });
    expect(outcome.reason).toContain('unknown robot');
    expect(outcome.reason).not.toContain('no-such-robot');
  });

  it('reports a webhook that is not a URL without sending anything', async () => {
    const outcome = failure(await sendDingtalk(robotFor('ops', { webhook: 'not a url' }), FIRING, options()));
    expect(outcome).toMatchObject({ class: 'permanent', retryable: false, requests: 0 });
    expect(sandbox.attempts()).toHaveLength(0);
  });
});

describe('refusals worth retrying', () => {
  it('reports the 21st message in a minute as rate_limited, retryable after at least 60 s', async () => {
    for (let index = 0; index < 20; index += 1) {
      expect((await sendDingtalk(robotFor('ops'), FIRING, options())).ok).toBe(true);
      clock.advance(1_000);
    }
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'rate_limited', errcode: 130101 });
    expect(outcome.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(outcome.reason).toContain('130101 send too fast, exceed 20 times per minute');
    expect(sandbox.messages('ops')).toHaveLength(20);
  });

  it('reports an HTTP 503 from DingTalk as transient with the status', async () => {
    sandbox.injectFault({ kind: 'http-status', status: 503 });
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient', httpStatus: 503 });
    expect(outcome.reason).toContain('HTTP 503');
  });

  it('reports errcode -1 系统繁忙 as transient', async () => {
    sandbox.injectFault({ kind: 'errcode', errcode: -1 });
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient', errcode: -1, errmsg: '系统繁忙' });
  });

  it('reports a dropped connection as a transient network error', async () => {
    sandbox.injectFault({ kind: 'disconnect' });
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient' });
    expect(outcome.reason).toContain('network error');
  });

  it('reports no answer within timeoutMs as transient', async () => {
    sandbox.injectFault({ kind: 'latency', latencyMs: 1_000 });
    const started = Date.now();
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options({ timeoutMs: 150 })));
    expect(Date.now() - started).toBeLessThan(900);
    expect(outcome).toMatchObject({ retryable: true, class: 'transient' });
    expect(outcome.reason).toContain('within 150 ms (timeout)');
  });

  it('reports a refused connection as transient', async () => {
    const webhook = sandbox.webhookUrl('ops');
    await sandbox.close();
    const outcome = failure(await sendDingtalk(robotFor('ops', { webhook }), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient' });
    expect(outcome.reason).toContain('ECONNREFUSED');
    sandbox = await startSandbox({ port: 0, robots: [{ token: 'ops', keywords: ['x'] }] });
  });
});

describe('expired signatures', () => {
  it('re-signs once when the timestamp expired, then reports resign when the clock is still 2 h off', async () => {
    clock.advance(2 * HOUR); // DingTalk's time moves 2 h ahead of this server's.
    const serverNow = () => clock.now() - 2 * HOUR;
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options({ now: serverNow })));
    expect(outcome).toMatchObject({ class: 'resign', retryable: true, errcode: 310000, requests: 2 });
    expect(outcome.errmsg).toContain('机器人发送签名过期');
    expect(outcome.reason).toContain("sync this server's clock");
    expect(sandbox.attempts('ops').map((attempt) => attempt.errcode)).toEqual([310000, 310000]);
    expect(sandbox.messages('ops')).toHaveLength(0);
  });

  it('delivers on the re-signed retry when only the first signature was stale', async () => {
    const stale = clock.now() - 2 * HOUR;
    let calls = 0;
    const now = () => (calls++ === 0 ? stale : clock.now());
    const outcome = await sendDingtalk(robotFor('ops'), FIRING, options({ now }));
    expect(outcome).toMatchObject({ ok: true, requests: 2 });
    expect(sandbox.attempts('ops').map((attempt) => attempt.errcode)).toEqual([310000, 0]);
    expect(sandbox.messages('ops')).toHaveLength(1);
  });
});

describe('answers read from the body whatever the HTTP status', () => {
  function answering(status: number, body: string): typeof fetch {
    return function fakeFetch() {
      return Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } }));
    };
  }

  it('treats errcode 0 as success even on a non-200 status', async () => {
    const outcome = await sendDingtalk(
      robotFor('ops'),
      FIRING,
      options({ fetch: answering(202, '{"errcode":0,"errmsg":"ok"}') }),
    );
    expect(outcome.ok).toBe(true);
  });

  it('classifies a JSON answer on HTTP 400 by its errcode', async () => {
    const fetchFn = answering(400, '{"errcode":310000,"errmsg":"keywords not in content"}');
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options({ fetch: fetchFn })));
    expect(outcome).toMatchObject({ class: 'permanent', errcode: 310000, httpStatus: 400 });
    expect(outcome.reason).toContain('keyword missing');
  });

  it('reports an unparseable HTTP 200 body as transient', async () => {
    const outcome = failure(
      await sendDingtalk(robotFor('ops'), FIRING, options({ fetch: answering(200, '<html>oops</html>') })),
    );
    expect(outcome).toMatchObject({ class: 'transient', retryable: true, httpStatus: 200 });
    expect(outcome.reason).toContain('<html>oops</html>');
  });

  it('posts JSON declared as UTF-8', async () => {
    let contentType: string | null = null;
    const fetchFn: typeof fetch = function recordingFetch(_url, init) {
      contentType = new Headers(init?.headers).get('content-type');
      return Promise.resolve(new Response('{"errcode":0,"errmsg":"ok"}'));
    };
    await sendDingtalk(robotFor('ops'), FIRING, options({ fetch: fetchFn }));
    expect(contentType).toBe('application/json; charset=utf-8');
  });

  it('never throws, even when the injected fetch does', async () => {
    const fetchFn: typeof fetch = function brokenFetch() {
      throw new Error('boom');
    };
    const outcome = failure(await sendDingtalk(robotFor('ops'), FIRING, options({ fetch: fetchFn })));
    expect(outcome).toMatchObject({ class: 'transient', retryable: true });
  });
});
