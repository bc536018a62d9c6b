// `tocsin groups …`: contact groups, which policies notify; members given by contact name or id.
import type { Command } from 'commander';
import type { JsonObject, JsonValue } from '../json-value.js';
import { cell } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands, collect, type CommandFlags } from '../resource-commands.js';

interface GroupFlags {
  readonly name?: string;
  readonly description?: string;
  readonly contact?: readonly string[];
}

function declareGroupFlags(command: Command): void {
  command
    .option('--name <name>', 'unique name of the group')
    .option('--description <text>', 'free text')
    .option('--contact <name-or-id>', 'a member; repeat for several (replaces the members)', collect);
}

function applyGroupFlags(current: JsonObject, raw: CommandFlags): JsonObject | null {
  const flags = raw as GroupFlags;
  const next: Record<string, JsonValue> = { ...current };
  if (flags.name !== undefined) next.name = flags.name;
  if (flags.description !== undefined) next.description = flags.description === '' ? null : flags.description;
  if (flags.contact !== undefined) {
    // Names (or ids) are resolved to contactIds before sending.
    delete next.contactIds;
    next.contacts = [...flags.contact];
  }
  return flags.name === undefined && flags.description === undefined && flags.contact === undefined
    ? null
    : next;
}

export function addGroupCommands(program: Command, io: CliIo): void {
  addResourceCommands(program, io, {
    kind: 'contact-group',
    command: 'groups',
    description: 'contact groups: the receivers an alert policy notifies',
    columns: [
      { heading: 'name', value: (g) => cell(g.name) },
      {
        heading: 'contacts',
        value: (g) => (Array.isArray(g.contactIds) ? String(g.contactIds.length) : '-'),
      },
      { heading: 'id', value: (g) => cell(g.id) },
    ],
    flags: { declare: declareGroupFlags, apply: applyGroupFlags },
  });
}
