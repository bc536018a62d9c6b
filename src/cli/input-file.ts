// Reads the file given with `-f FILE` (or stdin for `-`) and parses it as YAML or JSON; every failure is
// a CliError naming the file and, for syntax errors, the line.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { CliError } from './cli-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.js';

/** How a command reads its standard input; tests pass their own. */
export type ReadStdin = () => Promise<string>;

/** The text of FILE, or of stdin when FILE is `-`. */
export async function readInputText(file: string, readStdin: ReadStdin | undefined): Promise<string> {
  if (file === '-') {
    if (!readStdin) throw new CliError('cannot read standard input here; give a file name to -f');
    return readStdin();
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    const words: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
    };
    throw new CliError(`cannot read ${file}: ${words[reason] ?? reason}`);
  }
}

/** Parses YAML (which includes JSON); `.json` files are parsed as strict JSON for exact error positions. */
export function parseInputText(text: string, source: string): JsonValue {
  if (source.endsWith('.json')) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new CliError(`${source} is not valid JSON: ${error instanceof Error ? error.message : ''}`);
    }
  }
  const document = parseDocument(text, { uniqueKeys: true });
  const first = document.errors[0];
  if (first) {
    throw new CliError(`${source} is not valid YAML: ${first.message.split('\n')[0] ?? first.message}`);
  }
  return (document.toJS({ maxAliasCount: 100 }) ?? null) as JsonValue;
}

/** Reads and parses `-f FILE`, which must hold one mapping (an object). */
export async function readObjectFile(file: string, readStdin: ReadStdin | undefined): Promise<JsonObject> {
  const source = file === '-' ? 'standard input' : file;
  const value = parseInputText(await readInputText(file, readStdin), source);
  if (!isJsonObject(value)) throw new CliError(`${source} must hold one object (a YAML mapping)`);
  return value;
}
