// How each DingTalk errcode and errmsg (every observed wording generation, §5) is classified.
import { describe, expect, it } from 'vitest';
import { classifyDingtalkError, RATE_LIMIT_RETRY_AFTER_MS } from './answer-classification.js';
import type { DingtalkRobotConfig } from './config.js';

const ROBOT: DingtalkRobotConfig = {
  webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
  secret: 'SEC0123456789abcdef',
  keywords: ['报警', 'alert'],
  atMobiles: [],
  atUserIds: [],
  atAll: false,
  messageType: 'markdown',
};

function classify(errcode: number, errmsg: string) {
  return classifyDingtalkError({ errcode, errmsg, httpStatus: 200 }, ROBOT, 1);
}

describe('classifyDingtalkError', () => {
  it.each([
    [130101, 'send too fast, exceed 20 times per minute'],
    [410100, '发送速度太快而限流'],
    [999999, 'send too fast'],
    [999998, '机器人限流'],
  ])('treats %i "%s" as rate_limited, retryable after the 10-minute block', (errcode, errmsg) => {
    expect(classify(errcode, errmsg)).toMatchObject({
      class: 'rate_limited',
      retryable: true,
      retryAfterMs: RATE_LIMIT_RETRY_AFTER_MS,
    });
    expect(RATE_LIMIT_RETRY_AFTER_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('treats -1 系统繁忙 as transient', () => {
    expect(classify(-1, '系统繁忙')).toMatchObject({ class: 'transient', retryable: true });
  });

  it.each([
    'invalid timestamp',
    'invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
    'description:机器人发送签名过期;solution:签名生成时间和发送时间请保持在 timestampms 以内;',
  ])('treats 310000 "%s" as resign', (errmsg) => {
    expect(classify(310000, errmsg)).toMatchObject({ class: 'resign', retryable: true });
  });

  it.each([
    ['sign not match', 'sign not match: check the SEC… secret'],
    [
      'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;',
      'sign not match: check the SEC… secret',
    ],
    ['keywords not in content', 'keyword missing: the robot requires one of'],
    [
      'description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;',
      '"报警", "alert"',
    ],
    ['ip 10.1.2.3 not in whitelist', 'IP not allowed'],
  ])('treats 310000 "%s" as permanent with the hint "%s"', (errmsg, hint) => {
    const outcome = classify(310000, errmsg);
    expect(outcome).toMatchObject({ class: 'permanent', retryable: false, errcode: 310000, errmsg });
    expect(outcome.reason).toContain(`310000 ${errmsg} — `);
    expect(outcome.reason).toContain(hint);
  });

  it.each([
    [300005, 'token is not exist', 'unknown robot'],
    [300001, 'token is not exist', 'unknown robot'],
    [400101, 'access_token不存在', 'unknown robot'],
    [400102, '机器人已停用', 'robot disabled'],
    [400013, '群已被解散', 'group dissolved'],
    [430102, '含有不合适的文本', 'content moderation'],
    [460101, 'description: body 大小不合法;solution:请保持大小在 20000bytes 以内;', 'message too long'],
    [400403, 'miss param : markdown->text', 'malformed'],
    [300001, 'message param title or text is null ', 'malformed'],
    [43004, '无效的HTTP HEADER Content-Type', 'malformed'],
    [404, '请求的URI地址不存在', 'wrong webhook'],
    [123456, 'something new', 'refused by DingTalk'],
  ])('treats %i "%s" as permanent: %s', (errcode, errmsg, hint) => {
    const outcome = classify(errcode, errmsg);
    expect(outcome).toMatchObject({ class: 'permanent', retryable: false, errcode, errmsg });
    expect(outcome.reason).toContain(hint);
  });
});
