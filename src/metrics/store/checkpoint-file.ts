// Checkpoints: the whole head (every hour not yet in blocks) and each series' state (last point seen,
// cumulative counter) in one checksummed record, written when the write-ahead log is rotated. The
// checkpoint of generation G plus the log of generation G is the store's state.
import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { frameInPlace, RECORD_HEADER_BYTES, scanRecords, writeFully } from './framed-records.js';
import { CHUNK_DOUBLES, CHUNKS_PER_HOUR, type Head } from './head.js';
import type { SeriesRegistry } from './series-registry.js';

const CHECKPOINT_RECORD = 3;
const FORMAT_VERSION = 1;
const SERIES_STATE_DOUBLES = 5;

/**
 * Writes the checkpoint atomically (temporary file, fsync, rename) and returns its size. Layout, all
 * doubles: version, generation, hours; per hour: index, createdAtMs, chunks, then per chunk id, chunk
 * number and its cells; then series count and per series id, lastSeenMs, cumulative time, value, start.
 */
export function writeCheckpoint(
  path: string,
  generation: number,
  head: Head,
  registry: SeriesRegistry,
): number {
  const hours = head.hours();
  let doubles = RECORD_HEADER_BYTES / 8 + 3 + 1 + registry.size * SERIES_STATE_DOUBLES;
  for (const hour of hours) doubles += 3 + hour.chunkCount * (2 + CHUNK_DOUBLES);
  const data = new Float64Array(doubles);
  let at = RECORD_HEADER_BYTES / 8;
  data[at++] = FORMAT_VERSION;
  data[at++] = generation;
  data[at++] = hours.length;
  for (const hour of hours) {
    data[at++] = hour.index;
    data[at++] = hour.createdAtMs;
    const countAt = at++;
    let chunks = 0;
    for (let slot = 0; slot < hour.chunks.length; slot++) {
      const handle = hour.chunks[slot] as number;
      if (handle < 0) continue;
      data[at++] = Math.floor(slot / CHUNKS_PER_HOUR);
      data[at++] = slot % CHUNKS_PER_HOUR;
      const offset = head.offset(handle);
      data.set(head.page(handle).subarray(offset, offset + CHUNK_DOUBLES), at);
      at += CHUNK_DOUBLES;
      chunks++;
    }
    data[countAt] = chunks;
  }
  data[at++] = registry.size;
  for (const series of registry.all()) {
    data[at++] = series.id;
    data[at++] = series.lastSeenMs;
    data[at++] = series.cumulativeTimeMs;
    data[at++] = series.cumulativeValue;
    data[at++] = series.cumulativeStartMs;
  }
  const buffer = Buffer.from(data.buffer, 0, at * 8);
  const length = frameInPlace(buffer, CHECKPOINT_RECORD, at * 8 - RECORD_HEADER_BYTES);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeFully(fd, buffer, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return length;
}

/**
 * Loads a checkpoint into an empty head and the registry's series. Throws when the file is not a whole,
 * valid checkpoint (the caller then falls back to an older one or to nothing). Chunks and states of ids
 * the registry no longer has are skipped.
 */
export function readCheckpoint(path: string, head: Head, registry: SeriesRegistry): { generation: number } {
  const records: Buffer[] = [];
  const scan = scanRecords(path, (type, record) => {
    if (type === CHECKPOINT_RECORD) records.push(record);
  });
  const found = records[0];
  if (found === undefined) throw new Error(scan.problem ?? 'no checkpoint record');
  const data = new Float64Array(found.buffer, found.byteOffset, found.byteLength / 8);
  const need = (at: number): number => {
    if (at >= data.length) throw new Error('checkpoint cut short');
    return data[at] as number;
  };
  if (need(0) !== FORMAT_VERSION) throw new Error(`checkpoint format ${need(0)} is not ${FORMAT_VERSION}`);
  const generation = need(1);
  const hours = need(2);
  let at = 3;
  for (let h = 0; h < hours; h++) {
    const hour = head.restoreHour(need(at), need(at + 1));
    const chunks = need(at + 2);
    at += 3;
    for (let c = 0; c < chunks; c++) {
      const id = need(at);
      const chunk = need(at + 1);
      need(at + 1 + CHUNK_DOUBLES);
      if (registry.byId(id)) head.restoreChunk(hour, id, chunk, data, at + 2);
      at += 2 + CHUNK_DOUBLES;
    }
  }
  const seriesCount = need(at++);
  for (let s = 0; s < seriesCount; s++) {
    need(at + SERIES_STATE_DOUBLES - 1);
    const series = registry.byId(data[at] as number);
    if (series) {
      series.lastSeenMs = data[at + 1] as number;
      series.cumulativeTimeMs = data[at + 2] as number;
      series.cumulativeValue = data[at + 3] as number;
      series.cumulativeStartMs = data[at + 4] as number;
    }
    at += SERIES_STATE_DOUBLES;
  }
  return { generation };
}
