// The catalog agrees with the metric types policies validate against, reads only stored series that
// something writes, says how pushes are read, and is what docs/metrics.md shows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_TYPES } from '../../domain/metric-types.js';
import { CATALOG, defaultTemporality, findCatalogMetric } from './catalog.js';
import { CATALOG_DOCS_END, CATALOG_DOCS_START, renderCatalogMarkdown } from './catalog-markdown.js';
import { DERIVATION_RULES } from './derive.js';
import { describeFormula, metricsRead } from './formulas.js';
import { findStoredMetric, STORED_METRICS } from './stored-metrics.js';

const allMetrics = CATALOG.flatMap((type) => type.metrics);

describe('the metric catalog', () => {
  it('has every metric of every metric type policies know, with the same names, unit and dimensions', () => {
    for (const type of METRIC_TYPES) {
      for (const metric of type.metrics) {
        expect(findCatalogMetric(metric.name)).toMatchObject({
          ...metric,
          kind: type.kind,
          metricType: type.name,
          dimensions: type.dimensions,
        });
      }
    }
    expect(allMetrics).toHaveLength(METRIC_TYPES.flatMap((type) => type.metrics).length);
  });

  it('reads only stored series of its own scope, or pushes of the catalog name itself', () => {
    for (const metric of allMetrics) {
      for (const stored of metric.formulas.flatMap(metricsRead)) {
        if (stored === metric.name) continue;
        expect(findStoredMetric(metric.scope, stored), `${metric.name} reads ${stored}`).toBeDefined();
      }
    }
  });

  it('answers a catalog metric pushed under its own name first', () => {
    for (const metric of allMetrics) {
      expect(metricsRead(metric.formulas[0]!), metric.name).toContain(metric.name);
    }
  });

  it('writes through its derivation rules only stored application series it lists', () => {
    for (const rule of DERIVATION_RULES) {
      for (const stored of Object.keys(rule.produces)) {
        expect(findStoredMetric('application', stored), `${rule.metric} → ${stored}`).toBeDefined();
      }
    }
  });

  it('has every stored series read by some catalog metric', () => {
    const read = new Set(allMetrics.flatMap((metric) => metric.formulas.flatMap(metricsRead)));
    for (const stored of STORED_METRICS) expect(read, stored.name).toContain(stored.name);
  });

  it('names an OpenTelemetry source for every application metric but the pushed-only slow-call count', () => {
    for (const metric of allMetrics.filter((m) => m.kind === 'application')) {
      const families = new Set(metric.sources.map((s) => s.family));
      if (metric.name === 'Invocation_Slow_Count') expect(families.size).toBe(0);
      else expect(families, metric.name).toContain('OpenTelemetry');
    }
  });

  it('names Prometheus exporter sources for JVM and host metrics', () => {
    for (const name of [
      'JVM_FullGC',
      'JVM_YoungGC_Time',
      'JVM_Heap_Used',
      'JVM_ThreadCount',
      'Host_CPU_Usage',
      'Host_Memory_Free',
      'Host_Disk_Free',
      'Host_Load1',
      'Host_Network_Errors',
    ]) {
      const families = findCatalogMetric(name)!.sources.map((s) => s.family);
      expect(
        families.some((f) => f === 'JMX exporter' || f === 'Micrometer' || f === 'node exporter'),
        name,
      ).toBe(true);
    }
  });

  it('computes the response time as time over count and the error rate in percent', () => {
    const rt = findCatalogMetric('Invocation_RT')!;
    expect(rt.formulas.map(describeFormula)).toEqual([
      'Σ Invocation_RT ÷ Σ points of Invocation_RT',
      'Σ Invocation_Time ÷ Σ Invocation_Count',
    ]);
    expect(describeFormula(findCatalogMetric('Invocation_Error_Rate')!.formulas[1]!)).toBe(
      'Σ Invocation_Error_Count ÷ Σ Invocation_Count × 100',
    );
    expect(describeFormula(findCatalogMetric('API_Success_Rate')!.formulas[1]!)).toBe(
      'Σ points of API_Duration{success="true"} ÷ Σ points of API_Duration × 100',
    );
  });
});

describe('defaultTemporality', () => {
  it('reads pushed catalog counts as deltas and everything else as gauges', () => {
    expect(defaultTemporality('application', 'JVM_FullGC')).toBe('delta');
    expect(defaultTemporality('application', 'JVM_FullGC_Time')).toBe('delta');
    expect(defaultTemporality('application', 'Invocation_Type_Count')).toBe('delta');
    expect(defaultTemporality('application', 'JVM_ThreadCount')).toBe('gauge');
    expect(defaultTemporality('application', 'JVM_Heap_Used')).toBe('gauge');
    expect(defaultTemporality('application', 'Invocation_RT')).toBe('gauge');
    expect(defaultTemporality('browser', 'PV')).toBe('delta');
    expect(defaultTemporality('browser', 'TTFB')).toBe('gauge');
    expect(defaultTemporality('browser', 'API_Count')).toBe('delta');
  });

  it('reads custom metrics and names the catalog does not know as gauges', () => {
    expect(defaultTemporality('custom', 'JVM_FullGC')).toBe('gauge');
    expect(defaultTemporality('custom', 'orders_created_total')).toBe('gauge');
    expect(defaultTemporality('application', 'something_else')).toBe('gauge');
    expect(defaultTemporality('browser', 'JVM_FullGC')).toBe('gauge');
  });
});

describe('docs/metrics.md', () => {
  it('shows the catalog as generated from it (run npx tsx test/write-metric-docs.ts after a change)', () => {
    const docs = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    const start = docs.indexOf(CATALOG_DOCS_START);
    const end = docs.indexOf(CATALOG_DOCS_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(docs.slice(start + CATALOG_DOCS_START.length, end).trim()).toBe(renderCatalogMarkdown().trim());
  });
});
