// Parsing robots from the CLI spec and from a robots file, and the IP ranges they carry.
import { describe, expect, it } from 'vitest';
import { isIpAllowed, parseIpv4Range, type Ipv4Range } from './ip-allow-list.js';
import { parseRobotSpec, parseRobotsFile, RobotConfigError, RobotRegistry } from './robot-registry.js';

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof RobotConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a RobotConfigError');
}

describe('parseRobotSpec', () => {
  it('reads token, secret, "|"-separated keywords and IP ranges, and state', () => {
    expect(
      parseRobotSpec(
        'token=ops,secret=SEC0123456789abcdef,keywords=alert|报警,ip=127.0.0.1/32|10.0.0.0/8,state=disabled',
      ),
    ).toEqual({
      token: 'ops',
      secret: 'SEC0123456789abcdef',
      keywords: ['alert', '报警'],
      ipAllowList: ['127.0.0.1/32', '10.0.0.0/8'],
      state: 'disabled',
    });
  });

  it('refuses a robot without any security setting, as DingTalk does at creation', () => {
    expect(problemsOf(() => parseRobotSpec('token=ops'))).toEqual([
      'a DingTalk robot needs at least one security setting: secret, keywords or ipAllowList',
    ]);
  });

  it('lists every problem at once and names the spec', () => {
    const action = () => parseRobotSpec('token=ops,colour=red,keywords,secret=a,secret=b');
    expect(problemsOf(action)).toEqual([
      'unknown key "colour" (expected token, name, secret, keywords, ip, state)',
      '"keywords" is not key=value',
      '"secret" is given twice',
    ]);
    expect(action).toThrow(/^robot spec "token=ops,colour=red/);
  });

  it('explains bad values: secret without SEC, more than 10 keywords, IPv6, bad prefix, unknown state', () => {
    expect(problemsOf(() => parseRobotSpec('token=ops,secret=abc'))).toEqual([
      'secret: must be "SEC" followed by letters and digits, as DingTalk shows it',
    ]);
    expect(problemsOf(() => parseRobotSpec(`token=ops,keywords=${'k|'.repeat(10)}k`))).toEqual([
      'keywords: DingTalk allows at most 10 keywords',
    ]);
    expect(problemsOf(() => parseRobotSpec('token=ops,ip=::1'))).toEqual([
      'ipAllowList[0]: "::1" is IPv6; DingTalk IP allow-lists are IPv4 only',
    ]);
    expect(problemsOf(() => parseRobotSpec('token=ops,ip=10.0.0.0/33'))).toEqual([
      'ipAllowList[0]: "10.0.0.0/33" has an invalid prefix length (0–32)',
    ]);
    expect(problemsOf(() => parseRobotSpec('token=ops,keywords=a,state=off'))[0]).toMatch(/^state: /);
    expect(problemsOf(() => parseRobotSpec('secret=SECabc'))).toEqual(['token is required']);
  });
});

describe('parseRobotsFile', () => {
  it('accepts a bare array or an object with "robots"', () => {
    const robots = [
      { token: 'a', keywords: ['alert'] },
      { token: 'b', secret: 'SECabc', name: 'Ops group' },
    ];
    expect(parseRobotsFile(JSON.stringify(robots))).toEqual(robots);
    expect(parseRobotsFile(JSON.stringify({ robots }))).toEqual(robots);
  });

  it('names the file and the path of each bad field, and refuses duplicate tokens and unknown fields', () => {
    const text = JSON.stringify([
      { token: 'a', keywords: [] },
      { token: 'b', secret: 'SECx', colour: 'red' },
    ]);
    const problems = problemsOf(() => parseRobotsFile(text, 'robots.json'));
    expect(problems).toContain('[0].keywords: give 1–10 keywords or leave keywords out');
    expect(problems.some((problem) => problem.startsWith('[1]') && problem.includes('colour'))).toBe(true);
    expect(() => parseRobotsFile(text, 'robots.json')).toThrow(/^robots\.json: /);
    expect(
      problemsOf(() => parseRobotsFile('[{"token":"a","keywords":["x"]},{"token":"a","keywords":["y"]}]')),
    ).toEqual(['token "a" is configured twice']);
    expect(problemsOf(() => parseRobotsFile('{not json'))[0]).toMatch(/^not valid JSON/);
  });
});

describe('RobotRegistry', () => {
  it('refuses a second robot with the same token', () => {
    const registry = new RobotRegistry([{ token: 'a', keywords: ['x'] }]);
    expect(() => registry.add({ token: 'a', keywords: ['y'] })).toThrow(/already exists/);
  });
});

describe('IPv4 allow-list', () => {
  const ranges = ['10.1.0.0/16', '192.168.1.7'].map((text) => parseIpv4Range(text) as Ipv4Range);

  it('matches addresses inside a CIDR range or equal to a single address, IPv4-mapped IPv6 included', () => {
    expect(isIpAllowed('10.1.255.3', ranges)).toBe(true);
    expect(isIpAllowed('::ffff:192.168.1.7', ranges)).toBe(true);
    expect(isIpAllowed('10.2.0.1', ranges)).toBe(false);
    expect(isIpAllowed('192.168.1.8', ranges)).toBe(false);
    expect(isIpAllowed('::1', ranges)).toBe(false);
  });

  it('lets 0.0.0.0/0 match every IPv4 client and rejects malformed addresses', () => {
    expect(isIpAllowed('8.8.8.8', [parseIpv4Range('0.0.0.0/0') as Ipv4Range])).toBe(true);
    expect(parseIpv4Range('256.1.1.1')).toMatch(/not an IPv4/);
    expect(parseIpv4Range('1.2.3')).toMatch(/not an IPv4/);
  });
});
