// The forwarder against a real HTTP receiver on a loopback port that decodes what it gets as Prometheus
// would: the request's shape and headers, order, retries on 5xx and network errors, drops on other 4xx,
// the spool's bound, and requests surviving a restart.
import { fromBinary } from '@bufbuild/protobuf';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestSeries } from '../../domain/metric-series.js';
import { WriteRequestSchema, type WriteRequest } from '../../gen/prometheus/prompb/remote_pb.js';
import { snappyUncompress } from '../snappy-block.js';
import { RemoteWriteForwarder, type ForwardResult } from './remote-write-forwarder.js';
import { remoteWriteBody } from './write-request-encode.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  readonly request: WriteRequest;
}

/** A remote-write receiver answering each request with the next status of `statuses` (then 204). */
class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  #server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const status = this.statuses.shift() ?? 204;
        const raw = Buffer.concat(chunks);
        if (status < 300) {
          const request = fromBinary(WriteRequestSchema, snappyUncompress(raw, 1 << 24));
          this.received.push({ headers: req.headers, raw, request });
        }
        res.statusCode = status;
        res.end(status < 300 ? '' : `status ${status} from the test`);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server?.close(resolve));
    this.#server?.closeAllConnections();
  }

  async waitFor(count: number): Promise<void> {
    await until(() => this.received.length >= count);
    expect(this.received).toHaveLength(count);
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

function series(metric: string, value: number, overrides: Partial<IngestSeries> = {}): IngestSeries {
  return {
    scope: 'custom',
    target: 'checkout',
    metric,
    labels: { host: '10.0.0.7' },
    temporality: 'gauge',
    timestampsMs: [1_700_000_060_000, 1_700_000_000_000],
    values: [value + 1, value],
    ...overrides,
  };
}

const log = pino({ level: 'silent' });
let receiver: Receiver;
let dir: string;
let results: ForwardResult[];
const forwarders: RemoteWriteForwarder[] = [];

function forwarder(options: { url?: string; bearerToken?: string; maxSpoolBytes?: number } = {}) {
  const started = new RemoteWriteForwarder({
    target: {
      url: options.url ?? `http://127.0.0.1:${receiver.port}/api/v1/write`,
      bearerToken: options.bearerToken,
      timeoutMs: 2000,
    },
    dir,
    maxSpoolBytes: options.maxSpoolBytes ?? 1 << 20,
    log,
    minBackoffMs: 10,
    maxBackoffMs: 40,
    onResult: (result, count) => {
      for (let i = 0; i < count; i++) results.push(result);
    },
  });
  forwarders.push(started);
  return started;
}

beforeEach(async () => {
  receiver = new Receiver();
  await receiver.start();
  dir = mkdtempSync(join(tmpdir(), 'tocsin-forward-'));
  results = [];
});

afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close()));
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('RemoteWriteForwarder', () => {
  it('sends series as Prometheus names them: sorted labels, the target as job, samples in time order', async () => {
    const forward = forwarder();
    forward.start();
    forward.forwardSeries([
      series('jvm.gc.duration', 5, { labels: { 'jvm.gc.name': 'G1 Old Generation', host: 'a', empty: '' } }),
    ]);
    await receiver.waitFor(1);
    const [{ headers, request }] = receiver.received as [Received];
    expect(headers['content-encoding']).toBe('snappy');
    expect(headers['content-type']).toBe('application/x-protobuf');
    expect(headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    const [timeseries] = request.timeseries;
    expect(timeseries!.labels.map((l) => [l.name, l.value])).toEqual([
      ['__name__', 'jvm_gc_duration'],
      ['host', 'a'],
      ['job', 'checkout'],
      ['jvm_gc_name', 'G1 Old Generation'],
    ]);
    expect(timeseries!.samples.map((s) => [Number(s.timestamp), s.value])).toEqual([
      [1_700_000_000_000, 5],
      [1_700_000_060_000, 6],
    ]);
    await until(() => forward.waiting.requests === 0);
    expect(forward.waiting).toEqual({ requests: 0, bytes: 0 });
    expect(results).toEqual(['sent']);
  });

  it('keeps a job label the series has, putting the target under service_name', async () => {
    const forward = forwarder();
    forward.start();
    forward.forwardSeries([series('up', 1, { labels: { job: 'node' } })]);
    await receiver.waitFor(1);
    const labels = receiver.received[0]!.request.timeseries[0]!.labels.map((l) => `${l.name}=${l.value}`);
    expect(labels).toEqual(['__name__=up', 'job=node', 'service_name=checkout']);
  });

  it('forwards a remote-write body byte for byte', async () => {
    const forward = forwarder();
    forward.start();
    const body = Buffer.from(remoteWriteBody([series('raw', 7)])!);
    forward.forwardBody(body);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.raw.equals(body)).toBe(true);
  });

  it('retries 5xx, 429 and refused connections in order, and drops what a 4xx refuses', async () => {
    receiver.statuses = [503, 429, 204, 400, 204];
    const forward = forwarder();
    forward.forwardSeries([series('first', 1)]);
    forward.forwardSeries([series('second', 2)]);
    forward.forwardSeries([series('third', 3)]);
    forward.start();
    await receiver.waitFor(2);
    await until(() => forward.waiting.requests === 0);
    const names = receiver.received.map((r) => r.request.timeseries[0]!.labels[0]!.value);
    expect(names).toEqual(['first', 'third']);
    expect(results).toEqual(['retried', 'retried', 'sent', 'refused', 'sent']);
  });

  it('keeps what it could not send across a restart and sends it, in order, when the store is back', async () => {
    const port = receiver.port;
    await receiver.stop();
    const first = forwarder();
    first.start();
    first.forwardSeries([series('before', 1)]);
    first.forwardSeries([series('also_before', 2)]);
    await new Promise((r) => setTimeout(r, 50));
    await first.close();
    expect(first.waiting.requests).toBe(2);
    // A kill mid-write leaves a temporary file that was never acknowledged: it is discarded.
    writeFileSync(join(dir, '0000000000000099.rw.tmp'), 'half');

    receiver = new Receiver();
    await receiver.start(port);
    const second = forwarder();
    expect(second.waiting.requests).toBe(2);
    second.forwardSeries([series('after', 3)]);
    second.start();
    await receiver.waitFor(3);
    await until(() => second.waiting.requests === 0);
    expect(receiver.received.map((r) => r.request.timeseries[0]!.labels[0]!.value)).toEqual([
      'before',
      'also_before',
      'after',
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('drops the oldest requests when the spool is full, and says so', async () => {
    await receiver.stop();
    const forward = forwarder({ maxSpoolBytes: 300 });
    for (let i = 0; i < 10; i++) forward.forwardSeries([series(`m${i}`, i)]);
    expect(forward.waiting.bytes).toBeLessThanOrEqual(300);
    expect(forward.waiting.requests).toBeLessThan(10);
    expect(results.filter((r) => r === 'dropped')).toHaveLength(10 - forward.waiting.requests);
  });

  it('sends basic auth from the URL and a bearer token, never the URL credentials', async () => {
    const basic = forwarder({ url: `http://us%40er:p%3Ass@127.0.0.1:${receiver.port}/api/v1/write` });
    basic.start();
    basic.forwardSeries([series('m', 1)]);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`,
    );
    await basic.close();
    const bearer = forwarder({ bearerToken: 's3cret' });
    bearer.start();
    bearer.forwardSeries([series('m', 1)]);
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers.authorization).toBe('Bearer s3cret');
  });
});
