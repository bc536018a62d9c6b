// The CLI commands that work locally rather than through the API: `tocsin sandbox` serving a signed
// robot, and `tocsin admin-token` recovering access to a service whose admin token was lost.
import { afterEach, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/program.js';
import { computeSign } from '../../src/dingtalk-sandbox/index.js';
import { startTestService, type TestService } from '../service.js';

const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';

interface RunningCommand {
  readonly exitCode: Promise<number>;
  readonly output: () => string;
  stop(): void;
}

/** Starts a long-running command (like `sandbox`) in-process; `stop()` plays the role of Ctrl-C. */
function start(argv: string[], env: Record<string, string> = {}): RunningCommand {
  let output = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const io: CliIo = {
    env,
    stdout: (text) => (output += text),
    stderr: (text) => (output += text),
    untilStopped: () => stopped,
  };
  return { exitCode: run(argv, io), output: () => output, stop };
}

async function waitForOutput(command: RunningCommand, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = pattern.exec(command.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} in: ${command.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('tocsin sandbox', () => {
  it('serves the robots given with --robot and accepts only correctly signed messages', async () => {
    const command = start(['sandbox', '--port', '0', '--robot', `token=ops,secret=${SECRET},keywords=alert`]);
    const [, webhook] = await waitForOutput(command, /robot ops: (\S+)/);
    const send = async (sign: string) => {
      const timestamp = Date.now();
      const url = `${webhook}&timestamp=${timestamp}&sign=${encodeURIComponent(sign || computeSign(String(timestamp), SECRET))}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'text', text: { content: 'alert: JVM_FullGC doubled' } }),
      });
      return (await response.json()) as { errcode: number };
    };
    expect((await send('')).errcode).toBe(0);
    expect((await send('bm90IHRoZSBzaWdu')).errcode).toBe(310000);
    command.stop();
    expect(await command.exitCode).toBe(0);
  });

  it('refuses a robot with no security setting, as DingTalk does, with exit code 2', async () => {
    const command = start(['sandbox', '--port', '0', '--robot', 'token=open']);
    expect(await command.exitCode).toBe(2);
    expect(command.output()).toMatch(/tocsin: .*security/i);
  });
});

describe('tocsin admin-token', () => {
  let service: TestService | undefined;
  afterEach(async () => {
    await service?.stop();
  });

  it('creates a working admin token in the data directory of a running service', async () => {
    service = await startTestService('sqlite');
    let output = '';
    const code = await run(
      ['admin-token', '--data-dir', service.database.dataDir, '--name', 'lost my token'],
      {
        env: {},
        stdout: (text) => (output += text),
        stderr: (text) => (output += text),
      },
    );
    expect(code).toBe(0);
    const token = /TOCSIN_TOKEN=(tcs_\S+)/.exec(output)?.[1];
    expect(token).toBeDefined();
    const tokens = await service.api('GET', '/api/v1/api-tokens', undefined, token);
    expect(tokens.status).toBe(200);
    expect(tokens.body.items).toContainEqual(
      expect.objectContaining({ name: 'lost my token', role: 'admin' }),
    );
  });
});
