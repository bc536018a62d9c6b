// `tocsin apply -f FILE [--dry-run]`: makes the server hold what the document says — creates what is
// missing, updates what differs, reports each object — in the order data sources, contacts, groups, policies,
// Alertmanager routes.
import type { Command } from 'commander';
import { ApiError } from '../api-client.js';
import { CliError } from '../cli-error.js';
import { formatPlanEntry, planApply, summarizePlan } from '../apply-plan.js';
import { parseConfigDocument, toApiBody } from '../config-document.js';
import { connect } from '../connection.js';
import { parseInputText, readInputText } from '../input-file.js';
import type { CliIo } from '../program.js';
import { RESOURCE_KIND_INFO, quoteName } from '../resource-kinds.js';
import { readServerConfiguration } from '../server-configuration.js';

export function addApplyCommand(program: Command, io: CliIo): void {
  program
    .command('apply')
    .description('create or update the objects of a configuration document (YAML or JSON), by name')
    .requiredOption('-f, --file <file>', 'the document (- for stdin), as written by `tocsin export`')
    .option('--dry-run', 'print what would change, change nothing')
    .action(async function applyConfiguration(flags: { file: string; dryRun?: boolean }, command: Command) {
      const source = flags.file === '-' ? 'standard input' : flags.file;
      const document = parseConfigDocument(
        parseInputText(await readInputText(flags.file, io.readStdin), source),
        source,
      );
      const client = connect(io, command);
      const { document: current, ids } = await readServerConfiguration(client);
      const plan = planApply(document, current);
      if (plan.problems.length > 0) {
        throw new CliError(
          `cannot apply ${source}; nothing was changed:\n${plan.problems.map((p) => `  ${p}`).join('\n')}`,
        );
      }
      const dryRun = flags.dryRun === true;
      for (const entry of plan.entries) {
        if (!dryRun && entry.action !== 'unchanged') {
          const { path } = RESOURCE_KIND_INFO[entry.kind];
          const body = toApiBody(entry.kind, entry.desired, (kind, name) => ids.idOf(kind, name));
          try {
            if (entry.action === 'create') {
              ids.set(entry.kind, entry.name, (await client.object('POST', path, body)).id);
            } else {
              const id = ids.idOf(entry.kind, entry.name)!;
              await client.object('PUT', `${path}/${encodeURIComponent(id)}`, body);
            }
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            throw new CliError(
              `${entry.kind} ${quoteName(entry.name)} could not be ${entry.action === 'create' ? 'created' : 'updated'} ` +
                `(objects reported above were applied):\n${error.message}`,
            );
          }
        }
        io.stdout(formatPlanEntry(entry));
      }
      io.stdout(summarizePlan(plan.entries, dryRun));
    });
}
