// The seed's alert made to fire in a test that owns time: JVM_FullGC per host pushed through
// `POST /api/v1/push` minute by minute on a manual clock shared by Tocsin and the DingTalk sandbox, one
// evaluation run at a chosen instant, and a wait for the robot's messages (a real external effect, so a
// deadline rather than a clock move). The service's evaluator must be stopped: the test runs each tick.
import { expect } from 'vitest';
import type { ManualClock, ReceivedMessage, RunningSandbox } from '../src/dingtalk-sandbox/index.js';
import type { TestService } from './service.js';

export const MINUTE = 60_000;

export interface FullGcHistory {
  /** The application the samples belong to. */
  readonly target: string;
  readonly hosts: readonly string[];
  /** The first minute pushed and the minute after the last, both epoch ms on minute boundaries. */
  readonly fromMinute: number;
  readonly toMinute: number;
  /** FullGC runs of `host` in the minute starting at `minuteMs`. */
  readonly rateOf: (host: string, minuteMs: number) => number;
}

/**
 * Pushes one JVM_FullGC sample per host and minute, each while the clock stands in its minute (the store
 * closes minutes as the clock passes them, as it would in real time).
 * @example await pushFullGcHistory(service, clock, { target: 'order-service', hosts, fromMinute, toMinute, rateOf })
 */
export async function pushFullGcHistory(
  service: TestService,
  clock: ManualClock,
  history: FullGcHistory,
): Promise<void> {
  for (let minute = history.fromMinute; minute < history.toMinute; minute += MINUTE) {
    clock.set(minute + 45_000);
    const samples = history.hosts.map((host) => ({
      kind: 'application',
      target: history.target,
      metric: 'JVM_FullGC',
      labels: { host },
      value: history.rateOf(host, minute),
      timestamp: minute + 10_000,
    }));
    const pushed = await service.api('POST', '/api/v1/push', { samples });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
  }
}

/** Moves the clock to `nowMs` and runs one evaluation of every policy, which must all succeed. */
export async function evaluateAt(service: TestService, clock: ManualClock, nowMs: number): Promise<void> {
  clock.set(nowMs);
  const report = await service.server.evaluator.runOnce(nowMs);
  expect(report.failed, JSON.stringify(report)).toBe(0);
}

/**
 * The robot's messages once `expected` have arrived (or 15 s have passed), after a little longer so
 * that one message too many would show.
 */
export async function robotMessages(
  sandbox: RunningSandbox,
  token: string,
  expected: number,
): Promise<readonly ReceivedMessage[]> {
  const deadline = Date.now() + 15_000;
  while (sandbox.messages(token).length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  return sandbox.messages(token);
}
