// The robot endpoint's handling of requests over real HTTP (dingtalk-robot.md §9.1–§9.5, §9.8):
// routing, tokens and robot state, Content-Type, JSON, the 20000-byte limit and msgtype schemas.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postToRobot, sendMessage, startTestSandbox, textMessage, type TestSandbox } from './test-support.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({
    robots: [
      { token: 'open', keywords: ['alert'] },
      { token: 'off', keywords: ['alert'], state: 'disabled' },
      { token: 'gone', keywords: ['alert'], state: 'groupDissolved' },
    ],
  });
});

afterAll(async () => {
  await t.sandbox.close();
});

beforeEach(() => {
  t.sandbox.reset();
});

describe('routing', () => {
  it('answers any other method on /robot/send with 43002 "需要POST请求" and HTTP 200', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await postToRobot(t.sandbox, '/robot/send', { method, rawQuery: 'access_token=open' });
      expect([method, reply.status, reply.json]).toEqual([
        method,
        200,
        { errcode: 43002, errmsg: '需要POST请求' },
      ]);
    }
  });

  it('answers an unknown path with the 404 JSON body and records the attempt', async () => {
    const reply = await postToRobot(t.sandbox, '/robot/sendx', {
      rawQuery: 'access_token=open',
      body: textMessage('alert'),
    });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ errcode: 404, errmsg: '请求的URI地址不存在' });
    expect(t.sandbox.attempts().map((attempt) => [attempt.path, attempt.errcode])).toEqual([
      ['/robot/sendx', 404],
    ]);
  });

  it('answers every business outcome as JSON with HTTP 200', async () => {
    const reply = await sendMessage(t.sandbox, 'nobody', textMessage('alert'));
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
  });
});

describe('token and robot state', () => {
  it('answers 40035 "缺少参数 access_token" when the token is missing or empty', async () => {
    const missing = await postToRobot(t.sandbox, '/robot/send', { body: textMessage('alert') });
    const empty = await postToRobot(t.sandbox, '/robot/send', {
      rawQuery: 'access_token=',
      body: textMessage('alert'),
    });
    expect([missing.json, empty.json]).toEqual([
      { errcode: 40035, errmsg: '缺少参数 access_token' },
      { errcode: 40035, errmsg: '缺少参数 access_token' },
    ]);
  });

  it('answers 300005 "token is not exist" for an unknown token', async () => {
    expect((await sendMessage(t.sandbox, 'nobody', textMessage('alert'))).json).toEqual({
      errcode: 300005,
      errmsg: 'token is not exist',
    });
  });

  it('answers 400102 for a disabled robot and 400013 for a dissolved group', async () => {
    expect((await sendMessage(t.sandbox, 'off', textMessage('alert'))).json).toEqual({
      errcode: 400102,
      errmsg: '机器人已停用',
    });
    expect((await sendMessage(t.sandbox, 'gone', textMessage('alert'))).json).toEqual({
      errcode: 400013,
      errmsg: '群已被解散',
    });
  });

  it('answers the configured code for an unknown token (400101 as documented)', async () => {
    const other = await startTestSandbox({ unknownTokenCode: 400101 });
    try {
      expect((await sendMessage(other.sandbox, 'nobody', textMessage('alert'))).json).toEqual({
        errcode: 400101,
        errmsg: 'access_token不存在',
      });
    } finally {
      await other.sandbox.close();
    }
  });
});

describe('Content-Type and JSON', () => {
  it('answers 43004 when the Content-Type is not JSON or is missing', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
      const reply = await postToRobot(t.sandbox, '/robot/send', {
        rawQuery: 'access_token=open',
        contentType,
        body: JSON.stringify(textMessage('alert')),
      });
      expect(reply.json).toEqual({ errcode: 43004, errmsg: '无效的HTTP HEADER Content-Type' });
    }
  });

  it('accepts application/json with a charset parameter', async () => {
    const reply = await postToRobot(t.sandbox, '/robot/send', {
      rawQuery: 'access_token=open',
      contentType: 'application/json; charset=utf-8',
      body: textMessage('alert'),
    });
    expect(reply.json?.errcode).toBe(0);
  });

  it('answers 40035 "缺少参数 json" to a broken, empty or non-object JSON body', async () => {
    for (const body of ['{"msgtype":', '', '[1,2]', '"text"']) {
      const reply = await postToRobot(t.sandbox, '/robot/send', { rawQuery: 'access_token=open', body });
      expect([body, reply.json]).toEqual([body, { errcode: 40035, errmsg: '缺少参数 json' }]);
    }
  });
});

