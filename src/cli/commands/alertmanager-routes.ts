// `tocsin am-routes …`: the Alertmanager bridge's routing table — which alerts (by Alertmanager matchers)
// go to which contact groups; groups given by name or id.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { JsonObject, JsonValue } from '../json-value.js';
import { cell } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands, collect, type CommandFlags } from '../resource-commands.js';

interface RouteFlags {
  readonly name?: string;
  readonly description?: string;
  readonly matcher?: readonly string[];
  readonly group?: readonly string[];
  readonly channel?: readonly string[];
  readonly order?: string;
  readonly continue?: boolean;
  readonly silenceMinutes?: string;
}

function declareRouteFlags(command: Command): void {
  command
    .option('--name <name>', 'unique name of the route')
    .option('--description <text>', 'free text')
    .option(
      '--matcher <matcher>',
      'an Alertmanager matcher, e.g. \'severity=~"critical|warning"\'; repeat for several (replaces them)',
      collect,
    )
    .option('--group <name-or-id>', 'a contact group to notify; repeat for several (replaces them)', collect)
    .option('--channel <channel>', 'dingtalk, email or webhook; repeat for several (replaces them)', collect)
    .option('--order <n>', 'routes are tried by order, lowest first, then by name')
    .option('--continue', 'try later routes too after this one matched')
    .option('--no-continue', 'the first matching route takes the alert (the default)')
    .option('--silence-minutes <n>', 'notify a still-firing alert again only after this long (default 1440)');
}

function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new CliError(`${flag} must be a whole number, not "${text}"`, EXIT_USAGE);
  return Number(text);
}

function applyRouteFlags(current: JsonObject, raw: CommandFlags): JsonObject | null {
  const flags = raw as RouteFlags;
  const next: Record<string, JsonValue> = { ...current };
  let changed = false;
  const set = (key: string, value: JsonValue) => {
    next[key] = value;
    changed = true;
  };
  if (flags.name !== undefined) set('name', flags.name);
  if (flags.description !== undefined)
    set('description', flags.description === '' ? null : flags.description);
  if (flags.matcher !== undefined) set('matchers', [...flags.matcher]);
  if (flags.group !== undefined) {
    // Names (or ids) are resolved to contactGroupIds before sending.
    delete next.contactGroupIds;
    set('contactGroups', [...flags.group]);
  }
  if (flags.channel !== undefined) set('channels', [...flags.channel]);
  if (flags.order !== undefined) set('order', wholeNumber('--order', flags.order));
  if (flags.continue !== undefined) set('continue', flags.continue);
  if (flags.silenceMinutes !== undefined) {
    set('silenceMinutes', wholeNumber('--silence-minutes', flags.silenceMinutes));
  }
  return changed ? next : null;
}

function listCell(value: JsonValue | undefined): string {
  if (!Array.isArray(value) || value.length === 0) return '-';
  return (value as readonly JsonValue[]).map((item) => cell(item)).join(' ');
}

export function addAlertmanagerRouteCommands(program: Command, io: CliIo): void {
  addResourceCommands(program, io, {
    kind: 'alertmanager-route',
    command: 'am-routes',
    description: 'Alertmanager routes: which alerts an Alertmanager sends go to which contact groups',
    columns: [
      { heading: 'order', value: (r) => cell(r.order) },
      { heading: 'name', value: (r) => cell(r.name) },
      { heading: 'matchers', value: (r) => listCell(r.matchers) },
      {
        heading: 'groups',
        value: (r) => (Array.isArray(r.contactGroupIds) ? String(r.contactGroupIds.length) : '-'),
      },
      { heading: 'channels', value: (r) => listCell(r.channels) },
      { heading: 'continue', value: (r) => cell(r.continue) },
      { heading: 'id', value: (r) => cell(r.id) },
    ],
    flags: { declare: declareRouteFlags, apply: applyRouteFlags },
  });
}
