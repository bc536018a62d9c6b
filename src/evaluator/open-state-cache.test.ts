// The open-state cache answers only for the revision it knows, sorts a state once per watch, and carries
// an unchanged state (and its sorting) over to the next revision.
import { describe, expect, it } from 'vitest';
import type { PolicyOpenState } from '../store/alert-events.js';
import type { SortedState } from './key-transitions.js';
import { OpenStateCache } from './open-state-cache.js';

const STATE: PolicyOpenState = { events: [], keys: [] };

function sorting(): { sort: () => SortedState; calls: () => number } {
  let calls = 0;
  return {
    sort: () => {
      calls += 1;
      return { followed: new Map(), staleEvents: [], staleKeys: [] };
    },
    calls: () => calls,
  };
}

describe('OpenStateCache', () => {
  it('knows a state only at its revision', () => {
    const cache = new OpenStateCache();
    cache.set('p1', 5, STATE);
    expect(cache.get('p1', 5)).toBe(STATE);
    expect(cache.get('p1', 6)).toBeUndefined();
    expect(cache.get('p2', 5)).toBeUndefined();
  });

  it('sorts a state once per watch fingerprint, and anew after a change', () => {
    const cache = new OpenStateCache();
    const { sort, calls } = sorting();
    cache.set('p1', 5, STATE);
    const first = cache.sorted('p1', 5, 'fp', sort);
    expect(cache.sorted('p1', 5, 'fp', sort)).toBe(first);
    expect(calls()).toBe(1);
    cache.sorted('p1', 5, 'other watch', sort);
    expect(calls()).toBe(2);
    cache.set('p1', 6, { events: [], keys: [] });
    cache.sorted('p1', 6, 'other watch', sort);
    expect(calls()).toBe(3);
    // Not known at that revision: sorted every time, nothing kept.
    cache.sorted('p1', 7, 'fp', sort);
    cache.sorted('p1', 7, 'fp', sort);
    expect(calls()).toBe(5);
  });

  it('carries an unchanged state and its sorting to the next revision, and forgets one it did not know', () => {
    const cache = new OpenStateCache();
    const { sort, calls } = sorting();
    cache.set('p1', 5, STATE);
    const sorted = cache.sorted('p1', 5, 'fp', sort);
    cache.advance('p1', 5, 9);
    expect(cache.get('p1', 5)).toBeUndefined();
    expect(cache.get('p1', 9)).toBe(STATE);
    expect(cache.sorted('p1', 9, 'fp', sort)).toBe(sorted);
    expect(calls()).toBe(1);
    cache.advance('p1', 5, 10);
    expect(cache.get('p1', 9)).toBeUndefined();
    expect(cache.get('p1', 10)).toBeUndefined();
  });
});
