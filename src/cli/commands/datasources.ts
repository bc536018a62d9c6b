// `tocsin datasources …`: Prometheus-compatible servers that prometheus policies query; `test` checks
// that Tocsin reaches one, `query` shows what a policy with an expression would see.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { connect } from '../connection.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { findObject } from '../object-lookup.js';
import { cell, parseOutputFormat, renderList, type Column } from '../output-format.js';
import type { CliIo } from '../program.js';
import { addResourceCommands } from '../resource-commands.js';
import { quoteName } from '../resource-kinds.js';

/** The values of a series with data, for the table: how many minutes had one, and the last. */
function valuesWithData(series: JsonObject): number[] {
  const values = Array.isArray(series.values) ? (series.values as readonly JsonValue[]) : [];
  return values.filter((value): value is number => typeof value === 'number');
}

const SERIES_COLUMNS: readonly Column[] = [
  { heading: 'series', value: (s) => cell(s.key) },
  { heading: 'last', value: (s) => cell(valuesWithData(s).at(-1) ?? null) },
  {
    heading: 'minutes with data',
    value: (s) => `${valuesWithData(s).length}/${Array.isArray(s.values) ? s.values.length : 0}`,
  },
];

export function addDatasourceCommands(program: Command, io: CliIo): void {
  const datasources = addResourceCommands(program, io, {
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

  datasources
    .command('test')
    .description(
      'run vector(1) on the data source with its URL, credentials and timeout, and show its version',
    )
    .argument('<name-or-id>')
    .action(async function testDatasource(ref: string, _flags: object, command: Command) {
      const client = connect(io, command);
      const source = await findObject(client, 'datasource', ref);
      const answer = await client.request(
        'POST',
        `/api/v1/datasources/${encodeURIComponent(source.id)}:test`,
      );
      const result: JsonObject = isJsonObject(answer) ? answer : {};
      if (result.ok === true) {
        const version = typeof result.version === 'string' ? ` (version ${result.version})` : '';
        io.stdout(`ok     ${source.name} → ${cell(source.url)}${version}\n`);
        return;
      }
      io.stdout(`FAILED ${source.name} → ${cell(source.url)}\n       ${cell(result.error)}\n`);
      throw new CliError(`the test of data source ${quoteName(source.name)} failed`);
    });

  datasources
    .command('query')
    .description('run a PromQL expression over a rule window and show each series as a policy would see it')
    .argument('<name-or-id>')
    .argument('<expr>', 'the PromQL expression')
    .option('-w, --window <duration>', 'minutes to read, ending at the last complete minute', '60m')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function queryDatasource(
      ref: string,
      expr: string,
      flags: { window: string; output?: string },
      command: Command,
    ) {
      const format = parseOutputFormat(flags.output, 'table');
      const client = connect(io, command);
      const source = await findObject(client, 'datasource', ref);
      const answer = await client.request(
        'POST',
        `/api/v1/datasources/${encodeURIComponent(source.id)}:query`,
        { expr, window: flags.window },
      );
      const series =
        isJsonObject(answer) && Array.isArray(answer.series) ? answer.series.filter(isJsonObject) : [];
      if (format === 'table' && series.length === 0) {
        io.stdout('no series: the expression has no value in this window\n');
        return;
      }
      io.stdout(renderList(series, SERIES_COLUMNS, format));
    });
}
