// What the policy dialog's preview draws: one line per dimension value with a flat threshold line, or
// per-value threshold lines for percent-change rules; the raw metric and baseline for a single value;
// shaded intervals only where an event would have fired.
import { describe, expect, it } from 'vitest';
import type { PolicyPreview, PreviewDimension, PreviewRule } from '../api/types';
import { MAX_PREVIEW_LINES, previewPicture, type PreviewLabels } from './preview-lines';

const labels: PreviewLabels = {
  dimension: (key) => key ?? 'all',
  threshold: 'threshold',
  baseline: 'baseline',
  perMinute: 'per minute',
  aggregate: 'aggregate',
};

function rule(overrides: Partial<PreviewRule> = {}): PreviewRule {
  return {
    metric: 'JVM_FullGC',
    aggregation: 'avg',
    windowMinutes: 5,
    comparator: 'gt',
    baseline: null,
    threshold: 10,
    series: [1, 2, 3],
    values: [1, 2, 3],
    holds: [false, false, false],
    ...overrides,
  };
}

function dimension(key: string, firing: PreviewDimension['firing'] = [], rules = [rule()]): PreviewDimension {
  return { key, labels: { host: key }, firing, rules };
}

function preview(dimensions: PreviewDimension[]): PolicyPreview {
  return {
    fromMs: 0,
    toMs: 180_000,
    stepMs: 60_000,
    totalDimensions: dimensions.length,
    truncated: false,
    dimensions,
  };
}

const fired = { fromMs: 60_000, openedAtMs: 60_000, toMs: 120_000, ongoing: false, noData: false };

describe('previewPicture', () => {
  it('draws each dimension value and one flat threshold line, shading what fired', () => {
    const picture = previewPicture(preview([dimension('a', [fired]), dimension('b')]), 0, undefined, labels);
    expect(picture.lines.map((line) => line.name)).toEqual(['a', 'b', 'threshold 10']);
    expect(picture.lines[2]!.values).toEqual([10, 10, 10]);
    expect(picture.intervals).toEqual([fired]);
    expect(picture.fired.map((d) => d.key)).toEqual(['a']);
  });

  it('draws a moving threshold per value for a percent-change rule, in one legend group', () => {
    const percent = rule({ baseline: 'hour_ago', thresholdValues: [2, 4, 6], baselineValues: [1, 2, 3] });
    const picture = previewPicture(preview([dimension('a', [], [percent])]), 0, undefined, labels);
    expect(picture.lines.map((line) => [line.name, line.legendGroup])).toEqual([
      ['a', undefined],
      ['threshold · a', 'threshold'],
    ]);
  });

  it('shows one value with its raw metric and baseline when asked for that value', () => {
    const percent = rule({ baseline: 'hour_ago', thresholdValues: [2, 4, 6], baselineValues: [1, 2, 3] });
    const picture = previewPicture(preview([dimension('a', [], [percent]), dimension('b')]), 0, 'a', labels);
    expect(picture.lines.map((line) => line.name)).toEqual([
      'per minute',
      'aggregate',
      'baseline',
      'threshold · a',
    ]);
    expect(picture.shown.map((d) => d.key)).toEqual(['a']);
  });

  it(`draws at most ${MAX_PREVIEW_LINES} dimension values`, () => {
    const many = Array.from({ length: 20 }, (_, i) => dimension(`h${i}`));
    expect(previewPicture(preview(many), 0, undefined, labels).shown).toHaveLength(MAX_PREVIEW_LINES);
  });
});
