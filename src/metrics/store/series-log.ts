// The series log: an append-only file of series definitions (id, scope, target, metric, labels) and of
// the ids forgotten by retention. Read whole at start to rebuild the registry; rewritten with only the
// live series once forgotten entries outnumber them.
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, renameSync, statSync } from 'node:fs';
import { SERIES_SCOPES, type SeriesScope } from '../../domain/metric-series.js';
import {
  frameInPlace,
  frameRecord,
  RECORD_HEADER_BYTES,
  scanRecords,
  writeFully,
  type RecordScan,
} from './framed-records.js';
import type { Series, SeriesRegistry } from './series-registry.js';

const DEFINE_RECORD = 1;
const FORGET_RECORD = 2;

type Definition = readonly [
  id: number,
  scope: string,
  target: string,
  metric: string,
  names: readonly string[],
  values: readonly string[],
];

function definitionOf(series: Series): Definition {
  const entry = series.entry;
  return [series.id, entry.scope, entry.target, entry.name, series.labelNames, series.labelValues];
}

/** A record buffer larger than this is not kept for the next one. */
const MAX_KEPT_RECORD_BYTES = 4 * 1024 * 1024;

function isScope(value: unknown): value is SeriesScope {
  return SERIES_SCOPES.includes(value as SeriesScope);
}

/** Rebuilds `registry` from the log at `path` (absent: empty) and returns how reading ended. */
export function readSeriesLog(path: string, registry: SeriesRegistry): RecordScan & { forgotten: number } {
  if (!existsSync(path)) return { validBytes: 0, problem: null, forgotten: 0 };
  let forgotten = 0;
  const scan = scanRecords(path, (type, payload) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return; // A record whose checksum holds but whose JSON does not is not ours to guess at.
    }
    if (!Array.isArray(parsed)) return;
    if (type === FORGET_RECORD) {
      for (const id of parsed as unknown[]) {
        const series = typeof id === 'number' ? registry.byId(id) : undefined;
        if (series) registry.forget(series);
        forgotten++;
      }
      return;
    }
    if (type !== DEFINE_RECORD) return;
    for (const raw of parsed as unknown[]) {
      const [id, scope, target, metric, names, values] = raw as Partial<Definition>;
      if (
        typeof id !== 'number' ||
        !isScope(scope) ||
        typeof target !== 'string' ||
        typeof metric !== 'string' ||
        !Array.isArray(names) ||
        !Array.isArray(values)
      )
        continue;
      registry.restore(id, scope, target, metric, names, values);
    }
  });
  return { ...scan, forgotten };
}

export class SeriesLogWriter {
  #fd: number;
  #bytes: number;
  /** Forgotten entries in the file since it was last rewritten. */
  #forgotten: number;
  /**
   * Where records are encoded, kept between appends: a batch of new series writes a record of tens of
   * kilobytes, and fresh memory for each would cost more (pages mapped and zeroed) than the encoding.
   */
  #record = Buffer.alloc(0);

  /** Opens the log for appending, cutting off a torn tail at `validBytes`. */
  constructor(
    readonly path: string,
    validBytes: number,
    forgotten: number,
  ) {
    this.#fd = openSync(path, 'a');
    if (statSync(path).size > validBytes) ftruncateSync(this.#fd, validBytes);
    this.#bytes = validBytes;
    this.#forgotten = forgotten;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends definitions of new series; written (write(2)) before any point of theirs is logged. */
  define(series: readonly Series[]): void {
    if (series.length === 0) return;
    this.#writeJson(DEFINE_RECORD, JSON.stringify(series.map(definitionOf)));
  }

  forget(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.#writeJson(FORGET_RECORD, JSON.stringify(ids));
    this.#forgotten += ids.length;
  }

  /** Whether forgotten entries outnumber the live series enough to be worth a rewrite. */
  needsRewrite(liveSeries: number): boolean {
    return this.#forgotten > Math.max(1000, liveSeries);
  }

  /** Replaces the file with the live series only (temporary file, fsync, rename). */
  rewrite(registry: SeriesRegistry): void {
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w');
    let bytes = 0;
    try {
      const all = [...registry.all()];
      for (let from = 0; from < all.length; from += 10_000) {
        const record = frameRecord(
          DEFINE_RECORD,
          Buffer.from(JSON.stringify(all.slice(from, from + 10_000).map(definitionOf))),
        );
        writeFully(fd, record);
        bytes += record.byteLength;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a');
    this.#bytes = bytes;
    this.#forgotten = 0;
  }

  sync(): void {
    fsyncSync(this.#fd);
  }

  close(): void {
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  /** Frames `json` as a record of `type` in the kept buffer and writes it with one write(2). */
  #writeJson(type: number, json: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    const capacity = RECORD_HEADER_BYTES + json.length * 3;
    let buffer = this.#record;
    if (buffer.length < capacity) {
      buffer = Buffer.allocUnsafe(Math.max(capacity, buffer.length * 2));
      if (buffer.length <= MAX_KEPT_RECORD_BYTES) this.#record = buffer;
    }
    const payloadBytes = buffer.write(json, RECORD_HEADER_BYTES, 'utf8');
    const length = frameInPlace(buffer, type, payloadBytes);
    writeFully(this.#fd, buffer, length);
    this.#bytes += length;
  }
}
