// Create Alarm / Edit Alarm, field by field as in the ARMS dialog: Alarm Name, Application Site, Type,
// Dimension, Alarm Rules (Meet All / Meet Any, "+" for another rule) with a live preview chart, how events
// open and resolve, Notification Mode, Notification Receiver (Contact Groups → Selected Groups), silence
// period, effective window, severity and the message template. The API's field errors appear under the
// field they name, and nothing typed is lost.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  AutoComplete,
  Button,
  Checkbox,
  Divider,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
} from 'antd';
import { useState } from 'react';
import { api, ApiError, type FieldProblem, type Page } from '../api/client';
import {
  AGGREGATIONS,
  BASELINES,
  NO_DATA_ACTIONS,
  NO_DATA_FILLS,
  PERCENT_COMPARATORS,
  PLAIN_COMPARATORS,
  SEVERITIES,
  type AlertPolicy,
  type CatalogMetricType,
  type ContactGroup,
  type Datasource,
  type MetricSummary,
  type PolicyKind,
} from '../api/types';
import { showFieldErrors } from '../form-errors';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages-en';
import { GroupPicker } from './group-picker';
import { formToBody, newPolicyForm, policyFieldPath, policyToForm, type PolicyForm } from './policy-form';
import { PolicyPreviewPanel } from './policy-preview';

const COMPARISONS = [
  ...PLAIN_COMPARATORS,
  ...PERCENT_COMPARATORS.flatMap((comparator) => BASELINES.map((baseline) => `${comparator}:${baseline}`)),
];

