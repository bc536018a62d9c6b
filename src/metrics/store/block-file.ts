// Block files: the immutable per-minute aggregates of one hour, written when the hour closes (or when
// late data for it has gathered). Split into one segment per metric so a query reads only its metric;
// within a segment each cell field is one column over [series × 60 minutes], stored in the narrowest
// type that holds it exactly (counts fit a byte, a column equal to another is stored once), with a CRC.
//
// Layout: "TCSNBLK1" · the segments' id lists and columns, each 8-aligned · the JSON index ·
// footer: f64 index offset, u32 index length, u32 index CRC, "TCSNIDX1".
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeFully } from './framed-records.js';
import { CELL_FIELDS } from './head.js';

const FILE_MAGIC = Buffer.from('TCSNBLK1', 'latin1');
const INDEX_MAGIC = Buffer.from('TCSNIDX1', 'latin1');
const FOOTER_BYTES = 24;
const MINUTES = 60;

const STORED_ENCODINGS = ['u8', 'u16', 'i32', 'f32', 'f64'] as const;
type StoredEncoding = (typeof STORED_ENCODINGS)[number];
/** `const`: every cell holds `value`; `alias`: equal to the earlier column `of` of the same segment. */
export type ColumnEncoding = StoredEncoding | 'const' | 'alias';

const BYTES_PER_CELL: Readonly<Record<StoredEncoding, number>> = { u8: 1, u16: 2, i32: 4, f32: 4, f64: 8 };

export interface StoredArea {
  readonly offset: number;
  readonly bytes: number;
  readonly crc: number;
}

export type BlockColumn =
  | { readonly encoding: 'const'; readonly value: number }
  | { readonly encoding: 'alias'; readonly of: number }
  | ({ readonly encoding: StoredEncoding } & StoredArea);

export interface BlockSegment {
  /** The metric (`metricKeyOf`) whose series this segment holds. */
  readonly metricKey: string;
  readonly rows: number;
  /** Int32 series ids, one per row, ascending. */
  readonly ids: StoredArea;
  /** One per cell field (CELL order), each [rows × 60] row-major. */
  readonly columns: readonly BlockColumn[];
}

export interface BlockIndex {
  /** Epoch milliseconds of the hour's start. */
  readonly hourMs: number;
  /** The checkpoint generation the block was written in; a block newer than the checkpoint is an orphan. */
  readonly generation: number;
  /** File names of blocks of the same hour this one merged; they are deleted once this one is safe. */
  readonly replaces: readonly string[];
  readonly segments: ReadonlyMap<string, BlockSegment>;
}

/** One metric's rows for a block being written. */
export interface SegmentInput {
  readonly metricKey: string;
  readonly ids: Int32Array;
  /** CELL_FIELDS columns of ids.length × 60 cells; cells of empty minutes must be all zero. */
  readonly columns: readonly Float64Array[];
}

/** The narrowest exact encoding of a column. */
function encodingOf(values: Float64Array): StoredEncoding | 'const' {
  const first = values[0] ?? 0;
  let constant = true;
  let integers = true;
  let float32 = true;
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value !== first) constant = false;
    if (Number.isInteger(value)) {
      if (value < low) low = value;
      if (value > high) high = value;
    } else integers = false;
    if (Math.fround(value) !== value) float32 = false;
  }
  if (constant && !Number.isNaN(first)) return 'const';
  if (integers && low >= 0 && high <= 0xff) return 'u8';
  if (integers && low >= 0 && high <= 0xffff) return 'u16';
  if (integers && low >= -0x8000_0000 && high <= 0x7fff_ffff) return 'i32';
  return float32 ? 'f32' : 'f64';
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function encoded(values: Float64Array, encoding: StoredEncoding): Uint8Array {
  switch (encoding) {
    case 'u8':
      return new Uint8Array(values);
    case 'u16':
      return new Uint8Array(new Uint16Array(values).buffer);
    case 'i32':
      return new Uint8Array(new Int32Array(values).buffer);
    case 'f32':
      return new Uint8Array(new Float32Array(values).buffer);
    case 'f64':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  }
}

class BlockWriter {
  #position = 0;
  readonly #padding = Buffer.alloc(8);

