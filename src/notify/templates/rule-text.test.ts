// Rules in words with their values: every comparator and baseline in both locales, units, and the
// wording of rules that no longer hold.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../domain/alert-policy.js';
import { ruleHolds, ruleText, ruleValueText, type RuleContext } from './rule-text.js';

const jvm = (locale: RuleContext['locale']): RuleContext => ({
  kind: 'application',
  metricType: 'JVM_Monitoring',
  locale,
});
const host = (locale: RuleContext['locale']): RuleContext => ({
  kind: 'application',
  metricType: 'Host_Monitoring',
  locale,
});

const fullGc: Condition = {
  metric: 'JVM_FullGC',
  windowMinutes: 5,
  aggregation: 'avg',
  comparator: 'increase_pct',
  baseline: 'hour_ago',
  threshold: 100,
};
const cpu: Condition = {
  metric: 'Host_CPU_Usage',
  windowMinutes: 10,
  aggregation: 'max',
  comparator: 'gt',
  threshold: 90,
};

describe('ruleText of percent-change rules', () => {
  it('says the issue’s example in Chinese and English', () => {
    expect(ruleText(fullGc, { value: 2.2, baselineValue: 1 }, jvm('zh-CN'))).toBe(
      'JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%)',
    );
    expect(ruleText(fullGc, { value: 2.2, baselineValue: 1 }, jvm('en'))).toBe(
      'JVM_FullGC 5-minute average up 120% on the hour before (threshold 100%)',
    );
  });

  it('names each baseline: 环比 the window before and the hour before, 同比 a day or a week before', () => {
    const words = (baseline: Condition['baseline'], locale: RuleContext['locale']) =>
      ruleText({ ...fullGc, baseline }, { value: 3, baselineValue: 1, changePct: 200 }, jvm(locale));
    expect(words('previous_window', 'zh-CN')).toBe(
      'JVM_FullGC 5 分钟平均值 环比前 5 分钟增长 200% (阈值 100%)',
    );
    expect(words('hour_ago', 'zh-CN')).toContain('环比上小时增长 200%');
    expect(words('day_ago', 'zh-CN')).toContain('同比昨天增长 200%');
    expect(words('week_ago', 'zh-CN')).toContain('同比上周增长 200%');
    expect(words('previous_window', 'en')).toContain('up 200% on the previous 5 minutes');
    expect(words('day_ago', 'en')).toContain('up 200% on the day before');
    expect(words('week_ago', 'en')).toContain('up 200% on the week before');
  });

  it('says a decrease, and the rule’s direction only when the change went the other way', () => {
    const drop: Condition = { ...fullGc, comparator: 'decrease_pct', baseline: 'day_ago', threshold: 30 };
    expect(ruleText(drop, { value: 4, baselineValue: 10 }, jvm('zh-CN'))).toBe(
      'JVM_FullGC 5 分钟平均值 同比昨天下降 60% (阈值 30%)',
    );
    expect(ruleText(drop, { value: 4, baselineValue: 10 }, jvm('en'))).toBe(
      'JVM_FullGC 5-minute average down 60% on the day before (threshold 30%)',
    );
    expect(ruleText(drop, { value: 11, baselineValue: 10 }, jvm('zh-CN'))).toBe(
      'JVM_FullGC 5 分钟平均值 同比昨天增长 10% (阈值 下降 30%)',
    );
    expect(ruleText(fullGc, { value: 9, baselineValue: 10 }, jvm('en'))).toBe(
      'JVM_FullGC 5-minute average down 10% on the hour before (threshold up 100%)',
    );
  });

  it('says so when the baseline had no data', () => {
    expect(ruleText(fullGc, { value: 2, baselineValue: null }, jvm('zh-CN'))).toBe(
      'JVM_FullGC 5 分钟平均值 环比上小时无数据，无法计算变化 (阈值 增长 100%)',
    );
    expect(ruleText(fullGc, { value: 2, baselineValue: 0 }, jvm('en'))).toBe(
      'JVM_FullGC 5-minute average no data for the hour before to compare with (threshold up 100%)',
    );
  });

  it('shows the value next to the baseline’s for the current-value line', () => {
    expect(ruleValueText(fullGc, { value: 2.2, baselineValue: 1 }, jvm('zh-CN'))).toBe('2.2 (上小时 1)');
    expect(ruleValueText(fullGc, { value: 2.2, baselineValue: null }, jvm('en'))).toBe(
      '2.2 (the hour before: no data)',
    );
  });
});

