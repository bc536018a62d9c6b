// Answering a RangeQuery: pick the matching series, then hour by hour merge each series' minute cells
// from every source holding that hour (the head, one or more block files), turn them into the series'
// minute value, and fold those into the groups' per-minute values.
import { MINUTE_MS } from '../../domain/metric-series.js';
import type { BlockIndex, BlockSegment } from './block-file.js';
import { CELL, CELL_FIELDS, CHUNK_MINUTES, CHUNKS_PER_HOUR, type Head, type HeadHour } from './head.js';
import type { RangeGroup, RangeQuery, RangeResult } from './metric-store.js';
import type { MetricEntry, Series, SeriesRegistry } from './series-registry.js';

/** A block file known to the store. */
export interface LoadedBlock {
  /** The file name inside the blocks folder; also the prefix of its cache keys. */
  readonly name: string;
  readonly path: string;
  readonly index: BlockIndex;
  readonly bytes: number;
}

/** Where a query reads cells from; loaders answer null for data that cannot be read (logged by them). */
export interface QuerySources {
  readonly registry: SeriesRegistry;
  head(): Head;
  blocksOf(hourIndex: number): readonly LoadedBlock[];
  ids(block: LoadedBlock, segment: BlockSegment): Int32Array | null;
  column(block: LoadedBlock, segment: BlockSegment, field: number): Float64Array | null;
}

/** Bounds the memory one query may ask for: groups × minutes of the answer. */
export const MAX_QUERY_CELLS = 20_000_000;
/** Query selections (series and their groups) remembered. */
const MAX_CACHED_SELECTIONS = 64;
/** Scratch arrays longer than this are not kept between queries. */
const MAX_KEPT_SCRATCH = 4_000_000;

/** The QueryScratch.floats slot of answers given with `reuseValues` (slots 0–2 hold HourCells). */
const ANSWER_SLOT = 3;

const MERGE = { sum: 0, min: 1, max: 2, last: 3, none: 4 } as const;
type MergeMode = (typeof MERGE)[keyof typeof MERGE];

/** Which cell field a minute value reads, and how two partial cells of one minute combine. */
const READS: Readonly<Record<RangeQuery['minuteValue'], { field: number; mode: MergeMode }>> = {
  avg: { field: CELL.sum, mode: MERGE.sum },
  sum: { field: CELL.sum, mode: MERGE.sum },
  min: { field: CELL.min, mode: MERGE.min },
  max: { field: CELL.max, mode: MERGE.max },
  last: { field: CELL.last, mode: MERGE.last },
  count: { field: CELL.count, mode: MERGE.none },
};

/**
 * Arrays a query needs only while it runs, kept for the next one: allocating (and first touching) a few
 * megabytes per query would cost more than the query itself.
 */
export class QueryScratch {
  /**
   * The selections of recent queries: the evaluator asks the same ones every tick, and a week-over-week
   * rule asks the same one twice. An entry is reused only while its metrics' series are unchanged.
   */
  readonly #selections = new Map<string, Selection>();
  #floats: Float64Array[] = [];
  #counts = new Uint32Array(0);
  #ids = new Int32Array(0);