describe('size limit', () => {
  /** A valid text message whose JSON is exactly `bytes` bytes long, padded with 3-byte characters. */
  function bodyOfBytes(bytes: number): string {
    const base = JSON.stringify(textMessage('alert '));
    const padding = bytes - Buffer.byteLength(base);
    const text = 'alert ' + '报'.repeat(Math.floor(padding / 3)) + 'x'.repeat(padding % 3);
    const body = JSON.stringify(textMessage(text));
    expect(Buffer.byteLength(body)).toBe(bytes);
    return body;
  }

  it('accepts a body of exactly 20000 bytes', async () => {
    const reply = await postToRobot(t.sandbox, '/robot/send', {
      rawQuery: 'access_token=open',
      body: bodyOfBytes(20_000),
    });
    expect(reply.json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(t.sandbox.messages('open')[0]?.bodyBytes).toBe(20_000);
  });

  it('answers 460101 to a body of 20001 bytes, counting UTF-8 bytes rather than characters', async () => {
    const body = bodyOfBytes(20_001);
    expect(body.length).toBeLessThan(20_000);
    const reply = await postToRobot(t.sandbox, '/robot/send', { rawQuery: 'access_token=open', body });
    expect(reply.json).toEqual({
      errcode: 460101,
      errmsg: 'description: body 大小不合法;solution:请保持大小在 20000bytes 以内;',
    });
    expect(t.sandbox.messages()).toEqual([]);
    expect(t.sandbox.attempts().at(-1)).toMatchObject({ errcode: 460101, bodyBytes: 20_001 });
  });

  it('answers 460101 even to a body beyond what the server reads at all', async () => {
    const reply = await postToRobot(t.sandbox, '/robot/send', {
      rawQuery: 'access_token=open',
      body: 'x'.repeat(3_000_000),
    });
    expect(reply.json?.errcode).toBe(460101);
  });
});

describe('message schemas', () => {
  const valid: Readonly<Record<string, Record<string, unknown>>> = {
    text: { msgtype: 'text', text: { content: 'alert' } },
    link: { msgtype: 'link', link: { title: 'alert', text: 't', messageUrl: 'https://e.x', picUrl: '' } },
    markdown: { msgtype: 'markdown', markdown: { title: 'alert', text: '### t' } },
    singleCard: {
      msgtype: 'actionCard',
      actionCard: {
        title: 'alert',
        text: 't',
        singleTitle: 'Open',
        singleURL: 'https://e.x',
        btnOrientation: 0,
      },
    },
    buttonsCard: {
      msgtype: 'actionCard',
      actionCard: {
        title: 'alert',
        text: 't',
        btnOrientation: '1',
        btns: [{ title: 'Ack', actionURL: 'https://e.x/a' }],
      },
    },
    feedCard: {
      msgtype: 'feedCard',
      feedCard: { links: [{ title: 'alert', messageURL: 'https://e.x', picURL: 'https://e.x/p.png' }] },
    },
  };

  it.each(Object.keys(valid))('accepts a complete %s message', async (name) => {
    expect((await sendMessage(t.sandbox, 'open', valid[name])).json).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it.each([
    ['text without content', { msgtype: 'text', text: {} }, 'text->content'],
    ['text without its object', { msgtype: 'text' }, 'text->content'],
    ['text with empty content', { msgtype: 'text', text: { content: '' } }, 'text->content'],
    ['link without messageUrl', { msgtype: 'link', link: { title: 'alert', text: 't' } }, 'link->messageUrl'],
    [
      'link with feedCard casing messageURL',
      { msgtype: 'link', link: { title: 'alert', text: 't', messageURL: 'https://e.x' } },
      'link->messageUrl',
    ],
    [
      'link without title',
      { msgtype: 'link', link: { text: 'alert', messageUrl: 'https://e.x' } },
      'link->title',
    ],
    ['markdown without text', { msgtype: 'markdown', markdown: { title: 'alert' } }, 'markdown->text'],
    ['markdown without title', { msgtype: 'markdown', markdown: { text: 'alert' } }, 'markdown->title'],
    [
      'actionCard without title',
      { msgtype: 'actionCard', actionCard: { text: 'alert', singleTitle: 'a', singleURL: 'u' } },
      'actionCard->title',
    ],
    [
      'actionCard with singleTitle but no singleURL',
      { msgtype: 'actionCard', actionCard: { title: 'alert', text: 't', singleTitle: 'Open' } },
      'actionCard->singleURL',
    ],
    [
      'actionCard with singleUrl casing',
      {
        msgtype: 'actionCard',
        actionCard: { title: 'alert', text: 't', singleTitle: 'Open', singleUrl: 'https://e.x' },
      },
      'actionCard->singleURL',
    ],
    [
      'actionCard without any button',
      { msgtype: 'actionCard', actionCard: { title: 'alert', text: 't' } },
      'actionCard->btns',
    ],
    [
      'actionCard with empty btns',
      { msgtype: 'actionCard', actionCard: { title: 'alert', text: 't', btns: [] } },
      'actionCard->btns',
    ],
    [
      'actionCard button without actionURL',
      {
        msgtype: 'actionCard',
        actionCard: { title: 'alert', text: 't', btns: [{ title: 'a', actionUrl: 'u' }] },
      },
      'actionCard->btns[0]->actionURL',
    ],
    ['feedCard without links', { msgtype: 'feedCard', feedCard: { links: [] } }, 'feedCard->links'],
    [
      'feedCard link with link casing picUrl',
      { msgtype: 'feedCard', feedCard: { links: [{ title: 'alert', messageURL: 'u', picUrl: 'p' }] } },
      'feedCard->links[0]->picURL',
    ],
  ])('answers 400403 to %s', async (_name, body, field) => {
    expect((await sendMessage(t.sandbox, 'open', body)).json).toEqual({
      errcode: 400403,
      errmsg: `miss param : ${field}`,
    });
  });

  it('answers 400105 to an unknown, missing or wrongly cased msgtype, and to image unless enabled', async () => {
    for (const msgtype of ['actioncard', 'Markdown', 'news', 'image', undefined]) {
      const reply = await sendMessage(t.sandbox, 'open', {
        msgtype,
        text: { content: 'alert' },
        image: { picURL: 'p' },
      });
      expect([msgtype, reply.json]).toEqual([msgtype, { errcode: 400105, errmsg: '不支持的消息类型' }]);
    }
  });

  it('answers payload errors with the legacy 300001 when configured', async () => {
    const legacy = await startTestSandbox({
      payloadErrorStyle: 'legacy',
      robots: [{ token: 'open', keywords: ['alert'] }],
    });
    try {
      expect(
        (await sendMessage(legacy.sandbox, 'open', { msgtype: 'markdown', markdown: { title: 'alert' } }))
          .json,
      ).toEqual({
        errcode: 300001,
        errmsg: 'message param title or text is null ',
      });
    } finally {
      await legacy.sandbox.close();
    }
  });

  it('accepts the undocumented image msgtype without a keyword when allowImageMessages is on', async () => {
    const images = await startTestSandbox({
      allowImageMessages: true,
      robots: [{ token: 'open', keywords: ['alert'] }],
    });
    try {
      const reply = await sendMessage(images.sandbox, 'open', {
        msgtype: 'image',
        image: { picURL: 'https://e.x/p.png' },
      });
      expect(reply.json?.errcode).toBe(0);
    } finally {
      await images.sandbox.close();
    }
  });
});
