// The store against a naive model: random appends (gauge and delta, in and out of order, some too far
// ahead), clock moves, compactions, restarts and crashes; every query must answer what the model does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AcrossSeries, MinuteValue, RangeGroup } from './metric-store.js';
import { HOUR, MIN, rangeQuery, scratchStore, series, T0 } from './test-support.js';

const HOSTS = ['a', 'b', 'c', 'd'] as const;
const SKEW = 10 * MIN;

interface Cell {
  count: number;
  sum: number;
  min: number;
  max: number;
  lastOffset: number;
  last: number;
}

type Command =
  | {
      readonly kind: 'append';
      readonly points: readonly {
        readonly host: number;
        readonly ago: number;
        readonly value: number;
        readonly delta: boolean;
      }[];
    }
  | { readonly kind: 'advance'; readonly minutes: number }
  | { readonly kind: 'compact' }
  | { readonly kind: 'restart' }
  | { readonly kind: 'crash' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      points: fc.array(
        fc.record({
          host: fc.integer({ min: 0, max: HOSTS.length - 1 }),
          // Milliseconds before now: up to three hours back (late data for written hours) and a little
          // ahead, past the allowed skew now and then; on 15-second marks to make timestamp ties.
          ago: fc.oneof(
            fc.integer({ min: -12 * 4, max: 3 * 60 * 4 }).map((step) => step * 15_000),
            fc.integer({ min: -15 * MIN, max: 3 * HOUR }),
          ),
          value: fc.integer({ min: -50, max: 50 }),
          delta: fc.boolean(),
        }),
        { minLength: 1, maxLength: 12 },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 30 }) }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const query = fc.record({
  groupBy: fc.constantFrom('host', null),
  minuteValue: fc.constantFrom<MinuteValue>('avg', 'sum', 'min', 'max', 'last', 'count'),
  across: fc.constantFrom<AcrossSeries>('sum', 'avg', 'min', 'max'),
});

/** The model: per host, per minute, a cell; the last point by timestamp, ties to the later arrival. */
class Model {
  readonly cells = HOSTS.map(() => new Map<number, Cell>());

  add(host: number, time: number, value: number): void {
    const minute = Math.floor(time / MIN);
    const offset = time - minute * MIN;
    const cells = this.cells[host] as Map<number, Cell>;
    const cell = cells.get(minute);
    if (!cell) {
      cells.set(minute, { count: 1, sum: value, min: value, max: value, lastOffset: offset, last: value });
      return;
    }
    cell.count++;
    cell.sum += value;
    cell.min = Math.min(cell.min, value);
    cell.max = Math.max(cell.max, value);
    if (offset >= cell.lastOffset) {
      cell.lastOffset = offset;
      cell.last = value;
    }
  }

  answer(
    fromMinute: number,
    minutes: number,
    q: { groupBy: string | null; minuteValue: MinuteValue; across: AcrossSeries },
  ) {
    const groups = new Map<string | null, { values: number[][]; series: number }>();
    this.cells.forEach((cells, host) => {
      if (cells.size === 0) return;
      const key = q.groupBy === null ? null : (HOSTS[host] ?? null);
      let group = groups.get(key);
      if (!group) {
        group = { values: Array.from({ length: minutes }, () => []), series: 0 };
        groups.set(key, group);
      }
      let contributed = false;
      for (let i = 0; i < minutes; i++) {
        const cell = cells.get(fromMinute + i);
        if (!cell) continue;
        contributed = true;
        const value = {
          avg: cell.sum / cell.count,
          sum: cell.sum,
          min: cell.min,
          max: cell.max,
          last: cell.last,
          count: cell.count,
        }[q.minuteValue];
        group.values[i]?.push(value);
      }
      if (contributed) group.series++;
    });
    return [...groups].map(([key, group]) => ({
      key,
      seriesCount: group.series,
      values: group.values.map((vs) => {
        if (vs.length === 0) return null;
        if (q.across === 'sum') return vs.reduce((a, b) => a + b, 0);
        if (q.across === 'avg') return vs.reduce((a, b) => a + b, 0) / vs.length;
        return q.across === 'min' ? Math.min(...vs) : Math.max(...vs);
      }),
    }));
  }
}

function comparable(
  groups: readonly { key: string | null; seriesCount: number; values: readonly (number | null)[] }[],
) {
  return [...groups]
    .filter((group) => group.seriesCount > 0)
    .map((group) => ({
      key: group.key,
      seriesCount: group.seriesCount,
      // Averages of averages may be summed in another order: compare to 9 digits.
      values: group.values.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9)),
    }))
    .sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

function fromStore(groups: readonly RangeGroup[]) {
  return groups.map((group) => ({
    key: group.key,
    seriesCount: group.seriesCount,
    values: [...group.values].map((v) => (Number.isNaN(v) ? null : v)),
  }));
}

describe('metric store against a model', () => {
  it('answers every query as the model does, through compactions, restarts and crashes', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 25 }),
        fc.array(query, { minLength: 1, maxLength: 3 }),
        (commands, queries) => {
          const scratch = scratchStore(
            { closeGraceMs: 10 * MIN, lateFlushMs: 5 * MIN, maxBlocksPerHour: 2 },
            T0 + 3 * HOUR,
          );
          try {
            const model = new Model();
            for (const step of commands) {
              const now = scratch.clock.now;
              if (step.kind === 'append') {
                const result = scratch.store.append(
                  step.points.map((point) =>
                    series('m', { host: HOSTS[point.host] ?? 'a' }, [[now - point.ago, point.value]], {
                      temporality: point.delta ? 'delta' : 'gauge',
                    }),
                  ),
                );
                let accepted = 0;
                for (const point of step.points) {
                  if (now - point.ago > now + SKEW) continue;
                  model.add(point.host, now - point.ago, point.value);
                  accepted++;
                }
                expect(result.acceptedPoints).toBe(accepted);
              } else if (step.kind === 'advance') scratch.clock.now += step.minutes * MIN;
              else if (step.kind === 'compact') scratch.store.compact();
              else if (step.kind === 'restart') scratch.reopen();
              else scratch.reopenAfterCrash();
            }
            const fromMinute = Math.floor((T0 - MIN) / MIN);
            const minutes = Math.ceil((scratch.clock.now + SKEW - T0) / MIN) + 2;
            for (const q of queries) {
              const result = scratch.store.query(
                rangeQuery('m', fromMinute * MIN, (fromMinute + minutes) * MIN, q),
              );
              expect(comparable(fromStore(result.groups))).toEqual(
                comparable(model.answer(fromMinute, minutes, q)),
              );
            }
            expect(scratch.warnings).toEqual([]);
          } finally {
            scratch.cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
