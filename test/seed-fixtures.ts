// The seed's objects as a user sends them (../shared/seed): a DingTalk robot contact and the
// "JVM_FullGC avg over 5 min up 100% vs an hour ago, per host" application policy.

export const SEED_WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d';
/** The first signing test vector's secret of dingtalk-robot.md §2b. */
export const SEED_SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';
export const SEED_POLICY_NAME = 'JVM FullGC doubled vs previous hour';

export const SEED_CONDITION = {
  metric: 'JVM_FullGC',
  windowMinutes: 5,
  aggregation: 'avg',
  comparator: 'increase_pct',
  baseline: 'hour_ago',
  threshold: 100,
} as const;

/** The seed's policy as a request body, notifying `groupIds`, with fields replaced; `undefined` removes one. */
export function seedPolicy(
  groupIds: readonly string[],
  patch: Record<string, unknown> = {},
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name: SEED_POLICY_NAME,
    kind: 'application',
    target: 'order-service',
    metricType: 'JVM_Monitoring',
    dimension: { mode: 'traverse', key: 'host' },
    rules: { match: 'all', conditions: [SEED_CONDITION] },
    severity: 'P2',
    notification: { channels: ['dingtalk'], contactGroupIds: [...groupIds] },
  };
  return Object.fromEntries(Object.entries({ ...base, ...patch }).filter(([, value]) => value !== undefined));
}
