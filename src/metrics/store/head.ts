// The head: per-minute aggregates of the hours not yet written to block files, in memory. Cells live in
// chunks of ten minutes carved from Float64Array pages, so a series with 30 minutes of data holds
// three or four chunks (not a whole hour) and no typed array is allocated per series.
import { MINUTE_MS } from '../../domain/metric-series.js';

/** The fields of one minute cell, in the order they are stored in the head, checkpoints and blocks. */
export const CELL = { count: 0, sum: 1, min: 2, max: 3, lastOffset: 4, last: 5 } as const;
/** count, sum, min, max, the last point's milliseconds into its minute, the last point's value. */
export const CELL_FIELDS = 6;
export const HOUR_MS = 60 * MINUTE_MS;
export const CHUNK_MINUTES = 10;
export const CHUNKS_PER_HOUR = 60 / CHUNK_MINUTES;
/** Doubles of one chunk: ten minute cells, minute-major (one point touches one contiguous cell). */
export const CHUNK_DOUBLES = CHUNK_MINUTES * CELL_FIELDS;
/**
 * 64 chunks (30 KiB) a page: small enough for malloc to carve pages from memory that request buffers
 * freed (already mapped), where a larger page would be a fresh mmap whose every 4 KiB page faults on its
 * first write, the dearest part of taking new series on a VM. Pages are still few (one per 64 chunks).
 */
const PAGE_CHUNK_BITS = 6;
const PAGE_CHUNKS = 1 << PAGE_CHUNK_BITS;
const PAGE_CHUNK_MASK = PAGE_CHUNKS - 1;

/** The head's part of one hour: for each series id, the handles of its chunks (-1: none yet). */
export class HeadHour {
  /** `[id * CHUNKS_PER_HOUR + chunk]` → chunk handle, or -1. */
  chunks: Int32Array;
  chunkCount = 0;

  constructor(
    /** Hours since the epoch. */
    readonly index: number,
    /** When the head first took a point for this hour: late data waits a little to be written together. */
    readonly createdAtMs: number,
    idCapacity: number,
  ) {
    this.chunks = new Int32Array(Math.max(16, idCapacity) * CHUNKS_PER_HOUR).fill(-1);
  }

  get startMs(): number {
    return this.index * HOUR_MS;
  }

  /** The handle of a series' chunk, or -1. */
  chunk(id: number, chunk: number): number {
    const slot = id * CHUNKS_PER_HOUR + chunk;
    return slot < this.chunks.length ? (this.chunks[slot] ?? -1) : -1;
  }

  grow(slot: number): void {
    let length = this.chunks.length * 2;
    while (length <= slot) length *= 2;
    const chunks = new Int32Array(length).fill(-1);
    chunks.set(this.chunks);
    this.chunks = chunks;
  }
}

export class Head {
  readonly #pages: Float64Array[] = [];
  #free = new Int32Array(1024);
  #freeCount = 0;
  #used = 0;
  readonly #hours = new Map<number, HeadHour>();
  /** The hour of the previous point: consecutive points almost always share it. */
  #lastHour: HeadHour | null = null;
  // The cell of the previous point (id, minute) → where it is; forgotten whenever chunks are released.
  #cellId = -1;
  #cellMinute = Number.NaN;
  #cellPage: Float64Array = new Float64Array(0);
  #cellAt = 0;
  /** The store's clock at the current append, stamped on hours it creates. */
  nowMs = 0;
  /** The length of the id-indexed tables of new hours. */
  idCapacity = 0;

  /** Adds one point of series `id` to its minute cell. */
  add(id: number, timeMs: number, value: number): void {
    const minute = Math.floor(timeMs / MINUTE_MS);
    let page: Float64Array;
    let at: number;
    // Points of a series come in order, several per minute: the cell of the previous point is the usual one.
    if (minute === this.#cellMinute && id === this.#cellId) {
      page = this.#cellPage;
      at = this.#cellAt;
    } else {
      const hourIndex = Math.floor(minute / 60);
      let hour = this.#lastHour;
      if (hour === null || hour.index !== hourIndex) hour = this.hour(hourIndex);
      const inHour = minute - hourIndex * 60;
      const slot = id * CHUNKS_PER_HOUR + ((inHour / CHUNK_MINUTES) | 0);
      if (slot >= hour.chunks.length) hour.grow(slot);
      let handle = hour.chunks[slot] ?? -1;
      if (handle < 0) {
        handle = this.#allocate();
        hour.chunks[slot] = handle;
        hour.chunkCount++;
      }
      page = this.#pages[handle >>> PAGE_CHUNK_BITS] as Float64Array;
      at = (handle & PAGE_CHUNK_MASK) * CHUNK_DOUBLES + (inHour % CHUNK_MINUTES) * CELL_FIELDS;
      this.#cellMinute = minute;
      this.#cellId = id;
      this.#cellPage = page;
      this.#cellAt = at;
    }
    const offset = timeMs - minute * MINUTE_MS;
    const count = page[at] as number;
    if (count === 0) {
      page[at] = 1;
      page[at + 1] = value;
      page[at + 2] = value;
      page[at + 3] = value;
      page[at + 4] = offset;
      page[at + 5] = value;
      return;
    }
    page[at] = count + 1;
    page[at + 1] = (page[at + 1] as number) + value;
    if (value < (page[at + 2] as number)) page[at + 2] = value;
    if (value > (page[at + 3] as number)) page[at + 3] = value;
    // The last point by timestamp; of two at the same millisecond, the later arrival.
    if (offset >= (page[at + 4] as number)) {
      page[at + 4] = offset;
      page[at + 5] = value;
    }
  }

