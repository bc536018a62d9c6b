// A small SVG line chart of per-minute series: lines (a gap where a minute has no value), dashed
// threshold lines, shaded intervals (where a policy fires), time ticks in the user's time zone and a
// legend. Hand-written rather than a charting library: the console needs only this, and stays small.
import { Empty } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../i18n/i18n';
import { formatValue, timeTicks, valueScale } from './chart-scale';
import { FIRING_FILL, THRESHOLD_COLOR } from './palette';
import { useElementWidth } from './use-element-width';

export interface ChartLine {
  readonly name: string;
  /** One value per step from the chart's fromMs; null where there is none (the line breaks). */
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dashed?: boolean;
  /** Thin lines are context (the raw metric behind an aggregate). */
  readonly thin?: boolean;
  /** Lines of the same legend group share one legend entry, named by the group. */
  readonly legendGroup?: string;
}

export interface ChartInterval {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ChartMarker {
  readonly atMs: number;
  readonly label: string;
}

const MARGIN = { top: 12, right: 12, bottom: 26, left: 44 } as const;

/** The SVG path of one line: `M` where a run of values starts after a gap, `L` within it. */
function linePath(
  values: readonly (number | null)[],
  x: (index: number) => number,
  y: (value: number) => number,
): string {
  let path = '';
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return path;
}

export function TimeSeriesChart({
  label,
  fromMs,
  toMs,
  stepMs,
  lines,
  intervals = [],
  intervalLabel,
  markers = [],
  height = 220,
}: {
  /** What the chart shows, for screen readers (role="img"). */
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepMs: number;
  readonly lines: readonly ChartLine[];
  readonly intervals?: readonly ChartInterval[];
  /** The legend entry of the shaded intervals. */
  readonly intervalLabel?: string;
  readonly markers?: readonly ChartMarker[];
  readonly height?: number;
}) {
  const { t, locale } = useI18n();
  const [ref, width] = useElementWidth<HTMLDivElement>(600);
  const innerWidth = Math.max(40, width - MARGIN.left - MARGIN.right);
  const innerHeight = height - MARGIN.top - MARGIN.bottom;

  const scale = useMemo(
    () => valueScale(lines.flatMap((line) => line.values.filter((value): value is number => value !== null))),
    [lines],
  );
  const hasValues = lines.some((line) => line.values.some((value) => value !== null));
  const tickFormat = useMemo(() => {
    const multiDay = toMs - fromMs > 24 * 3600_000;
    return new Intl.DateTimeFormat(locale, {
      ...(multiDay && { month: 'numeric', day: 'numeric' }),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }, [locale, fromMs, toMs]);

  const xOfTime = (ms: number) => MARGIN.left + ((ms - fromMs) / Math.max(1, toMs - fromMs)) * innerWidth;
  // A minute's value is drawn at the minute's middle.
  const xOfIndex = (index: number) => xOfTime(fromMs + index * stepMs + stepMs / 2);
  // A label centred on a tick at the right end would be cut by the edge of the chart.
  const tickAnchor = (x: number) => (x > width - 24 ? 'end' : 'middle');
  const yOf = (value: number) =>
    MARGIN.top + innerHeight - ((value - scale.min) / (scale.max - scale.min)) * innerHeight;

  // Values first, then what they are compared with (dashed).
  const legend = lines
    .filter(
      (line, index) =>
        line.legendGroup === undefined ||
        lines.findIndex((other) => other.legendGroup === line.legendGroup) === index,
    )
    .sort((a, b) => Number(Boolean(a.dashed)) - Number(Boolean(b.dashed)));

  return (
    <figure ref={ref} style={{ margin: 0, width: '100%', minWidth: 0 }}>
      {hasValues ? (
        <svg
          role="img"
          aria-label={label}
          width={width}
          height={height}
          style={{ display: 'block', fontSize: 11, fontFamily: 'inherit' }}
        >
          {intervals.map((interval) => {
            const x1 = Math.max(MARGIN.left, xOfTime(interval.fromMs));
            const x2 = Math.min(MARGIN.left + innerWidth, xOfTime(interval.toMs));
            return x2 > x1 ? (
              <rect
                key={`${interval.fromMs}-${interval.toMs}`}
                data-kind="firing-interval"
                x={x1}
                y={MARGIN.top}
                width={Math.max(2, x2 - x1)}
                height={innerHeight}
                fill={FIRING_FILL}
              />
            ) : null;
          })}
          {scale.ticks.map((tick) => (
            <g key={tick}>
              <line
                x1={MARGIN.left}
                x2={MARGIN.left + innerWidth}
                y1={yOf(tick)}
                y2={yOf(tick)}
                stroke="#f0f0f0"
              />
              <text x={MARGIN.left - 6} y={yOf(tick) + 4} textAnchor="end" fill="#595959">
                {formatValue(tick)}
              </text>
            </g>
          ))}
          {timeTicks(fromMs, toMs, Math.max(2, Math.floor(innerWidth / 90))).map((tick) => (
            <g key={tick}>
              <line
                x1={xOfTime(tick)}
                x2={xOfTime(tick)}
                y1={MARGIN.top + innerHeight}
                y2={MARGIN.top + innerHeight + 4}
                stroke="#8c8c8c"
              />
              <text x={xOfTime(tick)} y={height - 8} textAnchor={tickAnchor(xOfTime(tick))} fill="#595959">
                {tickFormat.format(tick)}
              </text>
            </g>
          ))}
          <line
            x1={MARGIN.left}
            x2={MARGIN.left + innerWidth}
            y1={MARGIN.top + innerHeight}
            y2={MARGIN.top + innerHeight}
            stroke="#8c8c8c"
          />
          {markers.map((marker) => {
            const x = xOfTime(marker.atMs);
            // A marker in the right half is labelled on its left, so the label stays inside the chart.
            const leftOfLine = x > MARGIN.left + innerWidth / 2;
            return (
              <g key={marker.atMs}>
                <line
                  x1={x}
                  x2={x}
                  y1={MARGIN.top}
                  y2={MARGIN.top + innerHeight}
                  stroke={THRESHOLD_COLOR}
                  strokeDasharray="2 3"
                />
                <text
                  x={leftOfLine ? x - 4 : x + 4}
                  y={MARGIN.top + 10}
                  textAnchor={leftOfLine ? 'end' : 'start'}
                  fill={THRESHOLD_COLOR}
                >
                  {marker.label}
                </text>
              </g>
            );
          })}
          {lines.map((line, index) => (
            <path
              key={`${line.name}-${index}`}
              d={linePath(line.values, xOfIndex, yOf)}
              fill="none"
              stroke={line.color}
              strokeWidth={line.thin ? 1 : 2}
              strokeOpacity={line.thin ? 0.5 : 1}
              strokeDasharray={line.dashed ? '6 4' : undefined}
              strokeLinejoin="round"
            >
              <title>{line.name}</title>
            </path>
          ))}
        </svg>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chart.noData')} />
      )}
      {hasValues && (
        <figcaption>
          <ul
            aria-label={t('chart.legend')}
            style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 16px', listStyle: 'none', padding: 0 }}
          >
            {legend.map((line, index) => (
              <li key={`${line.name}-${index}`} style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
                <svg width={18} height={8} aria-hidden>
                  <line
                    x1={0}
                    x2={18}
                    y1={4}
                    y2={4}
                    stroke={line.color}
                    strokeWidth={2}
                    strokeDasharray={line.dashed ? '4 3' : undefined}
                  />
                </svg>
                {line.legendGroup ?? line.name}
              </li>
            ))}
            {intervals.length > 0 && intervalLabel && (
              <li style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
                <span
                  aria-hidden
                  style={{ width: 18, height: 10, background: FIRING_FILL, border: '1px solid #ffa39e' }}
                />
                {intervalLabel}
              </li>
            )}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
