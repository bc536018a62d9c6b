// The forwarder's queue on disk: one file per remote-write request, named by a sequence number, so what
// was accepted survives a restart or a kill and goes out in the order it came. A file is written under a
// temporary name and renamed, so a kill mid-write leaves no half request behind. Bounded in bytes: when a
// new request would pass the bound, the oldest are dropped (the remote store has been away too long),
// and the caller is told how many.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SUFFIX = '.rw';
const SEQUENCE_DIGITS = 16;

export interface SpooledRequest {
  readonly sequence: number;
  readonly body: Uint8Array;
}

export class Spool {
  readonly #dir: string;
  readonly #maxBytes: number;
  /** Sequence numbers waiting, oldest first, and each one's size. */
  readonly #waiting: { sequence: number; bytes: number }[] = [];
  #bytes = 0;
  #next: number;

  constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(SUFFIX)) {
        // A request a kill interrupted before its rename: it was never acknowledged to anyone.
        if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
        continue;
      }
      const sequence = Number(name.slice(0, -SUFFIX.length));
      if (!Number.isSafeInteger(sequence)) continue;
      const bytes = statSync(join(dir, name)).size;
      this.#waiting.push({ sequence, bytes });
      this.#bytes += bytes;
    }
    this.#waiting.sort((a, b) => a.sequence - b.sequence);
    this.#next = (this.#waiting.at(-1)?.sequence ?? 0) + 1;
  }

  /** Requests waiting. */
  get length(): number {
    return this.#waiting.length;
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Writes `body` as the newest request. Returns how many of the oldest requests were dropped to stay
   * within the bound (a body larger than the whole bound replaces everything waiting).
   */
  put(body: Uint8Array): number {
    let dropped = 0;
    while (this.#waiting.length > 0 && this.#bytes + body.length > this.#maxBytes) {
      this.remove(this.#waiting[0]!.sequence);
      dropped++;
    }
    const sequence = this.#next++;
    const path = this.#path(sequence);
    writeFileSync(`${path}.tmp`, body);
    renameSync(`${path}.tmp`, path);
    this.#waiting.push({ sequence, bytes: body.length });
    this.#bytes += body.length;
    return dropped;
  }

  /** The oldest request waiting, read from its file; null when none is. */
  oldest(): SpooledRequest | null {
    const first = this.#waiting[0];
    if (first === undefined) return null;
    return { sequence: first.sequence, body: readFileSync(this.#path(first.sequence)) };
  }

  /** Forgets a request: it was delivered, refused for good, or dropped. */
  remove(sequence: number): void {
    const at = this.#waiting.findIndex((request) => request.sequence === sequence);
    if (at < 0) return;
    const [request] = this.#waiting.splice(at, 1);
    this.#bytes -= request!.bytes;
    rmSync(this.#path(sequence), { force: true });
  }

  #path(sequence: number): string {
    return join(this.#dir, String(sequence).padStart(SEQUENCE_DIGITS, '0') + SUFFIX);
  }
}
