// The colours of chart lines, distinguishable for the common colour-vision deficiencies (Okabe–Ito order),
// and the fixed colours of what a chart marks: thresholds and firing intervals.
export const SERIES_COLORS = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#7f7f7f',
  '#f0e442',
] as const;

export const THRESHOLD_COLOR = '#cf1322';
export const FIRING_FILL = 'rgba(245, 34, 45, 0.12)';

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}
