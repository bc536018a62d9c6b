// `tocsin contacts …`: contacts from a file or from flags (DingTalk robot, e-mail, phone, webhook).
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { connect } from '../connection.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { findObject } from '../object-lookup.js';
import { cell } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands, collect, type CommandFlags } from '../resource-commands.js';
import { quoteName } from '../resource-kinds.js';

interface ContactFlags {
  readonly name?: string;
  readonly description?: string;
  readonly dingtalkWebhook?: string;
  readonly dingtalkSecret?: string;
  readonly keyword?: readonly string[];
  readonly atMobile?: readonly string[];
  readonly email?: string;
  readonly phone?: string;
  readonly webhookUrl?: string;
}

function declareContactFlags(command: Command): void {
  command
    .option('--name <name>', 'unique name of the contact')
    .option('--description <text>', 'free text')
    .option(
      '--dingtalk-webhook <url>',
      'DingTalk robot URL: https://oapi.dingtalk.com/robot/send?access_token=…',
    )
    .option('--dingtalk-secret <secret>', 'the robot signing secret (SEC…)')
    .option('--keyword <word>', 'a robot keyword; repeat for several (replaces the list)', collect)
    .option('--at-mobile <mobile>', 'a mobile to @-mention; repeat for several (replaces the list)', collect)
    .option('--email <address>', 'e-mail address ("" clears it)')
    .option('--phone <number>', 'phone number ("" clears it)')
    .option('--webhook-url <url>', 'generic webhook URL ("" removes the webhook)');
}

/** `""` clears an optional field. */
function orNull(value: string): string | null {
  return value === '' ? null : value;
}

/** Lays the given flags over a contact; DingTalk and webhook flags change only the fields they name. */
function applyContactFlags(current: JsonObject, raw: CommandFlags): JsonObject | null {
  const flags = raw as ContactFlags;
  const next: Record<string, JsonValue> = { ...current };
  let changed = false;
  const set = (key: string, value: JsonValue) => {
    next[key] = value;
    changed = true;
  };
  if (flags.name !== undefined) set('name', flags.name);
  if (flags.description !== undefined) set('description', orNull(flags.description));
  const dingtalk: Record<string, JsonValue> = {};
  if (flags.dingtalkWebhook !== undefined) dingtalk.webhook = flags.dingtalkWebhook;
  if (flags.dingtalkSecret !== undefined) dingtalk.secret = orNull(flags.dingtalkSecret);
  if (flags.keyword !== undefined) dingtalk.keywords = [...flags.keyword];
  if (flags.atMobile !== undefined) dingtalk.atMobiles = [...flags.atMobile];
  if (Object.keys(dingtalk).length > 0) {
    set('dingtalk', { ...(isJsonObject(current.dingtalk) ? current.dingtalk : {}), ...dingtalk });
  }
  if (flags.email !== undefined) set('email', orNull(flags.email));
  if (flags.phone !== undefined) set('phone', orNull(flags.phone));
  if (flags.webhookUrl !== undefined) {
    set(
      'webhook',
      flags.webhookUrl === ''
        ? null
        : { ...(isJsonObject(current.webhook) ? current.webhook : {}), url: flags.webhookUrl },
    );
  }
  return changed ? next : null;
}

/** The channels a contact can be reached on, for the table. */
function contactChannels(contact: JsonObject): string {
  return cell(['dingtalk', 'email', 'phone', 'webhook'].filter((key) => contact[key] != null));
}

interface ChannelTestResult {
  readonly channel: string;
  readonly target: string;
  readonly ok: boolean;
  readonly reason: string | null;
}

export function addContactCommands(program: Command, io: CliIo): void {
  const contacts = addResourceCommands(program, io, {
    kind: 'contact',
    command: 'contacts',
    description: 'who receives notifications: DingTalk robots, e-mail, phone, webhooks',
    columns: [
      { heading: 'name', value: (c) => cell(c.name) },
      { heading: 'channels', value: contactChannels },
      { heading: 'email', value: (c) => cell(c.email) },
      { heading: 'id', value: (c) => cell(c.id) },
    ],
    flags: { declare: declareContactFlags, apply: applyContactFlags },
  });
  contacts
    .command('test')
    .description("send a real test message through the contact's channels and show each answer")
    .argument('<name-or-id>')
    .option('--channel <channel>', 'only this channel: dingtalk, email or webhook; repeatable', collect)
    .option('--locale <locale>', 'language of the message: zh-CN or en', 'zh-CN')
    .action(async function testContact(
      ref: string,
      flags: { channel?: readonly string[]; locale: string },
      command: Command,
    ) {
      const client = connect(io, command);
      const contact = await findObject(client, 'contact', ref);
      const answer = await client.request('POST', `/api/v1/contacts/${encodeURIComponent(contact.id)}:test`, {
        locale: flags.locale,
        ...(flags.channel && { channels: [...flags.channel] }),
      });
      const results = (isJsonObject(answer) && Array.isArray(answer.results)
        ? answer.results
        : []) as unknown as readonly ChannelTestResult[];
      for (const result of results) {
        io.stdout(`${result.ok ? 'ok    ' : 'FAILED'} ${result.channel} → ${result.target}\n`);
        if (result.reason) io.stdout(`       ${result.reason}\n`);
      }
      if (!results.every((result) => result.ok)) {
        throw new CliError(`the test of contact ${quoteName(contact.name)} failed on some channel`);
      }
    });
}
