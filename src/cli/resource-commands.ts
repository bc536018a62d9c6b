// The commands every configuration resource shares: `list`, `get`, `create`, `update`, `delete`. Each
// resource file (commands/contacts.ts, …) describes its table columns and, optionally, its flags.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { connect } from './connection.js';
import { readObjectFile } from './input-file.js';
import type { JsonObject, ServerObject } from './json-value.js';
import { findObject, resolveReferences } from './object-lookup.js';
import { parseOutputFormat, renderList, renderObject, type Column } from './output-format.js';
import type { CliIo } from './program.js';
import { DOCUMENT_SECTIONS, RESOURCE_KIND_INFO, quoteName, type ResourceKind } from './resource-kinds.js';

export type CommandFlags = Readonly<Record<string, unknown>>;

/** Flags that build or change an object, declared on `create` and `update`. */
export interface ResourceFlags {
  readonly declare: (command: Command) => void;
  /** Applies the given flags to `current` (empty for create); null when no such flag was given. */
  readonly apply: (current: JsonObject, flags: CommandFlags) => JsonObject | null;
}

export interface ResourceCommandSpec {
  readonly kind: ResourceKind;
  /** The command word: `contacts`, `groups`, `policies`, `datasources`. */
  readonly command: string;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly flags?: ResourceFlags;
}

/** Collects a repeatable option (`--keyword a --keyword b`) into a list. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The output option of commands that print objects. */
function addOutputOption(command: Command, fallback: string): Command {
  return command.option('-o, --output <format>', `output format: table, yaml or json (default ${fallback})`);
}

/**
 * Lays `patch` over `current` field by field (top level). A patch that names references by name
 * (`contacts`, `contactGroups`, `datasource`) replaces the id form the server returned.
 */
export function mergeObject(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: Record<string, unknown> = { ...current, ...patch };
  if ('contacts' in patch) delete merged.contactIds;
  if ('contactGroups' in patch) delete merged.contactGroupIds;
  if ('datasource' in patch) delete merged.datasourceId;
  return merged as JsonObject;
}

async function readPatchFile(file: string, io: CliIo): Promise<JsonObject> {
  const value = await readObjectFile(file, io.readStdin);
  if (value.name === undefined && DOCUMENT_SECTIONS.some((section) => section in value)) {
    throw new CliError(`${file} holds a configuration document; use \`tocsin apply -f ${file}\``);
  }
  return value;
}

function describe(spec: ResourceCommandSpec, object: ServerObject): string {
  return `${RESOURCE_KIND_INFO[spec.kind].label} ${quoteName(object.name)} (id ${object.id})`;
}

/** Registers `<command> list|get|create|update|delete` and returns the parent command for more actions. */
export function addResourceCommands(program: Command, io: CliIo, spec: ResourceCommandSpec): Command {
  const { path, label } = RESOURCE_KIND_INFO[spec.kind];
  const parent = program.command(spec.command).description(spec.description);

  addOutputOption(
    parent
      .command('list')
      .description(`list ${label}s`)
      .option('-q, --query <text>', 'only names containing TEXT'),
    'table',
  ).action(async function listObjects(flags: { query?: string; output?: string }, command: Command) {
    const format = parseOutputFormat(flags.output, 'table');
    const items = await connect(io, command).listAll(path, flags.query);
    io.stdout(renderList(items, spec.columns, format));
  });

  addOutputOption(
    parent.command('get').description(`show one ${label}`).argument('<name-or-id>'),
    'yaml',
  ).action(async function getObject(ref: string, flags: { output?: string }, command: Command) {
    const format = parseOutputFormat(flags.output, 'yaml');
    const object = await findObject(connect(io, command), spec.kind, ref);
    io.stdout(renderObject(object, spec.columns, format));
  });

  const create = parent
    .command('create')
    .description(`create a ${label} from a file${spec.flags ? ' or flags' : ''}`)
    .option('-f, --file <file>', 'YAML or JSON file with the object (- for stdin)');
  spec.flags?.declare(create);
  addOutputOption(create, 'a one-line summary').action(async function createObject(
    flags: CommandFlags & { file?: string; output?: string },
    command: Command,
  ) {
    const format = flags.output === undefined ? null : parseOutputFormat(flags.output, 'yaml');
    const client = connect(io, command);
    let object: JsonObject = flags.file === undefined ? {} : await readPatchFile(flags.file, io);
    object = spec.flags?.apply(object, flags) ?? object;
    if (flags.file === undefined && Object.keys(object).length === 0) {
      throw new CliError(
        `give the ${label} with -f FILE${spec.flags ? ' or with flags (see --help)' : ''}`,
        EXIT_USAGE,
      );
    }
    const created = await client.object('POST', path, await resolveReferences(client, spec.kind, object));
    io.stdout(format ? renderObject(created, spec.columns, format) : `created ${describe(spec, created)}\n`);
  });

  const update = parent
    .command('update')
    .description(
      `change a ${label}: the file's fields${spec.flags ? ' and the flags' : ''} replace the current ones`,
    )
    .argument('<name-or-id>')
    .option('-f, --file <file>', 'YAML or JSON file with the fields to change (- for stdin)');
  spec.flags?.declare(update);
  addOutputOption(update, 'a one-line summary').action(async function updateObject(
    ref: string,
    flags: CommandFlags & { file?: string; output?: string },
    command: Command,
  ) {
    const format = flags.output === undefined ? null : parseOutputFormat(flags.output, 'yaml');
    const client = connect(io, command);
    const anyFlag = spec.flags?.apply({}, flags) != null;
    if (flags.file === undefined && !anyFlag) {
      throw new CliError(
        `nothing to change: give -f FILE${spec.flags ? ' or flags (see --help)' : ''}`,
        EXIT_USAGE,
      );
    }
    const patch = flags.file === undefined ? null : await readPatchFile(flags.file, io);
    const current = await findObject(client, spec.kind, ref);
    let object: JsonObject = patch ? mergeObject(current, patch) : current;
    object = spec.flags?.apply(object, flags) ?? object;
    const body = await resolveReferences(client, spec.kind, object);
    const updated = await client.object('PUT', `${path}/${encodeURIComponent(current.id)}`, body);
    io.stdout(format ? renderObject(updated, spec.columns, format) : `updated ${describe(spec, updated)}\n`);
  });

  parent
    .command('delete')
    .description(`delete a ${label}`)
    .argument('<name-or-id>')
    .action(async function deleteObject(ref: string, _flags: unknown, command: Command) {
      const client = connect(io, command);
      const object = await findObject(client, spec.kind, ref);
      await client.request('DELETE', `${path}/${encodeURIComponent(object.id)}`);
      io.stdout(`deleted ${describe(spec, object)}\n`);
    });

  return parent;
}
