// `tocsin metrics`: what the built-in metric store holds (`list`), the ARMS metric catalog (`catalog`),
// a metric's per-minute values per dimension value (`query`), and samples pushed by hand (`push`).
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import { connect } from '../connection.js';
import { parseInputText, readInputText } from '../input-file.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json-value.js';
import { cell, parseOutputFormat, renderList, toJson, toYaml, type Column } from '../output-format.js';
import type { CliIo } from '../program.js';

const KINDS = ['application', 'browser', 'custom'] as const;
const AGGREGATIONS = ['avg', 'sum', 'max', 'min', 'count'] as const;
const SPARK = '▁▂▃▄▅▆▇█';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function checkKind(kind: string | undefined): void {
  if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) {
    throw new CliError(`--kind must be one of ${KINDS.join(', ')}`, EXIT_USAGE);
  }
}

/** `name=value` pairs (labels, filters) into an object; a bad pair is a usage error naming it. */
function pairs(items: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new CliError(`${option} takes name=value, not "${item}"`, EXIT_USAGE);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** The values as a one-line chart, NaN/null as a space. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return '';
  const low = Math.min(...present);
  const high = Math.max(...present);
  return values
    .map((v) => {
      if (v === null) return ' ';
      const step = high === low ? 3 : Math.round(((v - low) / (high - low)) * (SPARK.length - 1));
      return SPARK[step];
    })
    .join('');
}

function items(page: JsonValue): JsonObject[] {
  return isJsonObject(page) && Array.isArray(page.items) ? page.items.filter(isJsonObject) : [];
}

const METRIC_COLUMNS: readonly Column[] = [
  { heading: 'kind', value: (m) => cell(m.kind) },
  { heading: 'target', value: (m) => cell(m.target) },
  { heading: 'metric', value: (m) => cell(m.metric) },
  { heading: 'series', value: (m) => cell(m.series) },
  { heading: 'labels', value: (m) => (Array.isArray(m.labels) ? m.labels.join(', ') : '') },
];

const CATALOG_COLUMNS: readonly Column[] = [
  { heading: 'type', value: (m) => cell(m.type) },
  { heading: 'metric', value: (m) => cell(m.name) },
  { heading: 'unit', value: (m) => cell(m.unit) },
  { heading: 'dimensions', value: (m) => (Array.isArray(m.dimensions) ? m.dimensions.join(', ') : '') },
  { heading: 'en', value: (m) => cell(m.en) },
  { heading: 'zh', value: (m) => cell(m.zh) },
];

const GROUP_COLUMNS: readonly Column[] = [
  { heading: 'dimension', value: (g) => (g.key === null ? '(all)' : cell(g.key)) },
  { heading: 'aggregate', value: (g) => cell(g.aggregate) },
  {
    heading: 'per minute',
    value: (g) => (Array.isArray(g.values) ? sparkline(g.values as (number | null)[]) : ''),
  },
];

interface QueryFlags {
  readonly kind: string;
  readonly target?: string;
  readonly groupBy?: string;
  readonly filter?: string[];
  readonly window: string;
  readonly aggregation: string;
  readonly output?: string;
}

interface PushFlags {
  readonly kind: string;
  readonly target?: string;
  readonly label?: string[];
  readonly timestamp?: string;
  readonly type?: string;
  readonly file?: string;
}

