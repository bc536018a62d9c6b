// How commands print objects: a readable table for lists, YAML for single objects by default, and
// `-o json|yaml|table` to choose.
import { Document, isScalar, isSeq, visit } from 'yaml';
import { CliError, EXIT_USAGE } from './cli-error.js';
import type { JsonObject, JsonValue } from './json-value.js';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A table column: its heading and how to show an object's value in it. */
export interface Column {
  readonly heading: string;
  readonly value: (item: JsonObject) => string;
}

export function parseOutputFormat(value: string | undefined, fallback: OutputFormat): OutputFormat {
  if (value === undefined) return fallback;
  const format = OUTPUT_FORMATS.find((f) => f === value);
  if (!format)
    throw new CliError(`-o must be one of ${OUTPUT_FORMATS.join(', ')}, not "${value}"`, EXIT_USAGE);
  return format;
}

/**
 * YAML as people write it: no line folding, so long URLs and expressions stay on one line, and short
 * lists of plain values on one line too (`channels: [ dingtalk ]`).
 */
export function toYaml(value: JsonValue): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  visit(document, {
    Seq(_key, node) {
      if (isSeq(node) && node.items.length > 0 && node.items.every((item) => isScalar(item)))
        node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function toJson(value: JsonValue): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Columns padded to their widest cell, two spaces apart, headings in capitals. */
export function renderTable(items: readonly JsonObject[], columns: readonly Column[]): string {
  const rows = [
    columns.map((c) => c.heading.toUpperCase()),
    ...items.map((i) => columns.map((c) => c.value(i))),
  ];
  const widths = columns.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Renders a list of objects in the chosen format; JSON and YAML show the full objects. */
export function renderList(
  items: readonly JsonObject[],
  columns: readonly Column[],
  format: OutputFormat,
): string {
  if (format === 'json') return toJson(items);
  if (format === 'yaml') return items.length === 0 ? '[]\n' : toYaml(items);
  return renderTable(items, columns);
}

export function renderObject(item: JsonObject, columns: readonly Column[], format: OutputFormat): string {
  if (format === 'json') return toJson(item);
  if (format === 'table') return renderTable([item], columns);
  return toYaml(item);
}

/** A cell for a value: strings as they are, missing values as `-`, lists joined by commas. */
export function cell(value: JsonValue | undefined): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map((v: JsonValue) => cell(v)).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
