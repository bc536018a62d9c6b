// Alerts > Alert Event History: what fires now by severity, events filtered by state, policy, severity and
// time; Details (a drawer with the chart around the event), acknowledge (no more firing messages) and
// close (resolved now, no recovery message).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, DatePicker, Grid, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, queryString, type Page } from '../api/client';
import { EVENT_STATES, SEVERITIES, type AlertEvent, type AlertPolicy } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { WrappingText } from '../layout/wrapping-text';
import { AlertEventDrawer } from './alert-event-drawer';
import { FiringOverview } from './firing-overview';

type Range = Parameters<NonNullable<React.ComponentProps<typeof DatePicker.RangePicker>['onChange']>>[0];

export function AlertEventsPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md !== false;
  const queryClient = useQueryClient();
  const [state, setState] = useState<string | undefined>();
  const [policyId, setPolicyId] = useState<string | undefined>();
  const [severity, setSeverity] = useState<string | undefined>();
  const [range, setRange] = useState<Range>(null);
  const [shown, setShown] = useState<AlertEvent | null>(null);
  const from = range?.[0]?.toISOString();
  const to = range?.[1]?.toISOString();

  const events = useQuery({
    queryKey: ['alert-events', state, policyId, severity, from, to],
    queryFn: () =>
      api<Page<AlertEvent>>(
        'GET',
        `/alert-events${queryString({ state, policyId, severity, from, to, limit: 1000 })}`,
      ),
  });
  const policies = useQuery({
    queryKey: ['alert-policies', 'all'],
    queryFn: () => api<Page<AlertPolicy>>('GET', '/alert-policies?limit=1000'),
  });
  const act = useMutation({
    mutationFn: ({ event, action }: { event: AlertEvent; action: 'acknowledge' | 'close' }) =>
      api('POST', `/alert-events/${event.id}:${action}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alert-events'] }),
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });

  return (
    <>
      <Typography.Title level={3}>{t('events.title')}</Typography.Title>
      <FiringOverview severity={severity} onSeverity={setSeverity} />
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('events.state')}
          placeholder={t('events.state')}
          allowClear
          value={state}
          onChange={setState}
          style={{ width: 130 }}
          options={EVENT_STATES.map((value) => ({ value, label: t(`events.state.${value}`) }))}
        />
        <Select
          aria-label={t('events.policy')}
          placeholder={t('events.policy')}
          allowClear
          showSearch
          optionFilterProp="label"
          value={policyId}
          onChange={setPolicyId}
          style={{ width: 220 }}
          options={(policies.data?.items ?? []).map((policy) => ({ value: policy.id, label: policy.name }))}
        />
        <Select
          aria-label={t('events.severity')}
          placeholder={t('events.severity')}
          allowClear
          value={severity}
          onChange={setSeverity}
          style={{ width: 110 }}
          options={SEVERITIES.map((value) => ({ value, label: value }))}
        />
        <DatePicker.RangePicker aria-label={t('events.time')} showTime value={range} onChange={setRange} />
      </Space>
      <Table<AlertEvent>
        rowKey="id"
        loading={events.isLoading}
        dataSource={[...(events.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        // Secondary columns show from md (768 px) up: on a phone the table keeps what one acts on.
        columns={[
          {
            title: t('events.policy'),
            render: (_, event) => <WrappingText>{event.policyName}</WrappingText>,
          },
          {
            title: t('events.dimension'),
            render: (_, event) =>
              event.dimension
                ? `${event.dimension.key ?? ''}=${event.dimension.value ?? ''}`
                : t('common.empty'),
          },
          { title: t('events.severity'), dataIndex: 'severity' },
          {
            title: t('events.state'),
            render: (_, event) => (
              <Tag color={event.state === 'firing' ? 'red' : 'green'}>{t(`events.state.${event.state}`)}</Tag>
            ),
          },
          { title: t('events.startedAt'), render: (_, event) => formatTime(event.startedAt) },
          {
            title: t('events.resolvedAt'),
            responsive: ['md'],
            render: (_, event) => formatTime(event.resolvedAt),
          },
          { title: t('events.notifyCount'), dataIndex: 'notifyCount', responsive: ['md'] },
          {
            title: t('events.acknowledged'),
            responsive: ['md'],
            render: (_, event) =>
              event.acknowledgedAt ? `${event.acknowledgedBy ?? ''} ${formatTime(event.acknowledgedAt)}` : '',
          },
          {
            title: t('common.actions'),
            // Kept in sight while the other columns scroll sideways, where there is room for both.
            fixed: wide ? 'right' : undefined,
            render: (_, event) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setShown(event)}>
                  {t('events.details')}
                </Button>
                {event.state === 'firing' && !event.acknowledgedAt && (
                  <Button
                    type="link"
                    size="small"
                    onClick={() => act.mutate({ event, action: 'acknowledge' })}
                  >
                    {t('events.acknowledge')}
                  </Button>
                )}
                {event.state === 'firing' && (
                  <Popconfirm
                    title={t('events.closeConfirm')}
                    okText={t('common.ok')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => act.mutate({ event, action: 'close' })}
                  >
                    <Button type="link" size="small" danger>
                      {t('events.close')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {shown && <AlertEventDrawer event={shown} onClose={() => setShown(null)} />}
    </>
  );
}
