// Injected faults over real HTTP: 5xx outages, forced errcodes, moderation by content, dropped
// connections and latency — what the project's retry and outage tests rely on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendMessage, startTestSandbox, textMessage, type TestSandbox } from './test-support.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({
    robots: [
      { token: 'ops', keywords: ['alert'] },
      { token: 'dev', keywords: ['alert'] },
    ],
  });
});

afterAll(async () => {
  await t.sandbox.close();
});

beforeEach(() => {
  t.sandbox.reset();
});

describe('fault injection', () => {
  it('answers the next N requests with an HTTP 5xx gateway page, then recovers', async () => {
    t.sandbox.injectFault({ kind: 'http-status', status: 502, times: 2 });
    const replies = [];
    for (let index = 0; index < 3; index++)
      replies.push(await sendMessage(t.sandbox, 'ops', textMessage('alert')));
    expect(replies.map((reply) => reply.status)).toEqual([502, 502, 200]);
    expect(replies[0]?.contentType).toMatch(/^text\/html/);
    expect(replies[0]?.json).toBeUndefined();
    expect(replies[2]?.json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(t.sandbox.messages()).toHaveLength(1);
    expect(t.sandbox.attempts().map((a) => [a.httpStatus, a.errcode, a.fault])).toEqual([
      [502, null, 'http-status'],
      [502, null, 'http-status'],
      [200, 0, null],
    ]);
  });

  it("forces an errcode with DingTalk's errmsg for it, e.g. -1 系统繁忙", async () => {
    t.sandbox.injectFault({ kind: 'errcode', errcode: -1 });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json).toEqual({
      errcode: -1,
      errmsg: '系统繁忙',
    });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(0);
  });

  it('limits a fault to one robot when a token is given', async () => {
    t.sandbox.injectFault({ kind: 'errcode', errcode: 130101, token: 'dev' });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(0);
    expect((await sendMessage(t.sandbox, 'dev', textMessage('alert'))).json?.errcode).toBe(130101);
  });

  it('answers moderation codes only to content matching the pattern', async () => {
    t.sandbox.injectFault({ kind: 'errcode', errcode: 430102, contentPattern: '敏感', times: 100 });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert 敏感词'))).json).toEqual({
      errcode: 430102,
      errmsg: '含有不合适的文本',
    });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert fine'))).json?.errcode).toBe(0);
  });

  it('keeps an outage going for a duration on the sandbox clock', async () => {
    t.sandbox.injectFault({ kind: 'http-status', durationMs: 5 * 60_000 });
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).status).toBe(503);
    t.clock.advance(5 * 60_000 - 1);
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).status).toBe(503);
    t.clock.advance(1);
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).status).toBe(200);
  });

  it('drops the connection without an answer for a disconnect fault', async () => {
    t.sandbox.injectFault({ kind: 'disconnect' });
    await expect(sendMessage(t.sandbox, 'ops', textMessage('alert'))).rejects.toThrow();
    expect(t.sandbox.attempts().map((a) => [a.httpStatus, a.fault])).toEqual([[null, 'disconnect']]);
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(0);
  });

  it('delays the answer by the given latency and then handles the request normally', async () => {
    t.sandbox.injectFault({ kind: 'latency', latencyMs: 300 });
    const started = performance.now();
    const reply = await sendMessage(t.sandbox, 'ops', textMessage('alert'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(reply.json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(t.sandbox.attempts()[0]?.fault).toBe('latency');
  });

  it('refuses an invalid fault', () => {
    expect(() => t.sandbox.injectFault({ kind: 'errcode' })).toThrow(/errcode/);
    expect(() => t.sandbox.injectFault({ kind: 'http-status', status: 404 })).toThrow();
  });
});
