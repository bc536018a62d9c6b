// The built-in data source: a policy's kind, target, dimension mode and rule metric become the right
// metric query, one series per dimension value.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestMetricStore, type TestMetricStore } from '../../test/metric-store-fixture.js';
import { seedPolicy } from '../../test/seed-fixtures.js';
import { alertPolicyInputSchema, type AlertPolicy } from '../domain/alert-policy.js';
import type { IngestSeries } from '../domain/metric-series.js';
import { deriveCatalogBatch } from '../metrics/catalog/derive.js';
import type { MetricStore } from '../metrics/store/metric-store.js';
import { builtinDataSource } from './builtin.js';
import type { PolicyDataSource } from './policy-data.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;

/** A stored policy from the seed's, with fields replaced. */
function policy(patch: Record<string, unknown> = {}): AlertPolicy {
  const input = alertPolicyInputSchema.parse(seedPolicy(['g1'], patch));
  return { ...input, id: 'p1', createdAt: T0, updatedAt: T0 };
}

function fullGcs(host: string, counts: number[], target = 'order-service'): IngestSeries {
  return {
    scope: 'custom',
    target,
    metric: 'jvm_gc_collection_seconds_count',
    labels: { gc: 'G1 Old Generation', instance: `${host}:9404`, job: target },
    temporality: 'delta',
    timestampsMs: counts.map((_, i) => T0 + i * MIN + 5_000),
    values: counts,
  };
}

describe('builtinDataSource', () => {
  let fixture: TestMetricStore;
  let store: MetricStore;
  let source: PolicyDataSource;

  beforeEach(() => {
    fixture = openTestMetricStore(() => T0 + 5 * MIN);
    store = fixture.store;
    const raw = [
      fullGcs('10.0.0.7', [1, 2, 3]),
      fullGcs('10.0.0.8', [0, 0, 5]),
      fullGcs('10.0.0.9', [9, 9, 9], 'pay-service'),
    ];
    store.append([...raw, ...deriveCatalogBatch(raw)]);
    source = builtinDataSource(store);
  });

  afterEach(() => {
    fixture.close();
  });

  async function fetch(p: AlertPolicy, minutes = 3) {
    const series = await source.fetchWindow({
      policy: p,
      condition: p.rules.conditions[0]!,
      fromMs: T0,
      toMs: T0 + minutes * MIN,
    });
    return series.map((s) => ({ key: s.key, labels: s.labels, values: [...s.values] }));
  }

  it('answers one series per host for the seed policy (traverse host)', async () => {
    expect(await fetch(policy())).toEqual([
      { key: '10.0.0.7', labels: { host: '10.0.0.7' }, values: [1, 2, 3] },
      { key: '10.0.0.8', labels: { host: '10.0.0.8' }, values: [0, 0, 5] },
    ]);
  });

  it('answers the one host of a specified dimension', async () => {
    const specified = policy({ dimension: { mode: 'specified', key: 'host', value: '10.0.0.8' } });
    expect(await fetch(specified)).toEqual([
      { key: '10.0.0.8', labels: { host: '10.0.0.8' }, values: [0, 0, 5] },
    ]);
  });

  it('adds every host up for dimension none', async () => {
    expect(await fetch(policy({ dimension: { mode: 'none' } }))).toEqual([
      { key: null, labels: {}, values: [1, 2, 8] },
    ]);
  });

  it('answers a series without values when the one watched series has no data, so no-data fills apply', async () => {
    const specified = policy({ dimension: { mode: 'specified', key: 'host', value: '10.9.9.9' } });
    const [series] = await fetch(specified);
    expect(series).toMatchObject({ key: '10.9.9.9', labels: { host: '10.9.9.9' } });
    expect(series!.values.every(Number.isNaN)).toBe(true);
    expect(await fetch(policy({ target: 'nobody' }))).toEqual([]);
  });

  it('reads a custom policy from pushed series of any target when it names none', async () => {
    const pushed: IngestSeries = {
      scope: 'custom',
      target: '',
      metric: 'queue_depth',
      labels: { queue: 'orders' },
      temporality: 'gauge',
      timestampsMs: [T0 + 1000],
      values: [42],
    };
    store.append([pushed]);
    const custom = policy({
      kind: 'custom',
      target: undefined,
      metricType: undefined,
      dimension: { mode: 'traverse', key: 'queue' },
      rules: { conditions: [{ metric: 'queue_depth', windowMinutes: 1, comparator: 'gt', threshold: 10 }] },
    });
    expect(await fetch(custom, 1)).toEqual([{ key: 'orders', labels: { queue: 'orders' }, values: [42] }]);
  });

  it('leaves series without the traversed label out', async () => {
    store.append([
      {
        scope: 'application',
        target: 'order-service',
        metric: 'JVM_FullGC',
        labels: {},
        temporality: 'delta',
        timestampsMs: [T0],
        values: [7],
      },
    ]);
    expect((await fetch(policy())).map((s) => s.key)).toEqual(['10.0.0.7', '10.0.0.8']);
  });

  it('rejects a prometheus policy, which reads its own data source', async () => {
    const prometheus = {
      ...policy(),
      kind: 'prometheus' as const,
      metricType: null,
      datasourceId: 'd1',
      expr: 'up == 0',
    };
    await expect(fetch(prometheus)).rejects.toThrow(/prometheus policy/);
  });
});
