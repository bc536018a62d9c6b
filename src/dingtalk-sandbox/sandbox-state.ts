// Everything a running sandbox holds in memory: the robots, the delivery log, the rate-limit windows,
// remembered msgUuids and queued faults. `reset` forgets all of it but the robots.
import { DeliveryLog } from './delivery-log.js';
import { FaultQueue } from './fault-injection.js';
import { MsgUuidMemory } from './msg-uuid-memory.js';
import { RateLimiter } from './rate-limit.js';
import { RobotRegistry, type RobotConfig } from './robot-registry.js';
import type { SandboxSettings } from './sandbox-options.js';

export interface SandboxState {
  readonly settings: SandboxSettings;
  readonly robots: RobotRegistry;
  readonly log: DeliveryLog;
  readonly rateLimiter: RateLimiter;
  readonly msgUuids: MsgUuidMemory;
  readonly faults: FaultQueue;
}

export function createSandboxState(settings: SandboxSettings, robots: readonly RobotConfig[]): SandboxState {
  return {
    settings,
    robots: new RobotRegistry(robots),
    log: new DeliveryLog(settings.maxRecords),
    rateLimiter: new RateLimiter(settings.rateLimit),
    msgUuids: new MsgUuidMemory(settings.msgUuidWindowMs),
    faults: new FaultQueue(),
  };
}

/** Forgets messages, attempts, rate-limit windows, msgUuids and faults; the robots stay. */
export function resetSandboxState(state: SandboxState): void {
  state.log.reset();
  state.rateLimiter.reset();
  state.msgUuids.reset();
  state.faults.clear();
}
