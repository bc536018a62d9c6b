// `tocsin events …`: the alert event history (what fired, for which dimension value, with which values),
// and a user's acknowledge (no more firing messages) and close (resolved now, without a recovery message).
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { connect } from '../connection.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { findObject } from '../object-lookup.js';
import { cell, parseOutputFormat, renderList, renderObject, type Column } from '../output-format.js';
import type { CliIo } from '../program.js';
import { quoteName } from '../resource-kinds.js';

const STATES = ['firing', 'resolved'] as const;
const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const SOURCES = ['policy', 'alertmanager'] as const;

/** `host=10.0.0.7`, or `-` for a policy that does not split by dimension. */
function dimensionCell(event: JsonObject): string {
  const dimension = event.dimension;
  if (!isJsonObject(dimension)) return '-';
  return dimension.key === null ? cell(dimension.value) : `${cell(dimension.key)}=${cell(dimension.value)}`;
}

function number(value: JsonValue | undefined): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : 'no data';
}

/** Each rule's value, with its change for percent-change rules: `4 (+100%)`. */
function valuesCell(event: JsonObject): string {
  const values = Array.isArray(event.triggerValues) ? event.triggerValues.filter(isJsonObject) : [];
  if (values.length === 0) return '-';
  return values
    .map((rule) => {
      if (typeof rule.changePct !== 'number') return number(rule.value);
      const sign = rule.changePct >= 0 ? '+' : '';
      return `${number(rule.value)} (${sign}${number(rule.changePct)}%)`;
    })
    .join(', ');
}

function stateCell(event: JsonObject): string {
  if (event.state === 'firing' && event.acknowledgedAt) return 'firing (acked)';
  if (event.state === 'resolved' && event.resolveReason !== 'recovered') {
    return `resolved (${cell(event.resolveReason)})`;
  }
  return cell(event.state);
}

const COLUMNS: readonly Column[] = [
  { heading: 'started', value: (e) => cell(e.startedAt) },
  { heading: 'state', value: stateCell },
  { heading: 'severity', value: (e) => cell(e.severity) },
  { heading: 'policy', value: (e) => cell(e.policyName) },
  { heading: 'dimension', value: dimensionCell },
  { heading: 'values', value: valuesCell },
  { heading: 'notified', value: (e) => cell(e.notifyCount) },
  { heading: 'id', value: (e) => cell(e.id) },
];

interface EventListFlags {
  readonly state?: string;
  readonly policy?: string;
  readonly severity?: string;
  readonly source?: string;
  readonly limit: string;
  readonly output?: string;
}

function eventPath(id: string, action?: string): string {
  return `/api/v1/alert-events/${encodeURIComponent(id)}${action ? `:${action}` : ''}`;
}

/** `"JVM FullGC doubled" host=10.0.0.7`: which event, in words. */
function describeEvent(event: JsonObject): string {
  const dimension = dimensionCell(event);
  return `${quoteName(cell(event.policyName))}${dimension === '-' ? '' : ` ${dimension}`}`;
}

function asEvent(answer: JsonValue, what: string): JsonObject {
  if (!isJsonObject(answer) || typeof answer.id !== 'string') {
    throw new CliError(`unexpected answer to ${what}: not an alert event`);
  }
  return answer;
}

export function addEventCommands(program: Command, io: CliIo): void {
  const events = program
    .command('events')
    .description('alert events: what fired, for which dimension value, and its state');

  events
    .command('list')
    .description('list alert events, newest first')
    .option('--state <state>', `only this state: ${STATES.join(', ')}`)
    .option('--policy <name-or-id>', 'only events of this alert policy')
    .option('--severity <severity>', `only this severity: ${SEVERITIES.join(', ')}`)
    .option('--source <source>', `only events of alert policies or of Alertmanager: ${SOURCES.join(', ')}`)
    .option('--limit <n>', 'how many, at most 1000', '50')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function listEvents(flags: EventListFlags, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      if (flags.state && !(STATES as readonly string[]).includes(flags.state)) {
        throw new CliError(`--state must be one of ${STATES.join(', ')}`, EXIT_USAGE);
      }
      if (flags.severity && !(SEVERITIES as readonly string[]).includes(flags.severity)) {
        throw new CliError(`--severity must be one of ${SEVERITIES.join(', ')}`, EXIT_USAGE);
      }
      if (flags.source && !(SOURCES as readonly string[]).includes(flags.source)) {
        throw new CliError(`--source must be one of ${SOURCES.join(', ')}`, EXIT_USAGE);
      }
      const client = connect(io, command);
      const query = new URLSearchParams({ limit: flags.limit });
      if (flags.state) query.set('state', flags.state);
      if (flags.severity) query.set('severity', flags.severity);
      if (flags.source) query.set('source', flags.source);
      if (flags.policy) query.set('policyId', (await findObject(client, 'alert-policy', flags.policy)).id);
      const page = await client.request('GET', `/api/v1/alert-events?${query.toString()}`);
      const items = isJsonObject(page) && Array.isArray(page.items) ? page.items.filter(isJsonObject) : [];
      io.stdout(renderList(items, COLUMNS, format));
    });

  events
    .command('get')
    .description('show one alert event with its values and notifications')
    .argument('<id>')
    .option('-o, --output <format>', 'output format: yaml, json or table (default yaml)')
    .action(async function getEvent(id: string, flags: { output?: string }, command: Command) {
      const format = parseOutputFormat(flags.output, 'yaml');
      const event = asEvent(await connect(io, command).request('GET', eventPath(id)), `GET ${eventPath(id)}`);
      io.stdout(renderObject(event, COLUMNS, format));
    });

  events
    .command('ack')
    .description('acknowledge an alert event: no more firing messages for it (its recovery is still sent)')
    .argument('<id>')
    .action(async function acknowledgeEvent(id: string, _flags: unknown, command: Command) {
      const path = eventPath(id, 'acknowledge');
      const event = asEvent(await connect(io, command).request('POST', path), `POST ${path}`);
      io.stdout(
        `acknowledged alert event ${id} (${describeEvent(event)}) as ${cell(event.acknowledgedBy)}\n`,
      );
    });

  events
    .command('close')
    .description(
      'close an alert event: resolved now, no recovery message; nothing new fires until its rules stop holding',
    )
    .argument('<id>')
    .action(async function closeEvent(id: string, _flags: unknown, command: Command) {
      const path = eventPath(id, 'close');
      const event = asEvent(await connect(io, command).request('POST', path), `POST ${path}`);
      io.stdout(
        event.resolveReason === 'closed'
          ? `closed alert event ${id} (${describeEvent(event)}) as ${cell(event.closedBy)}\n`
          : `alert event ${id} (${describeEvent(event)}) had already resolved (${cell(event.resolveReason)})\n`,
      );
    });
}
