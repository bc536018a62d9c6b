// The New contact / Edit contact dialog: a name plus any of a DingTalk robot (webhook URL, SEC… secret,
// keywords, whom to @-mention, message type), an e-mail address, a phone and a generic webhook (method,
// headers, body template, signing secret). API field errors appear under the field they name; what was
// typed stays.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Checkbox, Divider, Form, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { api, type FieldProblem } from '../api/client';
import { DINGTALK_MESSAGE_TYPES, WEBHOOK_METHODS, type Contact } from '../api/types';
import { showFieldErrors, withoutIndex, type FieldPath } from '../form-errors';
import { useI18n } from '../i18n/i18n';

interface ContactForm {
  name: string;
  description?: string;
  dingtalk: {
    webhook?: string;
    secret?: string;
    keywords?: string;
    atMobiles?: string;
    atUserIds?: string;
    atAll?: boolean;
    messageType?: string;
  };
  email?: string;
  phone?: string;
  webhook: { url?: string; method?: string; headers?: string; bodyTemplate?: string; secret?: string };
}

/** `Name: value` lines ⇄ the headers object; a masked value shown by the API goes back unchanged. */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (line.trim() === '') continue;
    // A line without a colon is sent as a name with an empty value, and the API names it.
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    headers[name] = colon < 0 ? '' : line.slice(colon + 1).trim();
  }
  return headers;
}

function formatHeaders(headers: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** `webhook.headers.X-Token` belongs to the headers box; `dingtalk.keywords[1]` to the keywords field. */
function contactFieldPath(path: FieldPath): FieldPath {
  if (path[0] === 'webhook' && path[1] === 'headers') return ['webhook', 'headers'];
  return withoutIndex(path);
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
    description: orNull(values.description),
    dingtalk: webhookUrl
      ? {
          ...original?.dingtalk,
          webhook: webhookUrl,
          secret: orNull(values.dingtalk.secret),
          keywords: list(values.dingtalk.keywords),
          atMobiles: list(values.dingtalk.atMobiles),
          atUserIds: list(values.dingtalk.atUserIds),
          atAll: values.dingtalk.atAll ?? false,
          messageType: values.dingtalk.messageType ?? 'markdown',
        }
      : null,
    email: orNull(values.email),
    phone: orNull(values.phone),
    webhook: orNull(values.webhook.url)
      ? {
          ...original?.webhook,
          url: values.webhook.url,
          method: values.webhook.method ?? 'POST',
          headers: parseHeaders(values.webhook.headers),
          bodyTemplate: orNull(values.webhook.bodyTemplate),
          secret: orNull(values.webhook.secret),
        }
      : null,
  };
}

function toForm(contact: Contact | null): ContactForm {
  return {
    name: contact?.name ?? '',
    description: contact?.description ?? '',
    dingtalk: {
      webhook: contact?.dingtalk?.webhook ?? '',
      secret: contact?.dingtalk?.secret ?? '',
      keywords: contact?.dingtalk?.keywords.join(', ') ?? '',
      atMobiles: contact?.dingtalk?.atMobiles.join(', ') ?? '',
      atUserIds: contact?.dingtalk?.atUserIds?.join(', ') ?? '',
      atAll: contact?.dingtalk?.atAll ?? false,
      messageType: contact?.dingtalk?.messageType ?? 'markdown',
    },
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    webhook: {
      url: contact?.webhook?.url ?? '',
      method: contact?.webhook?.method ?? 'POST',
      headers: formatHeaders(contact?.webhook?.headers),
      bodyTemplate: contact?.webhook?.bodyTemplate ?? '',
      secret: contact?.webhook?.secret ?? '',
    },
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
      setUnplaced(showFieldErrors(form, error, contactFieldPath));
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
        <Form.Item label={t('common.description')} name="description">
          <Input maxLength={2000} />
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
        <Form.Item
          label={t('contacts.atUserIds')}
          name={['dingtalk', 'atUserIds']}
          extra={t('contacts.atUserIdsHelp')}
        >
          <Input />
        </Form.Item>
        <Space wrap align="start" size="large">
          <Form.Item name={['dingtalk', 'atAll']} valuePropName="checked">
            <Checkbox>{t('contacts.atAll')}</Checkbox>
          </Form.Item>
          <Form.Item label={t('contacts.messageType')} name={['dingtalk', 'messageType']}>
            <Select
              style={{ width: 180 }}
              options={DINGTALK_MESSAGE_TYPES.map((value) => ({
                value,
                label: t(`contacts.messageType.${value}`),
              }))}
            />
          </Form.Item>
        </Space>
        <Divider />
        <Form.Item label={t('contacts.email')} name="email">
          <Input type="email" />
        </Form.Item>
        <Form.Item label={t('contacts.phone')} name="phone">
          <Input type="tel" />
        </Form.Item>
        <Divider titlePlacement="start">{t('contacts.webhookSection')}</Divider>
        <Form.Item label={t('contacts.webhook')} name={['webhook', 'url']}>
          <Input placeholder="https://hooks.example.com/…" />
        </Form.Item>
        <Form.Item label={t('contacts.webhookMethod')} name={['webhook', 'method']}>
          <Select options={WEBHOOK_METHODS.map((value) => ({ value, label: value }))} />
        </Form.Item>
        <Form.Item
          label={t('contacts.webhookHeaders')}
          name={['webhook', 'headers']}
          extra={t('contacts.webhookHeadersHelp')}
        >
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} placeholder="X-Token: …" />
        </Form.Item>
        <Form.Item
          label={t('contacts.webhookBodyTemplate')}
          name={['webhook', 'bodyTemplate']}
          extra={t('contacts.webhookBodyTemplateHelp')}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 10 }} />
        </Form.Item>
        <Form.Item
          label={t('contacts.webhookSecret')}
          name={['webhook', 'secret']}
          extra={t('contacts.webhookSecretHelp')}
        >
          <Input autoComplete="off" />
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
