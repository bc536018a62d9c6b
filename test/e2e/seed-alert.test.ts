// Issue 5's bar, the seed end to end: an application reports JVM GC runs through the real OpenTelemetry
// SDK with an hour of history; the seed's policy ("JVM_FullGC 5-minute average up 100% on the same
// minutes an hour ago, per host") fires for exactly the hosts whose FullGC rate doubled; the DingTalk
// sandbox robot receives one signed, keyword-safe markdown message naming them; a restart changes
// nothing; the rate returns to normal and one recovery message arrives.
//
// Time is a manual clock shared by Tocsin and the sandbox, so an hour of history and the minutes after it
// take seconds. The SDK stamps its points with Date.now(), which the test sets minute by minute.
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createManualClock,
  startSandbox,
  type ManualClock,
  type ReceivedMessage,
  type RunningSandbox,
} from '../../src/dingtalk-sandbox/index.js';
import { SEED_SECRET, seedPolicy } from '../seed-fixtures.js';
import { startTestService, type TestService } from '../service.js';

const MINUTE = 60_000;
const ROBOT = 'seedrobot0123456789abcdef';
const KEYWORD = '告警';
const APPLICATION = 'order-service';
/** FullGC runs per minute; the first two hosts' rate more than doubles in the last five minutes. */
const NORMAL_RATE = 2;
const HIGH_RATE = 5;
const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'] as const;
const DOUBLED = new Set<string>(['10.0.0.1', '10.0.0.2']);

interface Host {
  readonly name: string;
  readonly provider: MeterProvider;
  readonly gc: ReturnType<ReturnType<MeterProvider['getMeter']>['createHistogram']>;
}

let clock: ManualClock;
let sandbox: RunningSandbox;
let service: TestService;
let hosts: Host[];
/** The minute whose start is the evaluation's "now" minute: windows end at its start. */
let startMinute: number;

/** Records `runs` full GCs of `host` at `atMs` and exports, with the SDK's clock set to that minute. */
async function reportMinute(minuteMs: number, rateOf: (host: string) => number): Promise<void> {
  const now = vi.spyOn(Date, 'now');
  try {
    for (const host of hosts) {
      now.mockReturnValue(minuteMs + 10_000);
      const runs = rateOf(host.name);
      for (let i = 0; i < runs; i++) {
        host.gc.record(0.15, { 'jvm.gc.name': 'G1 Old Generation', 'jvm.gc.action': 'end of major GC' });
      }
      host.gc.record(0.01, { 'jvm.gc.name': 'G1 Young Generation', 'jvm.gc.action': 'end of minor GC' });
      now.mockReturnValue(minuteMs + 40_000);
      await host.provider.forceFlush();
    }
  } finally {
    now.mockRestore();
  }
}

async function evaluateAt(nowMs: number): Promise<void> {
  clock.set(nowMs);
  const report = await service.server.evaluator.runOnce(nowMs);
  expect(report.failed, JSON.stringify(report)).toBe(0);
}

