import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DAY,
  HOUR,
  MIN,
  plain,
  rangeQuery,
  scratchStore,
  series,
  T0,
  type ScratchStore,
} from './test-support.js';

let scratch: ScratchStore;
afterEach(() => scratch.cleanup());

function values(metric: string, fromMs: number, minutes: number, minuteValue: 'sum' | 'count' = 'sum') {
  return plain(
    scratch.store.query(rangeQuery(metric, fromMs, fromMs + minutes * MIN, { minuteValue })).groups,
  )[0]?.values;
}

function files(folder = ''): string[] {
  return readdirSync(join(scratch.dir, folder)).sort();
}

describe('metric store: restart', () => {
  it('keeps everything appended across close and open, the open minute included', () => {
    scratch = scratchStore();
    scratch.store.append([
      series('cpu', { host: 'a' }, [
        [T0 + 29 * MIN, 1],
        [T0 + 30 * MIN, 2],
      ]),
    ]);
    scratch.store.append([series('cpu', { host: 'a' }, [[T0 + 30 * MIN + 10_000, 5]])]);
    scratch.reopen();
    expect(values('cpu', T0 + 29 * MIN, 2)).toEqual([1, 7]);
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'host')).toEqual(['a']);
  });

  it('has every append made before a crash (no close) when opened again', () => {
    scratch = scratchStore();
    for (let i = 0; i < 20; i++)
      scratch.store.append([series('cpu', { host: `h${i % 4}` }, [[T0 + i * 15_000, i]])]);
    scratch.reopenAfterCrash();
    expect(values('cpu', T0, 5)).toEqual([6, 22, 38, 54, 70]);
    expect(scratch.store.stats().series).toBe(4);
    expect(scratch.warnings).toEqual([]);
  });

  it('carries a cumulative counter across a restart', () => {
    scratch = scratchStore();
    const counter = (time: number, value: number) =>
      series('requests_total', {}, [[time, value]], { temporality: 'cumulative', startTimeMs: T0 - HOUR });
    scratch.store.append([counter(T0 + 10_000, 100)]);
    scratch.reopenAfterCrash();
    scratch.store.append([counter(T0 + 20_000, 130)]);
    scratch.reopen();
    scratch.store.append([counter(T0 + MIN, 131)]);
    expect(values('requests_total', T0, 2)).toEqual([30, 1]);
  });

  it('writes a closed hour to a block, drops it from memory, and answers from the block after a restart', () => {
    scratch = scratchStore({ closeGraceMs: 10 * MIN }, T0 + 66 * MIN);
    scratch.store.append([
      series('cpu', {}, [
        [T0 + 5 * MIN, 4],
        [T0 + 59 * MIN, 6],
        [T0 + 65 * MIN, 8],
      ]),
    ]);
    scratch.clock.now = T0 + HOUR + 9 * MIN;
    scratch.store.compact();
    expect(scratch.store.stats().blocks).toBe(0);
    scratch.clock.now = T0 + HOUR + 10 * MIN;
    scratch.store.compact();
    expect(scratch.store.stats()).toMatchObject({ blocks: 1, headSeriesMinutes: 10 });
    expect(files('blocks')).toHaveLength(1);
    scratch.reopenAfterCrash();
    const result = values('cpu', T0 + 5 * MIN, 61);
    expect([result?.[0], result?.[54], result?.[60]]).toEqual([4, 6, 8]);
    expect(result?.filter((v) => v !== null)).toHaveLength(3);
  });

  it('merges late data for a written hour on read, then into one block', () => {
    scratch = scratchStore({ closeGraceMs: 10 * MIN, lateFlushMs: 5 * MIN });
    scratch.store.append([series('cpu', {}, [[T0 + MIN, 1]])]);
    scratch.clock.now = T0 + 2 * HOUR;
    scratch.store.compact();
    // Three blocks for one hour at most: the third late write merges them into one.
    const blocksAfter = [2, 3, 1, 2];
    let blocks = 1;
    for (let late = 1; late <= 4; late++) {
      scratch.store.append([series('cpu', {}, [[T0 + MIN + late, 10 * late]])]);
      expect(values('cpu', T0 + MIN, 1, 'count')).toEqual([late + 1]);
      scratch.store.compact();
      expect(scratch.store.stats().blocks).toBe(blocks);
      scratch.clock.now += 5 * MIN;
      scratch.store.compact();
      blocks = blocksAfter[late - 1] ?? 0;
      expect(scratch.store.stats().blocks).toBe(blocks);
      expect(values('cpu', T0 + MIN, 1)).toEqual([1 + (10 * late * (late + 1)) / 2]);
    }
    scratch.reopen();
    expect(values('cpu', T0 + MIN, 1)).toEqual([101]);
    expect(files('blocks')).toHaveLength(2);
  });

  it('answers a window from blocks a week ago and one spanning blocks and memory now', () => {
    const weekAgo = T0 - 7 * DAY;
    scratch = scratchStore({}, weekAgo + 75 * MIN);
    scratch.store.append([
      series('cpu', { host: 'a' }, [
        [weekAgo + 50 * MIN, 1],
        [weekAgo + 70 * MIN, 2],
      ]),
    ]);
    scratch.clock.now = T0 - 5 * MIN;
    scratch.store.append([series('cpu', { host: 'a' }, [[T0 - 10 * MIN, 3]])]);
    scratch.clock.now = T0 + 30 * MIN;
    scratch.store.append([series('cpu', { host: 'a' }, [[T0 + 10 * MIN, 4]])]);
    scratch.store.compact();
    expect(scratch.store.stats().blocks).toBe(3);
    scratch.store.append([series('cpu', { host: 'a' }, [[T0 + 20 * MIN, 5]])]);
    const week = values('cpu', weekAgo + 30 * MIN, 60);
    expect([week?.[20], week?.[40]]).toEqual([1, 2]);
    const now = values('cpu', T0 - 30 * MIN, 60);
    expect([now?.[20], now?.[40], now?.[50]]).toEqual([3, 4, 5]);
  });
});

