// One alert event in a drawer: what fired, for which dimension value, the values that triggered it, and a
// chart of its policy replayed around it (`POST /alert-policies/{id}:preview`) — the rule's value, the
// threshold or shifted baseline, and where the event began and ended.
import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Drawer, Grid, Tag, Typography } from 'antd';
import { api } from '../api/client';
import type { AlertEvent, PolicyPreview } from '../api/types';
import { TimeSeriesChart } from '../charts/time-series-chart';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages-en';
import { previewLabels } from '../alert-policies/policy-preview';
import { previewPicture } from '../alert-policies/preview-lines';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** How much of the time before an event the chart shows, and after its end. */
const BEFORE_MS = HOUR_MS;
const AFTER_MS = 30 * MINUTE_MS;
/** The API replays at most a day. */
const MAX_PREVIEW_MS = 24 * HOUR_MS;

/**
 * The replay's range around `event`. An event that is still firing, or ended lately, is replayed up to
 * the service's own "now" (no `to`), which a browser's clock may not agree with to the second.
 */
function rangeAround(event: AlertEvent, nowMs: number): { from?: number; to?: number; hours?: number } {
  const started = Date.parse(event.startedAt);
  const from = started - BEFORE_MS;
  const end = event.resolvedAt === null ? null : Date.parse(event.resolvedAt) + AFTER_MS;
  if (end !== null && end < nowMs - MINUTE_MS) {
    return end - from <= MAX_PREVIEW_MS ? { from, to: end } : { from: end - MAX_PREVIEW_MS, to: end };
  }
  return nowMs - from < MAX_PREVIEW_MS - MINUTE_MS ? { from } : { hours: 24 };
}

function EventChart({ event }: { readonly event: AlertEvent }) {
  const { t } = useI18n();
  const range = rangeAround(event, Date.now());
  const preview = useQuery({
    queryKey: ['alert-event-preview', event.id, event.resolvedAt],
    queryFn: () => api<PolicyPreview>('POST', `/alert-policies/${event.policyId}:preview`, range),
    retry: false,
  });
  if (preview.error) return <Alert type="warning" showIcon title={preview.error.message} />;
  if (!preview.data) return <Typography.Text type="secondary">{t('preview.loading')}</Typography.Text>;
  const answer = preview.data;
  const value = event.dimension?.value ?? null;
  const rule = answer.dimensions[0]?.rules[0];
  const picture = previewPicture(
    answer,
    0,
    value,
    previewLabels(t, rule?.metric ?? '', rule?.aggregation, rule?.windowMinutes),
  );
  const started = Date.parse(event.startedAt);
  const markers = [{ atMs: started, label: t('events.startedAt') }];
  if (event.resolvedAt) markers.push({ atMs: Date.parse(event.resolvedAt), label: t('events.resolvedAt') });
  return (
    <TimeSeriesChart
      label={t('events.chartLabel', {
        metric: rule?.metric ?? '',
        aggregation: t(`policy.agg.${rule?.aggregation ?? 'avg'}` as MessageKey),
        window: rule?.windowMinutes ?? '',
        dimension: value ?? t('preview.allValues'),
      })}
      fromMs={answer.fromMs}
      toMs={answer.toMs}
      stepMs={answer.stepMs}
      lines={picture.lines}
      intervals={picture.intervals}
      intervalLabel={t('preview.firing')}
      markers={markers}
    />
  );
}

export function AlertEventDrawer({
  event,
  onClose,
}: {
  readonly event: AlertEvent;
  readonly onClose: () => void;
}) {
  const { t, formatTime } = useI18n();
  const screens = Grid.useBreakpoint();
  const dimension = event.dimension ? `${event.dimension.key ?? ''}=${event.dimension.value ?? ''}` : null;
  return (
    <Drawer
      open
      onClose={onClose}
      title={t('events.detailTitle', { policy: event.policyName })}
      size={screens.md === false ? window.innerWidth : 760}
    >
      <Descriptions size="small" bordered column={1} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('events.policy')}>{event.policyName}</Descriptions.Item>
        <Descriptions.Item label={t('events.dimension')}>{dimension ?? t('common.empty')}</Descriptions.Item>
        <Descriptions.Item label={t('events.severity')}>{event.severity}</Descriptions.Item>
        <Descriptions.Item label={t('events.state')}>
          <Tag color={event.state === 'firing' ? 'red' : 'green'}>{t(`events.state.${event.state}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('events.startedAt')}>{formatTime(event.startedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('events.resolvedAt')}>{formatTime(event.resolvedAt)}</Descriptions.Item>
        {(event.triggerValues ?? []).map((trigger, index) => (
          <Descriptions.Item key={index} label={t('events.trigger', { n: index + 1 })}>
            {trigger.metric ?? ''} {t(`policy.agg.${trigger.aggregation}` as MessageKey)} ={' '}
            {trigger.value === null ? t('common.empty') : Number(trigger.value.toPrecision(6))}
            {trigger.changePct !== undefined &&
              trigger.changePct !== null &&
              ` (${trigger.changePct >= 0 ? '+' : ''}${Number(trigger.changePct.toFixed(1))}%, ${t('preview.baseline')} ${
                trigger.baselineValue === null || trigger.baselineValue === undefined
                  ? t('common.empty')
                  : Number(trigger.baselineValue.toPrecision(6))
              })`}
          </Descriptions.Item>
        ))}
      </Descriptions>
      {event.policyId ? (
        <EventChart event={event} />
      ) : (
        <Typography.Text type="secondary">{t('events.noPolicy')}</Typography.Text>
      )}
    </Drawer>
  );
}