async function messagesAfterSending(expected: number): Promise<readonly ReceivedMessage[]> {
  const deadline = Date.now() + 15_000;
  while (sandbox.messages(ROBOT).length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A little longer, so that a message too many would show.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return sandbox.messages(ROBOT);
}

function textOf(message: ReceivedMessage): string {
  return JSON.stringify(message.body);
}

beforeAll(async () => {
  startMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
  clock = createManualClock(startMinute - 70 * MINUTE);
  sandbox = await startSandbox({
    port: 0,
    clock,
    robots: [{ token: ROBOT, secret: SEED_SECRET, keywords: [KEYWORD] }],
  });
  service = await startTestService(
    'sqlite',
    { TOCSIN_ALLOWED_WEBHOOK_ORIGINS: new URL(sandbox.url).origin },
    { clock },
  );
  // The test moves time itself: one evaluation per runOnce.
  await service.server.evaluator.stop();
  const ingest = await service.api('POST', '/api/v1/api-tokens', { name: 'java-agent', role: 'ingest' });
  hosts = HOSTS.map((name) => {
    const exporter = new OTLPMetricExporter({
      url: `${service.url}/v1/metrics`,
      headers: { authorization: `Bearer ${ingest.body.token as string}` },
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': APPLICATION, 'host.name': name }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    const gc = provider
      .getMeter('io.opentelemetry.runtime-telemetry-java17')
      .createHistogram('jvm.gc.duration', {
        unit: 's',
      });
    return { name, provider, gc };
  });
}, 60_000);

afterAll(async () => {
  for (const host of hosts ?? []) await host.provider.shutdown();
  await service?.stop();
  await sandbox?.close();
});

describe('the seed: JVM FullGC doubled vs an hour ago, per host, to a DingTalk group', () => {
  it('fires once for the doubled hosts, survives a restart, and recovers once', async () => {
    // An hour and ten minutes of history: the normal rate, then five minutes of doubled FullGC on two hosts.
    for (let minute = startMinute - 70 * MINUTE; minute < startMinute; minute += MINUTE) {
      clock.set(minute + 45_000);
      const high = minute >= startMinute - 5 * MINUTE;
      await reportMinute(minute, (host) => (high && DOUBLED.has(host) ? HIGH_RATE : NORMAL_RATE));
    }

    const contact = await service.api('POST', '/api/v1/contacts', {
      name: 'ops-robot',
      dingtalk: { webhook: sandbox.webhookUrl(ROBOT), secret: SEED_SECRET, keywords: [KEYWORD] },
    });
    expect(contact.status).toBe(201);
    const group = await service.api('POST', '/api/v1/contact-groups', {
      name: 'ops',
      contactIds: [contact.body.id],
    });
    const policy = await service.api('POST', '/api/v1/alert-policies', seedPolicy([group.body.id as string]));
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);

    // One evaluation: the two doubled hosts fire, in one message.
    await evaluateAt(startMinute + 30_000);
    const firing = await messagesAfterSending(1);
    expect(firing).toHaveLength(1);
    const [message] = firing;
    expect(message!.msgtype).toBe('markdown');
    const text = textOf(message!);
    expect(text).toContain(KEYWORD);
    for (const host of HOSTS) {
      if (DOUBLED.has(host)) expect(text).toContain(host);
      else expect(text).not.toContain(host);
    }
    const events = await service.api('GET', `/api/v1/alert-events?state=firing&policyId=${policy.body.id}`);
    expect(events.body.items.map((e: { dimension: { value: string } }) => e.dimension.value).sort()).toEqual(
      [...DOUBLED].sort(),
    );

    // A restart in between: the events stay firing and nothing is sent again.
    await reportMinute(startMinute, (host) => (DOUBLED.has(host) ? HIGH_RATE : NORMAL_RATE));
    await service.restart(true);
    await service.server.evaluator.stop();
    await evaluateAt(startMinute + MINUTE + 30_000);
    expect(await messagesAfterSending(1)).toHaveLength(1);
    const still = await service.api('GET', `/api/v1/alert-events?state=firing&policyId=${policy.body.id}`);
    expect(still.body.items).toHaveLength(2);

    // Back to normal: once the 5-minute average is back and the recovery delay has passed, one recovery.
    let minute = startMinute + MINUTE;
    while (minute < startMinute + 20 * MINUTE) {
      await reportMinute(minute, () => NORMAL_RATE);
      minute += MINUTE;
      await evaluateAt(minute + 30_000);
      const open = await service.api('GET', `/api/v1/alert-events?state=firing&policyId=${policy.body.id}`);
      if (open.body.items.length === 0) break;
    }
    expect(minute).toBeLessThan(startMinute + 20 * MINUTE);
    const all = await messagesAfterSending(2);
    expect(all).toHaveLength(2);
    const recovery = textOf(all[1]!);
    expect(recovery).toContain(KEYWORD);
    for (const host of DOUBLED) expect(recovery).toContain(host);
    const resolved = await service.api(
      'GET',
      `/api/v1/alert-events?state=resolved&policyId=${policy.body.id}`,
    );
    expect(resolved.body.items).toHaveLength(2);
  }, 120_000);
});