describe('ruleText of threshold rules', () => {
  it('says value, comparator and threshold in the metric’s unit when the rule holds', () => {
    expect(ruleText(cpu, { value: 92.5 }, host('zh-CN'))).toBe('Host_CPU_Usage 10 分钟最大值 92.5% > 90%');
    expect(ruleText(cpu, { value: 92.5 }, host('en'))).toBe('Host_CPU_Usage 10-minute maximum 92.5% > 90%');
  });

  it('words every comparator and aggregation', () => {
    const cases: readonly [Condition['comparator'], Condition['aggregation'], number, string, string][] = [
      ['gt', 'avg', 95, '10 分钟平均值 95% > 90%', '10-minute average 95% > 90%'],
      ['gte', 'sum', 90, '10 分钟总和 90% ≥ 90%', '10-minute sum 90% ≥ 90%'],
      ['lt', 'min', 10, '10 分钟最小值 10% < 90%', '10-minute minimum 10% < 90%'],
      ['lte', 'max', 90, '10 分钟最大值 90% ≤ 90%', '10-minute maximum 90% ≤ 90%'],
      ['eq', 'count', 90, '10 分钟计数 90% = 90%', '10-minute count 90% = 90%'],
      ['ne', 'avg', 1, '10 分钟平均值 1% ≠ 90%', '10-minute average 1% ≠ 90%'],
    ];
    for (const [comparator, aggregation, value, zh, en] of cases) {
      const rule = { ...cpu, comparator, aggregation };
      expect(ruleText(rule, { value }, host('zh-CN'))).toBe(`Host_CPU_Usage ${zh}`);
      expect(ruleText(rule, { value }, host('en'))).toBe(`Host_CPU_Usage ${en}`);
      expect(ruleHolds(rule, { value })).toBe(true);
    }
  });

  it('says the threshold as the rule when it no longer holds, or when there was no data', () => {
    expect(ruleText(cpu, { value: 45 }, host('zh-CN'))).toBe('Host_CPU_Usage 10 分钟最大值 45% (阈值 > 90%)');
    expect(ruleText(cpu, { value: 45 }, host('en'))).toBe(
      'Host_CPU_Usage 10-minute maximum 45% (threshold > 90%)',
    );
    expect(ruleText(cpu, { value: null }, host('zh-CN'))).toBe(
      'Host_CPU_Usage 10 分钟最大值 无数据 (阈值 > 90%)',
    );
  });

  it('formats values by unit: ms, bytes, counts; custom and PromQL values as plain numbers', () => {
    const rt: Condition = {
      metric: 'JVM_FullGC_Time',
      windowMinutes: 1,
      aggregation: 'max',
      comparator: 'gte',
      threshold: 1000,
    };
    expect(ruleText(rt, { value: 1500 }, jvm('en'))).toBe(
      'JVM_FullGC_Time 1-minute maximum 1,500 ms ≥ 1,000 ms',
    );
    const memory: Condition = {
      metric: 'Host_Memory_Free',
      windowMinutes: 5,
      aggregation: 'min',
      comparator: 'lt',
      threshold: 512 * 1024 ** 2,
    };
    expect(ruleText(memory, { value: 300 * 1024 ** 2 }, host('zh-CN'))).toBe(
      'Host_Memory_Free 5 分钟最小值 300 MiB < 512 MiB',
    );
    const threads: Condition = {
      metric: 'JVM_ThreadCount',
      windowMinutes: 5,
      aggregation: 'avg',
      comparator: 'gt',
      threshold: 500,
    };
    expect(ruleText(threads, { value: 812 }, jvm('en'))).toBe('JVM_ThreadCount 5-minute average 812 > 500');
    const custom: Condition = {
      metric: 'orders_latency_ms',
      windowMinutes: 5,
      aggregation: 'avg',
      comparator: 'gt',
      threshold: 500,
    };
    expect(ruleText(custom, { value: 730 }, { kind: 'custom', metricType: 'custom', locale: 'en' })).toBe(
      'orders_latency_ms 5-minute average 730 > 500',
    );
    const promql: Condition = { windowMinutes: 1, aggregation: 'max', comparator: 'eq', threshold: 0 };
    expect(ruleText(promql, { value: 0 }, { kind: 'prometheus', metricType: null, locale: 'zh-CN' })).toBe(
      'PromQL 1 分钟最大值 0 = 0',
    );
  });
});