  selection(entries: readonly MetricEntry[], query: RangeQuery): Selection {
    const key = selectionKey(query);
    const cached = this.#selections.get(key);
    if (cached && stillValid(cached, entries)) {
      this.#selections.delete(key);
      this.#selections.set(key, cached);
      return cached;
    }
    const selection = select(entries, query);
    this.#selections.delete(key);
    this.#selections.set(key, selection);
    for (const oldest of this.#selections.keys()) {
      if (this.#selections.size <= MAX_CACHED_SELECTIONS) break;
      this.#selections.delete(oldest);
    }
    return selection;
  }

  /** Float64Array number `slot` of at least `length` cells, contents undefined. */
  floats(slot: number, length: number): Float64Array {
    const kept = this.#floats[slot];
    if (kept && kept.length >= length) return kept;
    const fresh = new Float64Array(length);
    if (length <= MAX_KEPT_SCRATCH) this.#floats[slot] = fresh;
    return fresh;
  }

  /** Zeroed counters. */
  counts(length: number): Uint32Array {
    if (this.#counts.length >= length) {
      const counts = this.#counts.subarray(0, length);
      counts.fill(0);
      return counts;
    }
    const fresh = new Uint32Array(length);
    if (length <= MAX_KEPT_SCRATCH) this.#counts = fresh;
    return fresh;
  }

  /** An id → match table filled with -1. */
  ids(length: number): Int32Array {
    if (this.#ids.length < length) {
      const fresh = new Int32Array(Math.max(length, this.#ids.length * 2)).fill(-1);
      if (fresh.length > MAX_KEPT_SCRATCH) return fresh;
      this.#ids = fresh;
    }
    return this.#ids;
  }
}

const MINUTE_VALUE = { value: 0, average: 1, count: 2 } as const;
const ACROSS = { sum: 0, min: 1, max: 2 } as const;

/** Folds series' minute values into their groups' answer cells. */
class GroupFolder {
  readonly #minuteValue: number;
  readonly #across: number;

  constructor(
    readonly accumulated: Float64Array,
    readonly present: Uint32Array,
    readonly groupOfMatch: Int32Array,
    readonly contributed: Uint8Array,
    readonly minutes: number,
    minuteValue: RangeQuery['minuteValue'],
    across: RangeQuery['across'],
  ) {
    this.#minuteValue =
      minuteValue === 'count'
        ? MINUTE_VALUE.count
        : minuteValue === 'avg'
          ? MINUTE_VALUE.average
          : MINUTE_VALUE.value;
    // avg across series sums here and divides by the series count when the query finishes.
    this.#across = across === 'min' ? ACROSS.min : across === 'max' ? ACROSS.max : ACROSS.sum;
  }

  /**
   * Folds `n` consecutive minutes of series `k`, from answer minute `out`: minute i's point count is at
   * `counts[countAt + i * stride]`, the field its minute value reads at `values[valueAt + i * stride]`.
   * A whole run per call lets the loop keep the arrays and modes in registers, which matters at 600 000
   * cells a query.
   */
  foldRun(
    k: number,
    out: number,
    n: number,
    counts: Float64Array,
    countAt: number,
    values: Float64Array,
    valueAt: number,
    stride: number,
  ): void {
    const { accumulated, present } = this;
    const minuteValue = this.#minuteValue;
    const across = this.#across;
    const base = (this.groupOfMatch[k] as number) * this.minutes + out;
    let folded = false;
    for (let i = 0; i < n; i++) {
      const count = counts[countAt + i * stride] as number;
      if (count === 0) continue;
      folded = true;
      const value = values[valueAt + i * stride] as number;
      const v =
        minuteValue === MINUTE_VALUE.value
          ? value
          : minuteValue === MINUTE_VALUE.average
            ? value / count
            : count;
      const at = base + i;
      const seen = present[at] as number;
      present[at] = seen + 1;
      if (seen === 0) {
        accumulated[at] = v;
        continue;
      }
      const previous = accumulated[at] as number;
      if (across === ACROSS.sum) accumulated[at] = previous + v;
      else if (across === ACROSS.min) {
        if (v < previous) accumulated[at] = v;
      } else if (v > previous) accumulated[at] = v;
    }
    if (folded) this.contributed[k] = 1;
  }
}

/** Per-hour cells of the matched series, [match × 60], for hours held by more than one source. */
class HourCells {
  constructor(
    readonly count: Float64Array,
    readonly value: Float64Array,
    readonly offset: Float64Array,
    readonly mode: MergeMode,
  ) {}

  /** Merges a partial cell (count c, the mode's value v, last offset o) into cell `at`. */
  merge(at: number, c: number, v: number, o: number): void {
    const previous = this.count[at] as number;
    this.count[at] = previous + c;
    const mode = this.mode;
    if (mode === MERGE.none) return;
    if (previous === 0) {
      this.value[at] = v;
      this.offset[at] = o;
      return;
    }
    const current = this.value[at] as number;
    if (mode === MERGE.sum) this.value[at] = current + v;
    else if (mode === MERGE.min) {
      if (v < current) this.value[at] = v;
    } else if (mode === MERGE.max) {
      if (v > current) this.value[at] = v;
    } else if (o >= (this.offset[at] as number)) {
      this.value[at] = v;
      this.offset[at] = o;
    }
  }
}

/**
 * Where a label sits in a series' shared, sorted name array; series of one metric nearly always share one
 * array, so the position is looked up once per array instead of once per series.
 */
class LabelPosition {
  #names: readonly string[] | null = null;
  #index = -1;

  constructor(readonly name: string) {}

  valueOf(series: Series): string | undefined {
    if (series.labelNames !== this.#names) {
      this.#names = series.labelNames;
      this.#index = series.labelNames.indexOf(this.name);
    }
    return this.#index < 0 ? undefined : series.labelValues[this.#index];
  }
}

/** The series a query reads and the group of each. */
interface Selection {
  readonly entries: readonly MetricEntry[];
  readonly versions: readonly number[];
  readonly matches: readonly Series[];
  /** Group index per match. */
  readonly groupOf: Int32Array;
  readonly groupKeys: readonly (string | null)[];
  /** The group numbers in key order, null first. */
  readonly byKey: Int32Array;
}

/** Picks the series of `entries` passing the query's filters and groups them by its groupBy label. */
function select(entries: readonly MetricEntry[], query: RangeQuery): Selection {
  const filters = Object.entries(query.filters ?? {}).map(
    ([name, value]) => [new LabelPosition(name), value] as const,
  );
  const groupBy = query.groupBy === null ? null : new LabelPosition(query.groupBy);
  const matches: Series[] = [];
  const groupOf: number[] = [];
  const groupKeys: (string | null)[] = [];
  const groupIndex = new Map<string | null, number>();
  for (const entry of entries) {
    for (const series of entry.series) {
      let matching = true;
      for (const [position, value] of filters) if (position.valueOf(series) !== value) matching = false;
      if (!matching) continue;
      const key = groupBy === null ? null : (groupBy.valueOf(series) ?? null);
      let group = groupIndex.get(key);
      if (group === undefined) {
        group = groupKeys.length;
        groupIndex.set(key, group);
        groupKeys.push(key);
      }
      matches.push(series);
      groupOf.push(group);
    }
  }
  // Sorted once per selection: callers order their answers by key, and sorting what already is in
  // order costs them one comparison per group. The groups keep their numbers (the order their first
  // series was created, which is about the order of the series' memory) for the fold.
  const byKey = Int32Array.from(groupKeys.keys()).sort((a, b) =>
    compareKeys(groupKeys[a] ?? null, groupKeys[b] ?? null),
  );
  return {
    entries,
    versions: entries.map((entry) => entry.version),
    matches,
    groupOf: Int32Array.from(groupOf),
    groupKeys,
    byKey,
  };
}

function compareKeys(a: string | null, b: string | null): number {
  return a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
}

function selectionKey(query: RangeQuery): string {
  const filters = Object.entries(query.filters ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flat();
  return JSON.stringify([query.scope, query.target, query.metric, query.groupBy, filters]);
}

function stillValid(selection: Selection, entries: readonly MetricEntry[]): boolean {
  if (selection.entries.length !== entries.length) return false;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as MetricEntry;
    if (selection.entries[i] !== entry || selection.versions[i] !== entry.version) return false;
  }
  return true;
}

/**
 * Runs `query` over the head and the block files. Groups come in key order (null first); a query for
 * a metric nobody sent answers no groups.
 */
export function runRangeQuery(sources: QuerySources, scratch: QueryScratch, query: RangeQuery): RangeResult {
  const firstMinute = Math.floor(query.fromMs / MINUTE_MS);
  const endMinute = Math.max(firstMinute, Math.ceil(query.toMs / MINUTE_MS));
  const minutes = endMinute - firstMinute;
  const entries = sources.registry.metricsMatching(query.scope, query.target, query.metric);
  const { matches, groupOf, groupKeys, byKey } = scratch.selection(entries, query);
  const groups = groupKeys.length;
  if (groups * minutes > MAX_QUERY_CELLS)
    throw new RangeError(
      `a query of ${groups} groups × ${minutes} minutes is larger than ${MAX_QUERY_CELLS} values; narrow it`,
    );

  // Every cell is written before it is read (the first fold into it, or NaN when none), so reused
  // memory needs no clearing.
  const accumulated = query.reuseValues
    ? scratch.floats(ANSWER_SLOT, groups * minutes)
    : new Float64Array(groups * minutes);
  const present = scratch.counts(groups * minutes);
  const contributed = new Uint8Array(matches.length);
  if (matches.length > 0 && minutes > 0) {
    const matchOfId = scratch.ids(sources.registry.idCapacity);
    for (let k = 0; k < matches.length; k++) matchOfId[(matches[k] as Series).id] = k;
    const folder = new GroupFolder(
      accumulated,
      present,
      groupOf,
      contributed,
      minutes,
      query.minuteValue,
      query.across,
    );
    const { field, mode } = READS[query.minuteValue];
    const hourQuery: HourQuery = { sources, scratch, entries, matchOfId, matches, folder, field, mode };
    try {
      const headSpans: HeadSpan[] = [];
      for (let hour = Math.floor(firstMinute / 60); hour * 60 < endMinute; hour++) {
        const low = Math.max(firstMinute, hour * 60) - hour * 60;
        const high = Math.min(endMinute, hour * 60 + 60) - hour * 60;
        const span = foldHour(hourQuery, hour, low, high, hour * 60 + low - firstMinute);
        if (span) headSpans.push(span);
      }
      // Hours are independent (each has answer minutes of its own), so the hours held by the head alone
      // can be folded last and together.
      if (headSpans.length > 0) foldHeadSpans(hourQuery, headSpans);
    } finally {
      for (const series of matches) matchOfId[series.id] = -1;
    }
  }

  // Finish: NaN without data, averages divided.
  const average = query.across === 'avg';
  for (let at = 0; at < groups * minutes; at++) {
    const seen = present[at] as number;
    if (seen === 0) accumulated[at] = Number.NaN;
    else if (average) accumulated[at] = (accumulated[at] as number) / seen;
  }
  const seriesCounts = new Uint32Array(groups);
  for (let k = 0; k < matches.length; k++) {
    const group = groupOf[k] as number;
    if (contributed[k]) seriesCounts[group] = (seriesCounts[group] as number) + 1;
  }
  // Answers in reused memory go to a reader of cells (an aggregate per group): their views are made
  // only if asked for, which spares ten thousand typed arrays (and their collection) per query.
  const rangeGroups: RangeGroup[] = query.reuseValues
    ? Array.from(
        byKey,
        (group) =>
          new CellsGroup(
            groupKeys[group] ?? null,
            seriesCounts[group] as number,
            accumulated,
            group * minutes,
            minutes,
          ),
      )
    : Array.from(byKey, (group) => ({
        key: groupKeys[group] ?? null,
        // A view made by the constructor: subarray() looks up Symbol.species and costs far more per group.
        values: new Float64Array(accumulated.buffer, accumulated.byteOffset + group * minutes * 8, minutes),
        seriesCount: seriesCounts[group] as number,
      }));
  return { fromMs: firstMinute * MINUTE_MS, stepMs: MINUTE_MS, groups: rangeGroups };
}

/** A group whose values are `cells[cellsFrom … cellsFrom + minutes)`, viewed only when asked for. */
class CellsGroup implements RangeGroup {
  #values: Float64Array | null = null;

  constructor(
    readonly key: string | null,
    readonly seriesCount: number,
    readonly cells: Float64Array,
    readonly cellsFrom: number,
    readonly minutes: number,
  ) {}

  get values(): Float64Array {
    return (this.#values ??= new Float64Array(
      this.cells.buffer,
      this.cells.byteOffset + this.cellsFrom * 8,
      this.minutes,
    ));
  }
}

interface HourQuery {
  readonly sources: QuerySources;
  readonly scratch: QueryScratch;
  readonly entries: readonly MetricEntry[];
  /** Series id → index in matches, -1 when not matched. */
  readonly matchOfId: Int32Array;
  readonly matches: readonly Series[];
  readonly folder: GroupFolder;
  /** The cell field the minute value reads. */
  readonly field: number;
  readonly mode: MergeMode;
}

/** One metric's rows in one block file, with the columns the query reads. */
interface SegmentCells {
  readonly ids: Int32Array;
  readonly count: Float64Array;
  readonly value: Float64Array;
  readonly offset: Float64Array | null;
}

/** Minutes [low, high) of an hour held by the head alone; answer minute `shift + m` for minute m. */
interface HeadSpan {
  readonly hour: HeadHour;
  readonly low: number;
  readonly high: number;
  readonly shift: number;
}

/**
 * Folds minutes [low, high) of `hour` (answer minute `out` for `low`). An hour held by one block file is
 * folded straight from it; one held by several sources (late data, a block written while the head went
 * on) is merged cell by cell first. An hour held by the head alone is returned, for foldHeadSpans.
 */
function foldHour(query: HourQuery, hour: number, low: number, high: number, out: number): HeadSpan | null {
  const { sources, entries, mode } = query;
  const blockCells: SegmentCells[][] = [];
  for (const block of sources.blocksOf(hour)) {
    const cells: SegmentCells[] = [];
    for (const entry of entries) {
      const segment = block.index.segments.get(entry.key);
      if (!segment) continue;
      const ids = sources.ids(block, segment);
      const count = sources.column(block, segment, CELL.count);
      const value = mode === MERGE.none ? count : sources.column(block, segment, query.field);
      const offset = mode === MERGE.last ? sources.column(block, segment, CELL.lastOffset) : null;
      if (!ids || !count || !value || (mode === MERGE.last && !offset)) continue;
      cells.push({ ids, count, value, offset });
    }
    if (cells.length > 0) blockCells.push(cells);
  }
  const headHour = sources.head().existingHour(hour) ?? null;
  const holders = blockCells.length + (headHour ? 1 : 0);
  if (holders === 0) return null;
  const folder = query.folder;
  if (holders === 1) {
    if (headHour) return { hour: headHour, low, high, shift: out - low };
    for (const segment of blockCells[0] ?? [])
      foldSegment(folder, query.matchOfId, segment, low, high, out - low);
    return null;
  }

  const matchCount = query.matches.length;
  const merged = new HourCells(
    query.scratch.floats(0, matchCount * 60),
    query.scratch.floats(1, matchCount * 60),
    query.scratch.floats(2, matchCount * 60),
    mode,
  );
  merged.count.fill(0, 0, matchCount * 60);
  for (const cells of blockCells)
    for (const segment of cells) mergeSegment(merged, query.matchOfId, segment, low, high);
  if (headHour) mergeHead(merged, query, headHour, low, high);
  for (let k = 0; k < matchCount; k++) {
    folder.foldRun(k, out, high - low, merged.count, k * 60 + low, merged.value, k * 60 + low, 1);
  }
  return null;
}

// The folds below hand GroupFolder.foldRun whole runs of cells; the merges are written out so each call
// site stays monomorphic and the merge is inlined (a shared visitor callback cost ~3× here).

function foldSegment(
  folder: GroupFolder,
  matchOfId: Int32Array,
  segment: SegmentCells,
  low: number,
  high: number,
  shift: number,
): void {
  const { ids, count, value } = segment;
  for (let row = 0; row < ids.length; row++) {
    const k = matchOfId[ids[row] as number] ?? -1;
    if (k < 0) continue;
    const from = row * 60 + low;
    folder.foldRun(k, shift + low, high - low, count, from, value, from, 1);
  }
}

function mergeSegment(
  merged: HourCells,
  matchOfId: Int32Array,
  segment: SegmentCells,
  low: number,
  high: number,
): void {
  const { ids, count, value, offset } = segment;
  for (let row = 0; row < ids.length; row++) {
    const k = matchOfId[ids[row] as number] ?? -1;
    if (k < 0) continue;
    const rowBase = row * 60;
    for (let m = low; m < high; m++) {
      const c = count[rowBase + m] as number;
      if (c !== 0)
        merged.merge(
          k * 60 + m,
          c,
          value[rowBase + m] as number,
          offset ? (offset[rowBase + m] as number) : 0,
        );
    }
  }
}

/**
 * Folds hours held by the head alone, series by series rather than hour by hour: a series' chunks of
 * neighbouring hours were mostly allocated together, so this reads the head's pages front to back,
 * while a pass per hour strides over the other hours' chunks and comes back to every page once per
 * hour — about four times slower on 10 000 series × two hours.
 */
function foldHeadSpans(query: HourQuery, spans: readonly HeadSpan[]): void {
  const { folder, matches, field } = query;
  const head = query.sources.head();
  for (let k = 0; k < matches.length; k++) {
    const id = (matches[k] as Series).id;
    for (let s = 0; s < spans.length; s++) {
      const { hour, low, high, shift } = spans[s] as HeadSpan;
      const lastChunk = Math.min(CHUNKS_PER_HOUR - 1, Math.floor((high - 1) / CHUNK_MINUTES));
      for (let chunk = Math.floor(low / CHUNK_MINUTES); chunk <= lastChunk; chunk++) {
        const handle = hour.chunk(id, chunk);
        if (handle < 0) continue;
        const page = head.page(handle);
        const from = Math.max(low, chunk * CHUNK_MINUTES);
        const to = Math.min(high, (chunk + 1) * CHUNK_MINUTES);
        const at = head.offset(handle) + (from - chunk * CHUNK_MINUTES) * CELL_FIELDS;
        folder.foldRun(k, shift + from, to - from, page, at, page, at + field, CELL_FIELDS);
      }
    }
  }
}

function mergeHead(merged: HourCells, query: HourQuery, hour: HeadHour, low: number, high: number): void {
  const { matches, field } = query;
  const head = query.sources.head();
  const firstChunk = Math.floor(low / CHUNK_MINUTES);
  const lastChunk = Math.min(CHUNKS_PER_HOUR - 1, Math.floor((high - 1) / CHUNK_MINUTES));
  for (let k = 0; k < matches.length; k++) {
    const id = (matches[k] as Series).id;
    for (let chunk = firstChunk; chunk <= lastChunk; chunk++) {
      const handle = hour.chunk(id, chunk);
      if (handle < 0) continue;
      const page = head.page(handle);
      const start = head.offset(handle) - chunk * CHUNK_MINUTES * CELL_FIELDS;
      const to = Math.min(high, (chunk + 1) * CHUNK_MINUTES);
      for (let m = Math.max(low, chunk * CHUNK_MINUTES); m < to; m++) {
        const at = start + m * CELL_FIELDS;
        const c = page[at] as number;
        if (c !== 0)
          merged.merge(k * 60 + m, c, page[at + field] as number, page[at + CELL.lastOffset] as number);
      }
    }
  }
}
