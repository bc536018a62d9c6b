// The policy preview over HTTP (buildApp on a real store and a real metric store, listening on port 0):
// metrics pushed through POST /api/v1/push with explicit timestamps; the seed's policy previewed saved and
// unsaved fires for exactly the two hosts whose FullGC doubled; requests are validated like create; a
// viewer may preview; `tocsin policies preview` draws it; and the real evaluator, run minute by minute
// over the same data with a manual clock, opens and resolves exactly the events the preview shows.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/databases.js';
import { openTestMetricStore, type TestMetricStore } from '../../../test/metric-store-fixture.js';
import { SEED_POLICY_NAME, SEED_WEBHOOK, seedPolicy } from '../../../test/seed-fixtures.js';
import { run } from '../../cli/program.js';
import { builtinDataSource } from '../../datasources/builtin.js';
import type { PolicyDataSource, WindowRequest } from '../../datasources/policy-data.js';
import type { IngestSeries } from '../../domain/metric-series.js';
import { Evaluator } from '../../evaluator/evaluator.js';
import { deriveCatalogBatch } from '../../metrics/catalog/derive.js';
import { SecretBox } from '../../store/secret-box.js';
import { openStore, type Store } from '../../store/store.js';
import { buildApp } from '../app.js';
import { hashToken } from '../auth.js';
import { policyPreviewSchema } from './preview-schema.js';

const ADMIN = 'tcs_admin-token-for-policy-previews';
const VIEWER = 'tcs_viewer-token-for-policy-previews';
const INGEST = 'tcs_ingest-token-for-policy-previews';
const MIN = 60_000;
/** The last complete minute: previews end here. A Monday, 10:00 in Shanghai. */
const NOW = Date.parse('2025-01-06T02:00:00Z');
const HISTORY_MINUTES = 180;
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'] as const;
const DOUBLED = new Set<string>(['10.0.0.1', '10.0.0.2']);
const QUEUE_HOSTS = ['a', 'b', 'c'] as const;

/** A queue depth that wanders over and under 50, with minutes missing, the same on every run. */
function queueDepths(seed: number): (number | null)[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  let level = 40;
  return Array.from({ length: HISTORY_MINUTES }, () => {
    level = Math.max(0, Math.min(100, level + (next() - 0.5) * 30));
    return next() < 0.08 ? null : Math.round(level);
  });
}

/** A policy on the queue depths that exercises the lifecycle: two holding evaluations, 3 minutes to recover. */
function queuePolicy(groupId: string): Record<string, unknown> {
  return seedPolicy([groupId], {
    name: 'queue backing up',
    kind: 'custom',
    metricType: undefined,
    rules: {
      match: 'all',
      conditions: [
        { metric: 'queue_depth', windowMinutes: 3, aggregation: 'avg', comparator: 'gt', threshold: 50 },
      ],
    },
    forEvaluations: 2,
    recoveryMinutes: 3,
    noDataAction: 'resolve',
  });
}

interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
  readonly ongoing: boolean;
}

