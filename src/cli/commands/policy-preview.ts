// `tocsin policies preview NAME`: the policy replayed over the last hours (`POST …/{id}:preview`), drawn
// as text — per dimension value a sparkline of its metric, the columns in which an event would have
// fired marked beneath, its latest value against the threshold, and the firing intervals in local time.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { connect } from '../connection.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { findObject } from '../object-lookup.js';
import { parseOutputFormat, toJson, toYaml } from '../output-format.js';
import type { CliIo } from '../program.js';
import { quoteName } from '../resource-kinds.js';

/** The eight heights of a sparkline column, lowest first. */
const BARS = '▁▂▃▄▅▆▇█';
/** Beneath a column in which an event would have been firing. */
const FIRING_MARK = '━';
/** The most columns a chart takes; longer previews put several minutes in one column. */
const DEFAULT_CHART_WIDTH = 60;
const MAX_LABEL_WIDTH = 40;

const COMPARATOR_SIGNS: Readonly<Record<string, string>> = {
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  eq: '=',
  ne: '≠',
  increase_pct: '≥',
  decrease_pct: '≤',
};

interface PreviewInterval {
  readonly fromMs: number;
  readonly toMs: number;
  readonly ongoing: boolean;
  readonly noData: boolean;
}

interface PreviewRule {
  readonly metric: string | null;
  readonly comparator: string;
  readonly threshold: number;
  readonly baseline: string | null;
  readonly series: readonly (number | null)[];
  readonly values: readonly (number | null)[];
  readonly thresholdValues: readonly (number | null)[] | null;
}

interface PreviewDimension {
  readonly key: string | null;
  readonly rules: readonly PreviewRule[];
  readonly firing: readonly PreviewInterval[];
}

/** What the chart reads of the API's answer. */
export interface PreviewAnswer {
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  readonly totalDimensions: number;
  readonly truncated: boolean;
  readonly dimensions: readonly PreviewDimension[];
}

function unexpected(what: string): CliError {
  return new CliError(`unexpected answer to the preview: ${what}`);
}

function numberOf(value: JsonValue | undefined, what: string): number {
  if (typeof value !== 'number') throw unexpected(`${what} is not a number`);
  return value;
}

function numbersOf(value: JsonValue | undefined, what: string): (number | null)[] {
  if (!Array.isArray(value)) throw unexpected(`${what} is not a list`);
  return (value as readonly JsonValue[]).map((item) => (typeof item === 'number' ? item : null));
}

function objectsOf(value: JsonValue | undefined, what: string): JsonObject[] {
  if (!Array.isArray(value)) throw unexpected(`${what} is not a list`);
  return (value as readonly JsonValue[]).filter(isJsonObject);
}

/** Checks the answer of `:preview` and keeps what the chart draws. */
export function readPreviewAnswer(answer: JsonValue): PreviewAnswer {
  if (!isJsonObject(answer)) throw unexpected('not an object');
  return {
    fromMs: numberOf(answer.fromMs, 'fromMs'),
    toMs: numberOf(answer.toMs, 'toMs'),
    stepMs: numberOf(answer.stepMs, 'stepMs'),
    totalDimensions: numberOf(answer.totalDimensions, 'totalDimensions'),
    truncated: answer.truncated === true,
    dimensions: objectsOf(answer.dimensions, 'dimensions').map((dimension) => ({
      key: typeof dimension.key === 'string' ? dimension.key : null,
      firing: objectsOf(dimension.firing, 'firing').map((interval) => ({
        fromMs: numberOf(interval.fromMs, 'firing.fromMs'),
        toMs: numberOf(interval.toMs, 'firing.toMs'),
        ongoing: interval.ongoing === true,
        noData: interval.noData === true,
      })),
      rules: objectsOf(dimension.rules, 'rules').map((rule) => ({
        metric: typeof rule.metric === 'string' ? rule.metric : null,
        comparator: typeof rule.comparator === 'string' ? rule.comparator : '?',
        threshold: numberOf(rule.threshold, 'threshold'),
        baseline: typeof rule.baseline === 'string' ? rule.baseline : null,
        series: numbersOf(rule.series, 'series'),
        values: numbersOf(rule.values, 'values'),
        thresholdValues:
          rule.thresholdValues === undefined ? null : numbersOf(rule.thresholdValues, 'thresholdValues'),
      })),
    })),
  };
}

