// The write-ahead log: every accepted point (cumulative ones already turned into deltas) and each
// cumulative series' last state, one record per append, handed to the OS with one write(2) before the
// append returns. Replaying it over the checkpoint of the same generation rebuilds the head exactly.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import {
  frameInPlace,
  RECORD_HEADER_BYTES,
  scanRecords,
  writeFully,
  type RecordScan,
} from './framed-records.js';

const POINTS_RECORD = 1;
const HEADER_DOUBLES = RECORD_HEADER_BYTES / 8;
const HAS_CUMULATIVE_STATE = 1;

/** What replaying one entry gives back. */
export interface WalEntryVisitor {
  /** A point of series `id` to add to the head again. */
  point(id: number, timeMs: number, value: number): void;
  /** The cumulative series' last point after this append. */
  cumulativeState(id: number, timeMs: number, value: number, startMs: number): void;
}

/**
 * Entries are Float64 runs: `id, points, flags, (time, value) × points, [time, value, start]` — the
 * last three when flags has HAS_CUMULATIVE_STATE. Doubles hold every id and millisecond exactly, and one
 * typed array filled in place costs no allocation per point.
 */
export class WalWriter {
  readonly #fd: number;
  #scratch = new Float64Array(1 << 16);
  #at = HEADER_DOUBLES;
  #entryStart = -1;
  #bytes: number;

  /** Creates (or empties) the log file of a new generation. */
  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w');
    this.#bytes = 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Starts an entry for series `id` with room for `points` points. */
  startEntry(id: number, points: number): void {
    const needed = this.#at + 6 + points * 2;
    if (needed > this.#scratch.length) {
      let length = this.#scratch.length * 2;
      while (length < needed) length *= 2;
      const scratch = new Float64Array(length);
      scratch.set(this.#scratch.subarray(0, this.#at));
      this.#scratch = scratch;
    }
    this.#entryStart = this.#at;
    this.#scratch[this.#at] = id;
    this.#at += 3;
  }

  point(timeMs: number, value: number): void {
    const at = this.#at;
    this.#scratch[at] = timeMs;
    this.#scratch[at + 1] = value;
    this.#at = at + 2;
  }

  /** Closes the entry; one without points is dropped. */
  endEntry(): void {
    const start = this.#entryStart;
    const points = (this.#at - start - 3) / 2;
    if (points === 0) this.#at = start;
    else {
      this.#scratch[start + 1] = points;
      this.#scratch[start + 2] = 0;
    }
  }

  /** Closes the entry of a cumulative series with its state after this append. */
  endCumulativeEntry(timeMs: number, value: number, startMs: number): void {
    const start = this.#entryStart;
    const at = this.#at;
    this.#scratch[start + 1] = (at - start - 3) / 2;
    this.#scratch[start + 2] = HAS_CUMULATIVE_STATE;
    this.#scratch[at] = timeMs;
    this.#scratch[at + 1] = value;
    this.#scratch[at + 2] = startMs;
    this.#at = at + 3;
  }

  /** Writes the entries of this append as one record; returns once write(2) has them. */
  commit(): void {
    if (this.#at === HEADER_DOUBLES) return;
    const buffer = Buffer.from(this.#scratch.buffer, 0, this.#at * 8);
    const length = frameInPlace(buffer, POINTS_RECORD, (this.#at - HEADER_DOUBLES) * 8);
    this.#at = HEADER_DOUBLES;
    writeFully(this.#fd, buffer, length);
    this.#bytes += length;
  }

  /** Drops entries not committed (the append failed half-way). */
  discard(): void {
    this.#at = HEADER_DOUBLES;
  }

  sync(): void {
    fdatasyncSync(this.#fd);
  }

  close(): void {
    fdatasyncSync(this.#fd);
    closeSync(this.#fd);
  }
}

/** Replays a write-ahead log file into `visitor`, stopping at a torn or corrupt record. */
export function replayWal(path: string, visitor: WalEntryVisitor): RecordScan {
  return scanRecords(path, (type, payload) => {
    if (type !== POINTS_RECORD) return;
    const doubles = new Float64Array(payload.buffer, payload.byteOffset, payload.byteLength / 8);
    let at = 0;
    while (at + 3 <= doubles.length) {
      const id = doubles[at] as number;
      const points = doubles[at + 1] as number;
      const flags = doubles[at + 2] as number;
      at += 3;
      const end = at + points * 2;
      if (end > doubles.length) return;
      for (; at < end; at += 2) visitor.point(id, doubles[at] as number, doubles[at + 1] as number);
      if (flags & HAS_CUMULATIVE_STATE) {
        visitor.cumulativeState(
          id,
          doubles[at] as number,
          doubles[at + 1] as number,
          doubles[at + 2] as number,
        );
        at += 3;
      }
    }
  });
}
