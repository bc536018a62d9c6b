// A real server binary of another project (Prometheus, Alertmanager) run for a test or a benchmark: a
// scratch directory, a free loopback port, its output kept for failure messages, ready when
// `/-/ready` answers, and `stop()` that ends it and removes its directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningDaemon {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly pid: number;
  /** Its scratch directory, removed by `stop()`. */
  readonly dir: string;
  /** What the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** For messages: `prometheus`, `alertmanager`. */
  readonly name: string;
  readonly binary: string;
  /** The command-line arguments, given the scratch directory and the port to listen on. */
  readonly args: (dir: string, port: number) => readonly string[];
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the binary and waits (at most 30 s) until it is ready; throws with its output otherwise. */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const dir = mkdtempSync(join(tmpdir(), `tocsin-${options.name}-`));
  const port = await freePort();
  const child: ChildProcess = spawn(options.binary, [...options.args(dir, port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not become ready in 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid ?? 0, dir, output: () => output, stop };
}