/** `2025-01-06 10:05` in `timeZone` (the machine's own when undefined). */
function formatTime(ms: number, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** The end of an interval: only the time when it is on the day it started. */
function formatEnd(fromMs: number, toMs: number, timeZone: string | undefined): string {
  const from = formatTime(fromMs, timeZone);
  const to = formatTime(toMs, timeZone);
  return from.slice(0, 10) === to.slice(0, 10) ? to.slice(11) : to;
}

function formatNumber(value: number | null): string {
  if (value === null) return 'no data';
  return String(Math.round(value * 100) / 100);
}

function lastOf(values: readonly (number | null)[] | null): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i]!;
  return null;
}

/** `now 4.4, threshold ≥ 4 (+100% vs hour_ago)`: the latest value and what it is held against. */
function describeLatest(rule: PreviewRule): string {
  const sign = COMPARATOR_SIGNS[rule.comparator] ?? rule.comparator;
  const now = `now ${formatNumber(lastOf(rule.values))}`;
  if (!rule.thresholdValues) return `${now}, threshold ${sign} ${formatNumber(rule.threshold)}`;
  const change = `${rule.comparator === 'decrease_pct' ? '−' : '+'}${formatNumber(rule.threshold)}%`;
  const needed = lastOf(rule.thresholdValues);
  const against = `${change} vs ${rule.baseline ?? 'baseline'}`;
  return needed === null
    ? `${now}, threshold ${against}: no baseline`
    : `${now}, threshold ${sign} ${formatNumber(needed)} (${against})`;
}

/** How the minutes fall into columns: `perColumn` minutes each, `columns` of them. */
function chartLayout(minutes: number, width: number): { perColumn: number; columns: number } {
  const perColumn = Math.max(1, Math.ceil(minutes / width));
  return { perColumn, columns: Math.ceil(minutes / perColumn) };
}

/**
 * The sparkline of a rule's series: each column the highest value of its minutes, blank where none had
 * one, on a scale from 0 (or the lowest value) to the highest value or threshold — so a full bar has
 * reached the threshold, and a value far below it stays low.
 */
function sparkline(rule: PreviewRule, perColumn: number, columns: number): string {
  const series = rule.series;
  const peaks: (number | null)[] = [];
  for (let c = 0; c < columns; c++) {
    let peak: number | null = null;
    for (const value of series.slice(c * perColumn, (c + 1) * perColumn)) {
      if (value !== null && (peak === null || value > peak)) peak = value;
    }
    peaks.push(peak);
  }
  const thresholds = rule.thresholdValues
    ? rule.thresholdValues.filter((value): value is number => value !== null)
    : [rule.threshold];
  const present = peaks.filter((value): value is number => value !== null);
  const low = Math.min(0, ...present, ...thresholds);
  const high = Math.max(low, ...present, ...thresholds);
  return peaks
    .map((value) => {
      if (value === null) return ' ';
      const level = high === low ? 0 : Math.round(((value - low) / (high - low)) * (BARS.length - 1));
      return BARS[level]!;
    })
    .join('');
}

/** The marks beneath a chart: a column is marked when an event fired at any of its minutes' evaluations. */
function firingMarks(
  preview: PreviewAnswer,
  intervals: readonly PreviewInterval[],
  perColumn: number,
  columns: number,
): string {
  let marks = '';
  for (let c = 0; c < columns; c++) {
    const minutes = Array.from({ length: perColumn }, (_, i) => c * perColumn + i);
    // Minute i is evaluated at its end; an interval covers the evaluations in [fromMs, toMs), and its
    // last one as well while it is still firing.
    const fired = minutes.some((i) => {
      const evaluatedAt = preview.fromMs + (i + 1) * preview.stepMs;
      return (
        evaluatedAt <= preview.toMs &&
        intervals.some(
          (interval) =>
            evaluatedAt >= interval.fromMs &&
            (evaluatedAt < interval.toMs || (interval.ongoing && evaluatedAt === interval.toMs)),
        )
      );
    });
    marks += fired ? FIRING_MARK : ' ';
  }
  return marks;
}

function describeInterval(interval: PreviewInterval, timeZone: string | undefined): string {
  const end = interval.ongoing ? 'now' : formatEnd(interval.fromMs, interval.toMs, timeZone);
  return `${formatTime(interval.fromMs, timeZone)}–${end}${interval.noData ? ' (no data)' : ''}`;
}

