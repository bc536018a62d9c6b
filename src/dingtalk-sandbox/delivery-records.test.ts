// What the sandbox records and derives over real HTTP: attempts and messages, the mentions that would
// notify (dingtalk-robot.md §3.6, §9.9) and msgUuid idempotency (§9.10).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postToRobot, sendMessage, startTestSandbox, textMessage, type TestSandbox } from './test-support.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ robots: [{ token: 'ops', keywords: ['alert'] }] });
});

afterAll(async () => {
  await t.sandbox.close();
});

beforeEach(() => {
  t.sandbox.reset();
});

describe('records', () => {
  it('records every attempt, accepted or not, with time, token, HTTP result, errcode and parsed body', async () => {
    await sendMessage(t.sandbox, 'ops', textMessage('alert one'));
    t.clock.advance(1_000);
    await sendMessage(t.sandbox, 'ops', textMessage('no keyword'));
    await postToRobot(t.sandbox, '/robot/send', { rawQuery: 'access_token=ops', body: '{oops' });
    const attempts = t.sandbox.attempts('ops');
    expect(attempts.map((a) => [a.httpStatus, a.errcode, a.body])).toEqual([
      [200, 0, textMessage('alert one')],
      [200, 310000, textMessage('no keyword')],
      [200, 40035, null],
    ]);
    expect(attempts[1]?.receivedAt).toBe((attempts[0]?.receivedAt ?? 0) + 1_000);
    expect(attempts[0]).toMatchObject({
      method: 'POST',
      path: '/robot/send',
      clientIp: '127.0.0.1',
      messageId: 1,
    });
    expect(t.sandbox.messages('ops').map((m) => [m.id, m.msgtype, m.body])).toEqual([
      [1, 'text', textMessage('alert one')],
    ]);
  });
});

describe('mentions', () => {
  it('records a mention as would-notify only when it is in `at` and written as @value in the text', async () => {
    await sendMessage(
      t.sandbox,
      'ops',
      textMessage('alert: disk full @13800000000 请处理 @user-7', {
        atMobiles: ['13800000000', '13900000000'],
        atUserIds: ['user-7'],
        atDingtalkIds: ['ding-1'],
      }),
    );
    expect(t.sandbox.messages('ops')[0]?.mentions).toEqual({
      isAtAll: false,
      wouldNotify: [
        { list: 'atMobiles', value: '13800000000' },
        { list: 'atUserIds', value: 'user-7' },
      ],
      silent: [
        { list: 'atMobiles', value: '13900000000' },
        { list: 'atDingtalkIds', value: 'ding-1' },
      ],
    });
  });

  it('does not count @value that is only the start of a longer number', async () => {
    await sendMessage(t.sandbox, 'ops', textMessage('alert @138000000001', { atMobiles: ['13800000000'] }));
    expect(t.sandbox.messages('ops')[0]?.mentions.wouldNotify).toEqual([]);
  });

  it('counts mentions in markdown text, and none in link or actionCard messages', async () => {
    const at = { atMobiles: ['13800000000'], isAtAll: true };
    await sendMessage(t.sandbox, 'ops', {
      msgtype: 'markdown',
      markdown: { title: 'alert', text: '### x @13800000000' },
      at,
    });
    await sendMessage(t.sandbox, 'ops', {
      msgtype: 'actionCard',
      actionCard: {
        title: 'alert @13800000000',
        text: '@13800000000',
        singleTitle: 'a',
        singleURL: 'https://e.x',
      },
      at,
    });
    const [markdown, card] = t.sandbox.messages('ops');
    expect(markdown?.mentions).toEqual({
      isAtAll: true,
      wouldNotify: [{ list: 'atMobiles', value: '13800000000' }],
      silent: [],
    });
    expect(card?.mentions).toEqual({
      isAtAll: false,
      wouldNotify: [],
      silent: [{ list: 'atMobiles', value: '13800000000' }],
    });
  });

  it('still accepts the message when no mention would notify', async () => {
    const reply = await sendMessage(t.sandbox, 'ops', textMessage('alert', { atMobiles: ['13800000000'] }));
    expect(reply.json?.errcode).toBe(0);
  });
});

describe('msgUuid idempotency', () => {
  it('answers 0 ok to a repeated msgUuid without delivering the message again', async () => {
    const body = { ...textMessage('alert once'), msgUuid: 'event-42-firing' };
    const first = await sendMessage(t.sandbox, 'ops', body);
    t.clock.advance(5_000);
    const retry = await sendMessage(t.sandbox, 'ops', body);
    expect([first.json, retry.json]).toEqual([
      { errcode: 0, errmsg: 'ok' },
      { errcode: 0, errmsg: 'ok' },
    ]);
    const messages = t.sandbox.messages('ops');
    expect(messages.map((m) => m.msgUuid)).toEqual(['event-42-firing']);
    expect(t.sandbox.attempts('ops').map((a) => [a.duplicate, a.messageId])).toEqual([
      [false, messages[0]?.id],
      [true, messages[0]?.id],
    ]);
  });

  it('delivers messages with different msgUuids, and the same msgUuid again after the window', async () => {
    await sendMessage(t.sandbox, 'ops', { ...textMessage('alert a'), msgUuid: 'a' });
    await sendMessage(t.sandbox, 'ops', { ...textMessage('alert b'), msgUuid: 'b' });
    t.clock.advance(3_600_001);
    await sendMessage(t.sandbox, 'ops', { ...textMessage('alert a'), msgUuid: 'a' });
    expect(t.sandbox.messages('ops').map((m) => m.msgUuid)).toEqual(['a', 'b', 'a']);
  });

  it('does not count a duplicate against the rate limit', async () => {
    const body = { ...textMessage('alert'), msgUuid: 'same' };
    for (let index = 0; index < 25; index++) await sendMessage(t.sandbox, 'ops', body);
    expect(t.sandbox.rateLimitStatus('ops').sentInWindow).toBe(1);
  });
});
