// GET /metrics of a running service moves with what the service does: points pushed and refused, the
// metric store's series and bytes, an evaluation tick with its policies and rules, the events it opened,
// the notification it queued and, once the dispatcher delivered it to the DingTalk sandbox, sent.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/dingtalk-sandbox/index.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../service.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** `name{labels}` → value, from the Prometheus text format (comments and histograms' buckets included). */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}

describe('GET /metrics', () => {
  let sandbox: RunningSandbox;
  let service: TestService;

  beforeEach(async () => {
    sandbox = await startSandbox({ port: 0, robots: [{ token: 'ops', keywords: ['告警'] }] });
    service = await startTestService('sqlite', {
      TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin,
    });
  });
  afterEach(async () => {
    await service.stop();
    await sandbox.close();
  });

  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parseMetrics(await response.text());
  }

  it('counts ingestion, evaluation, events and deliveries as they happen', async () => {
    // The test runs the tick itself; a timer's tick on a minute boundary would count too.
    await service.server.evaluator.stop();
    const before = await scrape();
    const moved = (after: Map<string, number>, name: string) => after.get(name)! - before.get(name)!;
    expect(before.get('tocsin_ingested_points_total{protocol="push"}')).toBe(0);
    expect(before.get('tocsin_alert_events{state="firing"}')).toBe(0);
    expect(before.get('tocsin_metric_store_series')).toBe(0);

    // Five minutes of latency for two hosts: one far above the threshold, one below; and a point older
    // than the metric store's retention, which it refuses.
    const now = Date.now();
    const lastMinute = Math.floor(now / MINUTE) * MINUTE - MINUTE;
    const samples = ['web-1', 'web-2'].flatMap((host) =>
      Array.from({ length: 5 }, (_, i) => ({
        kind: 'custom',
        target: 'checkout',
        metric: 'checkout_latency_ms',
        labels: { host },
        value: host === 'web-1' ? 900 : 100,
        timestamp: lastMinute - i * MINUTE + 1_000,
      })),
    );
    const pushed = await service.api('POST', '/api/v1/push', { samples });
    expect(pushed.status).toBe(200);
    const refused = await service.api('POST', '/api/v1/push', {
      samples: [{ ...samples[0], timestamp: now - 30 * DAY }],
    });
    expect(refused.status).toBe(422);
    // OTLP/JSON: one gauge point stored, one without a value refused by the decoder.
    const otlp = await fetch(`${service.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'queue_depth',
                    gauge: {
                      dataPoints: [
                        { timeUnixNano: String(now * 1_000_000), asDouble: 3 },
                        { timeUnixNano: String(now * 1_000_000) },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(otlp.status).toBe(200);

    const robot = await service.api('POST', '/api/v1/contacts', {
      name: 'ops-robot',
      dingtalk: { webhook: sandbox.webhookUrl('ops'), keywords: ['告警'] },
    });
    const group = await service.api('POST', '/api/v1/contact-groups', {
      name: 'ops',
      contactIds: [robot.body.id],
    });
    const policy = await service.api('POST', '/api/v1/alert-policies', {
      name: 'checkout latency',
      kind: 'custom',
      target: 'checkout',
      dimension: { mode: 'traverse', key: 'host' },
      rules: {
        match: 'all',
        conditions: [
          {
            metric: 'checkout_latency_ms',
            windowMinutes: 5,
            aggregation: 'avg',
            comparator: 'gt',
            threshold: 500,
          },
        ],
      },
      severity: 'P2',
      notification: { channels: ['dingtalk'], contactGroupIds: [group.body.id] },
    });
    expect(policy.status).toBe(201);

    // The message waits in the outbox until the dispatcher runs again.
    await service.server.dispatcher.stop();
    const report = await service.server.evaluator.runOnce(now);
    expect(report).toMatchObject({ evaluated: 1, rules: 1, opened: 1, notifications: 1 });

    const after = await scrape();
    expect(after.get('tocsin_ingested_points_total{protocol="push"}')).toBe(10);
    expect(after.get('tocsin_rejected_points_total{protocol="push",reason="too_old"}')).toBe(1);
    expect(after.get('tocsin_ingested_points_total{protocol="otlp"}')).toBe(1);
    expect(after.get('tocsin_rejected_points_total{protocol="otlp",reason="invalid_data_point"}')).toBe(1);
    expect(after.get('tocsin_metric_store_series')).toBe(3);
    expect(after.get('tocsin_metric_store_disk_bytes')).toBeGreaterThan(0);
    expect(moved(after, 'tocsin_evaluation_duration_seconds_count')).toBe(1);
    expect(moved(after, 'tocsin_evaluation_duration_seconds_sum')).toBeGreaterThan(0);
    expect(moved(after, 'tocsin_policies_evaluated_total{result="ok"}')).toBe(1);
    expect(moved(after, 'tocsin_policies_evaluated_total{result="failed"}')).toBe(0);
    expect(moved(after, 'tocsin_rules_evaluated_total')).toBe(1);
    expect(after.get('tocsin_alert_events{state="firing"}')).toBe(1);
    expect(after.get('tocsin_alert_events{state="resolved"}')).toBe(0);
    expect(after.get('tocsin_notifications_queued')).toBe(1);
    expect(after.get('tocsin_http_requests_total{method="POST",route="/api/v1/push",status="200"}')).toBe(1);

    // Delivered: a real effect of the dispatcher's loop, so poll with a deadline.
    service.server.dispatcher.start();
    const deadline = Date.now() + 10_000;
    let delivered = after;
    while (Date.now() < deadline) {
      delivered = await scrape();
      if (delivered.get('tocsin_notifications_total{channel="dingtalk",result="sent"}') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(delivered.get('tocsin_notifications_total{channel="dingtalk",result="sent"}')).toBe(1);
    expect(delivered.get('tocsin_notifications_queued')).toBe(0);
    expect(sandbox.messages('ops')).toHaveLength(1);
  });
});