/** A dimension value as users write it: `host=10.0.0.7`, a Prometheus series as its labels, `(all)`. */
function dimensionLabel(policy: JsonObject, key: string | null): string {
  if (key === null) return '(all)';
  const dimension = isJsonObject(policy.dimension) ? policy.dimension : {};
  if (policy.kind === 'prometheus' || typeof dimension.key !== 'string') return key;
  return `${dimension.key}=${key}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/**
 * The text chart of a preview: a header, then per dimension value and rule one line — its label, the
 * sparkline of the metric, its latest value against the threshold — with, beneath the first rule's line
 * of a value that fired, the firing columns marked and its intervals in local time.
 * @example io.stdout(renderPreviewChart(policy, readPreviewAnswer(answer)))
 */
export function renderPreviewChart(
  policy: JsonObject,
  preview: PreviewAnswer,
  options: { readonly timeZone?: string; readonly width?: number } = {},
): string {
  const { timeZone } = options;
  const minutes = Math.round((preview.toMs - preview.fromMs) / preview.stepMs);
  const { perColumn, columns } = chartLayout(minutes, options.width ?? DEFAULT_CHART_WIDTH);
  const fired = preview.dimensions.filter((d) => d.firing.length > 0).length;
  const lines = [
    `preview of ${quoteName(typeof policy.name === 'string' ? policy.name : '?')}: ` +
      `${formatTime(preview.fromMs, timeZone)} – ${formatEnd(preview.fromMs, preview.toMs, timeZone)} ` +
      `(local time), one column = ${perColumn} min`,
    `${preview.totalDimensions} dimension value${preview.totalDimensions === 1 ? '' : 's'}, ` +
      `${fired} would have fired` +
      (preview.truncated ? ` (showing the first ${preview.dimensions.length})` : ''),
  ];
  if (preview.dimensions.length === 0) {
    lines.push('no data in this time for what the policy watches');
    return `${lines.join('\n')}\n`;
  }
  lines.push('');
  const several = preview.dimensions.some((d) => d.rules.length > 1);
  const labels = preview.dimensions.map((d) => truncate(dimensionLabel(policy, d.key), MAX_LABEL_WIDTH));
  const metricWidth = several
    ? Math.max(...preview.dimensions.flatMap((d) => d.rules.map((r) => (r.metric ?? 'expr').length)))
    : 0;
  const labelWidth = Math.max(...labels.map((label) => label.length));
  preview.dimensions.forEach((dimension, d) => {
    dimension.rules.forEach((rule, r) => {
      const label = (r === 0 ? labels[d]! : '').padEnd(labelWidth);
      const metric = several ? `${(rule.metric ?? 'expr').padEnd(metricWidth)}  ` : '';
      const chart = sparkline(rule, perColumn, columns);
      lines.push(`${label}  ${metric}${chart}  ${describeLatest(rule)}`.trimEnd());
      if (r === 0 && dimension.firing.length > 0) {
        const marks = firingMarks(preview, dimension.firing, perColumn, columns);
        const intervals = dimension.firing.map((interval) => describeInterval(interval, timeZone));
        const indent = ' '.repeat(labelWidth + 2 + (several ? metricWidth + 2 : 0));
        lines.push(`${indent}${marks}  fired ${intervals.join(', ')}`);
      }
    });
  });
  return `${lines.join('\n')}\n`;
}

interface PreviewFlags {
  readonly hours: string;
  readonly output?: string;
}

/** Adds `preview` to the `policies` command. */
export function addPolicyPreviewCommand(policies: Command, io: CliIo): void {
  policies
    .command('preview')
    .description(
      'replay an alert policy over the last hours of its data: per dimension value its metric, and when it would have fired',
    )
    .argument('<name-or-id>')
    .option('--hours <n>', 'how many hours to replay, 1 to 24', '3')
    .option('-o, --output <format>', 'output format: table (the chart), yaml or json (default table)')
    .action(async function previewPolicy(ref: string, flags: PreviewFlags, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      const hours = Number(flags.hours);
      if (!(hours >= 1 && hours <= 24)) {
        throw new CliError(`--hours must be a number from 1 to 24, not "${flags.hours}"`, EXIT_USAGE);
      }
      const client = connect(io, command);
      const policy = await findObject(client, 'alert-policy', ref);
      const path = `/api/v1/alert-policies/${encodeURIComponent(policy.id)}:preview`;
      const answer = await client.request('POST', path, { hours });
      if (format === 'json') io.stdout(toJson(answer));
      else if (format === 'yaml') io.stdout(toYaml(answer));
      else io.stdout(renderPreviewChart(policy, readPreviewAnswer(answer)));
    });
}