export function AlertPolicyDialog({
  kind,
  policy,
  onClose,
}: {
  readonly kind: PolicyKind;
  /** null: a new policy of `kind`. */
  readonly policy: AlertPolicy | null;
  readonly onClose: () => void;
}) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PolicyForm>();
  const [unplaced, setUnplaced] = useState<readonly FieldProblem[]>([]);
  const metricType = Form.useWatch('metricType', form);
  const dimensionMode = Form.useWatch(['dimension', 'mode'], form);

  const catalog = useQuery({
    queryKey: ['metric-catalog', kind],
    queryFn: () => api<{ metricTypes: CatalogMetricType[] }>('GET', `/metrics/catalog?kind=${kind}`),
    enabled: kind === 'application' || kind === 'browser',
  });
  const stored = useQuery({
    queryKey: ['metric-names', kind],
    queryFn: () => api<Page<MetricSummary>>('GET', `/metrics?kind=${kind}&limit=1000`),
    enabled: kind !== 'prometheus',
  });
  const groups = useQuery({
    queryKey: ['contact-groups'],
    queryFn: () => api<Page<ContactGroup>>('GET', '/contact-groups?limit=1000'),
  });
  const datasources = useQuery({
    queryKey: ['datasources'],
    queryFn: () => api<Page<Datasource>>('GET', '/datasources?limit=1000'),
    enabled: kind === 'prometheus',
  });

  const types = catalog.data?.metricTypes ?? [];
  const chosenType = types.find((type) => type.name === metricType);
  const targets = [...new Set((stored.data?.items ?? []).map((item) => item.target))];
  const metricOptions =
    kind === 'custom'
      ? [...new Set((stored.data?.items ?? []).map((item) => item.metric))].map((name) => ({ value: name }))
      : (chosenType?.metrics ?? []).map((metric) => ({
          value: metric.name,
          label: `${metric.name} (${locale === 'zh-CN' ? metric.zh : metric.en})`,
        }));

  const save = useMutation({
    mutationFn: (values: PolicyForm) => {
      const body = formToBody({ ...values, kind }, policy);
      return policy
        ? api<AlertPolicy>('PUT', `/alert-policies/${policy.id}`, body)
        : api<AlertPolicy>('POST', '/alert-policies', body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['alert-policies'] });
      void message.success(policy ? t('policy.saved') : t('policy.created'));
      onClose();
    },
    onError: (error) => {
      setUnplaced(showFieldErrors(form, error, policyFieldPath));
      if (!(error instanceof ApiError) || error.fields.length === 0) {
        void message.error(t('common.error', { message: error.message }));
      }
    },
  });

  const onMetricTypeChange = (name: string) => {
    const type = types.find((candidate) => candidate.name === name);
    if (type && form.getFieldValue(['dimension', 'mode']) !== 'none') {
      form.setFieldValue(['dimension', 'key'], type.dimensions[0]);
    }
  };
  const onModeChange = (mode: string) => {
    if (mode !== 'none' && !form.getFieldValue(['dimension', 'key']) && chosenType) {
      form.setFieldValue(['dimension', 'key'], chosenType.dimensions[0]);
    }
  };

  const initial = policy ? policyToForm(policy) : newPolicyForm(kind);
  return (
    <Modal
      open
      title={policy ? t('policy.editTitle') : t('policy.createTitle')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      width={880}
      destroyOnHidden
    >
      <Form<PolicyForm>
        form={form}
        name="policy"
        layout="vertical"
        initialValues={initial}
        onFinish={(values) => {
          setUnplaced([]);
          save.mutate(values);
        }}
        onValuesChange={(changed: Partial<PolicyForm>) => {
          if (changed.metricType !== undefined) onMetricTypeChange(changed.metricType);
          if (changed.dimension?.mode !== undefined) onModeChange(changed.dimension.mode);
        }}
      >
        <Form.Item label={t('policy.name')} name="name" rules={[{ required: true }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label={t('policy.description')} name="description">
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} />
        </Form.Item>
        {kind === 'prometheus' ? (
          <>
            <Form.Item label={t('policy.datasource')} name="datasourceId" rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={(datasources.data?.items ?? []).map((source) => ({
                  value: source.id,
                  label: source.name,
                }))}
              />
            </Form.Item>
            <Form.Item label={t('policy.expr')} name="expr" rules={[{ required: true }]}>
              <Input.TextArea rows={2} placeholder='up{job="node"} == 0' />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item
              label={kind === 'custom' ? t('policy.targetCustom') : t('policy.target')}
              name="target"
              rules={[{ required: kind !== 'custom' }]}
            >
              <AutoComplete
                options={targets.map((value) => ({ value }))}
                filterOption={(input, option) =>
                  (option?.value ?? '').toLowerCase().includes(input.toLowerCase())
                }
              />
            </Form.Item>
            {kind !== 'custom' && (
              <Form.Item label={t('policy.metricType')} name="metricType" rules={[{ required: true }]}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  loading={catalog.isLoading}
                  options={types.map((type) => ({
                    value: type.name,
                    label: `${type.name} (${locale === 'zh-CN' ? type.zh : type.en})`,
                  }))}
                />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item label={t('policy.dimension')} name={['dimension', 'mode']}>
          <Radio.Group
            options={(['traverse', 'specified', 'none'] as const).map((mode) => ({
              value: mode,
              label: t(`policy.dimension.${mode}`),
            }))}
          />
        </Form.Item>
        {dimensionMode !== 'none' && (
          <Space wrap align="start">
            <Form.Item label={t('policy.dimensionKey')} name={['dimension', 'key']}>
              {chosenType ? (
                <Select
                  style={{ minWidth: 160 }}
                  options={chosenType.dimensions.map((key) => ({ value: key, label: key }))}
                />
              ) : (
                <Input />
              )}
            </Form.Item>
            {dimensionMode === 'specified' && (
              <Form.Item label={t('policy.dimensionValue')} name={['dimension', 'value']}>
                <Input />
              </Form.Item>
            )}
          </Space>
        )}

        <Divider titlePlacement="start">{t('policy.rules')}</Divider>
        <Form.Item name={['rules', 'match']} label={t('policy.rules')}>
          <Radio.Group
            options={[
              { value: 'all', label: t('policy.match.all') },
              { value: 'any', label: t('policy.match.any') },
            ]}
          />
        </Form.Item>
        <Form.List name={['rules', 'conditions']}>
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => (
                <Space key={field.key} wrap align="start" style={{ marginBottom: 4 }}>
                  <span style={{ lineHeight: '32px' }}>{t('policy.last')}</span>
                  <Form.Item name={[field.name, 'windowMinutes']} rules={[{ required: true }]}>
                    <InputNumber
                      aria-label={`${t('policy.windowMinutes')} ${index + 1}`}
                      min={1}
                      max={1440}
                      style={{ width: 80 }}
                    />
                  </Form.Item>
                  <span style={{ lineHeight: '32px' }}>{t('common.minutes')}</span>
                  <Form.Item name={[field.name, 'aggregation']}>
                    <Select
                      aria-label={`${t('policy.aggregation')} ${index + 1}`}
                      showSearch
                      optionFilterProp="label"
                      style={{ width: 120 }}
                      options={AGGREGATIONS.map((value) => ({
                        value,
                        label: t(`policy.agg.${value}` as MessageKey),
                      }))}
                    />
                  </Form.Item>
                  {kind !== 'prometheus' && (
                    <Form.Item name={[field.name, 'metric']} rules={[{ required: true }]}>
                      {kind === 'custom' ? (
                        <AutoComplete
                          aria-label={`${t('policy.metric')} ${index + 1}`}
                          options={metricOptions}
                          style={{ width: 200 }}
                        />
                      ) : (
                        <Select
                          aria-label={`${t('policy.metric')} ${index + 1}`}
                          showSearch
                          optionFilterProp="label"
                          style={{ width: 240 }}
                          options={metricOptions}
                        />
                      )}
                    </Form.Item>
                  )}
                  <Form.Item name={[field.name, 'comparison']}>
                    <Select
                      aria-label={`${t('policy.comparison')} ${index + 1}`}
                      showSearch
                      optionFilterProp="label"
                      style={{ width: 250 }}
                      options={COMPARISONS.map((value) => ({
                        value,
                        label: t(`policy.cmp.${value.replace(':', '.')}` as MessageKey),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'threshold']} rules={[{ required: true }]}>
                    <InputNumber
                      aria-label={`${t('policy.threshold')} ${index + 1}`}
                      style={{ width: 110 }}
                    />
                  </Form.Item>
                  {fields.length > 1 && (
                    <Button
                      aria-label={`${t('policy.removeRule')} ${index + 1}`}
                      onClick={() => remove(field.name)}
                    >
                      −
                    </Button>
                  )}
                  {index === fields.length - 1 && fields.length < 10 && (
                    <Button
                      aria-label={t('policy.addRule')}
                      onClick={() =>
                        add({ windowMinutes: 5, aggregation: 'avg', comparison: 'gt', threshold: null })
                      }
                    >
                      +
                    </Button>
                  )}
                </Space>
              ))}
            </>
          )}
        </Form.List>
        <PolicyPreviewPanel kind={kind} policy={policy} />
        <Divider titlePlacement="start">{t('policy.lifecycle')}</Divider>
        <Space wrap align="start">
          <Form.Item label={t('policy.noData')} name="noData">
            <Select
              style={{ width: 260 }}
              options={NO_DATA_FILLS.map((value) => ({
                value,
                label: t(`policy.noData.${value}`),
              }))}
            />
          </Form.Item>
          <Form.Item label={t('policy.noDataAction')} name="noDataAction">
            <Select
              style={{ width: 260 }}
              options={NO_DATA_ACTIONS.map((value) => ({ value, label: t(`policy.noDataAction.${value}`) }))}
            />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item
            label={t('policy.forEvaluations')}
            name="forEvaluations"
            extra={t('policy.forEvaluationsHelp')}
          >
            <InputNumber min={1} max={60} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item
            label={t('policy.recoveryMinutes')}
            name="recoveryMinutes"
            extra={t('policy.recoveryMinutesHelp')}
          >
            <InputNumber min={0} max={1440} style={{ width: 160 }} />
          </Form.Item>
        </Space>

        <Divider />
        <Form.Item label={t('policy.channels')} name={['notification', 'channels']}>
          <Checkbox.Group
            options={(['dingtalk', 'email', 'webhook'] as const).map((value) => ({
              value,
              label: t(`policy.channel.${value}`),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('policy.receiver')} name={['notification', 'contactGroupIds']}>
          <GroupPicker groups={groups.data?.items ?? []} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item label={t('policy.silence')} name={['notification', 'silenceMinutes']}>
            <InputNumber min={1} max={43200} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item label={t('policy.severity')} name="severity">
            <Radio.Group optionType="button" options={SEVERITIES.map((value) => ({ value, label: value }))} />
          </Form.Item>
        </Space>
        <Divider titlePlacement="start">{t('policy.effective')}</Divider>
        <Form.Item label={t('policy.days')} name={['notification', 'effective', 'days']}>
          <Checkbox.Group
            options={[1, 2, 3, 4, 5, 6, 7].map((day) => ({
              value: day,
              label: t(`policy.day.${day}` as MessageKey),
            }))}
          />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item label={t('policy.from')} name={['notification', 'effective', 'from']}>
            <Input placeholder="00:00" style={{ width: 100 }} />
          </Form.Item>
          <Form.Item label={t('policy.to')} name={['notification', 'effective', 'to']}>
            <Input placeholder="24:00" style={{ width: 100 }} />
          </Form.Item>
          <Form.Item label={t('policy.timeZone')} name={['notification', 'effective', 'timeZone']}>
            <Input style={{ width: 200 }} />
          </Form.Item>
        </Space>
        <Divider titlePlacement="start">{t('policy.template')}</Divider>
        <Form.Item
          label={t('policy.templateTitle')}
          name={['notification', 'template', 'title']}
          extra={t('policy.templateHelp')}
        >
          <Input placeholder="[{{severity}}] {{policy.name}} {{dimension.value}}" maxLength={200} />
        </Form.Item>
        <Form.Item label={t('policy.templateBody')} name={['notification', 'template', 'body']}>
          <Input.TextArea
            autoSize={{ minRows: 2, maxRows: 8 }}
            maxLength={4000}
            placeholder={'{{rules}}\n{{links.view}}'}
          />
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
