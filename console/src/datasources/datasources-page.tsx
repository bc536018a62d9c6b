// Data sources: the Prometheus-compatible servers prometheus policies read — new, edit, delete, and a
// Test button showing what the server answered.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, type Page } from '../api/client';
import type { Datasource } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { DatasourceDialog } from './datasource-dialog';
import { DeleteButton } from '../layout/delete-button';

export function DatasourcesPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Datasource | 'new' | null>(null);
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
  const remove = useMutation({
    mutationFn: (source: Datasource) => api('DELETE', `/datasources/${source.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['datasources'] });
      void message.success(t('common.deleted'));
    },
    // A data source a policy still reads is refused (409 in_use) with the policies named.
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });
  return (
    <>
      <Typography.Title level={3}>{t('datasources.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('datasources.builtIn')}</Typography.Paragraph>
      <Button type="primary" style={{ marginBottom: 16 }} onClick={() => setEditing('new')}>
        {t('datasources.new')}
      </Button>
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
              <Space size="small">
                <Button
                  size="small"
                  loading={test.isPending && test.variables?.id === source.id}
                  onClick={() => test.mutate(source)}
                  aria-label={`${t('datasources.test')} ${source.name}`}
                >
                  {t('datasources.test')}
                </Button>
                <Button size="small" type="link" onClick={() => setEditing(source)}>
                  {t('common.edit')}
                </Button>
                <DeleteButton name={source.name} onConfirm={() => remove.mutate(source)} />
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <DatasourceDialog source={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
    </>
  );
}
