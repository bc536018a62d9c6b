// The fixed words of the default alert messages in Simplified Chinese and English: states, labels,
// aggregations, comparators and baselines. docs/templates.md shows them in use; keep it in sync.
import type { Aggregation, Baseline, Comparator } from '../../domain/alert-policy.js';
import type { PolicyKind } from '../../domain/metric-types.js';
import type { NotificationLocale } from '../rendered-notification.js';

export type AlertState = 'firing' | 'resolved';

/** The comparators that compare with a threshold, as the symbol shown between value and threshold. */
export const COMPARATOR_SYMBOLS = {
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  eq: '=',
  ne: '≠',
} as const satisfies Record<Exclude<Comparator, 'increase_pct' | 'decrease_pct'>, string>;

export interface TemplateWords {
  /** In the title `[P2 报警]` and the `{{state}}` variable; 报警 is the keyword ARMS users give their robots. */
  readonly state: Readonly<Record<AlertState, string>>;
  /** The label of the policy's target, by kind. */
  readonly target: Readonly<Record<PolicyKind, string>>;
  readonly policy: string;
  readonly rule: string;
  /** The label of the line saying how several rules combine. */
  readonly rules: string;
  /** The rules line of a policy with several: "同时满足以下 2 条" / "all 2 below". */
  readonly match: (match: 'all' | 'any', count: number) => string;
  readonly value: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly duration: string;
  /** "5 分钟平均值" / "5-minute average". */
  readonly window: (minutes: number, aggregation: Aggregation) => string;
  /** The baseline after 环比/同比 or "on": "上小时" / "the hour before". */
  readonly baseline: (baseline: Baseline, windowMinutes: number) => string;
  /** "环比上小时增长 120%" / "up 120% on the hour before". */
  readonly change: (up: boolean, percent: string, baseline: string, comparedBy: string) => string;
  /** "(阈值 100%)", with the rule's direction when the change went the other way. */
  readonly changeThreshold: (threshold: string, direction: 'up' | 'down' | null) => string;
  /** A percent-change rule whose baseline has no data (or is zero): the change is undefined. */
  readonly noBaseline: (baseline: string, comparedBy: string) => string;
  /** A threshold rule that no longer holds: "45% (阈值 > 90%)". */
  readonly thresholdNotMet: (value: string, symbol: string, threshold: string) => string;
  /** A rule without a value (no data). */
  readonly noData: string;
  /** The value of a percent-change rule next to its baseline's: "2.2 (上小时 1)". */
  readonly valueWithBaseline: (value: string, baseline: string, baselineValue: string) => string;
  /** The subject of a PromQL policy's rules, which have no metric name. */
  readonly promql: string;
  readonly links: { readonly view: string; readonly acknowledge: string; readonly silence: string };
  /** Between the labels and values of the body's lines. */
  readonly colon: string;
  readonly listSeparator: string;
}

const AGGREGATIONS_ZH = { avg: '平均值', sum: '总和', max: '最大值', min: '最小值', count: '计数' } as const;
const AGGREGATIONS_EN = {
  avg: 'average',
  sum: 'sum',
  max: 'maximum',
  min: 'minimum',
  count: 'count',
} as const;

/** 环比 compares with the period just before; 同比 with the same period a day or a week earlier. */
function comparedByZh(baseline: Baseline): string {
  return baseline === 'day_ago' || baseline === 'week_ago' ? '同比' : '环比';
}

export const TEMPLATE_WORDS = {
  'zh-CN': {
    state: { firing: '报警', resolved: '报警恢复' },
    target: { application: '应用', browser: '站点', custom: '对象', prometheus: '对象' },
    policy: '告警策略',
    rule: '规则',
    rules: '规则',
    match: (match, count) => (match === 'all' ? `同时满足以下 ${count} 条` : `满足以下 ${count} 条中任一条`),
    value: '当前值',
    startedAt: '开始时间',
    endedAt: '恢复时间',
    duration: '持续时间',
    window: (minutes, aggregation) => `${minutes} 分钟${AGGREGATIONS_ZH[aggregation]}`,
    baseline: (baseline, minutes) =>
      ({
        previous_window: `前 ${minutes} 分钟`,
        hour_ago: '上小时',
        day_ago: '昨天',
        week_ago: '上周',
      })[baseline],
    change: (up, percent, baseline, comparedBy) =>
      `${comparedBy}${baseline}${up ? '增长' : '下降'} ${percent}`,
    changeThreshold: (threshold, direction) =>
      `(阈值 ${direction === null ? '' : direction === 'up' ? '增长 ' : '下降 '}${threshold})`,
    noBaseline: (baseline, comparedBy) => `${comparedBy}${baseline}无数据，无法计算变化`,
    thresholdNotMet: (value, symbol, threshold) => `${value} (阈值 ${symbol} ${threshold})`,
    noData: '无数据',
    valueWithBaseline: (value, baseline, baselineValue) => `${value} (${baseline} ${baselineValue})`,
    promql: 'PromQL',
    links: { view: '查看', acknowledge: '确认', silence: '静默' },
    colon: '：',
    listSeparator: '；',
  },
  en: {
    state: { firing: 'Alert', resolved: 'Resolved' },
    target: { application: 'Application', browser: 'Site', custom: 'Target', prometheus: 'Target' },
    policy: 'Policy',
    rule: 'Rule',
    rules: 'Rules',
    match: (match, count) => (match === 'all' ? `all ${count} below` : `any of the ${count} below`),
    value: 'Current value',
    startedAt: 'Started',
    endedAt: 'Resolved',
    duration: 'Duration',
    window: (minutes, aggregation) => `${minutes}-minute ${AGGREGATIONS_EN[aggregation]}`,
    baseline: (baseline, minutes) =>
      ({
        previous_window: `the previous ${minutes} minutes`,
        hour_ago: 'the hour before',
        day_ago: 'the day before',
        week_ago: 'the week before',
      })[baseline],
    change: (up, percent, baseline) => `${up ? 'up' : 'down'} ${percent} on ${baseline}`,
    changeThreshold: (threshold, direction) =>
      `(threshold ${direction === null ? '' : direction === 'up' ? 'up ' : 'down '}${threshold})`,
    noBaseline: (baseline) => `no data for ${baseline} to compare with`,
    thresholdNotMet: (value, symbol, threshold) => `${value} (threshold ${symbol} ${threshold})`,
    noData: 'no data',
    valueWithBaseline: (value, baseline, baselineValue) => `${value} (${baseline}: ${baselineValue})`,
    promql: 'PromQL',
    links: { view: 'View', acknowledge: 'Acknowledge', silence: 'Silence' },
    colon: ': ',
    listSeparator: '; ',
  },
} as const satisfies Record<NotificationLocale, TemplateWords>;

/** 环比 / 同比 for Chinese; English says "on" and needs no such word. */
export function comparedBy(locale: NotificationLocale, baseline: Baseline): string {
  return locale === 'zh-CN' ? comparedByZh(baseline) : '';
}
