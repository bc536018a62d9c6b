// Alerts > Alert Policies: search, filter by kind and state, when each last fired, the Create Alarm menu
// by kind, and Edit / Enable-Disable / Delete in the Actions column.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Dropdown, Grid, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, queryString, type Page } from '../api/client';
import { POLICY_KINDS, type AlertEvent, type AlertPolicy, type PolicyKind } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { WrappingText } from '../layout/wrapping-text';
import type { MessageKey } from '../i18n/messages-en';
import { AlertPolicyDialog } from './alert-policy-dialog';
import { DeleteButton } from '../layout/delete-button';

const CREATE_LABELS: Record<PolicyKind, MessageKey> = {
  application: 'policies.createApplication',
  browser: 'policies.createBrowser',
  custom: 'policies.createCustom',
  prometheus: 'policies.createPrometheus',
};

export function AlertPoliciesPage() {
  const { t, formatTime } = useI18n();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md !== false;
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<PolicyKind | undefined>();
  const [enabled, setEnabled] = useState<'true' | 'false' | undefined>();
  const [dialog, setDialog] = useState<{ kind: PolicyKind; policy: AlertPolicy | null } | null>(null);

  const policies = useQuery({
    queryKey: ['alert-policies', search, kind, enabled],
    queryFn: () =>
      api<Page<AlertPolicy>>(
        'GET',
        `/alert-policies${queryString({ q: search, kind, enabled, limit: 1000 })}`,
      ),
  });
  const events = useQuery({
    queryKey: ['alert-events', 'recent'],
    queryFn: () => api<Page<AlertEvent>>('GET', '/alert-events?limit=1000'),
  });
  const lastFired = new Map<string, string>();
  for (const event of events.data?.items ?? []) {
    if (event.policyId === null) continue; // the Alertmanager bridge's events belong to no policy
    const seen = lastFired.get(event.policyId);
    if (!seen || seen < event.startedAt) lastFired.set(event.policyId, event.startedAt);
  }

  const onError = (error: Error) => void message.error(t('common.error', { message: error.message }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['alert-policies'] });
  const toggle = useMutation({
    mutationFn: (policy: AlertPolicy) =>
      api('POST', `/alert-policies/${policy.id}:${policy.enabled ? 'disable' : 'enable'}`),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: (policy: AlertPolicy) => api('DELETE', `/alert-policies/${policy.id}`),
    onSuccess: async () => {
      await refresh();
      void message.success(t('common.deleted'));
    },
    onError,
  });

  return (
    <>
      <Typography.Title level={3}>{t('policies.title')}</Typography.Title>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Space wrap>
          <Input.Search
            aria-label={t('policies.search')}
            placeholder={t('policies.search')}
            allowClear
            onSearch={setSearch}
            style={{ width: 240 }}
          />
          <Select
            aria-label={t('policies.kindFilter')}
            placeholder={t('policies.kindFilter')}
            allowClear
            value={kind}
            onChange={setKind}
            style={{ width: 150 }}
            options={POLICY_KINDS.map((value) => ({ value, label: t(`policies.kind.${value}`) }))}
          />
          <Select
            aria-label={t('policies.stateFilter')}
            placeholder={t('policies.stateFilter')}
            allowClear
            value={enabled}
            onChange={setEnabled}
            style={{ width: 130 }}
            options={[
              { value: 'true', label: t('policies.enabled') },
              { value: 'false', label: t('policies.disabled') },
            ]}
          />
        </Space>
        <Dropdown
          trigger={['click']}
          menu={{
            items: POLICY_KINDS.map((value) => ({ key: value, label: t(CREATE_LABELS[value]) })),
            onClick: ({ key }) => setDialog({ kind: key as PolicyKind, policy: null }),
          }}
        >
          <Button type="primary">{t('policies.create')} ▾</Button>
        </Dropdown>
      </Space>
      <Table<AlertPolicy>
        rowKey="id"
        loading={policies.isLoading}
        dataSource={[...(policies.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        // Secondary columns show from md (768 px) up: on a phone the table keeps what one acts on.
        columns={[
          { title: t('policies.name'), render: (_, policy) => <WrappingText>{policy.name}</WrappingText> },
          {
            title: t('policies.kind'),
            responsive: ['md'],
            render: (_, policy) => t(`policies.kind.${policy.kind}`),
          },
          {
            title: t('policies.target'),
            responsive: ['md'],
            render: (_, policy) => policy.target ?? t('common.empty'),
          },
          {
            title: t('policies.state'),
            render: (_, policy) =>
              policy.enabled ? (
                <Tag color="green">{t('policies.enabled')}</Tag>
              ) : (
                <Tag>{t('policies.disabled')}</Tag>
              ),
          },
          {
            title: t('policies.lastFired'),
            responsive: ['md'],
            render: (_, policy) => {
              const time = lastFired.get(policy.id);
              return time ? formatTime(time) : t('policies.never');
            },
          },
          {
            title: t('common.actions'),
            // Kept in sight while the other columns scroll sideways, where there is room for both.
            fixed: wide ? 'right' : undefined,
            render: (_, policy) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setDialog({ kind: policy.kind, policy })}>
                  {t('common.edit')}
                </Button>
                <Button type="link" size="small" onClick={() => toggle.mutate(policy)}>
                  {policy.enabled ? t('policies.disable') : t('policies.enable')}
                </Button>
                <DeleteButton name={policy.name} onConfirm={() => remove.mutate(policy)} />
              </Space>
            ),
          },
        ]}
      />
      {dialog && <AlertPolicyDialog {...dialog} onClose={() => setDialog(null)} />}
    </>
  );
}
