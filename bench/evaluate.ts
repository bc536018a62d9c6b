// The evaluation benchmark of issue 5, side by side with the real Prometheus 2.42 on this machine:
// 1,000 policies × 100 hosts (100,000 series, "5-minute average > threshold", about half firing).
// Tocsin: the data remote-write decoded into the built-in metric store, 1,000 custom policies and a
// DingTalk contact group created through the Store, then the real Evaluator.runOnce over the real Store
// with the built-in data source — the first tick opening ~50,000 events and enqueueing their
// notifications, then steady ticks where nothing changes. Prometheus: the same samples remote-written,
// then one rule group of the same 1,000 rules as alerting rules (`avg_over_time(m[5m]) > X`, for: 0)
// loaded; each evaluation's duration from Prometheus's own metrics, the last checked against the group's
// `evaluationTime` in /api/v1/rules, which also gives the firing alerts.
// `tsx bench/evaluate.ts [--postgres] [--tocsin-only]`: prints a table and a verdict per target, exits 1
// on a FAIL. Heavy: run it alone on the machine (it prints the load average before and after).
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtinDataSource } from '../src/datasources/builtin.js';
import { alertPolicyInputSchema } from '../src/domain/alert-policy.js';
import { Evaluator, type TickReport } from '../src/evaluator/evaluator.js';
import { decodeRemoteWrite, PrometheusMetadata } from '../src/ingest/remote-write.js';
import { deriveCatalogBatch } from '../src/metrics/catalog/index.js';
import { openMetricStore } from '../src/metrics/store/open-metric-store.js';
import { SecretBox } from '../src/store/secret-box.js';
import { openStore, type Store } from '../src/store/store.js';
import { createTestDatabase, type TestDialect } from '../test/databases.js';
import { prometheusInstalled, startPrometheus, type RunningPrometheus } from '../test/prometheus-server.js';
import { writeRequestBodies, type WriteSeries } from './write-request.js';

const POLICIES = 1_000;
const HOSTS = 100;
const HISTORY_MINUTES = 10;
const SAMPLE_EVERY_MS = 15_000;
const WINDOW_MINUTES = 5;
const SERIES_PER_REQUEST = 200;
const CONCURRENCY = 4;
const TARGET = 'bench';
/** Prometheus evaluations timed after the rules are loaded: the first (alerts open) and steady ones. */
const PROMETHEUS_EVALUATIONS = 4;
const PROMETHEUS_INTERVAL_S = 5;
/** Tocsin ticks after the first, one evaluation interval apart; nothing changes in them. */
const STEADY_TICKS = 2;
const MINUTE_MS = 60_000;
const GOAL = 2;

// ---- the data: bench_m<k>{host="host-<h>"} ≈ h, threshold of policy k ≈ 49.5 ± 5, so about half fire

function threshold(k: number): number {
  return 49.5 + (k % 11) - 5;
}

/** Sample j of host h of metric k: h plus a small per-metric offset, alternating ±0.25 around it. */
function value(k: number, h: number, j: number): number {
  return h + (k % 7) * 0.01 + (j % 2 === 0 ? 0.25 : -0.25);
}

/** (policy, host) pairs whose 5-minute average exceeds the threshold, computed from the definitions. */
function expectedFiring(): number {
  let firing = 0;
  for (let k = 0; k < POLICIES; k++) {
    for (let h = 0; h < HOSTS; h++) if (h + (k % 7) * 0.01 > threshold(k)) firing++;
  }
  return firing;
}

function benchSeries(k: number, h: number, endMs: number): WriteSeries {
  const samples = (HISTORY_MINUTES * MINUTE_MS) / SAMPLE_EVERY_MS;
  const timestampsMs: number[] = [];
  const values: number[] = [];
  for (let j = 0; j < samples; j++) {
    timestampsMs.push(endMs - (samples - 1 - j) * SAMPLE_EVERY_MS);
    values.push(value(k, h, j));
  }
  return {
    labels: [
      ['__name__', `bench_m${k}`],
      ['host', `host-${h}`],
      ['job', TARGET],
    ],
    timestampsMs,
    values,
  };
}

function payloads(endMs: number): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let k = 0; k < POLICIES; k += SERIES_PER_REQUEST / HOSTS) {
    const series: WriteSeries[] = [];
    for (let m = k; m < Math.min(POLICIES, k + SERIES_PER_REQUEST / HOSTS); m++) {
      for (let h = 0; h < HOSTS; h++) series.push(benchSeries(m, h, endMs));
    }
    bodies.push(...writeRequestBodies(series, SERIES_PER_REQUEST));
  }
  return bodies;
}

// ---- Prometheus

