// Forwarding by remote-write to the real Prometheus (Debian package, its remote-write receiver switched
// on): what Tocsin takes in by JSON push, OTLP and remote-write is queryable there by PromQL, with the
// labels Prometheus users expect, and the sender is answered only once the request is spooled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOtlpJson, remoteWriteBody } from '../../src/ingest/test-support.js';
import {
  PROMETHEUS_BINARY,
  prometheusInstalled,
  startPrometheus,
  type RunningPrometheus,
} from '../prometheus-server.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

describe.skipIf(!prometheusInstalled())(
  `forwarding to the real Prometheus by remote-write (skipped without ${PROMETHEUS_BINARY})`,
  () => {
    let prometheus: RunningPrometheus;
    let service: TestService;

    async function promQuery(query: string): Promise<VectorSample[]> {
      const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const answer = (await response.json()) as { data: { result: VectorSample[] } };
      return answer.data.result;
    }

    /** The query's result once it has `count` series (the forwarder sends in the background). */
    async function eventually(query: string, count: number): Promise<VectorSample[]> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const result = await promQuery(query);
        if (result.length >= count) return result;
        if (Date.now() > deadline) {
          throw new Error(
            `${query} has ${result.length} series in Prometheus, not ${count}: ${prometheus.output()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
      return fetch(service.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
        body,
      });
    }

    beforeAll(async () => {
      prometheus = await startPrometheus({
        config: 'global:\n  scrape_interval: 1m\n',
        flags: ['--web.enable-remote-write-receiver'],
      });
      service = await startTestService('sqlite', {
        TOCSIN_REMOTE_WRITE_URL: `${prometheus.url}/api/v1/write`,
      });
    });

    afterAll(async () => {
      await service?.stop();
      await prometheus?.stop();
    });

    it('forwards JSON push samples, the target as job and the labels as they were', async () => {
      const now = Date.now();
      const response = await post(
        '/api/v1/push',
        JSON.stringify({
          samples: [
            {
              metric: 'orders_pending',
              target: 'order-service',
              labels: { queue: 'orders' },
              value: 42,
              timestamp: now,
            },
            {
              kind: 'application',
              target: 'order-service',
              metric: 'JVM_FullGC',
              labels: { host: '10.0.0.7' },
              value: 3,
              timestamp: now,
            },
          ],
        }),
        { 'content-type': 'application/json' },
      );
      expect(response.status).toBe(200);
      const [pending] = await eventually('orders_pending', 1);
      expect(pending!.metric).toEqual({ __name__: 'orders_pending', job: 'order-service', queue: 'orders' });
      expect(pending!.value[1]).toBe('42');
      const [fullGc] = await eventually('JVM_FullGC', 1);
      expect(fullGc!.metric).toEqual({ __name__: 'JVM_FullGC', job: 'order-service', host: '10.0.0.7' });
    });

    it('forwards OTLP metrics with dots in names and attributes turned into underscores', async () => {
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const body = encodeOtlpJson({
        resourceMetrics: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { value: { case: 'stringValue', value: 'checkout' } } },
                { key: 'host.name', value: { value: { case: 'stringValue', value: 'web-1' } } },
              ],
            },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'jvm.thread.count',
                    data: {
                      case: 'gauge',
                      value: {
                        dataPoints: [
                          {
                            timeUnixNano: nowNs,
                            value: { case: 'asInt', value: 57n },
                            attributes: [
                              {
                                key: 'jvm.thread.daemon',
                                value: { value: { case: 'boolValue', value: true } },
                              },
                            ],
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      });
      const response = await post('/v1/metrics', body, { 'content-type': 'application/json' });
      expect(response.status).toBe(200);
      const [threads] = await eventually('jvm_thread_count', 1);
      expect(threads!.metric).toMatchObject({ __name__: 'jvm_thread_count', job: 'checkout', host: 'web-1' });
      expect(threads!.value[1]).toBe('57');
    });

    it('forwards a remote-write request exactly as the sender sent it', async () => {
      const now = BigInt(Date.now());
      const body = remoteWriteBody({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'node_load1' },
              { name: 'instance', value: '10.0.0.9:9100' },
              { name: 'job', value: 'node' },
            ],
            samples: [{ value: 1.5, timestamp: now }],
          },
        ],
      });
      const response = await post('/api/v1/write', body, {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      });
      expect(response.status).toBe(204);
      const [load] = await eventually('node_load1', 1);
      expect(load!.metric).toEqual({ __name__: 'node_load1', instance: '10.0.0.9:9100', job: 'node' });
      expect(load!.value[1]).toBe('1.5');
    });

    it('exports what it forwarded on /metrics', async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      expect(text).toMatch(/tocsin_remote_write_requests_total\{result="sent"\} [3-9]/);
      expect(text).toMatch(/tocsin_remote_write_spool_bytes 0/);
    });
  },
);
