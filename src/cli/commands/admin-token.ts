// `tocsin admin-token`: creates a new admin token straight in the database, for an operator who lost
// theirs. It reads the same configuration as `serve`, so it finds the same database and key.
import type { Command } from 'commander';
import { loadServerConfig } from '../../config.js';
import { createAdminTokenOffline } from '../../main.js';
import type { CliIo } from '../program.js';

export function addAdminTokenCommand(program: Command, io: CliIo): void {
  program
    .command('admin-token')
    .description('create a new admin API token directly in the database (when the old one is lost)')
    .option('--data-dir <path>', 'the service data directory (TOCSIN_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… when the service uses PostgreSQL (TOCSIN_DATABASE_URL)')
    .option('--name <name>', 'a name to recognise the token by', 'recovered admin')
    .action(async (flags: { dataDir?: string; databaseUrl?: string; name: string }) => {
      const config = loadServerConfig(io.env, {
        TOCSIN_DATA_DIR: flags.dataDir,
        TOCSIN_DATABASE_URL: flags.databaseUrl,
      });
      const token = await createAdminTokenOffline(config, flags.name);
      io.stdout(
        `A new admin API token was created. It is shown only this once:\n\n  export TOCSIN_TOKEN=${token}\n`,
      );
    });
}