describe('POST /api/v1/alert-policies:preview and /{id}:preview', () => {
  let database: TestDatabase;
  let store: Store;
  let metrics: TestMetricStore;
  let app: FastifyInstance;
  let url: string;
  let now = NOW + 150;
  let groupId: string;
  let seedId: string;
  /** The windows the previews asked the built-in data source for. */
  const fetched: WindowRequest[] = [];

  async function api(method: string, path: string, body?: unknown, token: string | null = ADMIN) {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore({ url: database.url, box: new SecretBox(randomBytes(32)), now: () => now });
    await store.apiTokens.create({ name: 'admin', role: 'admin', tokenHash: hashToken(ADMIN) });
    await store.apiTokens.create({ name: 'viewer', role: 'viewer', tokenHash: hashToken(VIEWER) });
    await store.apiTokens.create({ name: 'ingest', role: 'ingest', tokenHash: hashToken(INGEST) });
    metrics = openTestMetricStore(() => now);
    const metricStore = metrics.store;
    const builtin = builtinDataSource(metricStore);
    const counted: PolicyDataSource = {
      fetchWindow(request) {
        fetched.push(request);
        return builtin.fetchWindow(request);
      },
    };
    app = await buildApp({
      config: { allowedWebhookOrigins: [], bodyLimitBytes: 1024 * 1024, publicUrl: 'http://127.0.0.1' },
      store,
      clock: { now: () => now },
      metricStore,
      // As main.ts does: what was sent, then the catalog metrics derived from it.
      ingestSeries: (series: IngestSeries[]) => {
        const result = metricStore.append(series);
        metricStore.append(deriveCatalogBatch(series));
        return result;
      },
      policyDataSource: () => counted,
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });

    const samples: object[] = [];
    for (let i = 0; i < HISTORY_MINUTES; i++) {
      const minute = NOW - (HISTORY_MINUTES - i) * MIN;
      for (const host of HOSTS) {
        // Two FullGCs a minute; the doubled hosts four in the last 30 minutes.
        const value = DOUBLED.has(host) && minute >= NOW - 30 * MIN ? 4 : 2;
        samples.push({
          kind: 'application',
          target: 'order-service',
          metric: 'JVM_FullGC',
          labels: { host },
          value,
          timestamp: minute + 20_000,
        });
      }
    }
    QUEUE_HOSTS.forEach((host, h) => {
      queueDepths(h + 7).forEach((value, i) => {
        if (value === null) return;
        const timestamp = NOW - (HISTORY_MINUTES - i) * MIN + 30_000;
        samples.push({
          kind: 'custom',
          target: 'order-service',
          metric: 'queue_depth',
          labels: { host },
          value,
          timestamp,
        });
      });
    });
    const pushed = await api('POST', '/api/v1/push', { samples }, INGEST);
    expect(pushed.status, JSON.stringify(pushed.body)).toBeLessThan(300);

    const contact = await api('POST', '/api/v1/contacts', {
      name: 'ops-robot',
      dingtalk: { webhook: SEED_WEBHOOK },
    });
    groupId = (await api('POST', '/api/v1/contact-groups', { name: 'ops', contactIds: [contact.body.id] }))
      .body.id;
    const seed = await api('POST', '/api/v1/alert-policies', seedPolicy([groupId]));
    expect(seed.status, JSON.stringify(seed.body)).toBe(201);
    seedId = seed.body.id;
  });

  afterAll(async () => {
    await app?.close();
    metrics?.close();
    await store?.close();
    await database?.drop();
  });

  it('fires the seed’s policy for exactly the two hosts whose FullGC doubled, for the last 25 minutes', async () => {
    const { status, body } = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, { hours: 1 });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(() => policyPreviewSchema.parse(body)).not.toThrow();
    expect(body).toMatchObject({
      fromMs: NOW - 60 * MIN,
      toMs: NOW,
      stepMs: MIN,
      totalDimensions: 3,
      truncated: false,
    });
    expect(body.dimensions.map((d: { key: string }) => d.key)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const [first, second, third] = body.dimensions;
    for (const doubled of [first, second]) {
      // The 5-minute window is all doubled minutes from 09:30–09:35 on, evaluated at 09:35.
      expect(doubled.firing).toEqual([
        { fromMs: NOW - 25 * MIN, openedAtMs: NOW - 25 * MIN, toMs: NOW, ongoing: true, noData: false },
      ]);
      const [rule] = doubled.rules;
      expect(rule).toMatchObject({
        metric: 'JVM_FullGC',
        aggregation: 'avg',
        windowMinutes: 5,
        comparator: 'increase_pct',
        baseline: 'hour_ago',
        threshold: 100,
      });
      expect(rule.series).toHaveLength(60);
      expect([rule.series[0], rule.series[29], rule.series[30], rule.series[59]]).toEqual([2, 2, 4, 4]);
      expect(rule.baselineValues.every((value: number) => value === 2)).toBe(true);
      expect(rule.thresholdValues.every((value: number) => value === 4)).toBe(true);
      expect(rule.values[33]).toBeCloseTo(3.6);
      expect(rule.values[34]).toBe(4);
      expect(rule.holds.slice(32, 36)).toEqual([false, false, true, true]);
    }
    expect(first.labels).toEqual({ host: '10.0.0.1' });
    expect(third.firing).toEqual([]);
    expect(third.rules[0].holds.every((held: boolean) => !held)).toBe(true);
    expect(third.rules[0].values.every((value: number) => value === 2)).toBe(true);
  });

  it('answers a day of 100 hosts from the built-in store with one query for the rule', async () => {
    // Straight into the metric store: 100 hosts, a day and the hour-ago baseline before it; every host's
    // FullGC rate doubles for 40 minutes at a time of its own.
    const minutes = 24 * 60 + 65;
    const first = NOW - minutes * MIN;
    const series: IngestSeries[] = Array.from({ length: 100 }, (_, h) => {
      const doubledFrom = NOW - (20 + h * 13) * MIN;
      return {
        scope: 'application',
        target: 'big-service',
        metric: 'JVM_FullGC',
        labels: { host: `10.1.0.${h}` },
        temporality: 'delta',
        timestampsMs: Array.from({ length: minutes }, (_, i) => first + i * MIN + 5_000),
        values: Array.from({ length: minutes }, (_, i) => {
          const minute = first + i * MIN;
          return minute >= doubledFrom && minute < doubledFrom + 40 * MIN ? 4 : 2;
        }),
      };
    });
    expect(metrics.store.append(series).rejections).toEqual([]);
    const policy = seedPolicy([groupId], { target: 'big-service' });
    fetched.length = 0;
    const started = process.cpuUsage();
    const { status, body } = await api('POST', '/api/v1/alert-policies:preview', { policy, hours: 24 });
    const { user, system } = process.cpuUsage(started);
    expect(status, JSON.stringify(body).slice(0, 500)).toBe(200);
    expect(body.totalDimensions).toBe(100);
    expect(body.dimensions.every((d: { firing: unknown[] }) => d.firing.length === 1)).toBe(true);
    // One range for the rule — its windows and the hour-ago baselines — not one per minute.
    expect(fetched.map((r) => [r.fromMs, r.toMs])).toEqual([[NOW - (24 * 60 + 64) * MIN, NOW]]);
    // The server runs in this process: this is its CPU time (fetch, replay, 3 MB of JSON) and the test's
    // parse. Well under a second on an idle core once compiled; the bound leaves room for the first, cold
    // request on a machine shared with other test runs, and still catches a query per minute.
    expect((user + system) / 1000).toBeLessThan(3000);
  });

  it('previews an unsaved policy with a viewer token, as the saved one', async () => {
    const saved = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, { hours: 2 });
    const unsaved = await api(
      'POST',
      '/api/v1/alert-policies:preview',
      { policy: seedPolicy([groupId]), hours: 2 },
      VIEWER,
    );
    expect(unsaved.status, JSON.stringify(unsaved.body)).toBe(200);
    expect(unsaved.body).toEqual(saved.body);
    expect(unsaved.body.fromMs).toBe(NOW - 120 * MIN);
  });

  it('previews an unsaved policy that notifies nobody yet: no notification, or no group or channel chosen', async () => {
    const saved = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, { hours: 2 });
    const { notification: _, ...withoutNotification } = seedPolicy([groupId]);
    const noneChosen = seedPolicy([], { notification: { channels: [], contactGroupIds: [] } });
    for (const policy of [withoutNotification, noneChosen]) {
      const { status, body } = await api('POST', '/api/v1/alert-policies:preview', { policy, hours: 2 });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.dimensions).toEqual(saved.body.dimensions);
    }
  });

  it('takes from and to as ISO times or epoch milliseconds, rounded down to the minute', async () => {
    const { status, body } = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, {
      from: new Date(NOW - 20 * MIN + 30_000).toISOString(),
      to: NOW - 10 * MIN + 59_000,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ fromMs: NOW - 20 * MIN, toMs: NOW - 10 * MIN });
    expect(body.dimensions[0].rules[0].series).toHaveLength(10);
    // Starting with nothing firing: the event the earlier minutes opened starts at the first evaluation.
    expect(body.dimensions[0].firing).toEqual([
      {
        fromMs: NOW - 19 * MIN,
        openedAtMs: NOW - 19 * MIN,
        toMs: NOW - 10 * MIN,
        ongoing: true,
        noData: false,
      },
    ]);
  });

  it('answers the most interesting values first up to the limit, and says it cut the rest', async () => {
    const { body } = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, { hours: 1, limit: 1 });
    expect(body).toMatchObject({ totalDimensions: 3, truncated: true });
    expect(body.dimensions.map((d: { key: string }) => d.key)).toEqual(['10.0.0.1']);
  });

  it('validates an unsaved policy like create, naming the fields under policy.', async () => {
    const bad = await api('POST', '/api/v1/alert-policies:preview', {
      policy: seedPolicy(['nope'], {
        rules: { conditions: [{ metric: 'JVM_FullGC', windowMinutes: 0, comparator: 'gt', threshold: 1 }] },
      }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      'policy.rules.conditions[0].windowMinutes',
    ]);
    const unknownGroup = await api('POST', '/api/v1/alert-policies:preview', {
      policy: seedPolicy(['nope']),
    });
    expect(unknownGroup.status).toBe(400);
    expect(unknownGroup.body.error.fields).toEqual([
      { field: 'policy.notification.contactGroupIds[0]', reason: 'no contact group with id nope' },
    ]);
  });

  it('refuses a range it cannot replay with 400 naming the field', async () => {
    const path = `/api/v1/alert-policies/${seedId}:preview`;
    const fieldsOf = async (body: object) => {
      const answer = await api('POST', path, body);
      expect(answer.status).toBe(400);
      return answer.body.error.fields.map((f: { field: string }) => f.field);
    };
    expect(await fieldsOf({ hours: 25 })).toEqual(['hours']);
    expect(await fieldsOf({ hours: 0.5 })).toEqual(['hours']);
    expect(await fieldsOf({ hours: 2, from: NOW - 60 * MIN })).toEqual(['hours']);
    expect(await fieldsOf({ to: NOW + 2 * MIN })).toEqual(['to']);
    expect(await fieldsOf({ from: NOW - 25 * 60 * MIN })).toEqual(['from']);
    expect(await fieldsOf({ from: 'yesterday' })).toEqual(['from']);
    expect(await fieldsOf({ limit: 201 })).toEqual(['limit']);
    expect(await fieldsOf({ minutes: 5 })).toEqual(['minutes']);
  });

  it('answers 404 for an unknown policy and 403 for an ingest token; a viewer may preview', async () => {
    expect((await api('POST', '/api/v1/alert-policies/nope:preview', {})).status).toBe(404);
    expect((await api('POST', `/api/v1/alert-policies/${seedId}:preview`, {}, INGEST)).status).toBe(403);
    const viewer = await api('POST', `/api/v1/alert-policies/${seedId}:preview`, undefined, VIEWER);
    expect(viewer.status).toBe(200);
    expect(viewer.body.fromMs).toBe(NOW - 3 * 60 * MIN);
  });

  it('documents both routes and the answer in the OpenAPI document', async () => {
    const document = (await api('GET', '/api/openapi.json', undefined, null)).body;
    const saved = document.paths['/api/v1/alert-policies/{id}:preview'];
    const unsaved = document.paths['/api/v1/alert-policies:preview'];
    expect(saved?.post).toBeDefined();
    expect(unsaved?.post).toBeDefined();
    const answer = JSON.stringify(saved.post.responses['200']);
    for (const field of ['dimensions', 'firing', 'thresholdValues', 'truncated', 'openedAtMs']) {
      expect(answer).toContain(field);
    }
  });

  it('prints the chart with `tocsin policies preview`, and the answer with -o json', async () => {
    const cli = async (argv: readonly string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await run(argv, {
        env: { TOCSIN_URL: url, TOCSIN_TOKEN: VIEWER, TZ: 'UTC' },
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
      });
      return { code, stdout, stderr };
    };
    const chart = await cli(['policies', 'preview', SEED_POLICY_NAME, '--hours', '1']);
    expect(chart.stderr).toBe('');
    expect(chart.code).toBe(0);
    const lines = chart.stdout.split('\n');
    expect(lines[0]).toContain(`preview of "${SEED_POLICY_NAME}"`);
    expect(lines[1]).toBe('3 dimension values, 2 would have fired');
    const hostLines = lines.filter((line) => line.startsWith('host='));
    expect(hostLines).toHaveLength(3);
    expect(hostLines[0]).toMatch(
      /^host=10\.0\.0\.1 {2}[▁▂▃▄▅▆▇█]{60} {2}now 4, threshold ≥ 4 \(\+100% vs hour_ago\)$/,
    );
    expect(hostLines[2]).toMatch(/^host=10\.0\.0\.3 .* now 2, threshold ≥ 4/);
    const marks = lines.filter((line) => line.includes('━'));
    expect(marks).toHaveLength(2);
    // Beneath the last 26 of 60 columns (after the 15 of the label): the evaluations 09:35 to 10:00.
    expect(marks[0]!).toMatch(/^ {49}━{26} {2}fired \d{4}-\d\d-\d\d \d\d:35–now$/);

    const json = await cli(['policies', 'preview', SEED_POLICY_NAME, '--hours', '1', '-o', 'json']);
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.stdout);
    expect(answer.dimensions[0].firing[0].fromMs).toBe(NOW - 25 * MIN);

    const wrong = await cli(['policies', 'preview', SEED_POLICY_NAME, '--hours', '48']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--hours must be a number from 1 to 24');
  });

  it('agrees with the evaluator run minute by minute over the same data', async () => {
    const queue = await api('POST', '/api/v1/alert-policies', queuePolicy(groupId));
    expect(queue.status, JSON.stringify(queue.body)).toBe(201);
    const from = NOW - 120 * MIN;
    const evaluator = new Evaluator({
      store,
      clock: { now: () => now },
      dataSourceFor: () => builtinDataSource(metrics.store),
      options: { publicUrl: 'http://127.0.0.1', locale: 'en' },
    });
    try {
      // Evaluations at the end of every minute, a little after the boundary as timers fire.
      for (let minute = from; minute < NOW; minute += MIN) {
        now = minute + MIN + 150;
        const report = await evaluator.runOnce(now);
        expect(report.failed).toBe(0);
      }
    } finally {
      now = NOW + 150;
    }

    const firedByEvaluator = async (policyId: string) => {
      const events = await api('GET', `/api/v1/alert-events?policyId=${policyId}&limit=1000`);
      const byHost = new Map<string, Interval[]>();
      for (const event of events.body.items) {
        const resolvedAt = event.resolvedAt === null ? null : Date.parse(event.resolvedAt);
        const interval = {
          fromMs: Math.floor(Date.parse(event.startedAt) / MIN) * MIN,
          toMs: resolvedAt === null ? NOW : Math.floor(resolvedAt / MIN) * MIN,
          ongoing: resolvedAt === null,
        };
        byHost.set(event.dimension.value, [...(byHost.get(event.dimension.value) ?? []), interval]);
      }
      for (const intervals of byHost.values()) intervals.sort((a, b) => a.fromMs - b.fromMs);
      return Object.fromEntries(byHost);
    };
    const firedInPreview = async (policyId: string) => {
      const preview = await api('POST', `/api/v1/alert-policies/${policyId}:preview`, { from, to: NOW });
      expect(preview.status).toBe(200);
      const byHost: Record<string, Interval[]> = {};
      for (const dimension of preview.body.dimensions) {
        if (dimension.firing.length === 0) continue;
        byHost[dimension.key] = dimension.firing.map(({ fromMs, toMs, ongoing }: Interval) => ({
          fromMs,
          toMs,
          ongoing,
        }));
      }
      return byHost;
    };

    const seedByEvaluator = await firedByEvaluator(seedId);
    expect(Object.keys(seedByEvaluator).sort()).toEqual([...DOUBLED].sort());
    expect(await firedInPreview(seedId)).toEqual(seedByEvaluator);

    const queueByEvaluator = await firedByEvaluator(queue.body.id);
    const intervals = Object.values(queueByEvaluator).flat();
    // The queue depths wander enough to open, hold and resolve several events.
    expect(intervals.length).toBeGreaterThanOrEqual(3);
    expect(intervals.some((interval) => !interval.ongoing)).toBe(true);
    expect(await firedInPreview(queue.body.id)).toEqual(queueByEvaluator);
  });
});
