// Sign-in: an API token, checked against the service before it is kept in localStorage.
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, storeToken, type Page } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { LanguageSwitch } from '../layout/language-switch';

export function SignInPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signIn({ token }: { token: string }) {
    setBusy(true);
    setFailure(null);
    try {
      await api<Page<unknown>>('GET', '/contacts?limit=1', undefined, token.trim());
      storeToken(token.trim());
      const from = (location.state as { from?: string } | null)?.from;
      await navigate(from && from !== '/sign-in' ? from : '/alerts/policies', { replace: true });
    } catch (error) {
      setFailure(t('signIn.rejected', { message: error instanceof Error ? error.message : String(error) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 'min(420px, 92vw)' }}>
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('signIn.title')}
          </Typography.Title>
          <LanguageSwitch />
        </div>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('signIn.hint')}
        </Typography.Paragraph>
        <Form
          layout="vertical"
          name="signIn"
          onFinish={(values: { token: string }) => void signIn(values)}
          requiredMark={false}
        >
          <Form.Item
            label={t('signIn.token')}
            name="token"
            rules={[{ required: true, whitespace: true, message: t('signIn.required') }]}
          >
            <Input.Password autoComplete="off" autoFocus />
          </Form.Item>
          {failure && <Alert type="error" title={failure} style={{ marginBottom: 16 }} role="alert" />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn.submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
