// Data sources: the Prometheus-compatible servers prometheus policies read, each with a Test button.
// Creating and editing them is still done through the API or `tocsin apply` (issue 6 follow-up).
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Table, Typography } from 'antd';
import { api, type Page } from '../api/client';
import type { Datasource } from '../api/types';
import { useI18n } from '../i18n/i18n';

export function DatasourcesPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const sources = useQuery({
    queryKey: ['datasources'],
    queryFn: () => api<Page<Datasource>>('GET', '/datasources?limit=1000'),
  });
  const test = useMutation({
    mutationFn: (source: Datasource) =>
      api<{ ok: boolean; version?: string; error?: string }>('POST', `/datasources/${source.id}:test`),
    onSuccess: (answer) =>
      answer.ok
        ? void message.success(t('datasources.testOk', { version: answer.version ?? '' }))
        : void message.error(t('datasources.testFailed', { error: answer.error ?? '' })),
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });
  return (
    <>
      <Typography.Title level={3}>{t('datasources.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('datasources.builtIn')}</Typography.Paragraph>
      <Table<Datasource>
        rowKey="id"
        loading={sources.isLoading}
        dataSource={[...(sources.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={false}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('datasources.url'), dataIndex: 'url' },
          { title: t('datasources.timeout'), dataIndex: 'timeoutSeconds' },
          {
            title: t('common.actions'),
            render: (_, source) => (
              <Button size="small" onClick={() => test.mutate(source)}>
                {t('datasources.test')}
              </Button>
            ),
          },
        ]}
      />
    </>
  );
}
