// The console: providers (language, antd theme and locale, react-query) and the routes of its pages.
// Each page is its own chunk, loaded when first visited: the sign-in page does not wait for the charts.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ApiError, setUnauthorizedHandler, storedToken } from './api/client';
import { I18nProvider, useI18n } from './i18n/i18n';
import { ConsoleLayout } from './layout/console-layout';
import { SignInPage } from './sign-in/sign-in-page';

// React.lazy wants a default export; the console has none (STYLE.md), so each import names its page.
const AlertPoliciesPage = lazy(() =>
  import('./alert-policies/alert-policies-page').then((module) => ({ default: module.AlertPoliciesPage })),
);
const AlertEventsPage = lazy(() =>
  import('./alert-events/alert-events-page').then((module) => ({ default: module.AlertEventsPage })),
);
const SendingHistoryPage = lazy(() =>
  import('./notifications/sending-history-page').then((module) => ({ default: module.SendingHistoryPage })),
);
const ContactsPage = lazy(() =>
  import('./contacts/contacts-page').then((module) => ({ default: module.ContactsPage })),
);
const DatasourcesPage = lazy(() =>
  import('./datasources/datasources-page').then((module) => ({ default: module.DatasourcesPage })),
);
const MetricsExplorerPage = lazy(() =>
  import('./metrics/metrics-explorer-page').then((module) => ({ default: module.MetricsExplorerPage })),
);

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