/** One evaluation of the rule group: its evaluationTime and the CPU Prometheus used for it, seconds. */
interface Evaluation {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

interface PrometheusFigures {
  /** Each evaluation after the rules were loaded, the first one first. */
  readonly evaluations: readonly Evaluation[];
  readonly firing: number;
}

interface RulesAnswer {
  data: {
    groups: {
      name: string;
      evaluationTime: number;
      lastEvaluation: string;
      rules: { alerts?: { state: string }[] }[];
    }[];
  };
}

function rulesYaml(): string {
  const lines = ['groups:', '  - name: bench', '    rules:'];
  for (let k = 0; k < POLICIES; k++) {
    lines.push(
      `      - alert: BenchM${k}`,
      `        expr: avg_over_time(bench_m${k}[${WINDOW_MINUTES}m]) > ${threshold(k)}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function remoteWrite(url: string, bodies: readonly Uint8Array[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body: bodies[next++]!,
      });
      if (!response.ok) throw new Error(`Prometheus answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

/** The bench group's last evaluation as Prometheus's own metrics tell it (seconds): small to poll. */
async function groupMetrics(prometheus: RunningPrometheus): Promise<{ last: number; duration: number }> {
  const text = await (await fetch(`${prometheus.url}/metrics`)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(';bench"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return {
    last: value('prometheus_rule_group_last_evaluation_timestamp_seconds'),
    duration: value('prometheus_rule_group_last_duration_seconds'),
  };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function benchPrometheus(bodies: readonly Uint8Array[], rows: Row[]): Promise<PrometheusFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-evaluate-'));
  const rulesPath = join(dir, 'rules.yml');
  writeFileSync(rulesPath, 'groups: []\n');
  const prometheus = await startPrometheus({
    config:
      `global:\n  scrape_interval: 1h\n  evaluation_interval: ${PROMETHEUS_INTERVAL_S}s\n` +
      `rule_files:\n  - ${rulesPath}\n`,
    flags: ['--web.enable-remote-write-receiver', '--web.enable-lifecycle'],
  });
  try {
    const writeMs = await remoteWrite(`${prometheus.url}/api/v1/write`, bodies);
    rows.push({ label: 'Prometheus: remote-write of the data', value: seconds(writeMs / 1000) });
    // The rules arrive once the data is in, so the first evaluation opens every alert, like Tocsin's
    // first tick opens every event.
    writeFileSync(rulesPath, rulesYaml());
    let cpu = cpuSeconds(prometheus.pid);
    const reload = await fetch(`${prometheus.url}/-/reload`, { method: 'POST' });
    if (!reload.ok) throw new Error(`reload answered ${reload.status}: ${await reload.text()}`);
    const evaluations: Evaluation[] = [];
    let seen = 0;
    const deadline = Date.now() + (PROMETHEUS_EVALUATIONS + 4) * PROMETHEUS_INTERVAL_S * 1000 + 60_000;
    while (evaluations.length < PROMETHEUS_EVALUATIONS) {
      if (Date.now() > deadline) throw new Error(`Prometheus evaluated ${evaluations.length} times`);
      await sleep(100);
      // Both gauges are set as an evaluation ends. The rules answer (50,000 alerts, megabytes of JSON
      // Prometheus takes a while to write) is read once at the end, so it never overlaps an evaluation.
      const group = await groupMetrics(prometheus);
      if (group.last === seen || group.last === 0) continue;
      seen = group.last;
      // Between two evaluations Prometheus does nothing else here (no scrapes): the CPU it used since the
      // previous one is this evaluation's.
      const used = cpuSeconds(prometheus.pid);
      evaluations.push({ seconds: group.duration, cpuSeconds: used - cpu });
      cpu = used;
    }
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as RulesAnswer;
    const group = rules.data.groups.find((g) => g.name === 'bench');
    if (!group) throw new Error('Prometheus has no rule group "bench"');
    const last = evaluations[evaluations.length - 1]!;
    if (Math.abs(group.evaluationTime - last.seconds) > 1e-6) {
      throw new Error(`evaluationTime ${group.evaluationTime} s ≠ last_duration ${last.seconds} s`);
    }
    const firing = group.rules.reduce(
      (sum, rule) => sum + (rule.alerts ?? []).filter((a) => a.state === 'firing').length,
      0,
    );
    return { evaluations, firing };
  } finally {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- Tocsin

/** A tick's report with its wall time and the process's CPU time during it, milliseconds. */
type TimedTick = TickReport & { readonly ms: number; readonly cpuMs: number };

interface TocsinFigures {
  readonly first: TimedTick;
  readonly steady: readonly TimedTick[];
  readonly firing: number;
  /** Outbox rows waiting, and the alert events they carry between them. */
  readonly queued: number;
  readonly eventsQueued: number;
}

/** The queued outbox rows, read page by page, and the events they carry. */
async function outboxOf(store: Store): Promise<{ queued: number; eventsQueued: number }> {
  let queued = 0;
  let eventsQueued = 0;
  let cursor: string | undefined;
  do {
    const page = await store.notifications.list({ limit: 1000, state: 'queued', cursor });
    queued += page.items.length;
    for (const row of page.items) eventsQueued += row.eventIds?.length ?? (row.eventId === null ? 0 : 1);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { queued, eventsQueued };
}

async function benchTocsin(
  dialect: TestDialect,
  bodies: readonly Uint8Array[],
  endMs: number,
  rows: Row[],
): Promise<TocsinFigures> {
  let now = endMs + 2_000;
  const clock = { now: () => now };
  const database = await createTestDatabase(dialect);
  // As the service opens it (src/main.ts): the WAL checkpointed on a worker thread.
  const store = await openStore({
    url: database.url,
    checkpointInBackground: true,
    box: new SecretBox(randomBytes(32)),
    now: clock.now,
  });
  const metricsDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-evaluate-metrics-'));
  const metricStore = openMetricStore({ dir: metricsDir, now: () => Date.now(), compactEveryMs: null });
  try {
    // The same bodies, through the remote-write decoder and the store's append (as POST /api/v1/write).
    const metadata = new PrometheusMetadata();
    const ingestStarted = performance.now();
    let points = 0;
    for (const body of bodies) {
      const series = decodeRemoteWrite(body, { maxDecodedBytes: 64 << 20 }, metadata);
      const stored = metricStore.append(series);
      if (stored.rejections.length > 0) throw new Error(`rejected: ${JSON.stringify(stored.rejections)}`);
      points += stored.acceptedPoints;
      const derived = deriveCatalogBatch(series);
      if (derived.length > 0) metricStore.append(derived);
    }
    const ingestMs = performance.now() - ingestStarted;
    rows.push({
      label: 'Tocsin: decode + append of the data (in process)',
      value: `${seconds(ingestMs / 1000)} (${count(points)} points, ${count(metricStore.stats().series)} series)`,
    });

    const robot = await store.contacts.create({
      name: 'bench-robot',
      description: null,
      dingtalk: {
        webhook: 'http://127.0.0.1:9701/robot/send?access_token=bench',
        secret: null,
        keywords: [],
        atMobiles: [],
        atUserIds: [],
        atAll: false,
        messageType: 'markdown',
      },
      email: null,
      phone: null,
      webhook: null,
    });
    const group = await store.contactGroups.create({
      name: 'bench',
      description: null,
      contactIds: [robot.id],
    });
    const createStarted = performance.now();
    for (let k = 0; k < POLICIES; k++) {
      await store.alertPolicies.create(
        alertPolicyInputSchema.parse({
          name: `bench_m${k} high`,
          kind: 'custom',
          target: TARGET,
          dimension: { mode: 'traverse', key: 'host' },
          rules: {
            match: 'all',
            conditions: [
              {
                metric: `bench_m${k}`,
                windowMinutes: WINDOW_MINUTES,
                aggregation: 'avg',
                comparator: 'gt',
                threshold: threshold(k),
              },
            ],
          },
          severity: 'P3',
          notification: { channels: ['dingtalk'], contactGroupIds: [group.id] },
        }),
      );
    }
    rows.push({
      label: `Tocsin: ${count(POLICIES)} policies created`,
      value: seconds((performance.now() - createStarted) / 1000),
    });

    const builtin = builtinDataSource(metricStore);
    const evaluator = new Evaluator({
      store,
      clock,
      dataSourceFor: () => builtin,
      options: { publicUrl: 'http://127.0.0.1:9700', intervalMs: MINUTE_MS },
      log: { error: (details, message) => console.error(message, details), warn: () => {} },
    });
    const timed = async (): Promise<TimedTick> => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const report = await evaluator.runOnce(now);
      const used = process.cpuUsage(cpu);
      return { ...report, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
    };
    const first = await timed();
    const events = await store.alertEvents.countByState();
    const outbox = await outboxOf(store);
    const steady: TimedTick[] = [];
    for (let i = 0; i < STEADY_TICKS; i++) {
      now += MINUTE_MS;
      steady.push(await timed());
    }
    return { first, steady, firing: events.firing, ...outbox };
  } finally {
    metricStore.close();
    rmSync(metricsDir, { recursive: true, force: true });
    await store.close();
    await database.drop();
  }
}

// ---- the report

interface Row {
  readonly label: string;
  readonly value: string;
}

function seconds(value: number): string {
  return value < 10 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(1)} s`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<number> {
  if (!prometheusInstalled())
    throw new Error('install Debian prometheus first: apt-get install -y prometheus');
  const dialect: TestDialect = process.argv.includes('--postgres') ? 'postgres' : 'sqlite';
  const began = Date.now();
  const loadBefore = loadavg()[0]!;
  const endMs = Math.floor(Date.now() / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS;
  const bodies = payloads(endMs);
  const expected = expectedFiring();
  const rows: Row[] = [];

  // Tocsin first: after the Prometheus part this process holds its garbage (the rules answer of 50,000
  // alerts) and the disk Prometheus's writeback, and Tocsin's tick — in process — would pay for both.
  const tocsin = await benchTocsin(dialect, bodies, endMs, rows);
  // --tocsin-only: Tocsin's figures alone, e.g. under `node --cpu-prof` while optimising.
  const prom = process.argv.includes('--tocsin-only')
    ? { evaluations: [0, 0].map(() => ({ seconds: Number.NaN, cpuSeconds: Number.NaN })), firing: expected }
    : await benchPrometheus(bodies, rows);

  const [promFirst, ...promRest] = prom.evaluations as readonly [Evaluation, ...Evaluation[]];
  const promSteady = median(promRest.map((e) => e.seconds));
  const tocsinFirst = tocsin.first.ms / 1000;
  const tocsinSteady = median(tocsin.steady.map((t) => t.ms)) / 1000;
  const firstRatio = promFirst.seconds / tocsinFirst;
  const steadyRatio = promSteady / tocsinSteady;
  rows.push(
    {
      label: 'Prometheus: evaluationTime, first evaluation (alerts open)',
      value: `${seconds(promFirst.seconds)} (CPU ${seconds(promFirst.cpuSeconds)})`,
    },
    {
      label: `Prometheus: evaluationTime, steady (median of ${promRest.length})`,
      value:
        `${seconds(promSteady)} (${promRest.map((e) => seconds(e.seconds)).join(', ')}; ` +
        `CPU ${promRest.map((e) => seconds(e.cpuSeconds)).join(', ')})`,
    },
    {
      label: `Tocsin: first tick (${count(tocsin.first.opened)} events opened, ${count(tocsin.first.notifications)} notifications enqueued)`,
      value: `${seconds(tocsinFirst)} (CPU ${seconds(tocsin.first.cpuMs / 1000)})`,
    },
    {
      label: `Tocsin: steady tick (median of ${tocsin.steady.length}, nothing new)`,
      value:
        `${seconds(tocsinSteady)} (${tocsin.steady.map((t) => seconds(t.ms / 1000)).join(', ')}; ` +
        `CPU ${tocsin.steady.map((t) => seconds(t.cpuMs / 1000)).join(', ')})`,
    },
    { label: 'ratio Prometheus / Tocsin, first', value: `${firstRatio.toFixed(2)}×` },
    { label: 'ratio Prometheus / Tocsin, steady', value: `${steadyRatio.toFixed(2)}×` },
    {
      label: 'firing: expected / Prometheus alerts / Tocsin events',
      value: `${count(expected)} / ${count(prom.firing)} / ${count(tocsin.firing)}`,
    },
    {
      label: 'Tocsin: outbox rows queued / events they carry',
      value: `${count(tocsin.queued)} / ${count(tocsin.eventsQueued)}`,
    },
    {
      label: 'Tocsin: policies evaluated / failed (first tick, steady ticks)',
      value: [tocsin.first, ...tocsin.steady].map((t) => `${t.evaluated}/${t.failed}`).join(', '),
    },
  );
  const verdicts = [
    {
      target: `first tick, events and outbox writes included, ≥ ${GOAL}× faster than Prometheus's first evaluation`,
      pass: firstRatio >= GOAL,
    },
    {
      target: `steady tick ≥ ${GOAL}× faster than Prometheus's steady evaluation`,
      pass: steadyRatio >= GOAL,
    },
    {
      target: 'firing counts agree: Tocsin events = Prometheus alerts = expected = events in the outbox',
      pass:
        tocsin.firing === expected &&
        prom.firing === expected &&
        tocsin.eventsQueued === expected &&
        tocsin.steady.every((t) => t.opened === 0 && t.resolved === 0 && t.notifications === 0),
    },
  ];
  const store = dialect === 'postgres' ? 'PostgreSQL' : 'SQLite';
  const title =
    `Tocsin evaluation bench — ${count(POLICIES)} policies × ${HOSTS} hosts (${count(POLICIES * HOSTS)} series, ` +
    `${HISTORY_MINUTES} min every ${SAMPLE_EVERY_MS / 1000} s), ${store}, ${cpus().length} CPUs, ` +
    `load ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}, ran ${seconds((Date.now() - began) / 1000)}`;
  const width = Math.max(...rows.map((r) => r.label.length));
  const lines = [title, '', ...rows.map((r) => `  ${r.label.padEnd(width)}  ${r.value}`), ''];
  for (const v of verdicts) lines.push(`${v.pass ? 'PASS' : 'FAIL'}  ${v.target}`);
  process.stdout.write(lines.join('\n') + '\n');
  return verdicts.every((v) => v.pass) ? 0 : 1;
}

process.exitCode = await main();
