// Values by unit, instants in a time zone and durations, as messages show them.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatTime, formatValue } from './value-format.js';

describe('formatValue', () => {
  it('shows milliseconds, percentages and plain counts in their unit', () => {
    expect(formatValue(350, 'ms', 'zh-CN')).toBe('350 ms');
    expect(formatValue(12500.456, 'ms', 'en')).toBe('12,500.46 ms');
    expect(formatValue(92.5, 'percent', 'zh-CN')).toBe('92.5%');
    expect(formatValue(3, 'count', 'en')).toBe('3');
    expect(formatValue(0.0042, 'ratio', 'en')).toBe('0.0042');
    expect(formatValue(7, 'none', 'zh-CN')).toBe('7');
  });

  it('shows bytes in binary units from KiB up', () => {
    expect(formatValue(512, 'bytes', 'en')).toBe('512 B');
    expect(formatValue(2048, 'bytes', 'en')).toBe('2 KiB');
    expect(formatValue(512 * 1024 * 1024, 'bytes', 'zh-CN')).toBe('512 MiB');
    expect(formatValue(1.5 * 1024 ** 3, 'bytes', 'en')).toBe('1.5 GiB');
    expect(formatValue(3 * 1024 ** 4, 'bytes', 'en')).toBe('3 TiB');
  });

  it('never shows "-0"', () => {
    expect(formatNumber(-0.0000001, 'en')).not.toBe('-0');
    expect(formatNumber(-0, 'en')).toBe('0');
  });
});

describe('formatTime', () => {
  it('shows the instant in the policy’s time zone, naming it', () => {
    const instant = Date.UTC(2024, 10, 24, 8, 0, 5);
    expect(formatTime(instant, 'Asia/Shanghai')).toBe('2024-11-24 16:00:05 (Asia/Shanghai)');
    expect(formatTime(instant, 'UTC')).toBe('2024-11-24 08:00:05 (UTC)');
    expect(formatTime(instant, 'America/New_York')).toBe('2024-11-24 03:00:05 (America/New_York)');
  });

  it('writes midnight as 00, not 24', () => {
    expect(formatTime(Date.UTC(2024, 0, 1, 16), 'Asia/Shanghai')).toBe('2024-01-02 00:00:00 (Asia/Shanghai)');
  });
});

describe('formatDuration', () => {
  const minute = 60_000;
  it('uses the two largest units in both locales', () => {
    expect(formatDuration(65 * minute, 'zh-CN')).toBe('1 小时 5 分');
    expect(formatDuration(65 * minute, 'en')).toBe('1 h 5 min');
    expect(formatDuration((2 * 24 * 60 + 3 * 60 + 7) * minute, 'zh-CN')).toBe('2 天 3 小时');
    expect(formatDuration(5 * minute + 30_000, 'en')).toBe('5 min 30 s');
    expect(formatDuration(45_000, 'zh-CN')).toBe('45 秒');
  });

  it('leaves out a zero unit and says 0 for nothing', () => {
    expect(formatDuration(60 * minute + 20_000, 'en')).toBe('1 h');
    expect(formatDuration(24 * 60 * minute + 5 * minute, 'en')).toBe('1 d');
    expect(formatDuration(0, 'zh-CN')).toBe('0 秒');
    expect(formatDuration(-5, 'en')).toBe('0 s');
  });
});
