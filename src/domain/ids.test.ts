// Ids: 26 characters, time-ordered, so that listing by id lists by creation — also within one
// millisecond and when the clock steps back.
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, idGenerator } from './ids.js';

/** A random source that returns the same bytes every time: the worst case for ordering. */
const fixedRandom = (byte: number) => (bytes: Uint8Array) => bytes.fill(byte);
const realRandom = (bytes: Uint8Array) => crypto.getRandomValues(bytes);

describe('idGenerator', () => {
  it('makes 26-character ids that match ID_PATTERN', () => {
    const nextId = idGenerator(() => 1_732_406_400_000, realRandom);
    const id = nextId();
    expect(id).toHaveLength(26);
    expect(id).toMatch(ID_PATTERN);
  });

  it('orders ids made in the same millisecond in the order they were made', () => {
    const nextId = idGenerator(() => 1_732_406_400_000, realRandom);
    const ids = Array.from({ length: 10_000 }, () => nextId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('orders ids within a millisecond even when the random part starts at its highest value', () => {
    const nextId = idGenerator(() => 1_732_406_400_000, fixedRandom(255));
    const ids = Array.from({ length: 1000 }, () => nextId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('orders ids across milliseconds by time, whatever the random part', () => {
    let now = 1_732_406_400_000;
    let byte = 255;
    const nextId = idGenerator(
      () => now,
      (bytes) => bytes.fill(byte),
    );
    const first = nextId();
    now += 1;
    byte = 0;
    expect(nextId() > first).toBe(true);
  });

  it('keeps ids ordered when the clock steps back', () => {
    let now = 1_732_406_400_000;
    const nextId = idGenerator(() => now, realRandom);
    const before = nextId();
    now -= 5_000;
    const after = nextId();
    expect(after > before).toBe(true);
    expect(after.slice(0, 10)).toBe(before.slice(0, 10));
  });

  it('orders ids of different times as strings, including across a change of leading digit', () => {
    const at = (ms: number) => idGenerator(() => ms, fixedRandom(0))();
    const times = [0, 1, 31, 32, 1_000_000, 1_732_406_400_000, 2 ** 48 - 1];
    const ids = times.map(at);
    expect([...ids].sort()).toEqual(ids);
  });
});
