// The policy dialog's preview: the policy as typed so far, replayed by the service over the last hours
// (`POST /alert-policies:preview`, the evaluator's own rules) and drawn per dimension value, with its
// threshold and the intervals in which it would have fired. It follows the form as the user types.
import { useQuery } from '@tanstack/react-query';
import { Alert, Flex, Form, Radio, Select, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { AlertPolicy, PolicyKind, PolicyPreview } from '../api/types';
import { TimeSeriesChart } from '../charts/time-series-chart';
import { useI18n, type Translate } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages-en';
import { formToBody, type PolicyForm } from './policy-form';
import { previewPicture, type PreviewLabels } from './preview-lines';

const PREVIEW_HOURS = [1, 3, 6, 24] as const;
/** Typing pauses this long before the service is asked again. */
const DEBOUNCE_MS = 500;

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** Whether the form says enough for a replay; the service would only answer with "fill in X" otherwise. */
function isComplete(values: PolicyForm | undefined): values is PolicyForm {
  if (!values?.rules?.conditions?.length) return false;
  const needsTarget = values.kind === 'application' || values.kind === 'browser';
  if (needsTarget && (!values.target || !values.metricType)) return false;
  if (values.kind === 'prometheus' && (!values.datasourceId || !values.expr)) return false;
  return values.rules.conditions.every(
    (condition) =>
      typeof condition?.threshold === 'number' &&
      typeof condition.windowMinutes === 'number' &&
      (values.kind === 'prometheus' || Boolean(condition.metric)),
  );
}

/** The preview chart's legend texts, in the console's language. */
export function previewLabels(
  t: Translate,
  metric: string,
  aggregation: string | undefined,
  windowMinutes: number | null | undefined,
): PreviewLabels {
  return {
    dimension: (key) => key ?? t('preview.allValues'),
    threshold: t('preview.threshold'),
    baseline: t('preview.baseline'),
    perMinute: t('preview.perMinute', { metric }),
    aggregate: t('preview.aggregate', {
      aggregation: t(`policy.agg.${aggregation ?? 'avg'}` as MessageKey),
      window: windowMinutes ?? '',
    }),
  };
}

export function PolicyPreviewPanel({
  kind,
  policy,
}: {
  readonly kind: PolicyKind;
  readonly policy: AlertPolicy | null;
}) {
  const { t } = useI18n();
  const form = Form.useFormInstance<PolicyForm>();
  const values = Form.useWatch((all: PolicyForm) => all, { form, preserve: true });
  const [hours, setHours] = useState<number>(3);
  const [ruleIndex, setRuleIndex] = useState(0);
  const [only, setOnly] = useState<string | null | undefined>(undefined);
  const complete = isComplete(values && { ...values, kind });
  // Whom the policy notifies does not change the replay: the API takes it with no group chosen yet.
  const body = complete ? formToBody({ ...values, kind }, policy) : null;
  const wanted = body && JSON.stringify({ policy: body, hours });
  const request = useDebounced(wanted, DEBOUNCE_MS);

  const preview = useQuery({
    queryKey: ['policy-preview', request],
    queryFn: () => api<PolicyPreview>('POST', '/alert-policies:preview', JSON.parse(request!)),
    enabled: request !== null,
    placeholderData: (previous) => previous,
    retry: false,
  });

  const conditions = values?.rules?.conditions ?? [];
  // The choices stand for rules and values that may since have gone: a removed rule, a quiet host.
  const shownRule = Math.max(0, Math.min(ruleIndex, conditions.length - 1));
  const rule = conditions[shownRule];
  const answer = request === null ? undefined : preview.data;
  const shownValue = answer?.dimensions.some((dimension) => dimension.key === only) ? only : undefined;
  const dimensionName = (key: string | null) => key ?? t('preview.allValues');
  const picture = answer
    ? previewPicture(
        answer,
        shownRule,
        shownValue,
        previewLabels(t, rule?.metric ?? values?.expr ?? '', rule?.aggregation, rule?.windowMinutes),
      )
    : null;
  const firedCount = picture?.fired.reduce((sum, dimension) => sum + dimension.firing.length, 0) ?? 0;
  // The hours of the answer drawn, which lag the chosen ones while a new answer is on its way.
  const shownHours = answer ? Math.round((answer.toMs - answer.fromMs) / 3_600_000) : hours;
  const chartLabel = picture
    ? t('preview.chartLabel', {
        metric: rule?.metric ?? values?.expr ?? '',
        aggregation: t(`policy.agg.${rule?.aggregation ?? 'avg'}` as MessageKey),
        window: rule?.windowMinutes ?? '',
        hours: shownHours,
        values: picture.shown.map((dimension) => dimensionName(dimension.key)).join(', ') || '—',
        fired: picture.fired.map((dimension) => dimensionName(dimension.key)).join(', ') || '—',
      })
    : '';
  const busy = request !== wanted || preview.isFetching;

  return (
    <section aria-label={t('preview.title')} aria-busy={busy} style={{ minWidth: 0 }}>
      <Flex wrap gap={8} align="center" justify="space-between" style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('preview.title')}</Typography.Text>
        <Flex wrap gap={8}>
          {conditions.length > 1 && (
            <Select
              aria-label={t('preview.rule')}
              size="small"
              value={shownRule}
              onChange={setRuleIndex}
              style={{ width: 120 }}
              options={conditions.map((_, index) => ({
                value: index,
                label: t('preview.ruleN', { n: index + 1 }),
              }))}
            />
          )}
          {answer && answer.dimensions.length > 1 && (
            <Select
              aria-label={t('preview.dimension')}
              size="small"
              value={shownValue === undefined ? '*' : JSON.stringify(shownValue)}
              onChange={(choice: string) =>
                setOnly(choice === '*' ? undefined : (JSON.parse(choice) as string))
              }
              style={{ width: 160 }}
              options={[
                { value: '*', label: t('preview.every') },
                ...answer.dimensions.map((dimension) => ({
                  value: JSON.stringify(dimension.key),
                  label: dimensionName(dimension.key),
                })),
              ]}
            />
          )}
          <Radio.Group
            aria-label={t('preview.range')}
            size="small"
            optionType="button"
            value={hours}
            onChange={(event) => setHours(event.target.value as number)}
            options={PREVIEW_HOURS.map((value) => ({ value, label: t('preview.hours', { hours: value }) }))}
          />
        </Flex>
      </Flex>
      {!complete ? (
        <Typography.Text type="secondary">{t('preview.incomplete')}</Typography.Text>
      ) : preview.error ? (
        <Alert
          type="warning"
          showIcon
          title={
            preview.error instanceof ApiError && preview.error.fields.length > 0
              ? preview.error.fields.map((problem) => `${problem.field}: ${problem.reason}`).join('; ')
              : preview.error.message
          }
        />
      ) : picture && answer ? (
        <>
          <Typography.Paragraph role="status" style={{ marginBottom: 4 }}>
            {picture.fired.length > 0
              ? t('preview.wouldFire', {
                  count: firedCount,
                  fired: picture.fired.length,
                  total: answer.totalDimensions,
                  hours: shownHours,
                })
              : t('preview.wouldNotFire', { total: answer.totalDimensions, hours: shownHours })}
          </Typography.Paragraph>
          <TimeSeriesChart
            label={chartLabel}
            fromMs={answer.fromMs}
            toMs={answer.toMs}
            stepMs={answer.stepMs}
            lines={picture.lines}
            intervals={picture.intervals}
            intervalLabel={t('preview.firing')}
            height={200}
          />
        </>
      ) : (
        <Typography.Text type="secondary">{t('preview.loading')}</Typography.Text>
      )}
    </section>
  );
}
