// How numbers, times and durations read in a notification: values by their metric's unit (ms, %, bytes
// as KiB/MiB/GiB, counts), instants in the policy's time zone, durations as "1 小时 5 分" / "1 h 5 min".
import type { MetricDefinition } from '../../domain/metric-types.js';
import type { NotificationLocale } from '../rendered-notification.js';

/** The unit of a catalog metric; custom and PromQL values have none and read as plain numbers. */
export type ValueUnit = MetricDefinition['unit'] | 'none';

const NUMBER_LOCALE: Readonly<Record<NotificationLocale, string>> = { 'zh-CN': 'zh-CN', en: 'en' };
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

// Making an Intl formatter costs far more than using one, and a storm renders thousands of messages in
// one evaluation: formatters are made once per locale and style (or time zone) and kept.
const numberFormats = new Map<string, Intl.NumberFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

type NumberStyle = 'small' | 'plain' | 'scaled';

function numberFormat(locale: NotificationLocale, style: NumberStyle): Intl.NumberFormat {
  const key = `${locale} ${style}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(
      NUMBER_LOCALE[locale],
      style === 'small'
        ? { maximumSignificantDigits: 3 }
        : { maximumFractionDigits: style === 'plain' ? 2 : 1 },
    );
    numberFormats.set(key, format);
  }
  return format;
}

function timeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = timeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(timeZone, format);
  }
  return format;
}

/**
 * A plain number: at most two decimals, or three significant digits below 1 so that a load of 0.004 does
 * not read as 0; thousands grouped.
 * @example formatNumber(12500.456, 'en') // '12,500.46'
 */
export function formatNumber(value: number, locale: NotificationLocale): string {
  if (!Number.isFinite(value)) return String(value);
  const small = Math.abs(value) < 1 && value !== 0;
  const text = numberFormat(locale, small ? 'small' : 'plain').format(value);
  // Rounding a tiny negative number gives "-0", which reads like a bug.
  return text === '-0' ? '0' : text;
}

/** Bytes in binary units, one decimal from KiB up: "512 B", "1.5 GiB". */
function formatBytes(value: number, locale: NotificationLocale): string {
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  const text = unit === 0 ? formatNumber(scaled, locale) : numberFormat(locale, 'scaled').format(scaled);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * A metric value in its unit.
 * @example formatValue(92.5, 'percent', 'zh-CN') // '92.5%'
 * @example formatValue(1610612736, 'bytes', 'en') // '1.5 GiB'
 */
export function formatValue(value: number, unit: ValueUnit, locale: NotificationLocale): string {
  switch (unit) {
    case 'ms':
      return `${formatNumber(value, locale)} ms`;
    case 'percent':
      return `${formatNumber(value, locale)}%`;
    case 'bytes':
      return formatBytes(value, locale);
    case 'count':
    case 'ratio':
    case 'score':
    case 'none':
      return formatNumber(value, locale);
  }
}

/** A percent change or threshold, without sign: "120%". */
export function formatPercent(value: number, locale: NotificationLocale): string {
  return `${formatNumber(Math.abs(value), locale)}%`;
}

const TIME_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;

/**
 * The last instant formatted in each time zone: the events one evaluation opens all start at the same
 * instant, and formatToParts costs microseconds that a storm of 50,000 messages turns into a second.
 */
const lastFormattedTimes = new Map<string, { readonly epochMs: number; readonly text: string }>();

/**
 * An instant as `YYYY-MM-DD HH:mm:ss (zone)` in `timeZone`, the same in both locales so that times read
 * alike in every channel and sort as text.
 * @example formatTime(Date.UTC(2024, 10, 24, 8), 'Asia/Shanghai') // '2024-11-24 16:00:00 (Asia/Shanghai)'
 */
export function formatTime(epochMs: number, timeZone: string): string {
  const last = lastFormattedTimes.get(timeZone);
  if (last?.epochMs === epochMs) return last.text;
  const parts = timeFormat(timeZone).formatToParts(epochMs);
  const part = Object.fromEntries(parts.map((p) => [p.type, p.value])) as Record<string, string>;
  const [year, month, day, hour, minute, second] = TIME_PARTS.map((type) => part[type] ?? '00');
  const text = `${year}-${month}-${day} ${hour}:${minute}:${second} (${timeZone})`;
  lastFormattedTimes.set(timeZone, { epochMs, text });
  return text;
}

const DURATION_UNITS = {
  'zh-CN': ['天', '小时', '分', '秒'],
  en: ['d', 'h', 'min', 's'],
} as const satisfies Record<NotificationLocale, readonly string[]>;

/**
 * A duration by its two largest units, zero units left out: "1 小时 5 分", "2 d 3 h", "45 s".
 * Seconds are shown only under an hour; rounding is down, so "1 h" means at least an hour.
 */
export function formatDuration(ms: number, locale: NotificationLocale): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const amounts = [
    Math.floor(total / 86_400),
    Math.floor((total % 86_400) / 3600),
    Math.floor((total % 3600) / 60),
    total % 60,
  ];
  const units = DURATION_UNITS[locale];
  const first = amounts.findIndex((amount) => amount > 0);
  if (first === -1) return `0 ${units[3]}`;
  const shown: string[] = [];
  for (let i = first; i < Math.min(first + 2, amounts.length); i++) {
    if (amounts[i]! > 0) shown.push(`${amounts[i]} ${units[i]}`);
  }
  return shown.join(' ');
}
