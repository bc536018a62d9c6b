// The metric types an alert policy may watch, per kind, with their dimensions and metrics, named as ARMS
// users know them. This is vocabulary only; how each metric is computed from OpenTelemetry or Prometheus
// data belongs to the metric catalog in src/metrics (issue 4).

export const POLICY_KINDS = ['application', 'browser', 'custom', 'prometheus'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface MetricDefinition {
  readonly name: string;
  readonly unit: 'count' | 'ms' | 'percent' | 'bytes' | 'ratio' | 'score';
  readonly en: string;
  readonly zh: string;
}

export interface MetricTypeDefinition {
  readonly name: string;
  readonly kind: 'application' | 'browser';
  /** The label that splits the metric type into series; `traverse` and `specified` use it. */
  readonly dimensions: readonly string[];
  readonly en: string;
  readonly zh: string;
  readonly metrics: readonly MetricDefinition[];
}

function m(name: string, unit: MetricDefinition['unit'], en: string, zh: string): MetricDefinition {
  return { name, unit, en, zh };
}

export const METRIC_TYPES: readonly MetricTypeDefinition[] = [
  {
    name: 'Invocation_Statistic',
    kind: 'application',
    dimensions: ['interface'],
    en: 'Invocation statistics',
    zh: '应用调用类统计',
    metrics: [
      m('Invocation_Count', 'count', 'Invocations', '调用次数'),
      m('Invocation_RT', 'ms', 'Response time', '响应时间'),
      m('Invocation_Error_Count', 'count', 'Errors', '错误数'),
      m('Invocation_Error_Rate', 'percent', 'Error rate', '错误率'),
      m('Invocation_Slow_Count', 'count', 'Slow calls', '慢调用次数'),
    ],
  },
  {
    name: 'Invocation_Type',
    kind: 'application',
    dimensions: ['invocation_type'],
    en: 'Invocation by type (HTTP, Dubbo…, in and out)',
    zh: '调用类型统计',
    metrics: [
      m('Invocation_Type_Count', 'count', 'Invocations', '调用次数'),
      m('Invocation_Type_RT', 'ms', 'Response time', '响应时间'),
      m('Invocation_Type_Error_Count', 'count', 'Errors', '错误数'),
      m('Invocation_Type_Error_Rate', 'percent', 'Error rate', '错误率'),
    ],
  },
  {
    name: 'Database_Metric',
    kind: 'application',
    dimensions: ['database'],
    en: 'Database calls',
    zh: '数据库指标',
    metrics: [
      m('Database_Count', 'count', 'Calls', '调用次数'),
      m('Database_RT', 'ms', 'Response time', '响应时间'),
      m('Database_Error_Count', 'count', 'Errors', '错误数'),
      m('Database_Error_Rate', 'percent', 'Error rate', '错误率'),
    ],
  },
  {
    name: 'JVM_Monitoring',
    kind: 'application',
    dimensions: ['host'],
    en: 'JVM monitoring',
    zh: 'JVM 监控',
    metrics: [
      m('JVM_FullGC', 'count', 'Full GC count', 'FullGC 次数'),
      m('JVM_FullGC_Time', 'ms', 'Full GC time', 'FullGC 耗时'),
      m('JVM_YoungGC', 'count', 'Young GC count', 'YoungGC 次数'),
      m('JVM_YoungGC_Time', 'ms', 'Young GC time', 'YoungGC 耗时'),
      m('JVM_Heap_Used', 'bytes', 'Heap used', '堆内存使用量'),
      m('JVM_NonHeap_Used', 'bytes', 'Non-heap used', '非堆内存使用量'),
      m('JVM_ThreadCount', 'count', 'Live threads', '线程数'),
    ],
  },
  {
    name: 'Host_Monitoring',
    kind: 'application',
    dimensions: ['host'],
    en: 'Host monitoring',
    zh: '主机监控',
    metrics: [
      m('Host_CPU_Usage', 'percent', 'CPU usage', 'CPU 使用率'),
      m('Host_Memory_Free', 'bytes', 'Free memory', '空闲内存'),
      m('Host_Disk_Free', 'bytes', 'Free disk', '磁盘剩余空间'),
      m('Host_Load1', 'ratio', 'Load (1 min)', '系统负载'),
      m('Host_Network_Errors', 'count', 'Network errors', '网络错误包数'),
    ],
  },
  {
    name: 'Exception_Invocation',
    kind: 'application',
    dimensions: ['interface', 'exception'],
    en: 'Exceptions',
    zh: '异常调用',
    metrics: [m('Exception_Count', 'count', 'Exceptions', '异常次数')],
  },
  {
    name: 'Page_Metric',
    kind: 'browser',
    dimensions: ['page'],
    en: 'Page metrics',
    zh: '页面指标',
    metrics: [
      m('PV', 'count', 'Page views', '页面访问量'),
      m('JS_Error_Count', 'count', 'JS errors', 'JS 错误数'),
      m('JS_Error_Rate', 'percent', 'JS error rate', 'JS 错误率'),
      m('TTFB', 'ms', 'Time to first byte', '首字节时间'),
      m('DOM_Ready', 'ms', 'DOM ready', 'DOM Ready 时间'),
      m('Page_Load', 'ms', 'Page load', '页面完全加载时间'),
      m('FCP', 'ms', 'First contentful paint', '首次内容绘制'),
      m('LCP', 'ms', 'Largest contentful paint', '最大内容绘制'),
      m('INP', 'ms', 'Interaction to next paint', '交互到下一次绘制'),
      m('CLS', 'score', 'Cumulative layout shift', '累积布局偏移'),
    ],
  },
  {
    name: 'API_Metric',
    kind: 'browser',
    dimensions: ['api'],
    en: 'API calls',
    zh: 'API 指标',
    metrics: [
      m('API_Count', 'count', 'Calls', '调用次数'),
      m('API_Success_Rate', 'percent', 'Success rate', '成功率'),
      m('API_Duration', 'ms', 'Duration', '调用耗时'),
      m('API_Error_Count', 'count', 'Failed calls', '失败次数'),
    ],
  },
  {
    name: 'Page_API_Metric',
    kind: 'browser',
    dimensions: ['page', 'api'],
    en: 'API calls per page',
    zh: '页面 API 指标',
    metrics: [
      m('Page_API_Count', 'count', 'Calls', '调用次数'),
      m('Page_API_Success_Rate', 'percent', 'Success rate', '成功率'),
      m('Page_API_Duration', 'ms', 'Duration', '调用耗时'),
    ],
  },
  {
    name: 'Custom_Statistics_Metric',
    kind: 'browser',
    dimensions: ['key'],
    en: 'Custom statistics',
    zh: '自定义统计指标',
    metrics: [m('Custom_Sum', 'count', 'Sum', '累计值'), m('Custom_Avg', 'ratio', 'Average', '平均值')],
  },
];

const BY_NAME = new Map(METRIC_TYPES.map((type) => [type.name, type]));

/** The metric type of that name, or undefined. */
export function findMetricType(name: string): MetricTypeDefinition | undefined {
  return BY_NAME.get(name);
}

/** A name users may give a custom metric or a dimension: Prometheus-style, dots allowed (OpenTelemetry). */
export const METRIC_NAME_PATTERN = /^[A-Za-z_:][A-Za-z0-9_:.]{0,199}$/;
export const LABEL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;
