// The robot's security settings over real HTTP (dingtalk-robot.md §2, §9.6): signature and timestamp
// window, keywords, IP allow-list, and the order in which they are applied.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeSign } from './signature.js';
import {
  postToRobot,
  sendMessage,
  signedQuery,
  startTestSandbox,
  textMessage,
  VECTOR_1,
  VECTOR_2,
  type TestSandbox,
} from './test-support.js';

const SIGN_MISMATCH =
  'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;link:请参考本接口对应文档获得具体要求，或者在https://open.dingtalk.com/document/  搜索相关文档;';
const EXPIRED = 'description:机器人发送签名过期;solution:签名生成时间和发送时间请保持在 timestampms 以内;';
const KEYWORDS =
  'description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;';
const HOUR = 3_600_000;

let t: TestSandbox;

afterEach(async () => {
  await t.sandbox.close();
});

describe('signature (加签)', () => {
  beforeEach(async () => {
    t = await startTestSandbox({
      robots: [
        { token: 'signed1', secret: VECTOR_1.secret },
        { token: 'signed2', secret: VECTOR_2.secret },
      ],
    });
  });

  it('accepts both test vectors at their own timestamps with the sign encoded once', async () => {
    t.clock.set(VECTOR_1.timestamp);
    const first = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('hello'),
      `timestamp=${VECTOR_1.timestamp}&sign=${VECTOR_1.encodedSign}`,
    );
    t.clock.set(VECTOR_2.timestamp);
    const second = await sendMessage(
      t.sandbox,
      'signed2',
      textMessage('hello'),
      `sign=${VECTOR_2.encodedSign}&timestamp=${VECTOR_2.timestamp}`,
    );
    expect([first.status, first.json, second.json]).toEqual([
      200,
      { errcode: 0, errmsg: 'ok' },
      { errcode: 0, errmsg: 'ok' },
    ]);
    expect(t.sandbox.messages().map((message) => message.token)).toEqual(['signed1', 'signed2']);
  });

  it('rejects a double-encoded sign with 310000 sign mismatch and HTTP 200', async () => {
    const doubly = encodeURIComponent(VECTOR_1.encodedSign);
    const reply = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('x'),
      `timestamp=${VECTOR_1.timestamp}&sign=${doubly}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ errcode: 310000, errmsg: SIGN_MISMATCH });
    expect(t.sandbox.messages()).toEqual([]);
  });

  it('rejects a raw, unencoded sign containing "+" because the query decodes it as a space', async () => {
    let timestamp = VECTOR_1.timestamp;
    while (!computeSign(String(timestamp), VECTOR_1.secret).includes('+')) timestamp += 1;
    const raw = computeSign(String(timestamp), VECTOR_1.secret);
    t.clock.set(timestamp);
    const unencoded = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('x'),
      `timestamp=${timestamp}&sign=${raw}`,
    );
    expect(unencoded.json).toEqual({ errcode: 310000, errmsg: SIGN_MISMATCH });
    const encoded = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('x'),
      signedQuery(VECTOR_1.secret, timestamp),
    );
    expect(encoded.json?.errcode).toBe(0);
  });

  it('answers sign mismatch when the sign, the timestamp or both are missing', async () => {
    const noSign = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('x'),
      `timestamp=${VECTOR_1.timestamp}`,
    );
    const noTimestamp = await sendMessage(
      t.sandbox,
      'signed1',
      textMessage('x'),
      `sign=${VECTOR_1.encodedSign}`,
    );
    const neither = await sendMessage(t.sandbox, 'signed1', textMessage('x'));
    expect([noSign.json, noTimestamp.json, neither.json]).toEqual(
      Array.from({ length: 3 }, () => ({ errcode: 310000, errmsg: SIGN_MISMATCH })),
    );
  });

  it('answers 310000 expired when the timestamp is more than an hour old or ahead, and accepts exactly one hour', async () => {
    const query = `timestamp=${VECTOR_1.timestamp}&sign=${VECTOR_1.encodedSign}`;
    t.clock.set(VECTOR_1.timestamp + HOUR + 1);
    const late = await sendMessage(t.sandbox, 'signed1', textMessage('x'), query);
    t.clock.set(VECTOR_1.timestamp - HOUR - 1);
    const early = await sendMessage(t.sandbox, 'signed1', textMessage('x'), query);
    t.clock.set(VECTOR_1.timestamp + HOUR);
    const edge = await sendMessage(t.sandbox, 'signed1', textMessage('x'), query);
    expect(late.json).toEqual({ errcode: 310000, errmsg: EXPIRED });
    expect(early.json).toEqual({ errcode: 310000, errmsg: EXPIRED });
    expect(edge.json).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it("rejects a correct sign for another robot's secret", async () => {
    const reply = await sendMessage(
      t.sandbox,
      'signed2',
      textMessage('x'),
      `timestamp=${VECTOR_1.timestamp}&sign=${VECTOR_1.encodedSign}`,
    );
    expect(reply.json).toEqual({ errcode: 310000, errmsg: SIGN_MISMATCH });
  });
});

describe('signature errmsg in the legacy style', () => {
  it('answers "sign not match" and "invalid timestamp" in short English', async () => {
    t = await startTestSandbox({ errmsgStyle: 'legacy', robots: [{ token: 's', secret: VECTOR_1.secret }] });
    const mismatch = await sendMessage(
      t.sandbox,
      's',
      textMessage('x'),
      `timestamp=${VECTOR_1.timestamp}&sign=abc`,
    );
    t.clock.advance(2 * HOUR);
    const expired = await sendMessage(
      t.sandbox,
      's',
      textMessage('x'),
      `timestamp=${VECTOR_1.timestamp}&sign=${VECTOR_1.encodedSign}`,
    );
    expect(mismatch.json?.errmsg).toMatch(/^sign not match/);
    expect(expired.json?.errmsg).toMatch(/^invalid timestamp/);
  });
});

describe('keywords (自定义关键词)', () => {
  beforeEach(async () => {
    t = await startTestSandbox({ robots: [{ token: 'kw', keywords: ['报警', 'alert'] }] });
  });

  it('rejects a text message without any keyword with 310000 keyword mismatch', async () => {
    const reply = await sendMessage(t.sandbox, 'kw', textMessage('CPU is high'));
    expect(reply.json).toEqual({ errcode: 310000, errmsg: KEYWORDS });
    expect(t.sandbox.messages()).toEqual([]);
  });

  it('accepts a keyword anywhere in the content, as a substring', async () => {
    const reply = await sendMessage(t.sandbox, 'kw', textMessage('[CPU报警通知] high'));
    expect(reply.json).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('accepts a keyword only in the title of markdown, link and actionCard messages', async () => {
    const markdown = { msgtype: 'markdown', markdown: { title: 'alert: CPU', text: '### CPU high' } };
    const link = { msgtype: 'link', link: { title: '报警', text: 'CPU', messageUrl: 'https://e.x' } };
    const card = {
      msgtype: 'actionCard',
      actionCard: { title: 'alert', text: 'CPU', singleTitle: 'Open', singleURL: 'https://e.x' },
    };
    for (const body of [markdown, link, card]) {
      expect((await sendMessage(t.sandbox, 'kw', body)).json?.errcode).toBe(0);
    }
  });

  it('matches case-sensitively by default', async () => {
    const reply = await sendMessage(t.sandbox, 'kw', textMessage('ALERT'));
    expect(reply.json?.errcode).toBe(310000);
  });

  it('searches only the configured fields when keywordFields is set', async () => {
    await t.sandbox.close();
    t = await startTestSandbox({
      keywordFields: ['markdown.text'],
      robots: [{ token: 'kw', keywords: ['alert'] }],
    });
    const inTitle = { msgtype: 'markdown', markdown: { title: 'alert', text: 'CPU' } };
    const inText = { msgtype: 'markdown', markdown: { title: 'CPU', text: 'alert' } };
    expect((await sendMessage(t.sandbox, 'kw', inTitle)).json?.errcode).toBe(310000);
    expect((await sendMessage(t.sandbox, 'kw', inText)).json?.errcode).toBe(0);
  });
});

describe('IP allow-list', () => {
  beforeEach(async () => {
    t = await startTestSandbox({
      clientIpHeader: 'x-forwarded-for',
      robots: [
        { token: 'local', ipAllowList: ['127.0.0.1/32'] },
        { token: 'office', ipAllowList: ['10.8.0.0/16'], secret: VECTOR_1.secret },
      ],
    });
  });

  it('serves a client inside the allow-list', async () => {
    expect((await sendMessage(t.sandbox, 'local', textMessage('x'))).json).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
  });

  it('answers 310000 "ip <addr> not in whitelist" to a client outside it', async () => {
    const reply = await sendMessage(
      t.sandbox,
      'office',
      textMessage('x'),
      signedQuery(VECTOR_1.secret, VECTOR_1.timestamp),
    );
    expect(reply.json).toEqual({ errcode: 310000, errmsg: 'ip 127.0.0.1 not in whitelist' });
  });

  it('checks the IP before the signature', async () => {
    const reply = await sendMessage(t.sandbox, 'office', textMessage('x'), 'timestamp=1&sign=bad');
    expect(reply.json?.errmsg).toBe('ip 127.0.0.1 not in whitelist');
  });

  it('takes the client address from the configured header, so tests can pose as another host', async () => {
    const reply = await postToRobot(t.sandbox, '/robot/send', {
      rawQuery: `access_token=office&${signedQuery(VECTOR_1.secret, VECTOR_1.timestamp)}`,
      headers: { 'x-forwarded-for': '10.8.3.4, 127.0.0.1' },
      body: textMessage('x'),
    });
    expect(reply.json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(t.sandbox.attempts('office').at(-1)?.clientIp).toBe('10.8.3.4');
  });
});

describe('several settings at once', () => {
  it('applies every enabled check: a correctly signed message without a keyword is still refused', async () => {
    t = await startTestSandbox({ robots: [{ token: 'both', secret: VECTOR_1.secret, keywords: ['alert'] }] });
    const query = signedQuery(VECTOR_1.secret, VECTOR_1.timestamp);
    expect((await sendMessage(t.sandbox, 'both', textMessage('hello'), query)).json?.errmsg).toBe(KEYWORDS);
    expect((await sendMessage(t.sandbox, 'both', textMessage('alert'), 'timestamp=1')).json?.errmsg).toBe(
      SIGN_MISMATCH,
    );
    expect((await sendMessage(t.sandbox, 'both', textMessage('alert'), query)).json?.errcode).toBe(0);
  });
});
