// A robot described for logs, and the keywords its messages must carry.
import { describe, expect, it } from 'vitest';
import { describeRobot, requiredKeywords, type DingtalkRobotConfig } from './config.js';

const ROBOT: DingtalkRobotConfig = {
  webhook: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123',
  secret: 'SEC0123456789abcdef',
  keywords: ['报警'],
  atMobiles: [],
  atUserIds: [],
  atAll: false,
  messageType: 'markdown',
};

describe('describeRobot', () => {
  it('masks the access_token and never shows the secret', () => {
    const description = describeRobot(ROBOT);
    expect(description).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=…0123 (signed, keywords: 报警, markdown)',
    );
    expect(description).not.toContain('0123456789abcdef');
  });

  it('does not echo a webhook that is not a URL, which could hold a token', () => {
    expect(describeRobot({ ...ROBOT, webhook: 'oapi access_token=secret', secret: null, keywords: [] })).toBe(
      '(invalid webhook URL) (unsigned, no keywords, markdown)',
    );
  });
});

describe('requiredKeywords', () => {
  it("uses the robot's keywords, else 报警 for zh-CN and alert for en", () => {
    expect(requiredKeywords(ROBOT, 'en')).toEqual(['报警']);
    expect(requiredKeywords({ ...ROBOT, keywords: [] }, 'zh-CN')).toEqual(['报警']);
    expect(requiredKeywords({ ...ROBOT, keywords: [] }, 'en')).toEqual(['alert']);
  });
});
