// The `tocsin` command line: `serve` runs the service; the resource commands talk to a running service
// through its HTTP API (TOCSIN_URL, TOCSIN_TOKEN).
import { Command, CommanderError } from 'commander';
import { ConfigError, loadServerConfig, type Environment } from '../config.js';
import { startServer } from '../main.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { addAdminTokenCommand } from './commands/admin-token.js';
import { addAlertmanagerRouteCommands } from './commands/alertmanager-routes.js';
import { addApplyCommand } from './commands/apply.js';
import { addContactCommands } from './commands/contacts.js';
import { addDatasourceCommands } from './commands/datasources.js';
import { addEventCommands } from './commands/events.js';
import { addExportCommand } from './commands/export.js';
import { addGroupCommands } from './commands/groups.js';
import { addMetricCommands } from './commands/metrics.js';
import { addNotificationCommands } from './commands/notifications.js';
import { addPolicyCommands } from './commands/policies.js';
import { addSandboxCommand } from './commands/sandbox.js';
import { addTokenCommands } from './commands/tokens.js';
import type { ReadStdin } from './input-file.js';

export interface CliIo {
  readonly env: Environment;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); tests pass their own. */
  readonly untilStopped?: () => Promise<void>;
  /** Reads all of standard input, for `-f -`; tests pass their own. */
  readonly readStdin?: ReadStdin;
}

export { CliError } from './cli-error.js';

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function addServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the Tocsin service (API, ingestion, console)')
    .option('--host <address>', 'interface to listen on (TOCSIN_HOST, default 127.0.0.1)')
    .option('--port <number>', 'port to listen on (TOCSIN_PORT, default 9700)')
    .option('--data-dir <path>', 'SQLite file and encryption key (TOCSIN_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (TOCSIN_DATABASE_URL)')
    .option(
      '--allowed-webhook-origins <list>',
      'extra origins for robots/webhooks (TOCSIN_ALLOWED_WEBHOOK_ORIGINS)',
    )
    .option(
      '--evaluation-interval <duration>',
      'policy evaluation interval (TOCSIN_EVALUATION_INTERVAL, default 60s)',
    )
    .option('--public-url <url>', 'base URL of console links in messages (TOCSIN_PUBLIC_URL)')
    .option('--log-level <level>', 'log level (TOCSIN_LOG_LEVEL, default info)')
    .option(
      '--metrics-retention <duration>',
      'how long the metric store keeps data (TOCSIN_METRICS_RETENTION, default 8d)',
    )
    .option(
      '--remote-write-url <url>',
      'also forward ingested samples to this remote-write receiver (TOCSIN_REMOTE_WRITE_URL)',
    )
    .action(async (flags: Record<string, string | undefined>) => {
      const config = loadServerConfig(io.env, {
        TOCSIN_HOST: flags.host,
        TOCSIN_PORT: flags.port,
        TOCSIN_DATA_DIR: flags.dataDir,
        TOCSIN_DATABASE_URL: flags.databaseUrl,
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: flags.allowedWebhookOrigins,
        TOCSIN_EVALUATION_INTERVAL: flags.evaluationInterval,
        TOCSIN_PUBLIC_URL: flags.publicUrl,
        TOCSIN_LOG_LEVEL: flags.logLevel,
        TOCSIN_METRICS_RETENTION: flags.metricsRetention,
        TOCSIN_REMOTE_WRITE_URL: flags.remoteWriteUrl,
      });
      const server = await startServer(config);
      io.stdout(
        `Tocsin is listening on ${server.url} (data: ${config.databaseUrl ? 'PostgreSQL' : config.dataDir})\n`,
      );
      if (server.generatedAdminToken) {
        io.stdout(
          `\nAn admin API token was created. It is shown only this once; keep it safe:\n\n` +
            `  export TOCSIN_TOKEN=${server.generatedAdminToken}\n\n`,
        );
      }
      await (io.untilStopped ?? untilSignal)();
      await server.close();
    });
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('tocsin')
    .description('Tocsin: self-hosted alerting with DingTalk robots, e-mail and webhooks')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .option('--url <url>', 'the Tocsin API (TOCSIN_URL, default http://127.0.0.1:9700)')
    .option('--token <token>', 'the API token to send (TOCSIN_TOKEN)');
  addServeCommand(program, io);
  addSandboxCommand(program, io, io.untilStopped ?? untilSignal);
  addAdminTokenCommand(program, io);
  addContactCommands(program, io);
  addGroupCommands(program, io);
  addPolicyCommands(program, io);
  addAlertmanagerRouteCommands(program, io);
  addDatasourceCommands(program, io);
  addTokenCommands(program, io);
  addNotificationCommands(program, io);
  addMetricCommands(program, io);
  addEventCommands(program, io);
  addExportCommand(program, io);
  addApplyCommand(program, io);
  return program;
}

/** Runs the command line and returns the exit code; user errors print a message, never a stack trace. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its message (or the help); help asked for is a success, any other
    // complaint about the command line is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ConfigError || error instanceof CliError) {
      io.stderr(`tocsin: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : EXIT_USAGE;
    }
    io.stderr(`tocsin: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
