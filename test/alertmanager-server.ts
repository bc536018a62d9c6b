// Runs the real Alertmanager (Debian package `prometheus-alertmanager`, 0.25) for a test: a configuration
// of our own in a scratch directory, a free loopback port, clustering off, and `stop()` that kills it and
// removes its data. Tests that need it skip with a reason when the binary is missing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from './test-daemon.js';

export const ALERTMANAGER_BINARY = process.env.TOCSIN_TEST_ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export function alertmanagerInstalled(): boolean {
  return existsSync(ALERTMANAGER_BINARY);
}

export type RunningAlertmanager = RunningDaemon;

export interface AlertmanagerOptions {
  /** The alertmanager.yml text. */
  readonly config: string;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  return startDaemon({
    name: 'alertmanager',
    binary: ALERTMANAGER_BINARY,
    args: (dir, port) => {
      const configPath = join(dir, 'alertmanager.yml');
      writeFileSync(configPath, options.config);
      return [
        `--config.file=${configPath}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // An empty address turns the gossip cluster off; it would listen on 0.0.0.0:9094 otherwise.
        '--cluster.listen-address=',
        '--log.level=warn',
      ];
    },
  });
}

/** One alert as Alertmanager's API v2 takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

/** Posts alerts to Alertmanager as Prometheus does; throws with its answer when it refuses them. */
export async function postAlerts(
  alertmanager: RunningAlertmanager,
  alerts: readonly PostableAlert[],
): Promise<void> {
  const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  if (!response.ok)
    throw new Error(`alertmanager refused the alerts: ${response.status} ${await response.text()}`);
}
