// The Create/Edit Alarm form's values and their translation to and from the API's alert policy. One
// difference from the API shape: a rule's comparator and baseline are one choice ("increases by % vs an
// hour ago" is `increase_pct:hour_ago`), as the ARMS dialog offers them.
import type { AlertPolicy, Channel, PolicyKind } from '../api/types';
import type { FieldPath } from '../form-errors';

export interface ConditionForm {
  metric?: string;
  windowMinutes: number | null;
  aggregation: string;
  /** `gt` … `ne`, or `increase_pct:hour_ago` and the like. */
  comparison: string;
  threshold: number | null;
}

export interface PolicyForm {
  name: string;
  description?: string;
  kind: PolicyKind;
  target?: string;
  metricType?: string;
  datasourceId?: string;
  expr?: string;
  dimension: { mode: string; key?: string; value?: string };
  rules: { match: 'all' | 'any'; conditions: ConditionForm[] };
  noData: string;
  /** Blank: the service's default (fire at once, resolve after 5 minutes, keep while data is missing). */
  forEvaluations?: number | null;
  recoveryMinutes?: number | null;
  noDataAction?: string;
  severity: string;
  notification: {
    channels: Channel[];
    contactGroupIds: string[];
    silenceMinutes: number | null;
    effective: { days: number[]; from: string; to: string; timeZone: string };
    template: { title?: string; body?: string };
  };
}

const userTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';

export function newPolicyForm(kind: PolicyKind): PolicyForm {
  return {
    name: '',
    kind,
    dimension: { mode: kind === 'prometheus' ? 'none' : 'traverse' },
    rules: {
      match: 'all',
      conditions: [{ windowMinutes: 5, aggregation: 'avg', comparison: 'gt', threshold: null }],
    },
    noData: 'none',
    forEvaluations: 1,
    recoveryMinutes: 5,
    noDataAction: 'keep',
    severity: 'P3',
    notification: {
      channels: ['dingtalk'],
      contactGroupIds: [],
      silenceMinutes: 1440,
      effective: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00', timeZone: userTimeZone() },
      template: {},
    },
  };
}

export function policyToForm(policy: AlertPolicy): PolicyForm {
  return {
    name: policy.name,
    ...(policy.description && { description: policy.description }),
    kind: policy.kind,
    ...(policy.target !== undefined && { target: policy.target }),
    ...(policy.metricType && policy.kind !== 'custom' && { metricType: policy.metricType }),
    ...(policy.datasourceId && { datasourceId: policy.datasourceId }),
    ...(policy.expr && { expr: policy.expr }),
    dimension: { ...policy.dimension },
    rules: {
      match: policy.rules.match,
      conditions: policy.rules.conditions.map((condition) => ({
        ...(condition.metric && { metric: condition.metric }),
        windowMinutes: condition.windowMinutes,
        aggregation: condition.aggregation,
        comparison: condition.baseline
          ? `${condition.comparator}:${condition.baseline}`
          : condition.comparator,
        threshold: condition.threshold,
      })),
    },
    noData: policy.noData,
    forEvaluations: policy.forEvaluations ?? 1,
    recoveryMinutes: policy.recoveryMinutes ?? 5,
    noDataAction: policy.noDataAction ?? 'keep',
    severity: policy.severity,
    notification: {
      channels: [...policy.notification.channels],
      contactGroupIds: [...policy.notification.contactGroupIds],
      silenceMinutes: policy.notification.silenceMinutes,
      effective: { ...policy.notification.effective, days: [...policy.notification.effective.days] },
      template: {
        ...(policy.notification.template?.title && { title: policy.notification.template.title }),
        ...(policy.notification.template?.body && { body: policy.notification.template.body }),
      },
    },
  };
}

const blankToNull = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : text);

/**
 * The request body; `original` (when editing) keeps the settings this dialog does not show (enabled, and
 * fields a newer service may add), since PUT replaces the whole policy.
 */
export function formToBody(values: PolicyForm, original: AlertPolicy | null): Record<string, unknown> {
  const isPrometheus = values.kind === 'prometheus';
  const { id: _id, createdAt: _c, updatedAt: _u, ...kept } = original ?? ({} as Partial<AlertPolicy>);
  const dimension =
    values.dimension.mode === 'none'
      ? { mode: 'none' }
      : {
          mode: values.dimension.mode,
          key: blankToNull(values.dimension.key),
          ...(values.dimension.mode === 'specified' && { value: blankToNull(values.dimension.value) }),
        };
  return {
    ...kept,
    name: values.name,
    description: blankToNull(values.description),
    kind: values.kind,
    target: blankToNull(values.target),
    metricType: isPrometheus ? null : values.kind === 'custom' ? 'custom' : blankToNull(values.metricType),
    datasourceId: isPrometheus ? blankToNull(values.datasourceId) : null,
    expr: isPrometheus ? blankToNull(values.expr) : null,
    dimension,
    rules: {
      match: values.rules.match,
      conditions: values.rules.conditions.map((condition) => {
        const [comparator, baseline] = condition.comparison.split(':');
        return {
          metric: isPrometheus ? null : blankToNull(condition.metric),
          windowMinutes: condition.windowMinutes,
          aggregation: condition.aggregation,
          comparator,
          baseline: baseline ?? null,
          threshold: condition.threshold,
        };
      }),
    },
    noData: values.noData,
    forEvaluations: values.forEvaluations ?? null,
    recoveryMinutes: values.recoveryMinutes ?? null,
    noDataAction: values.noDataAction ?? null,
    severity: values.severity,
    notification: {
      ...(original?.notification ?? {}),
      channels: values.notification.channels,
      contactGroupIds: values.notification.contactGroupIds,
      silenceMinutes: values.notification.silenceMinutes,
      effective: values.notification.effective,
      template: templateBody(values.notification.template),
    },
  };
}

/** Blank title and body are the default texts: no template at all. */
function templateBody(template: PolicyForm['notification']['template'] | undefined) {
  const title = blankToNull(template?.title);
  const body = blankToNull(template?.body);
  return title === null && body === null ? null : { title, body };
}

/** Where an API field problem is shown in this form; null: nowhere but the summary. */
export function policyFieldPath(path: FieldPath): FieldPath | null {
  const [first, second, index, field] = path;
  if (first === 'rules' && second === 'conditions' && typeof index === 'number' && field !== undefined) {
    const formField = field === 'comparator' || field === 'baseline' ? 'comparison' : field;
    return ['rules', 'conditions', index, formField];
  }
  if (first === 'notification' && (second === 'contactGroupIds' || second === 'channels')) {
    return ['notification', second];
  }
  if (first === 'notification' && second === 'effective') {
    const [, , part] = path;
    return part === 'days' || part === undefined ? ['notification', 'effective', 'days'] : path.slice(0, 3);
  }
  if (first === 'notification' && second === 'template') {
    return ['notification', 'template', path[2] === 'title' ? 'title' : 'body'];
  }
  const known = [
    'name',
    'description',
    'target',
    'metricType',
    'datasourceId',
    'expr',
    'noData',
    'noDataAction',
    'forEvaluations',
    'recoveryMinutes',
    'severity',
  ];
  if (typeof first === 'string' && known.includes(first)) return [first];
  if (first === 'dimension')
    return ['dimension', second === 'value' ? 'value' : second === 'key' ? 'key' : 'mode'];
  if (first === 'notification' && second === 'silenceMinutes') return ['notification', 'silenceMinutes'];
  return null;
}
