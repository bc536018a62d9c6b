// Runs the real Prometheus server (Debian package `prometheus`, 2.42) for a test or a benchmark: a
// configuration of our own in a scratch directory, a free loopback port, and `stop()` that kills it and
// removes its data. Tests that need it skip with a reason when the binary is missing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from './test-daemon.js';

export { freePort } from './test-daemon.js';

export const PROMETHEUS_BINARY = process.env.TOCSIN_TEST_PROMETHEUS ?? '/usr/bin/prometheus';

export function prometheusInstalled(): boolean {
  return existsSync(PROMETHEUS_BINARY);
}

export interface RunningPrometheus extends RunningDaemon {
  readonly dataDir: string;
}

export interface PrometheusOptions {
  /** The prometheus.yml text; may use the placeholder ${PORT} for the server's own port. */
  readonly config: string;
  /** Extra command-line flags, e.g. `--web.enable-remote-write-receiver`. */
  readonly flags?: readonly string[];
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const daemon = await startDaemon({
    name: 'prometheus',
    binary: PROMETHEUS_BINARY,
    args: (dir, port) => {
      const configPath = join(dir, 'prometheus.yml');
      writeFileSync(configPath, options.config.replaceAll('${PORT}', String(port)));
      return [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
        ...(options.flags ?? []),
      ];
    },
  });
  return { ...daemon, dataDir: join(daemon.dir, 'data') };
}
