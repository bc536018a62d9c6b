// `tocsin export`: the whole configuration as one YAML or JSON document, references by name and secrets
// masked, ready to keep in git and to give back to `tocsin apply`.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { compactValue } from '../config-document.js';
import { connect } from '../connection.js';
import type { JsonObject } from '../json-value.js';
import { toJson, toYaml } from '../output-format.js';
import type { CliIo } from '../program.js';
import { DOCUMENT_SECTIONS } from '../resource-kinds.js';
import { readServerConfiguration } from '../server-configuration.js';

const YAML_HEADER =
  '# Tocsin configuration: `tocsin apply -f FILE` creates or updates these objects by name.\n' +
  '# Secrets are masked; applying a masked value keeps the secret already stored.\n';

export function addExportCommand(program: Command, io: CliIo): void {
  program
    .command('export')
    .description(
      'print every data source, contact, group, policy and Alertmanager route as one document for `apply`',
    )
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-o, --output <file>', 'write to FILE instead of standard output')
    .action(async function exportConfiguration(flags: { format: string; output?: string }, command: Command) {
      if (flags.format !== 'yaml' && flags.format !== 'json') {
        throw new CliError(`--format must be yaml or json, not "${flags.format}"`, EXIT_USAGE);
      }
      const { document } = await readServerConfiguration(connect(io, command));
      const compact: JsonObject = Object.fromEntries(
        DOCUMENT_SECTIONS.map((section) => [section, document[section].map((o) => compactValue(o))]),
      );
      const text = flags.format === 'json' ? toJson(compact) : YAML_HEADER + toYaml(compact);
      if (flags.output === undefined) {
        io.stdout(text);
        return;
      }
      try {
        await writeFile(flags.output, text, 'utf8');
      } catch (error) {
        throw new CliError(
          `cannot write ${flags.output}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const count = DOCUMENT_SECTIONS.reduce((sum, section) => sum + document[section].length, 0);
      io.stdout(`exported ${count} objects to ${flags.output}\n`);
    });
}