  /** The hour `index` of the head, created when missing. */
  hour(index: number): HeadHour {
    let hour = this.#hours.get(index);
    if (!hour) {
      hour = new HeadHour(index, this.nowMs, this.idCapacity);
      this.#hours.set(index, hour);
    }
    this.#lastHour = hour;
    return hour;
  }

  /** Re-creates an hour from a checkpoint. */
  restoreHour(index: number, createdAtMs: number): HeadHour {
    const hour = new HeadHour(index, createdAtMs, this.idCapacity);
    this.#hours.set(index, hour);
    return hour;
  }

  /** Copies a whole chunk (CHUNK_DOUBLES cells from `source[from…]`) into a series' chunk of an hour. */
  restoreChunk(hour: HeadHour, id: number, chunk: number, source: Float64Array, from: number): void {
    const slot = id * CHUNKS_PER_HOUR + chunk;
    if (slot >= hour.chunks.length) hour.grow(slot);
    let handle = hour.chunks[slot] ?? -1;
    if (handle < 0) {
      handle = this.#allocate();
      hour.chunks[slot] = handle;
      hour.chunkCount++;
    }
    this.page(handle).set(source.subarray(from, from + CHUNK_DOUBLES), this.offset(handle));
  }

  existingHour(index: number): HeadHour | undefined {
    return this.#hours.get(index);
  }

  /** The hours held, oldest first. */
  hours(): HeadHour[] {
    return [...this.#hours.values()].sort((a, b) => a.index - b.index);
  }

  /** Releases an hour's chunks (written to a block, or past retention). */
  drop(hour: HeadHour): void {
    for (const handle of hour.chunks) if (handle >= 0) this.#release(handle);
    this.#hours.delete(hour.index);
    if (this.#lastHour === hour) this.#lastHour = null;
    this.#cellId = -1;
  }

  /** Forgets a series' chunks in every hour (the series is being forgotten). */
  dropSeries(id: number): void {
    this.#cellId = -1;
    for (const hour of this.#hours.values()) {
      for (let chunk = 0; chunk < CHUNKS_PER_HOUR; chunk++) {
        const slot = id * CHUNKS_PER_HOUR + chunk;
        const handle = slot < hour.chunks.length ? (hour.chunks[slot] ?? -1) : -1;
        if (handle < 0) continue;
        this.#release(handle);
        hour.chunks[slot] = -1;
        hour.chunkCount--;
      }
    }
  }

  /** The page holding a chunk. */
  page(handle: number): Float64Array {
    return this.#pages[handle >>> PAGE_CHUNK_BITS] as Float64Array;
  }

  /** Where a chunk starts in its page. */
  offset(handle: number): number {
    return (handle & PAGE_CHUNK_MASK) * CHUNK_DOUBLES;
  }

  /** Chunks holding data. */
  get chunksInUse(): number {
    return this.#used - this.#freeCount;
  }

  /** Bytes of the pages (which are kept for reuse once allocated). */
  get bytes(): number {
    return this.#pages.length * PAGE_CHUNKS * CHUNK_DOUBLES * 8;
  }

  #allocate(): number {
    let handle: number;
    if (this.#freeCount > 0) handle = this.#free[--this.#freeCount] as number;
    else {
      handle = this.#used++;
      if ((handle & PAGE_CHUNK_MASK) === 0) this.#pages.push(new Float64Array(PAGE_CHUNKS * CHUNK_DOUBLES));
    }
    // An empty cell has count 0; the other fields are written with its first point.
    const page = this.page(handle);
    const start = this.offset(handle);
    for (let at = start; at < start + CHUNK_DOUBLES; at += CELL_FIELDS) page[at] = 0;
    return handle;
  }

  #release(handle: number): void {
    if (this.#freeCount === this.#free.length) {
      const free = new Int32Array(this.#free.length * 2);
      free.set(this.#free);
      this.#free = free;
    }
    this.#free[this.#freeCount++] = handle;
  }
}
