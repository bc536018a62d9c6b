// `tocsin datasources …`: Prometheus-compatible servers that prometheus policies query.
import type { Command } from 'commander';
import { cell } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands } from '../resource-commands.js';

export function addDatasourceCommands(program: Command, io: CliIo): void {
  addResourceCommands(program, io, {
    kind: 'datasource',
    command: 'datasources',
    description: 'data sources: Prometheus-compatible servers queried with PromQL',
    columns: [
      { heading: 'name', value: (d) => cell(d.name) },
      { heading: 'type', value: (d) => cell(d.type) },
      { heading: 'url', value: (d) => cell(d.url) },
      { heading: 'id', value: (d) => cell(d.id) },
    ],
  });
}
