// The head of Alert Event History: how many events fire now, per severity — a stacked bar to take in at a
// glance and one button per severity that filters the list by it.
import { useQuery } from '@tanstack/react-query';
import { Button, Flex, Typography } from 'antd';
import { api, type Page } from '../api/client';
import { SEVERITIES, type AlertEvent } from '../api/types';
import { useI18n } from '../i18n/i18n';

/** P1 the most urgent: red to blue, as ARMS colours its levels. */
const SEVERITY_COLORS: Readonly<Record<string, string>> = {
  P1: '#cf1322',
  P2: '#fa541c',
  P3: '#faad14',
  P4: '#1677ff',
};

export function FiringOverview({
  severity,
  onSeverity,
}: {
  /** The severity the list is filtered by, if any. */
  readonly severity: string | undefined;
  readonly onSeverity: (severity: string | undefined) => void;
}) {
  const { t } = useI18n();
  const firing = useQuery({
    queryKey: ['alert-events', 'firing-overview'],
    queryFn: () => api<Page<AlertEvent>>('GET', '/alert-events?state=firing&limit=1000'),
  });
  const counts = SEVERITIES.map((level) => ({
    level,
    count: (firing.data?.items ?? []).filter((event) => event.severity === level).length,
  }));
  const total = counts.reduce((sum, { count }) => sum + count, 0);
  const summary = counts.map(({ level, count }) => `${level} ${count}`).join(', ');

  let offset = 0;
  return (
    <section aria-label={t('overview.title')} style={{ marginBottom: 16 }}>
      <Typography.Text strong>{t('overview.firing', { count: total })}</Typography.Text>
      <svg
        role="img"
        aria-label={t('overview.chartLabel', { summary })}
        width="100%"
        height={10}
        style={{ display: 'block', margin: '8px 0', borderRadius: 5, background: '#f0f0f0' }}
      >
        {counts.map(({ level, count }) => {
          const width = total === 0 ? 0 : (count / total) * 100;
          const rect = (
            <rect
              key={level}
              x={`${offset}%`}
              width={`${width}%`}
              height={10}
              fill={SEVERITY_COLORS[level]}
            />
          );
          offset += width;
          return rect;
        })}
      </svg>
      <Flex wrap gap={8}>
        {counts.map(({ level, count }) => (
          <Button
            key={level}
            aria-pressed={severity === level}
            type={severity === level ? 'primary' : 'default'}
            onClick={() => onSeverity(severity === level ? undefined : level)}
            style={{ minWidth: 76 }}
          >
            <span
              aria-hidden
              style={{ width: 8, height: 8, borderRadius: 4, background: SEVERITY_COLORS[level] }}
            />
            {t('overview.severityCount', { severity: level, count })}
          </Button>
        ))}
      </Flex>
    </section>
  );
}
