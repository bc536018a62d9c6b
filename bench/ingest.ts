// The ingestion benchmark of issue 4, side by side with the real Prometheus 2.42 on this machine:
// identical remote-write payloads (10 000 series × 120 samples, 10 labels each) sent to Prometheus's
// remote-write receiver and to Tocsin's /api/v1/write, each a fresh server with its data on disk; then
// samples/s, resident memory per series and the ratio; then Tocsin's answer time for "average per
// dimension value over 10 000 series, the last 60 minutes and the same window a week earlier".
// `npm run bench:ingest`: prints a table and a verdict per target, exits 1 on a FAIL.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, prometheusInstalled, startPrometheus } from '../test/prometheus-server.js';
import { writeRequestBodies, type WriteSeries } from './write-request.js';

const SERIES = 10_000;
const SAMPLES_PER_SERIES = 120;
const SAMPLE_EVERY_MS = 15_000;
/** Series per request: about what a Prometheus remote-write shard sends at once, 12 000 samples. */
const SERIES_PER_REQUEST = 100;
const CONCURRENCY = 4;
const QUERY_SERIES = 10_000;
const QUERY_RUNS = 7;
const WEEK_MS = 7 * 86_400_000;
const MINUTE_MS = 60_000;
const TOKEN = 'bench-admin-token-0123456789';
const ROOT = join(import.meta.dirname, '..');

// ---- payloads

function ingestSeries(startMs: number): WriteSeries[] {
  const series: WriteSeries[] = [];
  for (let i = 0; i < SERIES; i++) {
    const metric = `bench_metric_${i % 100}`;
    const instance = Math.floor(i / 100);
    const timestamps: number[] = [];
    const values: number[] = [];
    let value = 100 + (i % 17);
    for (let j = 0; j < SAMPLES_PER_SERIES; j++) {
      timestamps.push(startMs + j * SAMPLE_EVERY_MS);
      value += ((i * 31 + j * 7) % 11) - 5;
      values.push(value);
    }
    series.push({
      labels: [
        ['__name__', metric],
        ['cluster', `cluster-${instance % 3}`],
        ['env', 'production'],
        ['instance', `10.0.${instance >> 8}.${instance & 255}:9100`],
        ['job', 'bench'],
        ['pod', `pod-${instance}-${(i * 7919) % 1000}`],
        ['region', `cn-hangzhou`],
        ['service', 'order-service'],
        ['team', `team-${instance % 7}`],
        ['zone', `cn-hangzhou-${'abcdefgh'[instance % 8]}`],
      ],
      timestampsMs: timestamps,
      values,
    });
  }
  return series;
}

/** One series per host, one point a minute, over [fromMs, fromMs + 60 min). */
function querySeries(fromMs: number, base: number): WriteSeries[] {
  const series: WriteSeries[] = [];
  for (let i = 0; i < QUERY_SERIES; i++) {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let m = 0; m < 60; m++) {
      timestamps.push(fromMs + m * MINUTE_MS + 1000);
      values.push(base + (i % 50) + m / 10);
    }
    series.push({
      labels: [
        ['__name__', 'bench_query_latency'],
        ['host', `host-${i}`],
        ['job', 'bench-query'],
      ],
      timestampsMs: timestamps,
      values,
    });
  }
  return series;
}

function payloads(series: readonly WriteSeries[]): Uint8Array[] {
  return writeRequestBodies(series, SERIES_PER_REQUEST);
}

// ---- the two servers

