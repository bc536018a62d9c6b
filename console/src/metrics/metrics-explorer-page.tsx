// Metrics: what the built-in store holds — each metric of each application, site or custom target, with
// its series count and labels. Charts of a metric's values are a follow-up.
import { useQuery } from '@tanstack/react-query';
import { Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, queryString, type Page } from '../api/client';
import type { MetricSummary } from '../api/types';
import { useI18n } from '../i18n/i18n';

export function MetricsExplorerPage() {
  const { t } = useI18n();
  const [kind, setKind] = useState<string | undefined>();
  const metrics = useQuery({
    queryKey: ['metric-names', kind ?? 'all'],
    queryFn: () => api<Page<MetricSummary>>('GET', `/metrics${queryString({ kind, limit: 1000 })}`),
  });
  return (
    <>
      <Typography.Title level={3}>{t('metrics.title')}</Typography.Title>
      <Space style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('metrics.kind')}
          placeholder={t('metrics.kind')}
          allowClear
          value={kind}
          onChange={setKind}
          style={{ width: 160 }}
          options={['application', 'browser', 'custom'].map((value) => ({ value, label: value }))}
        />
      </Space>
      <Table<MetricSummary>
        rowKey={(row) => `${row.kind}/${row.target}/${row.metric}`}
        loading={metrics.isLoading}
        dataSource={[...(metrics.data?.items ?? [])]}
        locale={{ emptyText: t('metrics.noData') }}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('metrics.kind'), dataIndex: 'kind' },
          { title: t('metrics.target'), dataIndex: 'target' },
          { title: t('metrics.metric'), dataIndex: 'metric' },
          { title: t('metrics.series'), dataIndex: 'series' },
          { title: t('metrics.labels'), render: (_, row) => row.labels.join(', ') },
        ]}
      />
    </>
  );
}
