// `tocsin policies …`: alert policies from YAML or JSON files, `enable` / `disable`, and `preview` (in
// policy-preview.ts).
import type { Command } from 'commander';
import { connect } from '../connection.js';
import { findObject } from '../object-lookup.js';
import { cell } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands } from '../resource-commands.js';
import { quoteName } from '../resource-kinds.js';
import { addPolicyPreviewCommand } from './policy-preview.js';

export function addPolicyCommands(program: Command, io: CliIo): void {
  const policies = addResourceCommands(program, io, {
    kind: 'alert-policy',
    command: 'policies',
    description: 'alert policies: what to watch and whom to tell',
    columns: [
      { heading: 'name', value: (p) => cell(p.name) },
      { heading: 'kind', value: (p) => cell(p.kind) },
      { heading: 'target', value: (p) => cell(p.target) },
      { heading: 'severity', value: (p) => cell(p.severity) },
      { heading: 'enabled', value: (p) => cell(p.enabled) },
      { heading: 'id', value: (p) => cell(p.id) },
    ],
  });
  for (const action of ['enable', 'disable'] as const) {
    policies
      .command(action)
      .description(`${action} an alert policy`)
      .argument('<name-or-id>')
      .action(async function setPolicyEnabled(ref: string, _flags: unknown, command: Command) {
        const client = connect(io, command);
        const policy = await findObject(client, 'alert-policy', ref);
        await client.object('POST', `/api/v1/alert-policies/${encodeURIComponent(policy.id)}:${action}`);
        io.stdout(`${action}d alert policy ${quoteName(policy.name)}\n`);
      });
  }
  addPolicyPreviewCommand(policies, io);
}
