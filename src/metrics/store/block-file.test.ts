import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBlockIndex, readSegmentColumn, readSegmentIds, writeBlockFile } from './block-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tocsin-block-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Two series × 60 minutes; counts 1 (a byte), sum = min = max = last (one column, aliased), offsets. */
function columns(): Float64Array[] {
  const cells = 2 * 60;
  const count = new Float64Array(cells).fill(1);
  const values = Float64Array.from({ length: cells }, (_, i) => i * 0.1);
  const offsets = new Float64Array(cells).fill(15_000);
  return [count, values, values.slice(), values.slice(), offsets, values.slice()];
}

describe('block files', () => {
  it('reads back every column of a segment exactly, storing each in its narrowest form', () => {
    const path = join(dir, 'b.blk');
    const input = columns();
    const bytes = writeBlockFile(path, { hourMs: 3_600_000, generation: 7, replaces: ['old.blk'] }, [
      { metricKey: 'application|1:a1:m', ids: Int32Array.of(3, 9), columns: input },
    ]);
    const { index, bytes: read } = readBlockIndex(path);
    expect(read).toBe(bytes);
    expect(index).toMatchObject({ hourMs: 3_600_000, generation: 7, replaces: ['old.blk'] });
    const segment = index.segments.get('application|1:a1:m');
    expect(segment?.columns.map((column) => column.encoding)).toEqual([
      'const',
      'f64',
      'alias',
      'alias',
      'const',
      'alias',
    ]);
    expect([...readSegmentIds(path, segment!)]).toEqual([3, 9]);
    for (let field = 0; field < 6; field++)
      expect(readSegmentColumn(path, segment!, field)).toEqual(input[field]);
  });

  it('refuses a file whose index was damaged', () => {
    const path = join(dir, 'b.blk');
    writeBlockFile(path, { hourMs: 0, generation: 1, replaces: [] }, [
      { metricKey: 'k', ids: Int32Array.of(1, 2), columns: columns() },
    ]);
    const data = readFileSync(path);
    data[data.length - 30] = (data[data.length - 30] ?? 0) ^ 0xff;
    writeFileSync(path, data);
    expect(() => readBlockIndex(path)).toThrow(/checksum|JSON|index/);
  });
});