interface Receiver {
  readonly name: string;
  readonly writeUrl: string;
  readonly headers: Record<string, string>;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startTocsin(): Promise<Receiver & { url: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-ingest-'));
  const port = await freePort();
  // BENCH_TOCSIN_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`.
  const nodeArgs = process.env.BENCH_TOCSIN_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/cli/main.js'), 'serve'], {
    env: {
      ...process.env,
      TOCSIN_PORT: String(port),
      TOCSIN_DATA_DIR: dataDir,
      TOCSIN_ADMIN_TOKEN: TOKEN,
      TOCSIN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // starting
    }
    if (i > 300) throw new Error('Tocsin did not start');
    await sleep(100);
  }
  return {
    name: 'Tocsin',
    url,
    writeUrl: `${url}/api/v1/write`,
    headers: { authorization: `Bearer ${TOKEN}` },
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function send(receiver: Receiver, bodies: readonly Uint8Array[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(receiver.writeUrl, {
        method: 'POST',
        headers: {
          ...receiver.headers,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body,
      });
      if (!response.ok) {
        throw new Error(`${receiver.name} answered ${response.status}: ${await response.text()}`);
      }
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

interface Ingested {
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly rssPerSeries: number;
}

async function measure(receiver: Receiver, bodies: readonly Uint8Array[]): Promise<Ingested> {
  await sleep(1000);
  const before = rssBytes(receiver.pid);
  const ms = await send(receiver, bodies);
  await sleep(2000);
  const after = rssBytes(receiver.pid);
  return {
    seconds: ms / 1000,
    samplesPerSecond: (SERIES * SAMPLES_PER_SERIES) / (ms / 1000),
    rssPerSeries: (after - before) / SERIES,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  if (!prometheusInstalled())
    throw new Error('install Debian prometheus first: apt-get install -y prometheus');
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('build first: npm run build');
  const now = Date.now();
  const ingestStart = Math.floor((now - SAMPLES_PER_SERIES * SAMPLE_EVERY_MS) / MINUTE_MS) * MINUTE_MS;
  const bodies = payloads(ingestSeries(ingestStart));
  const compressed = bodies.reduce((sum, b) => sum + b.length, 0);
  console.log(
    `payload: ${SERIES} series × ${SAMPLES_PER_SERIES} samples, 10 labels each, in ${bodies.length} requests ` +
      `(${(compressed / 1e6).toFixed(1)} MB snappy), ${CONCURRENCY} in flight; ${cpus().length} cores`,
  );

  const prometheus = await startPrometheus({
    config: 'global:\n  scrape_interval: 1h\n',
    flags: ['--web.enable-remote-write-receiver'],
  });
  let prom: Ingested;
  try {
    prom = await measure(
      {
        name: 'Prometheus',
        writeUrl: `${prometheus.url}/api/v1/write`,
        headers: {},
        pid: prometheus.pid,
        stop: () => prometheus.stop(),
      },
      bodies,
    );
    const count = (await (
      await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('count({job="bench"})')}`)
    ).json()) as { data: { result: { value: [number, string] }[] } };
    console.log(
      `Prometheus holds ${count.data.result[0]?.value[1]} series; ` +
        `${Math.round(prom.samplesPerSecond).toLocaleString('en')} samples/s`,
    );
  } finally {
    await prometheus.stop();
  }

  const tocsin = await startTocsin();
  let ours: Ingested;
  const queryTimes: number[] = [];
  try {
    ours = await measure(tocsin, bodies);
    const listed = (await (
      await fetch(`${tocsin.url}/api/v1/metrics?kind=custom&target=order-service`, {
        headers: tocsin.headers,
      })
    ).json()) as { items: { metric: string; series: number }[] };
    console.log(`Tocsin holds ${listed.items.reduce((sum, m) => sum + m.series, 0)} series of order-service`);

    // The query: the last 60 minutes and the same window a week earlier, 10 000 hosts.
    const windowEnd = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const windowStart = windowEnd - 60 * MINUTE_MS;
    await send(tocsin, payloads(querySeries(windowStart - WEEK_MS, 100)));
    await send(tocsin, payloads(querySeries(windowStart, 200)));
    const ask = async (from: number, to: number) => {
      const query = new URLSearchParams({
        kind: 'custom',
        target: 'bench-query',
        metric: 'bench_query_latency',
        groupBy: 'host',
        from: String(from),
        to: String(to),
        aggregation: 'avg',
        values: 'false',
      });
      const response = await fetch(`${tocsin.url}/api/v1/metrics/query?${query.toString()}`, {
        headers: tocsin.headers,
      });
      if (!response.ok) throw new Error(`query answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { groups: { key: string; aggregate: number | null }[] };
    };
    for (let run = 0; run < QUERY_RUNS; run++) {
      const started = performance.now();
      const [current, weekAgo] = await Promise.all([
        ask(windowStart, windowEnd),
        ask(windowStart - WEEK_MS, windowEnd - WEEK_MS),
      ]);
      queryTimes.push(performance.now() - started);
      if (current.groups.length !== QUERY_SERIES || weekAgo.groups.length !== QUERY_SERIES) {
        throw new Error(`query answered ${current.groups.length} and ${weekAgo.groups.length} groups`);
      }
    }
  } finally {
    await tocsin.stop();
  }

  const ratio = ours.samplesPerSecond / prom.samplesPerSecond;
  const queryMs = median(queryTimes);
  const rows: [string, string, string][] = [
    ['', 'Prometheus 2.42', 'Tocsin'],
    ['ingest time', `${prom.seconds.toFixed(2)} s`, `${ours.seconds.toFixed(2)} s`],
    [
      'samples/s',
      `${Math.round(prom.samplesPerSecond).toLocaleString('en')}`,
      `${Math.round(ours.samplesPerSecond).toLocaleString('en')}`,
    ],
    [
      'RSS growth per series',
      `${(prom.rssPerSeries / 1024).toFixed(1)} KiB`,
      `${(ours.rssPerSeries / 1024).toFixed(1)} KiB`,
    ],
  ];
  for (const [a, b, c] of rows) console.log(`${a.padEnd(24)}${b.padStart(18)}${c.padStart(18)}`);
  console.log(`throughput ratio Tocsin / Prometheus: ${ratio.toFixed(2)}×`);
  console.log(
    `query avg per host over ${QUERY_SERIES} series, last 60 min + week ago (HTTP, median of ${QUERY_RUNS}): ${queryMs.toFixed(1)} ms`,
  );
  const verdicts = [
    { target: 'remote-write samples/s ≥ 1.5× Prometheus', pass: ratio >= 1.5 },
    { target: 'RSS per series ≤ Prometheus', pass: ours.rssPerSeries <= prom.rssPerSeries },
    { target: 'query < 50 ms', pass: queryMs < 50 },
  ];
  for (const v of verdicts) console.log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.target}`);
  if (verdicts.some((v) => !v.pass)) process.exitCode = 1;
}

await main();