describe('metric store: damaged files', () => {
  function lastWal(): string {
    return join(
      scratch.dir,
      files()
        .filter((name) => name.startsWith('wal-'))
        .pop() ?? '',
    );
  }

  it('ignores a write-ahead log tail cut short, logging it, and keeps the records before', () => {
    scratch = scratchStore();
    scratch.store.append([series('cpu', {}, [[T0, 1]])]);
    scratch.store.append([series('cpu', {}, [[T0, 2]])]);
    const wal = lastWal();
    truncateSync(wal, statSync(wal).size - 5);
    scratch.reopenAfterCrash();
    expect(values('cpu', T0, 1)).toEqual([1]);
    expect(scratch.warnings.join('\n')).toMatch(/write-ahead log tail ignored.*cut short/);
  });

  it('ignores garbage after the last record of the write-ahead log', () => {
    scratch = scratchStore();
    scratch.store.append([series('cpu', {}, [[T0, 1]])]);
    appendFileSync(lastWal(), Buffer.from('garbage after a torn write'));
    scratch.reopenAfterCrash();
    expect(values('cpu', T0, 1)).toEqual([1]);
    scratch.store.append([series('cpu', {}, [[T0, 2]])]);
    scratch.reopenAfterCrash();
    expect(values('cpu', T0, 1)).toEqual([3]);
  });

  it('ignores a torn series log tail and the points of series it lost', () => {
    scratch = scratchStore();
    scratch.store.append([series('cpu', { host: 'a' }, [[T0, 1]])]);
    scratch.store.append([series('cpu', { host: 'b' }, [[T0, 2]])]);
    const log = join(scratch.dir, 'series.log');
    truncateSync(log, statSync(log).size - 3);
    scratch.reopenAfterCrash();
    expect(scratch.store.labelValues('application', 'order-service', 'cpu', 'host')).toEqual(['a']);
    expect(values('cpu', T0, 1)).toEqual([1]);
    scratch.store.append([series('cpu', { host: 'c' }, [[T0, 4]])]);
    scratch.reopen();
    expect(values('cpu', T0, 1)).toEqual([5]);
  });

  it('skips a block whose index is damaged, and answers missing for a damaged column, without crashing', () => {
    scratch = scratchStore({}, T0 + HOUR);
    scratch.store.append([series('cpu', {}, [[T0, 1]])]);
    scratch.store.append([series('cpu', {}, [[T0 + HOUR, 2]])]);
    scratch.clock.now = T0 + 3 * HOUR;
    scratch.store.compact();
    const [first, second] = files('blocks').map((name) => join(scratch.dir, 'blocks', name));
    // Damage the first block's data (a column right after the header and ids) and the second's footer.
    const data = readFileSync(first ?? '');
    data[16] = (data[16] ?? 0) ^ 0xff;
    data[17] = (data[17] ?? 0) ^ 0xff;
    writeFileSync(first ?? '', data);
    truncateSync(second ?? '', statSync(second ?? '').size - 4);
    scratch.reopen();
    expect(values('cpu', T0, 61)?.filter((v) => v !== null)).toEqual([]);
    expect(scratch.warnings.join('\n')).toMatch(/block file unreadable/);
    expect(scratch.warnings.join('\n')).toMatch(/block data unreadable/);
  });

  it('starts from an older checkpoint, or from nothing, when the newest is damaged', () => {
    scratch = scratchStore();
    scratch.store.append([series('cpu', {}, [[T0, 1]])]);
    scratch.store.close();
    const checkpoint = join(scratch.dir, files().find((name) => name.startsWith('checkpoint-')) ?? '');
    writeFileSync(checkpoint, 'not a checkpoint');
    scratch.reopenAfterCrash();
    expect(scratch.warnings.join('\n')).toMatch(/checkpoint unreadable/);
    // The log of the damaged checkpoint's generation is still replayed.
    expect(values('cpu', T0, 1)).toEqual([1]);
  });
});
