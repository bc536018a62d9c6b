// Runs the real Alertmanager (Debian package `prometheus-alertmanager`, 0.25) for a test: a configuration
// of our own in a scratch directory, a free loopback port, clustering off, and `stop()` that kills it and
// removes its data. Tests that need it skip with a reason when the binary is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './prometheus-server.js';

export const ALERTMANAGER_BINARY = process.env.TOCSIN_TEST_ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export function alertmanagerInstalled(): boolean {
  return existsSync(ALERTMANAGER_BINARY);
}

export interface RunningAlertmanager {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly pid: number;
  /** What the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** The alertmanager.yml text. */
  readonly config: string;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-alertmanager-'));
  const port = await freePort();
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, options.config);
  const child: ChildProcess = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns the gossip cluster off; it would listen on 0.0.0.0:9094 otherwise.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`alertmanager exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready in 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid ?? 0, output: () => output, stop };
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
