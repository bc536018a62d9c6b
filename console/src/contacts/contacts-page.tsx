// Alerts > Contacts: the Contact tab (robots, e-mail, phone, webhooks; New contact; Test) and the Contact
// Group tab (Create a contact group), as in the ARMS console.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Input, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { api, queryString, type Page } from '../api/client';
import type { ChannelTestResult, Contact, ContactGroup } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { ContactDialog } from './contact-dialog';
import { ContactGroupDialog } from './contact-group-dialog';
import { ContactTestResult } from './contact-test-result';
import { DeleteButton } from '../layout/delete-button';

function ContactTab() {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Contact | null | 'new'>(null);
  const [tested, setTested] = useState<{ name: string; results: readonly ChannelTestResult[] } | null>(null);
  const contacts = useQuery({
    queryKey: ['contacts', search],
    queryFn: () => api<Page<Contact>>('GET', `/contacts${queryString({ q: search, limit: 1000 })}`),
  });
  const test = useMutation({
    mutationFn: (contact: Contact) =>
      api<{ ok: boolean; results: ChannelTestResult[] }>('POST', `/contacts/${contact.id}:test`, { locale }),
    onSuccess: (answer, contact) => setTested({ name: contact.name, results: answer.results }),
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });
  const remove = useMutation({
    mutationFn: (contact: Contact) => api('DELETE', `/contacts/${contact.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['contacts'] });
      void message.success(t('common.deleted'));
    },
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Input.Search
          aria-label={t('contacts.searchPlaceholder')}
          placeholder={t('contacts.searchPlaceholder')}
          allowClear
          onSearch={setSearch}
          style={{ width: 260 }}
        />
        <Button type="primary" onClick={() => setEditing('new')}>
          {t('contacts.new')}
        </Button>
      </Space>
      <Table<Contact>
        rowKey="id"
        loading={contacts.isLoading}
        dataSource={[...(contacts.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        // Secondary columns show from md (768 px) up: on a phone the table keeps what one acts on.
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          {
            title: t('contacts.dingtalk'),
            render: (_, contact) =>
              contact.dingtalk ? (
                <Typography.Text ellipsis style={{ maxWidth: 280 }}>
                  {contact.dingtalk.webhook}
                </Typography.Text>
              ) : (
                t('common.empty')
              ),
          },
          { title: t('contacts.email'), render: (_, contact) => contact.email ?? t('common.empty') },
          {
            title: t('contacts.phone'),
            responsive: ['md'],
            render: (_, contact) => contact.phone ?? t('common.empty'),
          },
          {
            title: t('contacts.webhook'),
            responsive: ['md'],
            render: (_, contact) => contact.webhook?.url ?? t('common.empty'),
          },
          {
            title: t('common.actions'),
            render: (_, contact) => (
              <Space size="small">
                <Button
                  size="small"
                  loading={test.isPending && test.variables?.id === contact.id}
                  onClick={() => test.mutate(contact)}
                  aria-label={`${t('contacts.test')} ${contact.name}`}
                >
                  {t('contacts.test')}
                </Button>
                <Button size="small" type="link" onClick={() => setEditing(contact)}>
                  {t('common.edit')}
                </Button>
                <DeleteButton name={contact.name} onConfirm={() => remove.mutate(contact)} />
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <ContactDialog contact={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      {tested && <ContactTestResult {...tested} onClose={() => setTested(null)} />}
    </>
  );
}

function ContactGroupTab() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<ContactGroup | null | 'new'>(null);
  const groups = useQuery({
    queryKey: ['contact-groups'],
    queryFn: () => api<Page<ContactGroup>>('GET', '/contact-groups?limit=1000'),
  });
  const contacts = useQuery({
    queryKey: ['contacts', ''],
    queryFn: () => api<Page<Contact>>('GET', '/contacts?limit=1000'),
  });
  const names = new Map((contacts.data?.items ?? []).map((contact) => [contact.id, contact.name]));
  const remove = useMutation({
    mutationFn: (group: ContactGroup) => api('DELETE', `/contact-groups/${group.id}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['contact-groups'] });
      void message.success(t('common.deleted'));
    },
    onError: (error) => void message.error(t('common.error', { message: error.message })),
  });
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'flex-end', marginBottom: 16 }}>
        <Button type="primary" onClick={() => setEditing('new')}>
          {t('groups.create')}
        </Button>
      </Space>
      <Table<ContactGroup>
        rowKey="id"
        loading={groups.isLoading}
        dataSource={[...(groups.data?.items ?? [])]}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('groups.name'), dataIndex: 'name' },
          {
            title: t('groups.members'),
            render: (_, group) => group.contactIds.map((id) => names.get(id) ?? id).join(', '),
          },
          {
            title: t('common.actions'),
            render: (_, group) => (
              <Space size="small">
                <Button size="small" type="link" onClick={() => setEditing(group)}>
                  {t('common.edit')}
                </Button>
                <DeleteButton name={group.name} onConfirm={() => remove.mutate(group)} />
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <ContactGroupDialog group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
    </>
  );
}

export function ContactsPage() {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3}>{t('contacts.title')}</Typography.Title>
      <Tabs
        items={[
          { key: 'contact', label: t('contacts.tabContact'), children: <ContactTab /> },
          { key: 'group', label: t('contacts.tabGroup'), children: <ContactGroupTab /> },
        ]}
      />
    </>
  );
}