  constructor(readonly fd: number) {}

  get position(): number {
    return this.#position;
  }

  write(bytes: Uint8Array): StoredArea {
    const offset = this.#position;
    writeFully(this.fd, bytes);
    this.#position += bytes.byteLength;
    const pad = (8 - (this.#position % 8)) % 8;
    if (pad > 0) {
      writeFully(this.fd, this.#padding, pad);
      this.#position += pad;
    }
    return { offset, bytes: bytes.byteLength, crc: crc32(bytes) };
  }
}

/**
 * Writes a block file atomically (temporary file, fsync, rename; the caller fsyncs the directory) and
 * returns its size in bytes.
 */
export function writeBlockFile(
  path: string,
  block: { hourMs: number; generation: number; replaces: readonly string[] },
  segments: readonly SegmentInput[],
): number {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  let open = true;
  try {
    const writer = new BlockWriter(fd);
    writer.write(FILE_MAGIC);
    const indexSegments = segments.map((segment) => {
      const ids = writer.write(
        new Uint8Array(segment.ids.buffer, segment.ids.byteOffset, segment.ids.byteLength),
      );
      const columns = segment.columns.map((values, field): BlockColumn => {
        for (let earlier = 0; earlier < field; earlier++) {
          const other = segment.columns[earlier];
          if (other && sameValues(values, other)) return { encoding: 'alias', of: earlier };
        }
        const encoding = encodingOf(values);
        if (encoding === 'const') return { encoding, value: values[0] ?? 0 };
        return { encoding, ...writer.write(encoded(values, encoding)) };
      });
      return { metricKey: segment.metricKey, rows: segment.ids.length, ids, columns };
    });
    const index = Buffer.from(
      JSON.stringify({
        version: 1,
        hourMs: block.hourMs,
        generation: block.generation,
        replaces: block.replaces,
        segments: indexSegments,
      }),
    );
    const indexOffset = writer.position;
    writeFully(fd, index);
    const footer = Buffer.alloc(FOOTER_BYTES);
    footer.writeDoubleLE(indexOffset, 0);
    footer.writeUInt32LE(index.byteLength, 8);
    footer.writeUInt32LE(crc32(index), 12);
    INDEX_MAGIC.copy(footer, 16);
    writeFully(fd, footer);
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    renameSync(temporary, path);
    return indexOffset + index.byteLength + FOOTER_BYTES;
  } finally {
    if (open) closeSync(fd);
  }
}

function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.from(new Float64Array(Math.ceil(length / 8)).buffer, 0, length);
  const read = readSync(fd, buffer, 0, length, position);
  if (read !== length) throw new Error(`block file cut short at byte ${position + read}`);
  return buffer;
}

function isStoredArea(value: unknown): value is StoredArea {
  const area = value as Partial<StoredArea> | null;
  return (
    typeof area === 'object' &&
    area !== null &&
    typeof area.offset === 'number' &&
    typeof area.bytes === 'number' &&
    typeof area.crc === 'number'
  );
}

function parseColumn(value: unknown): BlockColumn {
  const column = value as { encoding?: unknown; value?: unknown; of?: unknown } | null;
  const encoding = column?.encoding;
  if (encoding === 'const' && typeof column?.value === 'number') return { encoding, value: column.value };
  if (encoding === 'alias' && typeof column?.of === 'number') return { encoding, of: column.of };
  if (STORED_ENCODINGS.includes(encoding as StoredEncoding) && isStoredArea(column))
    return {
      encoding: encoding as StoredEncoding,
      offset: column.offset,
      bytes: column.bytes,
      crc: column.crc,
    };
  throw new Error('block index holds a column it cannot read');
}

/** Reads and checks a block file's index; throws when the file is not a whole block. */
export function readBlockIndex(path: string): { index: BlockIndex; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < FILE_MAGIC.length + FOOTER_BYTES) throw new Error(`block file of ${size} bytes is cut short`);
    if (!readExactly(fd, 0, FILE_MAGIC.length).equals(FILE_MAGIC)) throw new Error('not a block file');
    const footer = readExactly(fd, size - FOOTER_BYTES, FOOTER_BYTES);
    if (!footer.subarray(16).equals(INDEX_MAGIC)) throw new Error('block file without its index footer');
    const indexOffset = footer.readDoubleLE(0);
    const indexLength = footer.readUInt32LE(8);
    if (indexOffset + indexLength + FOOTER_BYTES !== size) throw new Error('block index out of place');
    const indexBytes = readExactly(fd, indexOffset, indexLength);
    if (crc32(indexBytes) !== footer.readUInt32LE(12)) throw new Error('block index fails its checksum');
    const json = JSON.parse(indexBytes.toString('utf8')) as {
      hourMs?: unknown;
      generation?: unknown;
      replaces?: unknown;
      segments?: unknown;
    };
    if (
      typeof json.hourMs !== 'number' ||
      typeof json.generation !== 'number' ||
      !Array.isArray(json.segments)
    )
      throw new Error('block index lacks its hour, generation or segments');
    const segments = new Map<string, BlockSegment>();
    for (const raw of json.segments as unknown[]) {
      const segment = raw as { metricKey?: unknown; rows?: unknown; ids?: unknown; columns?: unknown };
      if (
        typeof segment.metricKey !== 'string' ||
        typeof segment.rows !== 'number' ||
        !isStoredArea(segment.ids) ||
        !Array.isArray(segment.columns) ||
        segment.columns.length !== CELL_FIELDS
      )
        throw new Error('block index holds a segment it cannot read');
      segments.set(segment.metricKey, {
        metricKey: segment.metricKey,
        rows: segment.rows,
        ids: segment.ids,
        columns: (segment.columns as unknown[]).map(parseColumn),
      });
    }
    const replaces = Array.isArray(json.replaces)
      ? (json.replaces as unknown[]).filter((name): name is string => typeof name === 'string')
      : [];
    return { index: { hourMs: json.hourMs, generation: json.generation, replaces, segments }, bytes: size };
  } finally {
    closeSync(fd);
  }
}

