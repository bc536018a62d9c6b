// Alerts > Alert Sending History: each notification, its channel, state and attempts, and for a failure
// the channel's own answer (DingTalk errcode/errmsg) with what to fix.
import { useQuery } from '@tanstack/react-query';
import { Button, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, queryString, type Page } from '../api/client';
import { CHANNELS, NOTIFICATION_STATES, type Notification } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { WrappingText } from '../layout/wrapping-text';

const STATE_COLORS: Record<string, string> = {
  sent: 'green',
  failed: 'red',
  retrying: 'orange',
  queued: 'blue',
  sending: 'blue',
};

export function SendingHistoryPage() {
  const { t, formatTime } = useI18n();
  const [state, setState] = useState<string | undefined>();
  const [channel, setChannel] = useState<string | undefined>();
  const notifications = useQuery({
    queryKey: ['notifications', state, channel],
    queryFn: () =>
      api<Page<Notification>>('GET', `/notifications${queryString({ state, channel, limit: 1000 })}`),
  });
  return (
    <>
      <Typography.Title level={3}>{t('sending.title')}</Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('sending.state')}
          placeholder={t('sending.state')}
          allowClear
          value={state}
          onChange={setState}
          style={{ width: 130 }}
          options={NOTIFICATION_STATES.map((value) => ({ value, label: value }))}
        />
        <Select
          aria-label={t('sending.channel')}
          placeholder={t('sending.channel')}
          allowClear
          value={channel}
          onChange={setChannel}
          style={{ width: 130 }}
          options={CHANNELS.map((value) => ({ value, label: value }))}
        />
        <Button onClick={() => void notifications.refetch()}>{t('common.refresh')}</Button>
      </Space>
      <Table<Notification>
        rowKey="id"
        loading={notifications.isLoading}
        dataSource={[...(notifications.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        // Secondary columns show from md (768 px) up: on a phone the table keeps what one acts on.
        columns={[
          { title: t('sending.createdAt'), render: (_, row) => formatTime(row.createdAt) },
          // The state comes early: on a narrow screen it is what must show without scrolling.
          {
            title: t('sending.state'),
            render: (_, row) => <Tag color={STATE_COLORS[row.state]}>{row.state}</Tag>,
          },
          {
            title: t('sending.title.column'),
            render: (_, row) => <WrappingText>{row.title ?? row.kind}</WrappingText>,
          },
          { title: t('sending.channel'), dataIndex: 'channel' },
          {
            title: t('sending.target'),
            responsive: ['md'],
            render: (_, row) => (
              <Typography.Text ellipsis style={{ maxWidth: 240 }}>
                {row.target}
              </Typography.Text>
            ),
          },
          { title: t('sending.attempts'), dataIndex: 'attempts', responsive: ['md'] },
          {
            title: t('sending.nextAttempt'),
            responsive: ['md'],
            render: (_, row) => formatTime(row.nextAttemptAt),
          },
          { title: t('sending.errcode'), render: (_, row) => row.answer?.errcode ?? '' },
          { title: t('sending.errmsg'), render: (_, row) => row.answer?.errmsg ?? '' },
          { title: t('sending.fix'), render: (_, row) => row.lastError ?? '' },
        ]}
      />
    </>
  );
}
