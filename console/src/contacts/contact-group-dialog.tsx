// Create a contact group: a group name and the alarm contacts in it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select } from 'antd';
import { api, type Page } from '../api/client';
import type { Contact, ContactGroup } from '../api/types';
import { showFieldErrors, withoutIndex } from '../form-errors';
import { useI18n } from '../i18n/i18n';

interface GroupForm {
  name: string;
  contactIds: string[];
}

export function ContactGroupDialog({
  group,
  onClose,
}: {
  readonly group: ContactGroup | null;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<GroupForm>();
  const queryClient = useQueryClient();
  const contacts = useQuery({
    queryKey: ['contacts', ''],
    queryFn: () => api<Page<Contact>>('GET', '/contacts?limit=1000'),
  });
  const save = useMutation({
    mutationFn: (values: GroupForm) => {
      const body = {
        name: values.name,
        description: group?.description ?? null,
        contactIds: values.contactIds,
      };
      return group
        ? api<ContactGroup>('PUT', `/contact-groups/${group.id}`, body)
        : api<ContactGroup>('POST', '/contact-groups', body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['contact-groups'] });
      void message.success(group ? t('common.saved') : t('groups.created'));
      onClose();
    },
    onError: (error) => showFieldErrors(form, error, (path) => withoutIndex(path)),
  });

  return (
    <Modal
      open
      title={group ? t('groups.editTitle') : t('groups.create')}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
    >
      <Form
        form={form}
        name="contactGroup"
        layout="vertical"
        initialValues={{ name: group?.name ?? '', contactIds: [...(group?.contactIds ?? [])] }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item label={t('groups.name')} name="name" rules={[{ required: true }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label={t('groups.contacts')} name="contactIds" rules={[{ required: true }]}>
          <Select
            mode="multiple"
            loading={contacts.isLoading}
            optionFilterProp="label"
            options={(contacts.data?.items ?? []).map((contact) => ({
              value: contact.id,
              label: contact.name,
            }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
