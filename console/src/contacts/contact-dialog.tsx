// The New contact / Edit contact dialog: a name plus any of a DingTalk robot (webhook URL, SEC… secret,
// keywords, @mobiles), an e-mail address, a phone and a generic webhook. API field errors appear under
// the field they name; what was typed stays.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Divider, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { api, type FieldProblem } from '../api/client';
import type { Contact } from '../api/types';
import { showFieldErrors, withoutIndex } from '../form-errors';
import { useI18n } from '../i18n/i18n';

interface ContactForm {
  name: string;
  dingtalk: { webhook?: string; secret?: string; keywords?: string; atMobiles?: string };
  email?: string;
  phone?: string;
  webhook: { url?: string; method?: string };
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(/[,，\s]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');

const orNull = (text: string | undefined) => (text && text.trim() !== '' ? text.trim() : null);

function toBody(values: ContactForm, original: Contact | null) {
  const webhookUrl = orNull(values.dingtalk.webhook);
  return {
    name: values.name,
    description: original?.description ?? null,
    dingtalk: webhookUrl
      ? {
          ...original?.dingtalk,
          webhook: webhookUrl,
          secret: orNull(values.dingtalk.secret),
          keywords: list(values.dingtalk.keywords),
          atMobiles: list(values.dingtalk.atMobiles),
        }
      : null,
    email: orNull(values.email),
    phone: orNull(values.phone),
    webhook: orNull(values.webhook.url)
      ? { ...original?.webhook, url: values.webhook.url, method: values.webhook.method ?? 'POST' }
      : null,
  };
}

function toForm(contact: Contact | null): ContactForm {
  return {
    name: contact?.name ?? '',
    dingtalk: {
      webhook: contact?.dingtalk?.webhook ?? '',
      secret: contact?.dingtalk?.secret ?? '',
      keywords: contact?.dingtalk?.keywords.join(', ') ?? '',
      atMobiles: contact?.dingtalk?.atMobiles.join(', ') ?? '',
    },
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    webhook: { url: contact?.webhook?.url ?? '', method: contact?.webhook?.method ?? 'POST' },
  };
}

export function ContactDialog({
  contact,
  onClose,
}: {
  /** null: a new contact. */
  readonly contact: Contact | null;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<ContactForm>();
  const [unplaced, setUnplaced] = useState<readonly FieldProblem[]>([]);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (values: ContactForm) =>
      contact
        ? api<Contact>('PUT', `/contacts/${contact.id}`, toBody(values, contact))
        : api<Contact>('POST', '/contacts', toBody(values, null)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['contacts'] });
      void message.success(contact ? t('common.saved') : t('contacts.created'));
      onClose();
    },
    onError: (error) => {
      setUnplaced(showFieldErrors(form, error, (path) => withoutIndex(path)));
    },
  });

  return (
    <Modal
      open
      title={contact ? t('contacts.editTitle') : t('contacts.new')}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      width={640}
    >
      <Form
        form={form}
        name="contact"
        layout="vertical"
        initialValues={toForm(contact)}
        onFinish={(values) => {
          setUnplaced([]);
          save.mutate(values);
        }}
      >
        <Form.Item label={t('common.name')} name="name" rules={[{ required: true }]}>
          <Input autoFocus />
        </Form.Item>
        <Divider titlePlacement="start">{t('contacts.dingtalk')}</Divider>
        <Form.Item
          label={t('contacts.webhookUrl')}
          name={['dingtalk', 'webhook']}
          extra={t('contacts.webhookUrlHelp')}
        >
          <Input placeholder="https://oapi.dingtalk.com/robot/send?access_token=…" />
        </Form.Item>
        <Form.Item
          label={t('contacts.secret')}
          name={['dingtalk', 'secret']}
          extra={t('contacts.secretHelp')}
        >
          <Input placeholder="SEC…" autoComplete="off" />
        </Form.Item>
        <Form.Item
          label={t('contacts.keywords')}
          name={['dingtalk', 'keywords']}
          extra={t('contacts.keywordsHelp')}
        >
          <Input />
        </Form.Item>
        <Form.Item
          label={t('contacts.atMobiles')}
          name={['dingtalk', 'atMobiles']}
          extra={t('contacts.atMobilesHelp')}
        >
          <Input />
        </Form.Item>
        <Divider />
        <Form.Item label={t('contacts.email')} name="email">
          <Input type="email" />
        </Form.Item>
        <Form.Item label={t('contacts.phone')} name="phone">
          <Input type="tel" />
        </Form.Item>
        <Form.Item label={t('contacts.webhook')} name={['webhook', 'url']}>
          <Input placeholder="https://hooks.example.com/…" />
        </Form.Item>
        <Form.Item label={t('contacts.webhookMethod')} name={['webhook', 'method']}>
          <Select options={['POST', 'PUT', 'PATCH'].map((value) => ({ value, label: value }))} />
        </Form.Item>
        {unplaced.length > 0 && (
          <Alert
            type="error"
            role="alert"
            title={unplaced.map((problem) => `${problem.field}: ${problem.reason}`).join('; ')}
          />
        )}
      </Form>
    </Modal>
  );
}
