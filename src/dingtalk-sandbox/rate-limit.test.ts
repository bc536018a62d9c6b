// The 20-per-minute limit and its 10-minute block over real HTTP, moved through with the injected
// clock (dingtalk-robot.md §4, §9.7).
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';
import { sendMessage, startTestSandbox, textMessage, type TestSandbox } from './test-support.js';

const TOO_FAST = { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' };
const OK = { errcode: 0, errmsg: 'ok' };

let t: TestSandbox;

afterEach(async () => {
  await t.sandbox.close();
});

async function sendMany(count: number, token = 'ops') {
  const replies = [];
  for (let index = 0; index < count; index++) {
    replies.push((await sendMessage(t.sandbox, token, textMessage(`alert ${index}`))).json);
  }
  return replies;
}

describe('rate limit', () => {
  it('accepts 20 messages in a minute and answers the 21st with 130101, then blocks for 10 minutes', async () => {
    t = await startTestSandbox({ robots: [{ token: 'ops', keywords: ['alert'] }] });
    expect(await sendMany(20)).toEqual(Array.from({ length: 20 }, () => OK));
    expect(await sendMany(1)).toEqual([TOO_FAST]);
    expect(t.sandbox.messages('ops')).toHaveLength(20);

    t.clock.advance(60_000); // the window is empty again, but the block holds
    expect(await sendMany(1)).toEqual([TOO_FAST]);
    expect(t.sandbox.rateLimitStatus('ops').blockedUntil).not.toBeNull();

    t.clock.advance(9 * 60_000 - 1);
    expect(await sendMany(1)).toEqual([TOO_FAST]);
    t.clock.advance(1);
    expect(await sendMany(20)).toEqual(Array.from({ length: 20 }, () => OK));
    expect(t.sandbox.messages('ops')).toHaveLength(40);
  });

  it('counts a sliding 60-second window: a message frees its slot exactly 60 s after it was accepted', async () => {
    t = await startTestSandbox({ robots: [{ token: 'ops', keywords: ['alert'] }] });
    await sendMany(10);
    t.clock.advance(30_000);
    await sendMany(10);
    t.clock.advance(30_000); // the first ten are now exactly 60 s old
    expect(await sendMany(10)).toEqual(Array.from({ length: 10 }, () => OK));
    expect(await sendMany(1)).toEqual([TOO_FAST]);
  });

  it('keeps robots apart and does not count refused messages', async () => {
    t = await startTestSandbox({
      robots: [
        { token: 'ops', keywords: ['alert'] },
        { token: 'dev', keywords: ['alert'] },
      ],
    });
    await sendMessage(t.sandbox, 'ops', textMessage('no keyword'));
    expect(await sendMany(20)).toEqual(Array.from({ length: 20 }, () => OK));
    expect(await sendMany(21, 'dev')).toEqual([...Array.from({ length: 20 }, () => OK), TOO_FAST]);
  });

  it('answers 410100 "发送速度太快而限流" and honours another limit when configured', async () => {
    t = await startTestSandbox({
      rateLimit: { perMinute: 2, blockMinutes: 1, code: 410100 },
      robots: [{ token: 'ops', keywords: ['alert'] }],
    });
    expect(await sendMany(3)).toEqual([OK, OK, { errcode: 410100, errmsg: '发送速度太快而限流' }]);
    t.clock.advance(60_000);
    expect(await sendMany(1)).toEqual([OK]);
  });
});

describe('RateLimiter', () => {
  it('restarts the block on every refused call when rejectionExtendsBlock is on', () => {
    const limiter = new RateLimiter({ perMinute: 1, blockMinutes: 10, rejectionExtendsBlock: true });
    expect(limiter.admit('a', 0)).toBe(true);
    expect(limiter.admit('a', 1)).toBe(false);
    expect(limiter.admit('a', 9 * 60_000)).toBe(false);
    expect(limiter.admit('a', 10 * 60_000 + 1)).toBe(false);
    expect(limiter.admit('a', 20 * 60_000)).toBe(false);
    expect(limiter.admit('a', 30 * 60_000)).toBe(true);
  });
});
