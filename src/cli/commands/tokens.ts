// `tocsin tokens …`: API tokens (admin only); a new token's value is printed once.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { connect } from '../connection.js';
import { cell, parseOutputFormat, renderList, renderObject, type Column } from '../output-format.js';
import type { CliIo } from '../program.js';
import { quoteName } from '../resource-kinds.js';

const TOKENS_PATH = '/api/v1/api-tokens';
const ROLES = ['viewer', 'editor', 'admin', 'ingest'] as const;

const columns: readonly Column[] = [
  { heading: 'name', value: (t) => cell(t.name) },
  { heading: 'role', value: (t) => cell(t.role) },
  { heading: 'last used', value: (t) => cell(t.lastUsedAt) },
  { heading: 'id', value: (t) => cell(t.id) },
];

export function addTokenCommands(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description('API tokens and their roles (needs an admin token)');

  tokens
    .command('list')
    .description('list API tokens (never their values)')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function listTokens(flags: { output?: string }, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      io.stdout(renderList(await connect(io, command).listAll(TOKENS_PATH), columns, format));
    });

  tokens
    .command('create')
    .description('create an API token; its value is shown only this once')
    .requiredOption('--name <name>', 'what the token is for, e.g. ci')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('-o, --output <format>', 'yaml or json: print the whole answer, value included')
    .action(async function createToken(
      flags: { name: string; role: string; output?: string },
      command: Command,
    ) {
      if (!(ROLES as readonly string[]).includes(flags.role)) {
        throw new CliError(`--role must be one of ${ROLES.join(', ')}, not "${flags.role}"`, EXIT_USAGE);
      }
      const created = await connect(io, command).object('POST', TOKENS_PATH, {
        name: flags.name,
        role: flags.role,
      });
      if (flags.output !== undefined) {
        io.stdout(renderObject(created, columns, parseOutputFormat(flags.output, 'yaml')));
        return;
      }
      io.stdout(
        `created ${flags.role} token ${quoteName(created.name)} (id ${created.id}). ` +
          `Its value is shown only this once; keep it safe:\n\n  ${cell(created.token)}\n`,
      );
    });

  tokens
    .command('delete')
    .description('delete an API token (the last admin token cannot be deleted)')
    .argument('<name-or-id>')
    .action(async function deleteToken(ref: string, _flags: unknown, command: Command) {
      const client = connect(io, command);
      const all = await client.listAll(TOKENS_PATH);
      const byId = all.find((t) => t.id === ref);
      const byName = all.filter((t) => t.name === ref);
      if (!byId && byName.length > 1) {
        throw new CliError(
          `${byName.length} tokens are named ${quoteName(ref)}; delete by id (tocsin tokens list)`,
        );
      }
      const token = byId ?? byName[0];
      if (!token) throw new CliError(`no API token named or with id ${quoteName(ref)}`);
      await client.request('DELETE', `${TOKENS_PATH}/${encodeURIComponent(token.id)}`);
      io.stdout(`deleted API token ${quoteName(token.name)} (id ${token.id})\n`);
    });
}
