// New / edit a Prometheus data source: name, URL, timeout and one way to authenticate. Secrets come back
// masked; sending the masked value back keeps the stored one, so editing the URL never loses a password.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, InputNumber, Modal, Radio } from 'antd';
import { api } from '../api/client';
import type { Datasource } from '../api/types';
import { showFieldErrors } from '../form-errors';
import { useI18n } from '../i18n/i18n';

type AuthMode = 'none' | 'basic' | 'bearer';

interface DatasourceForm {
  name: string;
  url: string;
  timeoutSeconds: number;
  auth: AuthMode;
  username?: string;
  password?: string;
  bearerToken?: string;
}

function formOf(source: Datasource | null): DatasourceForm {
  return {
    name: source?.name ?? '',
    url: source?.url ?? '',
    timeoutSeconds: source?.timeoutSeconds ?? 30,
    auth: source?.basicAuth ? 'basic' : source?.bearerToken ? 'bearer' : 'none',
    username: source?.basicAuth?.username ?? '',
    password: source?.basicAuth?.password ?? '',
    bearerToken: source?.bearerToken ?? '',
  };
}

function bodyOf(values: DatasourceForm) {
  return {
    name: values.name,
    type: 'prometheus',
    url: values.url,
    timeoutSeconds: values.timeoutSeconds,
    basicAuth:
      values.auth === 'basic' ? { username: values.username ?? '', password: values.password ?? '' } : null,
    bearerToken: values.auth === 'bearer' ? (values.bearerToken ?? '') : null,
  };
}

export function DatasourceDialog({
  source,
  onClose,
}: {
  readonly source: Datasource | null;
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<DatasourceForm>();
  const auth = Form.useWatch('auth', form) ?? formOf(source).auth;
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (values: DatasourceForm) =>
      source
        ? api<Datasource>('PUT', `/datasources/${source.id}`, bodyOf(values))
        : api<Datasource>('POST', '/datasources', bodyOf(values)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['datasources'] });
      void message.success(source ? t('common.saved') : t('datasources.created'));
      onClose();
    },
    // basicAuth.username → username: the form keeps the auth fields flat.
    onError: (error) =>
      showFieldErrors(form, error, (path) => (path[0] === 'basicAuth' ? path.slice(1) : path)),
  });

  return (
    <Modal
      open
      title={source ? t('datasources.editTitle') : t('datasources.new')}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
    >
      <Form
        form={form}
        name="datasource"
        layout="vertical"
        initialValues={formOf(source)}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item label={t('common.name')} name="name" rules={[{ required: true }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label={t('datasources.url')} name="url" rules={[{ required: true }]}>
          <Input placeholder="http://127.0.0.1:9090" />
        </Form.Item>
        <Form.Item label={t('datasources.timeout')} name="timeoutSeconds">
          <InputNumber min={1} max={300} />
        </Form.Item>
        <Form.Item label={t('datasources.auth')} name="auth">
          <Radio.Group
            options={[
              { value: 'none', label: t('datasources.authNone') },
              { value: 'basic', label: t('datasources.authBasic') },
              { value: 'bearer', label: t('datasources.authBearer') },
            ]}
          />
        </Form.Item>
        {auth === 'basic' && (
          <>
            <Form.Item label={t('datasources.username')} name="username" rules={[{ required: true }]}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item label={t('datasources.password')} name="password">
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          </>
        )}
        {auth === 'bearer' && (
          <Form.Item label={t('datasources.bearerToken')} name="bearerToken" rules={[{ required: true }]}>
            <Input.Password autoComplete="off" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
