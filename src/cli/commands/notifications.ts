// `tocsin notifications list`: the sending history — each notification's state, attempts and the
// channel's own answer (DingTalk errcode/errmsg), newest first.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { connect } from '../connection.js';
import { isJsonObject, type JsonObject } from '../json-value.js';
import { findObject } from '../object-lookup.js';
import { cell, parseOutputFormat, renderList, type Column } from '../output-format.js';
import type { CliIo } from '../program.js';

const STATES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
const CHANNELS = ['dingtalk', 'email', 'webhook'] as const;

/** The channel's answer in a few words: DingTalk's errcode/errmsg, or an HTTP / SMTP status. */
function answerCell(item: JsonObject): string {
  const answer = item.answer;
  if (!isJsonObject(answer)) return cell(item.lastError);
  if (typeof answer.errcode === 'number') return `${answer.errcode} ${cell(answer.errmsg)}`;
  return cell(item.lastError ?? JSON.stringify(answer));
}

const COLUMNS: readonly Column[] = [
  { heading: 'created', value: (n) => cell(n.createdAt) },
  { heading: 'state', value: (n) => cell(n.state) },
  { heading: 'channel', value: (n) => cell(n.channel) },
  { heading: 'attempts', value: (n) => cell(n.attempts) },
  { heading: 'title', value: (n) => cell(n.title) },
  // How many alert events the message carries: the events one policy opened or resolved together.
  { heading: 'events', value: (n) => cell(Array.isArray(n.eventIds) ? n.eventIds.length : null) },
  { heading: 'target', value: (n) => cell(n.target) },
  { heading: 'answer', value: answerCell },
];

interface NotificationFlags {
  readonly state?: string;
  readonly channel?: string;
  readonly contact?: string;
  readonly policy?: string;
  readonly event?: string;
  readonly limit: string;
  readonly output?: string;
}

export function addNotificationCommands(program: Command, io: CliIo): void {
  const notifications = program
    .command('notifications')
    .description('the sending history: what was sent where, and what each channel answered');
  notifications
    .command('list')
    .description('list notifications, newest first')
    .option('--state <state>', `only this state: ${STATES.join(', ')}`)
    .option('--channel <channel>', `only this channel: ${CHANNELS.join(', ')}`)
    .option('--contact <name-or-id>', 'only notifications to this contact')
    .option('--policy <name-or-id>', 'only notifications of this alert policy')
    .option('--event <id>', 'only notifications carrying this alert event')
    .option('--limit <n>', 'how many, at most 1000', '50')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function listNotifications(flags: NotificationFlags, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      if (flags.state && !(STATES as readonly string[]).includes(flags.state)) {
        throw new CliError(`--state must be one of ${STATES.join(', ')}`, EXIT_USAGE);
      }
      if (flags.channel && !(CHANNELS as readonly string[]).includes(flags.channel)) {
        throw new CliError(`--channel must be one of ${CHANNELS.join(', ')}`, EXIT_USAGE);
      }
      const client = connect(io, command);
      const query = new URLSearchParams({ limit: flags.limit });
      if (flags.state) query.set('state', flags.state);
      if (flags.channel) query.set('channel', flags.channel);
      if (flags.contact) query.set('contactId', (await findObject(client, 'contact', flags.contact)).id);
      if (flags.policy) query.set('policyId', (await findObject(client, 'alert-policy', flags.policy)).id);
      if (flags.event) query.set('eventId', flags.event);
      const page = await client.request('GET', `/api/v1/notifications?${query.toString()}`);
      const items = isJsonObject(page) && Array.isArray(page.items) ? page.items.filter(isJsonObject) : [];
      io.stdout(renderList(items, COLUMNS, format));
    });
}
