// The console: providers (language, antd theme and locale, react-query) and the routes of its pages.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ApiError, setUnauthorizedHandler, storedToken } from './api/client';
import { AlertEventsPage } from './alert-events/alert-events-page';
import { AlertPoliciesPage } from './alert-policies/alert-policies-page';
import { ContactsPage } from './contacts/contacts-page';
import { DatasourcesPage } from './datasources/datasources-page';
import { I18nProvider, useI18n } from './i18n/i18n';
import { ConsoleLayout } from './layout/console-layout';
import { MetricsExplorerPage } from './metrics/metrics-explorer-page';
import { SendingHistoryPage } from './notifications/sending-history-page';
import { SignInPage } from './sign-in/sign-in-page';

/** Client routes; none may start with a path the service keeps for itself (/api, /v1, /metrics…). */
export const ROUTES = {
  signIn: '/sign-in',
  alertPolicies: '/alerts/policies',
  alertEvents: '/alerts/events',
  sendingHistory: '/alerts/sending-history',
  contacts: '/alerts/contacts',
  datasources: '/datasources',
  metrics: '/metric-explorer',
} as const;

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not change by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

function RequireToken({ children }: { readonly children: React.ReactNode }) {
  const location = useLocation();
  if (!storedToken()) return <Navigate to={ROUTES.signIn} replace state={{ from: location.pathname }} />;
  return children;
}

function UnauthorizedRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      queryClient.clear();
      void navigate(ROUTES.signIn, { replace: true });
    });
  }, [navigate]);
  return null;
}

function LocalizedApp() {
  const { locale } = useI18n();
  return (
    <ConfigProvider locale={locale === 'zh-CN' ? zhCN : enUS} theme={{ token: { colorPrimary: '#ff6a00' } }}>
      <AntApp>
        <BrowserRouter>
          <UnauthorizedRedirect />
          <Routes>
            <Route path={ROUTES.signIn} element={<SignInPage />} />
            <Route
              element={
                <RequireToken>
                  <ConsoleLayout />
                </RequireToken>
              }
            >
              <Route path={ROUTES.alertPolicies} element={<AlertPoliciesPage />} />
              <Route path={ROUTES.alertEvents} element={<AlertEventsPage />} />
              <Route path={ROUTES.sendingHistory} element={<SendingHistoryPage />} />
              <Route path={ROUTES.contacts} element={<ContactsPage />} />
              <Route path={ROUTES.datasources} element={<DatasourcesPage />} />
              <Route path={ROUTES.metrics} element={<MetricsExplorerPage />} />
              <Route path="*" element={<Navigate to={ROUTES.alertPolicies} replace />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <LocalizedApp />
      </QueryClientProvider>
    </I18nProvider>
  );
}
