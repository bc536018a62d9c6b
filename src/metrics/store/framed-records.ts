// Length- and checksum-framed records in append-only files (the write-ahead log, the series log, a
// checkpoint): a reader stops at the first record cut short or failing its CRC, which is what a write
// torn by kill -9 (or a crash while the page cache is flushed) leaves behind.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** u32 magic, u32 type, u32 payload length, u32 CRC-32 of the payload; 16 bytes keep payloads 8-aligned. */
export const RECORD_HEADER_BYTES = 16;
const RECORD_MAGIC = 0x5453_4352; // "RCST" little-endian: a record of Tocsin's metric store
/** A payload larger than this is taken for garbage in a length field, never a record of ours. */
const MAX_PAYLOAD_BYTES = 1 << 30;

/**
 * Writes the header of a record whose payload already sits at `buffer[16 … 16 + payloadBytes)` and returns
 * the record's full length; the caller writes `buffer[0 … length)` in one write(2).
 */
export function frameInPlace(buffer: Buffer, type: number, payloadBytes: number): number {
  buffer.writeUInt32LE(RECORD_MAGIC, 0);
  buffer.writeUInt32LE(type, 4);
  buffer.writeUInt32LE(payloadBytes, 8);
  buffer.writeUInt32LE(crc32(buffer.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + payloadBytes)), 12);
  return RECORD_HEADER_BYTES + payloadBytes;
}

/** A whole record (header and payload) in a new buffer. */
export function frameRecord(type: number, payload: Uint8Array): Buffer {
  const buffer = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.byteLength);
  buffer.set(payload, RECORD_HEADER_BYTES);
  frameInPlace(buffer, type, payload.byteLength);
  return buffer;
}

/** write(2) until every byte is handed to the OS; a partial write of a regular file is rare but legal. */
export function writeFully(fd: number, buffer: Uint8Array, length = buffer.byteLength): void {
  let written = 0;
  while (written < length) written += writeSync(fd, buffer, written, length - written);
}

export interface RecordScan {
  /** Bytes of whole, valid records from the file's start; a writer should continue (or truncate) here. */
  readonly validBytes: number;
  /** Why reading stopped before the end of the file; null when the file ended cleanly. */
  readonly problem: string | null;
}

/**
 * Calls `onRecord` for each valid record of the file in order. The payload is a fresh, 8-byte-aligned
 * buffer (safe to view as a Float64Array) that the callee may keep. Stops at the first bad record.
 */
export function scanRecords(path: string, onRecord: (type: number, payload: Buffer) => void): RecordScan {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    let position = 0;
    while (position < size) {
      if (size - position < RECORD_HEADER_BYTES)
        return { validBytes: position, problem: `a record header cut short at byte ${position}` };
      readSync(fd, header, 0, RECORD_HEADER_BYTES, position);
      const length = header.readUInt32LE(8);
      if (header.readUInt32LE(0) !== RECORD_MAGIC || length > MAX_PAYLOAD_BYTES)
        return { validBytes: position, problem: `no record header at byte ${position}` };
      if (size - position - RECORD_HEADER_BYTES < length)
        return { validBytes: position, problem: `a record cut short at byte ${position}` };
      const payload = Buffer.from(new Float64Array(Math.ceil(length / 8)).buffer, 0, length);
      readSync(fd, payload, 0, length, position + RECORD_HEADER_BYTES);
      if (crc32(payload) !== header.readUInt32LE(12))
        return { validBytes: position, problem: `a record failing its checksum at byte ${position}` };
      onRecord(header.readUInt32LE(4), payload);
      position += RECORD_HEADER_BYTES + length;
    }
    return { validBytes: position, problem: null };
  } finally {
    closeSync(fd);
  }
}
