// Decode speed of the remote-write hot path on one core: 10 000 series × 120 samples × 10 labels, sent
// as Prometheus would, in snappy-compressed requests of 500 series. Prints MB/s and samples/s for
// snappy alone, the WriteRequest reader alone and both together, beside the bufbuild-generated decoder.
// `npx tsx bench/decode-remote-write.ts [--rounds 15]`
import { loadavg } from 'node:os';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { compress } from 'snappyjs';
import { WriteRequestSchema } from '../src/gen/prometheus/prompb/remote_pb.js';
import { TimeSeriesSchema, type TimeSeries } from '../src/gen/prometheus/prompb/types_pb.js';
import { decodeRemoteWrite, decodeWriteRequest, PrometheusMetadata } from '../src/ingest/remote-write.js';
import { snappyUncompress } from '../src/ingest/snappy-block.js';

const SERIES = 10_000;
const SAMPLES_PER_SERIES = 120;
const SERIES_PER_REQUEST = 500;
const START_MS = Date.UTC(2026, 0, 1);
const SCRAPE_INTERVAL_MS = 15_000;
const MAX_DECODED_BYTES = 64 * 1024 * 1024;

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Ten labels (`__name__` included), values shared between series the way real targets share them. */
function series(index: number): TimeSeries {
  const metric = `bench_metric_${index % 100}${index % 3 === 0 ? '_total' : ''}`;
  const labels = {
    __name__: metric,
    job: `service-${index % 20}`,
    instance: `10.0.${index % 7}.${index % 50}:9100`,
    env: 'production',
    region: `cn-hangzhou-${'abcd'[index % 4]}`,
    cluster: `cluster-${index % 3}`,
    namespace: `team-${index % 10}`,
    pod: `pod-${(index % 400).toString(36)}-7f9c6d`,
    method: ['GET', 'POST', 'PUT', 'DELETE'][index % 4]!,
    series_id: String(index),
  };
  let counter = index;
  const samples = Array.from({ length: SAMPLES_PER_SERIES }, (_, i) => {
    counter += Math.floor(Math.random() * 10);
    const value = metric.endsWith('_total') ? counter : Math.random() * 1000;
    return { value, timestamp: BigInt(START_MS + i * SCRAPE_INTERVAL_MS) };
  });
  return create(TimeSeriesSchema, {
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
    samples,
  });
}

function buildRequests(): { raw: Uint8Array[]; snappy: Uint8Array[] } {
  const raw: Uint8Array[] = [];
  for (let first = 0; first < SERIES; first += SERIES_PER_REQUEST) {
    const timeseries = Array.from({ length: SERIES_PER_REQUEST }, (_, i) => series(first + i));
    raw.push(toBinary(WriteRequestSchema, create(WriteRequestSchema, { timeseries })));
  }
  return { raw, snappy: raw.map((body) => compress(body)) };
}

interface Figure {
  readonly name: string;
  /** What the step reads: the snappy bodies or the uncompressed protobuf. */
  readonly input: 'snappy' | 'protobuf';
  readonly bestMs: number;
  readonly medianMs: number;
  /** Median CPU time of the process per round: on a busy machine, closer to the cost on one free core. */
  readonly medianCpuMs: number;
}

function measure(name: string, input: Figure['input'], rounds: number, run: () => void): Figure {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    run();
    const cpu = process.cpuUsage(cpuStart);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  return { name, input, bestMs: Math.min(...times), medianMs: median(times), medianCpuMs: median(cpuTimes) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
  const rounds = argument('--rounds', 15);
  const totalSamples = SERIES * SAMPLES_PER_SERIES;
  console.log(
    `building ${SERIES} series × ${SAMPLES_PER_SERIES} samples × 10 labels in requests of ${SERIES_PER_REQUEST} series…`,
  );
  const { raw, snappy } = buildRequests();
  const rawBytes = raw.reduce((sum, body) => sum + body.length, 0);
  const snappyBytes = snappy.reduce((sum, body) => sum + body.length, 0);
  console.log(
    `${raw.length} requests: ${(rawBytes / 1e6).toFixed(1)} MB protobuf, ${(snappyBytes / 1e6).toFixed(1)} MB snappy`,
  );

  let checksum = 0;
  const figures = [
    measure('snappy uncompress (ours)', 'snappy', rounds, () => {
      for (const body of snappy) checksum += snappyUncompress(body, MAX_DECODED_BYTES).length;
    }),
    measure('WriteRequest reader (ours)', 'protobuf', rounds, () => {
      for (const body of raw) checksum += decodeWriteRequest(body).length;
    }),
    measure('decodeRemoteWrite: both', 'snappy', rounds, () => {
      const metadata = new PrometheusMetadata();
      for (const body of snappy) {
        checksum += decodeRemoteWrite(body, { maxDecodedBytes: MAX_DECODED_BYTES }, metadata).length;
      }
    }),
    measure('bufbuild fromBinary (reference)', 'protobuf', Math.min(rounds, 5), () => {
      for (const body of raw) checksum += fromBinary(WriteRequestSchema, body).timeseries.length;
    }),
  ];

  const decoded = decodeWriteRequest(raw[0]!);
  const samplesInFirst = decoded.reduce((sum, s) => sum + s.values.length, 0);
  if (samplesInFirst !== SERIES_PER_REQUEST * SAMPLES_PER_SERIES) {
    throw new Error(
      `decoded ${samplesInFirst} samples from the first request, expected ${SERIES_PER_REQUEST * SAMPLES_PER_SERIES}`,
    );
  }

  const rate = (ms: number): string => (totalSamples / (ms / 1000) / 1e6).toFixed(2);
  console.log(
    `\n${'step'.padEnd(34)}${'best ms'.padStart(9)}${'median ms'.padStart(11)}${'cpu ms'.padStart(9)}` +
      `${'MB/s in'.padStart(9)}${'M samples/s'.padStart(13)}${'(by cpu)'.padStart(10)}`,
  );
  for (const figure of figures) {
    const inputBytes = figure.input === 'snappy' ? snappyBytes : rawBytes;
    const mbPerSecond = inputBytes / 1e6 / (figure.medianMs / 1000);
    console.log(
      `${figure.name.padEnd(34)}${figure.bestMs.toFixed(1).padStart(9)}${figure.medianMs.toFixed(1).padStart(11)}` +
        `${figure.medianCpuMs.toFixed(1).padStart(9)}${mbPerSecond.toFixed(0).padStart(9)}` +
        `${rate(figure.medianMs).padStart(13)}${rate(figure.medianCpuMs).padStart(10)}`,
    );
  }
  const both = figures[2]!;
  const wallRate = totalSamples / (both.medianMs / 1000);
  const cpuRate = totalSamples / (both.medianCpuMs / 1000);
  const protobufMbPerSecond = rawBytes / 1e6 / (both.medianMs / 1000);
  console.log(
    `\nuncompress + decode on one core: ${rate(both.medianMs)} M samples/s by the clock, ` +
      `${rate(both.medianCpuMs)} M by CPU time (${protobufMbPerSecond.toFixed(0)} MB/s of protobuf); load ${loadavg()[0]!.toFixed(1)}`,
  );
  const verdict = Math.max(wallRate, cpuRate) > 5e6;
  console.log(`target > 5 M samples/s: ${verdict ? 'PASS' : 'FAIL'}`);
  if (!verdict) process.exitCode = 1;
  if (checksum === 0) console.log('(nothing decoded)');
}

main();
