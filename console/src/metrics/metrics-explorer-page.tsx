// Metrics: a chart of any series the built-in store holds — a metric of an application, site or custom
// target, filtered by labels and split by one (`GET /metrics/query`) — above the list of what is stored,
// each with its series count and labels; Chart on a row fills in the query.
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError, queryString, type Page } from '../api/client';
import type { CatalogMetricType, MetricQueryAnswer, MetricSummary } from '../api/types';
import { downsample } from '../charts/chart-scale';
import { seriesColor } from '../charts/palette';
import { TimeSeriesChart } from '../charts/time-series-chart';
import { showFieldErrors } from '../form-errors';
import { useI18n } from '../i18n/i18n';

const KINDS = ['application', 'browser', 'custom'] as const;
const WINDOWS = ['1h', '6h', '24h', '7d'] as const;
/** Lines drawn at most; the rest of the groups are named in a note. */
const MAX_LINES = 8;
/** Points per line at most: about one per pixel of a wide chart. */
const MAX_POINTS = 720;

interface ExplorerQuery {
  kind: (typeof KINDS)[number];
  target?: string;
  metric?: string;
  /** `host:10.0.0.1, interface:/api/orders` */
  filters?: string;
  groupBy?: string;
  window: (typeof WINDOWS)[number];
}

function filtersOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,，]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function requestPath(query: ExplorerQuery): string {
  const search = new URLSearchParams(
    Object.entries({
      kind: query.kind,
      target: query.target,
      metric: query.metric,
      groupBy: query.groupBy,
      window: query.window,
    }).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  for (const filter of filtersOf(query.filters)) search.append('filter', filter);
  return `/metrics/query?${search.toString()}`;
}

/** API field names are the query string's: `filter` is the Filters box. */
function explorerFieldPath(path: readonly (string | number)[]): (string | number)[] | null {
  const [field] = path;
  if (field === 'filter') return ['filters'];
  return typeof field === 'string' && ['target', 'metric', 'groupBy', 'window', 'kind'].includes(field)
    ? [field]
    : null;
}

function MetricChart({ query }: { readonly query: ExplorerQuery }) {
  const { t, formatTime } = useI18n();
  const form = Form.useFormInstance<ExplorerQuery>();
  const answer = useQuery({
    queryKey: ['metric-query', requestPath(query)],
    queryFn: () => api<MetricQueryAnswer>('GET', requestPath(query)),
    retry: false,
  });
  useEffect(() => {
    if (answer.error) showFieldErrors(form, answer.error, explorerFieldPath);
  }, [answer.error, form]);
  if (answer.error) {
    return answer.error instanceof ApiError && answer.error.fields.length > 0 ? null : (
      <Typography.Text type="danger">{answer.error.message}</Typography.Text>
    );
  }
  if (!answer.data) return <Typography.Text type="secondary">{t('preview.loading')}</Typography.Text>;
  const data = answer.data;
  const groups = data.groups.slice(0, MAX_LINES);
  let factor = 1;
  const lines = groups.map((group, index) => {
    const sampled = downsample(group.values ?? [], MAX_POINTS);
    factor = sampled.factor;
    return {
      name:
        group.key ?? (query.groupBy ? t('metrics.noLabel', { label: query.groupBy }) : t('metrics.total')),
      values: sampled.values,
      color: seriesColor(index),
    };
  });
  const names = lines.map((line) => line.name).join(', ');
  return (
    <>
      <TimeSeriesChart
        label={t('metrics.chartLabel', {
          metric: data.metric,
          groupBy: query.groupBy ?? t('metrics.total'),
          from: formatTime(data.fromMs),
          to: formatTime(data.toMs),
          series: names || '—',
        })}
        fromMs={data.fromMs}
        toMs={data.toMs}
        stepMs={data.stepMs * factor}
        lines={lines}
        height={260}
      />
      {data.groups.length > MAX_LINES && (
        <Typography.Text type="secondary">
          {t('metrics.moreGroups', { shown: MAX_LINES, total: data.groups.length })}
        </Typography.Text>
      )}
    </>
  );
}

export function MetricsExplorerPage() {
  const { t, locale } = useI18n();
  const [form] = Form.useForm<ExplorerQuery>();
  const [query, setQuery] = useState<ExplorerQuery | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'application';
  const metricName = Form.useWatch('metric', form);

  const stored = useQuery({
    queryKey: ['metric-names', 'all'],
    queryFn: () => api<Page<MetricSummary>>('GET', `/metrics${queryString({ limit: 1000 })}`),
  });
  const catalog = useQuery({
    queryKey: ['metric-catalog', kind],
    queryFn: () => api<{ metricTypes: CatalogMetricType[] }>('GET', `/metrics/catalog?kind=${kind}`),
    enabled: kind !== 'custom',
  });
  const ofKind = (stored.data?.items ?? []).filter((item) => item.kind === kind);
  const targets = [...new Set(ofKind.map((item) => item.target).filter((target) => target !== ''))];
  const catalogMetrics = (catalog.data?.metricTypes ?? []).flatMap((type) =>
    type.metrics.map((metric) => ({ metric, type })),
  );
  const metricOptions =
    kind === 'custom'
      ? [...new Set(ofKind.map((item) => item.metric))].map((name) => ({ value: name, label: name }))
      : catalogMetrics.map(({ metric }) => ({
          value: metric.name,
          label: `${metric.name} (${locale === 'zh-CN' ? metric.zh : metric.en})`,
        }));
  const labelOptions =
    kind === 'custom'
      ? [...new Set(ofKind.filter((item) => item.metric === metricName).flatMap((item) => item.labels))]
      : (catalogMetrics.find(({ metric }) => metric.name === metricName)?.type.dimensions ?? []);

  const chart = (row: MetricSummary) => {
    const values: ExplorerQuery = {
      kind: row.kind as ExplorerQuery['kind'],
      ...(row.target && { target: row.target }),
      metric: row.metric,
      window: form.getFieldValue('window') as ExplorerQuery['window'],
    };
    form.setFieldsValue({ filters: '', groupBy: undefined, ...values });
    setQuery({ ...values, filters: '' });
  };

  return (
    <>
      <Typography.Title level={3}>{t('metrics.title')}</Typography.Title>
      <Form<ExplorerQuery>
        form={form}
        name="metricQuery"
        layout="vertical"
        initialValues={{ kind: 'application', window: '6h' }}
        onFinish={(values) => setQuery({ ...values })}
        onValuesChange={(changed: Partial<ExplorerQuery>) => {
          if (changed.kind) form.setFieldsValue({ metric: undefined, groupBy: undefined });
        }}
      >
        <Space wrap align="end" size={[12, 0]}>
          <Form.Item label={t('metrics.kind')} name="kind">
            <Select
              style={{ width: 150 }}
              options={KINDS.map((value) => ({ value, label: t(`policies.kind.${value}`) }))}
            />
          </Form.Item>
          <Form.Item label={t('metrics.target')} name="target">
            <AutoComplete allowClear style={{ width: 180 }} options={targets.map((value) => ({ value }))} />
          </Form.Item>
          <Form.Item label={t('metrics.metric')} name="metric" rules={[{ required: true }]}>
            <Select showSearch optionFilterProp="label" style={{ width: 260 }} options={metricOptions} />
          </Form.Item>
          <Form.Item label={t('metrics.filters')} name="filters" tooltip={t('metrics.filtersHelp')}>
            <Input style={{ width: 220 }} placeholder="host:10.0.0.1" />
          </Form.Item>
          <Form.Item label={t('metrics.groupBy')} name="groupBy">
            <AutoComplete
              allowClear
              style={{ width: 150 }}
              options={labelOptions.map((value) => ({ value }))}
            />
          </Form.Item>
          <Form.Item label={t('metrics.window')} name="window">
            <Radio.Group optionType="button" options={WINDOWS.map((value) => ({ value, label: value }))} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit">
              {t('metrics.query')}
            </Button>
          </Form.Item>
        </Space>
        {query && <MetricChart query={query} />}
      </Form>
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t('metrics.stored')}
      </Typography.Title>
      <Table<MetricSummary>
        rowKey={(row) => `${row.kind}/${row.target}/${row.metric}`}
        loading={stored.isLoading}
        dataSource={[...(stored.data?.items ?? [])]}
        locale={{ emptyText: t('metrics.noData') }}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('metrics.kind'), dataIndex: 'kind' },
          { title: t('metrics.target'), dataIndex: 'target' },
          { title: t('metrics.metric'), dataIndex: 'metric' },
          { title: t('metrics.series'), dataIndex: 'series' },
          { title: t('metrics.labels'), render: (_, row) => row.labels.join(', ') },
          {
            title: t('common.actions'),
            render: (_, row) => (
              <Button
                size="small"
                type="link"
                aria-label={`${t('metrics.chart')} ${row.metric}`}
                onClick={() => chart(row)}
              >
                {t('metrics.chart')}
              </Button>
            ),
          },
        ]}
      />
    </>
  );
}
