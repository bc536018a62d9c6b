// Bad metrics input against the running service: each is a 4xx with the catalogued body naming the
// problem, what was refused is named, the rest is stored, and the service keeps taking metrics.
import { gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

let service: TestService;

beforeAll(async () => {
  service = await startTestService('sqlite', {
    TOCSIN_METRICS_MAX_SERIES_PER_METRIC: '2',
    TOCSIN_INGEST_BODY_LIMIT: '65536',
  });
}, 60_000);

afterAll(async () => {
  await service?.stop();
});

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const response = await fetch(service.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const json = { 'content-type': 'application/json' };
const protobuf = { 'content-type': 'application/x-protobuf' };

function sample(metric: string, queue: string, value: unknown = 1): Record<string, unknown> {
  return { metric, target: 'order-service', labels: { queue }, value };
}

describe('bad metrics input', () => {
  it('refuses new series beyond the per-metric limit, names them, and stores the rest', async () => {
    const answer = await post(
      '/api/v1/push',
      JSON.stringify({ samples: ['a', 'b', 'c'].map((queue) => sample('queue_depth', queue)) }),
      json,
    );
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'samples_rejected', acceptedPoints: 2 });
    expect(answer.body.error.rejections).toEqual([
      expect.objectContaining({ reason: 'series_limit_per_metric', points: 1, series: 1 }),
    ]);
    expect(answer.body.error.message).toContain('queue_depth');
    const stored = await service.api('GET', '/api/v1/metrics?kind=custom&target=order-service');
    expect(stored.body.items).toEqual([expect.objectContaining({ metric: 'queue_depth', series: 2 })]);
  });

  it('names every bad pushed sample by its path', async () => {
    const answer = await post(
      '/api/v1/push',
      JSON.stringify({
        samples: [sample('ok_metric', 'a'), sample('bad metric!', 'a'), sample('m', 'a', 'x')],
      }),
      json,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['samples[1].metric', 'samples[2].value']),
    );
  });

  it('answers 400 for malformed JSON, snappy and protobuf, 413 for a decompression bomb, 415 for an unknown encoding', async () => {
    expect((await post('/api/v1/push', '{"samples": [', json)).body.error.code).toBe('invalid_json');
    const garbage = await post('/api/v1/write', new Uint8Array([0x0a, 0xfc, 0, 0, 0, 0x80, 1, 2, 3]), {
      ...protobuf,
      'content-encoding': 'snappy',
    });
    expect(garbage.status).toBe(400);
    // Valid snappy around bytes that are not a WriteRequest.
    const notProtobuf = await post('/api/v1/write', snappy.compress(new Uint8Array([0x0a, 0x05, 0x01])), {
      ...protobuf,
      'content-encoding': 'snappy',
    });
    expect(notProtobuf.status).toBe(400);
    const otlp = await post('/v1/metrics', new Uint8Array([0xff, 0xff, 0xff]), protobuf);
    expect(otlp.status).toBe(400);
    // 64 MiB of zeros gzip to about 64 KiB: far beyond eight times the 64 KiB limit once inflated.
    const bomb = await post('/v1/metrics', gzipSync(Buffer.alloc(64 << 20), { level: 9 }), {
      ...protobuf,
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.code).toBe('payload_too_large');
    const brotli = await post('/v1/metrics', new Uint8Array([1]), { ...protobuf, 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    const wrongType = await post('/v1/metrics', '<xml/>', { 'content-type': 'application/xml' });
    expect(wrongType.status).toBe(415);
  });

  it('keeps taking metrics afterwards', async () => {
    const answer = await post(
      '/api/v1/push',
      JSON.stringify({ samples: [sample('queue_depth', 'a', 7)] }),
      json,
    );
    expect(answer).toEqual({ status: 200, body: { acceptedPoints: 1 } });
    expect((await service.api('GET', '/readyz', undefined, null)).status).toBe(200);
  });
});
