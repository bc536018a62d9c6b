// The preview chart as text: a sparkline per dimension value and rule, the firing columns marked beneath
// with the intervals in the given time zone, the latest value against its threshold, and the answer
// checked before it is drawn.
import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { readPreviewAnswer, renderPreviewChart } from './policy-preview.js';

const MIN = 60_000;
const T = Date.parse('2025-01-06T02:00:00Z');
const POLICY = { name: 'queue backing up', kind: 'custom', dimension: { mode: 'traverse', key: 'host' } };

/** Ten minutes: host a climbs over 50 and fires from the evaluation at T+6 min on; host b stays low. */
const ANSWER = {
  fromMs: T,
  toMs: T + 10 * MIN,
  stepMs: MIN,
  totalDimensions: 3,
  truncated: true,
  dimensions: [
    {
      key: 'a',
      labels: { host: 'a' },
      outcomes: [],
      firing: [
        { fromMs: T + 6 * MIN, openedAtMs: T + 6 * MIN, toMs: T + 10 * MIN, ongoing: true, noData: false },
      ],
      rules: [
        {
          metric: 'queue_depth',
          comparator: 'gt',
          threshold: 50,
          baseline: null,
          series: [0, 10, 20, 30, 40, 60, 70, null, 80, 80],
          values: [0, 10, 20, 30, 40, 60, 70, 70, 80, 80.456],
          holds: [],
        },
      ],
    },
    {
      key: 'b',
      labels: { host: 'b' },
      outcomes: [],
      firing: [],
      rules: [
        {
          metric: 'queue_depth',
          comparator: 'gt',
          threshold: 50,
          baseline: null,
          series: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
          values: [5, 5, 5, 5, 5, 5, 5, 5, 5, null],
          holds: [],
        },
      ],
    },
  ],
};

describe('renderPreviewChart', () => {
  it('draws a line per dimension value, marks the firing columns and lists the intervals', () => {
    const text = renderPreviewChart(POLICY, readPreviewAnswer(ANSWER), { timeZone: 'Asia/Shanghai' });
    expect(text.split('\n')).toEqual([
      'preview of "queue backing up": 2025-01-06 10:00 – 10:10 (local time), one column = 1 min',
      '3 dimension values, 1 would have fired (showing the first 2)',
      '',
      'host=a  ▁▂▃▄▅▆▇ ██  now 80.46, threshold > 50',
      // Minute 5 is evaluated at its end, 10:06: the event's first evaluation.
      '             ━━━━━  fired 2025-01-06 10:06–now',
      'host=b  ▂▂▂▂▂▂▂▂▂▂  now 5, threshold > 50',
      '',
    ]);
  });

  it('puts several minutes in a column over long previews, and states a percent-change threshold as the value needed', () => {
    const minutes = 180;
    const answer = {
      ...ANSWER,
      toMs: T + minutes * MIN,
      truncated: false,
      totalDimensions: 1,
      dimensions: [
        {
          key: '10.0.0.1',
          firing: [
            { fromMs: T + 60 * MIN, toMs: T + 90 * MIN, ongoing: false, noData: false },
            { fromMs: T + 170 * MIN, toMs: T + 180 * MIN, ongoing: true, noData: true },
          ],
          rules: [
            {
              metric: 'JVM_FullGC',
              comparator: 'increase_pct',
              threshold: 100,
              baseline: 'hour_ago',
              series: Array.from({ length: minutes }, () => 2),
              values: Array.from({ length: minutes }, () => 2),
              thresholdValues: Array.from({ length: minutes }, () => 4),
            },
          ],
        },
      ],
    };
    const lines = renderPreviewChart(POLICY, readPreviewAnswer(answer), { timeZone: 'UTC' }).split('\n');
    expect(lines[0]).toBe(
      'preview of "queue backing up": 2025-01-06 02:00 – 05:00 (local time), one column = 3 min',
    );
    expect(lines[3]).toBe(`host=10.0.0.1  ${'▅'.repeat(60)}  now 2, threshold ≥ 4 (+100% vs hour_ago)`);
    // Evaluations 03:00–03:29 are columns 19 (minute 59, evaluated at 03:00) to 29; then 56 to 59.
    expect(lines[4]).toBe(
      `${' '.repeat(15)}${' '.repeat(19)}${'━'.repeat(11)}${' '.repeat(26)}${'━'.repeat(4)}` +
        '  fired 2025-01-06 03:00–03:30, 2025-01-06 04:50–now (no data)',
    );
  });

  it('says so when nothing the policy watches had data', () => {
    const text = renderPreviewChart(
      POLICY,
      readPreviewAnswer({ ...ANSWER, totalDimensions: 0, truncated: false, dimensions: [] }),
    );
    expect(text).toContain('0 dimension values, 0 would have fired\nno data in this time');
  });

  it('refuses an answer that is not a preview', () => {
    expect(() => readPreviewAnswer({ dimensions: [] })).toThrow(CliError);
    expect(() => readPreviewAnswer([])).toThrow('unexpected answer to the preview');
  });
});