function readArea(fd: number, area: StoredArea): Buffer {
  const bytes = readExactly(fd, area.offset, area.bytes);
  if (crc32(bytes) !== area.crc) throw new Error(`block data at byte ${area.offset} fails its checksum`);
  return bytes;
}

/** The series ids of a segment's rows. */
export function readSegmentIds(path: string, segment: BlockSegment): Int32Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = readArea(fd, segment.ids);
    return new Int32Array(bytes.buffer, bytes.byteOffset, segment.rows);
  } finally {
    closeSync(fd);
  }
}

/** One field of a segment, decoded to [rows × 60] doubles. Aliases resolve to the column they copy. */
export function readSegmentColumn(path: string, segment: BlockSegment, field: number): Float64Array {
  let column = segment.columns[field];
  for (let hops = 0; column?.encoding === 'alias' && hops < CELL_FIELDS; hops++)
    column = segment.columns[column.of];
  const cells = segment.rows * MINUTES;
  if (!column || column.encoding === 'alias') throw new Error('block column aliases itself');
  if (column.encoding === 'const') return new Float64Array(cells).fill(column.value);
  if (column.bytes !== cells * BYTES_PER_CELL[column.encoding])
    throw new Error('block column of a wrong size');
  const fd = openSync(path, 'r');
  try {
    const bytes = readArea(fd, column);
    switch (column.encoding) {
      case 'u8':
        return new Float64Array(new Uint8Array(bytes.buffer, bytes.byteOffset, cells));
      case 'u16':
        return new Float64Array(new Uint16Array(bytes.buffer, bytes.byteOffset, cells));
      case 'i32':
        return new Float64Array(new Int32Array(bytes.buffer, bytes.byteOffset, cells));
      case 'f32':
        return new Float64Array(new Float32Array(bytes.buffer, bytes.byteOffset, cells));
      case 'f64':
        return new Float64Array(bytes.buffer, bytes.byteOffset, cells);
    }
  } finally {
    closeSync(fd);
  }
}

/** The canonical column a field reads (following aliases), for cache keys. */
export function columnSource(segment: BlockSegment, field: number): number {
  let current = field;
  for (let hops = 0; hops < CELL_FIELDS; hops++) {
    const column = segment.columns[current];
    if (column?.encoding !== 'alias') return current;
    current = column.of;
  }
  return current;
}
