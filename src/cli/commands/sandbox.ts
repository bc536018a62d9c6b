// `tocsin sandbox`: runs the DingTalk sandbox, a strict local stand-in for DingTalk's robot webhook, with
// robots given on the command line or in a JSON file.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  DEFAULT_SANDBOX_PORT,
  parseRobotSpec,
  parseRobotsFile,
  RobotConfigError,
  startSandbox,
  type RobotConfig,
} from '../../dingtalk-sandbox/index.js';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { CliIo } from '../program.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function robotsFrom(specs: readonly string[], file: string | undefined): RobotConfig[] {
  try {
    const robots = specs.map((spec) => parseRobotSpec(spec));
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      robots.push(...parseRobotsFile(text, file));
    }
    return robots;
  } catch (error) {
    if (error instanceof RobotConfigError) {
      throw new CliError(`${error.message}\n  ${error.problems.join('\n  ')}`, EXIT_USAGE);
    }
    throw error;
  }
}

export function addSandboxCommand(program: Command, io: CliIo, untilStopped: () => Promise<void>): void {
  program
    .command('sandbox')
    .description(
      'run the DingTalk sandbox: a strict local DingTalk robot server, with a page of what each robot got',
    )
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <number>', 'port to listen on', String(DEFAULT_SANDBOX_PORT))
    .option(
      '--robot <spec>',
      'a robot: token=…,secret=SEC…,keywords=a|b,ip=127.0.0.1/32 (repeatable)',
      collect,
      [] as string[],
    )
    .option('--robots-file <file>', 'a JSON file of robots')
    .option('--errmsg-style <style>', 'errmsg wording: current or legacy', 'current')
    .action(
      async (flags: {
        host: string;
        port: string;
        robot: string[];
        robotsFile?: string;
        errmsgStyle: string;
      }) => {
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new CliError(`--port must be a port number, not "${flags.port}"`, EXIT_USAGE);
        }
        if (flags.errmsgStyle !== 'current' && flags.errmsgStyle !== 'legacy') {
          throw new CliError('--errmsg-style must be current or legacy', EXIT_USAGE);
        }
        const robots = robotsFrom(flags.robot, flags.robotsFile);
        const sandbox = await startSandbox({
          host: flags.host,
          port,
          robots,
          errmsgStyle: flags.errmsgStyle,
        });
        io.stdout(
          `DingTalk sandbox on ${sandbox.url} — open it in a browser to see what each robot received\n`,
        );
        for (const robot of robots) io.stdout(`  robot ${robot.token}: ${sandbox.webhookUrl(robot.token)}\n`);
        if (robots.length === 0) {
          io.stdout('  no robots yet: add one with --robot or POST /sandbox/api/robots\n');
        }
        await untilStopped();
        await sandbox.close();
      },
    );
}