export function addMetricCommands(program: Command, io: CliIo): void {
  const metrics = program
    .command('metrics')
    .description('the built-in metric store: what it holds, the ARMS catalog, queries, pushing samples');

  metrics
    .command('list')
    .description('the metrics the store holds, with their series and labels')
    .option('--kind <kind>', `only this kind: ${KINDS.join(', ')}`)
    .option('--target <name>', 'only this application or site')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function listMetrics(
      flags: { kind?: string; target?: string; output?: string },
      command: Command,
    ) {
      const format = parseOutputFormat(flags.output, 'table');
      checkKind(flags.kind);
      const query = new URLSearchParams({ limit: '1000' });
      if (flags.kind) query.set('kind', flags.kind);
      if (flags.target) query.set('target', flags.target);
      const page = await connect(io, command).request('GET', `/api/v1/metrics?${query.toString()}`);
      io.stdout(renderList(items(page), METRIC_COLUMNS, format));
    });

  metrics
    .command('catalog')
    .description('the ARMS metric types and metrics application and browser policies watch')
    .option('--kind <kind>', 'only application or browser')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function showCatalog(flags: { kind?: string; output?: string }, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      const query = flags.kind ? `?kind=${encodeURIComponent(flags.kind)}` : '';
      const answer = await connect(io, command).request('GET', `/api/v1/metrics/catalog${query}`);
      if (format !== 'table') {
        io.stdout(format === 'json' ? toJson(answer) : toYaml(answer));
        return;
      }
      const rows: JsonObject[] = [];
      const types =
        isJsonObject(answer) && Array.isArray(answer.metricTypes)
          ? answer.metricTypes.filter(isJsonObject)
          : [];
      for (const type of types) {
        const list = Array.isArray(type.metrics) ? type.metrics.filter(isJsonObject) : [];
        for (const metric of list) rows.push({ ...metric, type: type.name ?? null });
      }
      io.stdout(renderList(rows, CATALOG_COLUMNS, 'table'));
    });

  metrics
    .command('query')
    .description("a metric's per-minute values per dimension value, with an aggregate over the window")
    .argument('<metric>', 'a catalog metric (JVM_FullGC) or a custom metric name')
    .option('--kind <kind>', `the metric's kind: ${KINDS.join(', ')}`, 'custom')
    .option('--target <name>', 'the application or site (default: every target)')
    .option('--group-by <label>', 'one group per value of this dimension (default: all added up)')
    .option('--filter <label=value>', 'only series with this label value (repeatable)', collect)
    .option('--window <duration>', 'the last minutes to read, such as 60m or 6h', '60m')
    .option('--aggregation <aggregation>', `over the window: ${AGGREGATIONS.join(', ')}`, 'avg')
    .option('-o, --output <format>', 'output format: table, yaml or json (default table)')
    .action(async function queryMetric(metric: string, flags: QueryFlags, command: Command) {
      const format = parseOutputFormat(flags.output, 'table');
      checkKind(flags.kind);
      if (!(AGGREGATIONS as readonly string[]).includes(flags.aggregation)) {
        throw new CliError(`--aggregation must be one of ${AGGREGATIONS.join(', ')}`, EXIT_USAGE);
      }
      const query = new URLSearchParams({
        kind: flags.kind,
        metric,
        window: flags.window,
        aggregation: flags.aggregation,
      });
      if (flags.target) query.set('target', flags.target);
      if (flags.groupBy) query.set('groupBy', flags.groupBy);
      for (const [name, value] of Object.entries(pairs(flags.filter ?? [], '--filter'))) {
        query.append('filter', `${name}:${value}`);
      }
      const answer = await connect(io, command).request('GET', `/api/v1/metrics/query?${query.toString()}`);
      if (format !== 'table') {
        io.stdout(format === 'json' ? toJson(answer) : toYaml(answer));
        return;
      }
      const groups =
        isJsonObject(answer) && Array.isArray(answer.groups) ? answer.groups.filter(isJsonObject) : [];
      io.stdout(renderList(groups, GROUP_COLUMNS, 'table'));
    });

  metrics
    .command('push')
    .description('push one sample (METRIC VALUE) or the samples of a file (-f, {"samples": [...]})')
    .argument('[metric]', 'the metric name')
    .argument('[value]', 'the value')
    .option('--kind <kind>', `the metric's kind: ${KINDS.join(', ')}`, 'custom')
    .option('--target <name>', 'the application or site it belongs to')
    .option('--label <name=value>', 'a dimension (repeatable)', collect)
    .option('--timestamp <ms>', 'epoch milliseconds, for back-filling (default now)')
    .option('--type <type>', 'gauge, delta or cumulative (default: the catalog decides)')
    .option('-f, --file <file>', 'a JSON or YAML file of samples, - for standard input')
    .action(async function pushSamples(
      metric: string | undefined,
      value: string | undefined,
      flags: PushFlags,
      command: Command,
    ) {
      let body: JsonValue;
      if (flags.file !== undefined) {
        if (metric !== undefined) throw new CliError('give METRIC VALUE or -f FILE, not both', EXIT_USAGE);
        body = parseInputText(await readInputText(flags.file, io.readStdin), flags.file);
      } else {
        if (metric === undefined || value === undefined) {
          throw new CliError('give METRIC VALUE, or -f FILE with {"samples": [...]}', EXIT_USAGE);
        }
        checkKind(flags.kind);
        const number = Number(value);
        if (value.trim() === '' || !Number.isFinite(number)) {
          throw new CliError(`the value must be a number, not "${value}"`, EXIT_USAGE);
        }
        const sample: Record<string, JsonValue> = {
          kind: flags.kind,
          metric,
          value: number,
          labels: pairs(flags.label ?? [], '--label'),
        };
        if (flags.target) sample.target = flags.target;
        if (flags.type) sample.type = flags.type;
        if (flags.timestamp !== undefined) {
          const timestamp = Number(flags.timestamp);
          if (!Number.isInteger(timestamp))
            throw new CliError('--timestamp takes epoch milliseconds', EXIT_USAGE);
          sample.timestamp = timestamp;
        }
        body = { samples: [sample] };
      }
      const answer = await connect(io, command).request('POST', '/api/v1/push', body);
      const accepted = isJsonObject(answer) ? answer.acceptedPoints : null;
      io.stdout(`stored ${cell(accepted)} point(s)\n`);
    });
}
