// The frame of every signed-in page, laid out like the ARMS console: a side menu (Alerts > Alert
// Policies, Alert Event History, Alert Sending History, Contacts; Data sources; Metrics), a header with
// the language switch and sign-out. On a phone the menu folds away behind a button.
import { Button, Drawer, Grid, Layout, Menu, Spin, Typography, type MenuProps } from 'antd';
import { Suspense, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { storeToken } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { LanguageSwitch } from './language-switch';

export function ConsoleLayout() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = screens.md === false;
  const [menuOpen, setMenuOpen] = useState(false);

  const items: MenuProps['items'] = [
    {
      key: 'alerts',
      label: t('menu.alerts'),
      type: 'group',
      children: [
        { key: '/alerts/policies', label: t('menu.alertPolicies') },
        { key: '/alerts/events', label: t('menu.alertEvents') },
        { key: '/alerts/sending-history', label: t('menu.sendingHistory') },
        { key: '/alerts/contacts', label: t('menu.contacts') },
      ],
    },
    { key: '/datasources', label: t('menu.datasources') },
    { key: '/metric-explorer', label: t('menu.metrics') },
  ];

  const menu = (
    <nav aria-label={t('app.menu')}>
      <Menu
        mode="inline"
        selectedKeys={[location.pathname]}
        items={items}
        onClick={({ key }) => {
          setMenuOpen(false);
          void navigate(key);
        }}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!narrow && (
        <Layout.Sider width={220} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
          <Typography.Title level={4} style={{ padding: '16px 24px', margin: 0 }}>
            {t('app.title')}
          </Typography.Title>
          {menu}
        </Layout.Sider>
      )}
      {narrow && (
        <Drawer
          open={menuOpen}
          onClose={() => setMenuOpen(false)}
          placement="left"
          size={240}
          title={t('app.title')}
        >
          {menu}
        </Drawer>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 16px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            gap: 8,
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          {narrow ? (
            <Button onClick={() => setMenuOpen(true)} aria-expanded={menuOpen}>
              ☰ {t('app.menu')}
            </Button>
          ) : (
            <span />
          )}
          <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
            <LanguageSwitch />
            <Button
              size="small"
              onClick={() => {
                storeToken(null);
                void navigate('/sign-in');
              }}
            >
              {t('app.signOut')}
            </Button>
          </div>
        </Layout.Header>
        <Layout.Content style={{ padding: narrow ? 8 : 24, minWidth: 0 }}>
          <main>
            {/* Pages load as their own chunks; the frame stays while one arrives. */}
            <Suspense fallback={<Spin size="large" style={{ display: 'block', margin: '64px auto' }} />}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
