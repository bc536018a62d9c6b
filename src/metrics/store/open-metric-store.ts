// The built-in metric store on local files: `openMetricStore` loads a store directory (series log,
// checkpoint, block indexes, write-ahead log replay) and returns the MetricStore that appends into the
// in-memory head, answers queries from the head and the blocks, and compacts closed hours into blocks.
//
// How it keeps data (files in store-files.ts):
// - append: points are validated, cumulative counters turned into deltas (cumulative-delta.ts), added to
//   their minute cells in the head (head.ts), and written — with any new series' definitions first, to the
//   series log — as one write-ahead log record by write(2) before append returns: kill -9 loses nothing.
//   Out-of-order gauge and delta points within the retention are accepted and merged into their minute,
//   even when that hour is already in a block (late data); cumulative points not after the series' last
//   point are ignored (counted as accepted: a resent point is no error).
// - compaction (every `compactEveryMs`, or `compact()`): an hour ended more than `closeGraceMs` ago is
//   written to a block file (block-file.ts) and leaves memory; late data for a written hour gathers for
//   `lateFlushMs`, then becomes one more block of that hour, and an hour with `maxBlocksPerHour` blocks has
//   them merged. Whenever blocks were written (or series forgotten, or the log grew past
//   `walCheckpointBytes`) a checkpoint of what stays in memory starts a new generation and a new, empty
//   write-ahead log; otherwise the log is fsynced. Retention deletes whole hours and forgets series unseen
//   for longer (their ids are reused).
// - restart: series log → newest readable checkpoint → block indexes (blocks of a newer generation are
//   leftovers of a compaction cut short, whose data is still in the log: deleted) → replay of the log(s)
//   → a new generation. Damaged tails and files are logged and skipped, never thrown. The cumulative
//   counters' last points are part of the checkpoint and the log, so deltas continue across a restart.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MINUTE_MS, type IngestSeries, type SeriesScope } from '../../domain/metric-series.js';
import { BlockCache } from './block-cache.js';
import {
  columnSource,
  readBlockIndex,
  readSegmentColumn,
  readSegmentIds,
  writeBlockFile,
  type SegmentInput,
} from './block-file.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import { cumulativeDelta } from './cumulative-delta.js';
import { CELL, CELL_FIELDS, CHUNK_MINUTES, CHUNKS_PER_HOUR, Head, HOUR_MS, type HeadHour } from './head.js';
import type {
  AppendResult,
  MetricNameSummary,
  MetricStore,
  MetricStoreStats,
  RangeQuery,
  RangeResult,
  Rejection,
  RejectionReason,
} from './metric-store.js';
import { QueryScratch, runRangeQuery, type LoadedBlock, type QuerySources } from './range-query.js';
import { readSeriesLog, SeriesLogWriter } from './series-log.js';
import { SeriesRegistry, type Series } from './series-registry.js';
import {
  BLOCKS_FOLDER,
  blockFile,
  blockGenerationOf,
  checkpointFile,
  filesByGeneration,
  removeFile,
  SERIES_LOG_FILE,
  syncDirectory,
  walFile,
} from './store-files.js';
import { WalWriter, replayWal } from './write-ahead-log.js';

/** Where the store reports what it could not read or do; pino's logger fits. */
export interface MetricStoreLog {
  warn(details: object, message: string): void;
}

export interface MetricStoreSettings {
  /** Data older than this is refused and deleted (whole hours). Week-over-week rules need more than 7 days. */
  readonly retentionMs: number;
  /** Series per target (scope and target); a new series beyond it is refused, existing ones go on. */
  readonly maxSeriesPerTarget: number;
  /** Series per metric of a target. */
  readonly maxSeriesPerMetric: number;
  /** Points further than this ahead of the clock are refused. */
  readonly maxFutureSkewMs: number;
  /** An hour is written to a block this long after it ended; points arriving later are late data. */
  readonly closeGraceMs: number;
  /** Late data for an already written hour gathers this long in memory before it is written. */
  readonly lateFlushMs: number;
  /** How often compaction runs on its own timer; null: never (tests call `compact()`). */
  readonly compactEveryMs: number | null;
  /** Bytes of decoded block columns kept for queries. */
  readonly blockCacheBytes: number;
  /** A write-ahead log larger than this is checkpointed at the next compaction even within an hour. */
  readonly walCheckpointBytes: number;
  /** Block files one hour may have (late data adds some); writing one more merges them all into one. */
  readonly maxBlocksPerHour: number;
}

export const DEFAULT_METRIC_STORE_SETTINGS = {
  retentionMs: 8 * 24 * HOUR_MS,
  maxSeriesPerTarget: 100_000,
  maxSeriesPerMetric: 50_000,
  maxFutureSkewMs: 10 * MINUTE_MS,
  closeGraceMs: 10 * MINUTE_MS,
  lateFlushMs: 10 * MINUTE_MS,
  compactEveryMs: MINUTE_MS,
  blockCacheBytes: 128 * 1024 * 1024,
  walCheckpointBytes: 256 * 1024 * 1024,
  maxBlocksPerHour: 3,
} as const satisfies MetricStoreSettings;

export interface MetricStoreOptions extends Partial<MetricStoreSettings> {
  /** The store's directory, e.g. `DATA_DIR/metrics`; created when missing. */
  readonly dir: string;
  /** The clock, epoch milliseconds. */
  readonly now: () => number;
  readonly log?: MetricStoreLog;
}

/** Distinct rejection entries per append; the rest are counted under one entry per reason. */
const MAX_REJECTION_ENTRIES = 50;
const ignoreLog: MetricStoreLog = { warn: () => undefined };

/**
 * Opens (or creates) the metric store in `options.dir`. Never throws for damaged files: a torn write-ahead
 * log tail, a bad checkpoint or block is logged and skipped. Throws only when the directory is unusable.
 *
 * @example
 * const metrics = openMetricStore({ dir: join(dataDir, 'metrics'), now: clock.now, log });
 * metrics.append(series);
 * const { groups } = metrics.query({ scope: 'application', target: 'order-service', metric: 'JVM_FullGC',
 *   groupBy: 'host', fromMs, toMs, minuteValue: 'sum', across: 'sum' });
 */
export function openMetricStore(options: MetricStoreOptions): MetricStore {
  return FileMetricStore.open(options);
}

function settingsOf(options: MetricStoreOptions): MetricStoreSettings {
  const defaults = DEFAULT_METRIC_STORE_SETTINGS;
  return {
    retentionMs: options.retentionMs ?? defaults.retentionMs,
    maxSeriesPerTarget: options.maxSeriesPerTarget ?? defaults.maxSeriesPerTarget,
    maxSeriesPerMetric: options.maxSeriesPerMetric ?? defaults.maxSeriesPerMetric,
    maxFutureSkewMs: options.maxFutureSkewMs ?? defaults.maxFutureSkewMs,
    closeGraceMs: options.closeGraceMs ?? defaults.closeGraceMs,
    lateFlushMs: options.lateFlushMs ?? defaults.lateFlushMs,
    compactEveryMs: options.compactEveryMs === undefined ? defaults.compactEveryMs : options.compactEveryMs,
    blockCacheBytes: options.blockCacheBytes ?? defaults.blockCacheBytes,
    walCheckpointBytes: options.walCheckpointBytes ?? defaults.walCheckpointBytes,
    maxBlocksPerHour: Math.max(1, options.maxBlocksPerHour ?? defaults.maxBlocksPerHour),
  };
}

class RejectionTally {
  readonly #entries = new Map<
    string,
    { reason: RejectionReason; points: number; series: number; detail: string }
  >();

  add(reason: RejectionReason, points: number, subject: string, detail: () => string): void {
    let key = reason + '\u0000' + subject;
    let entry = this.#entries.get(key);
    if (!entry && this.#entries.size >= MAX_REJECTION_ENTRIES) {
      key = reason;
      entry = this.#entries.get(key);
      if (!entry) {
        entry = { reason, points: 0, series: 0, detail: 'other targets and metrics' };
        this.#entries.set(key, entry);
      }
    }
    if (!entry) {
      entry = { reason, points: 0, series: 0, detail: detail() };
      this.#entries.set(key, entry);
    }
    entry.points += points;
    entry.series += 1;
  }

  list(): Rejection[] {
    return [...this.#entries.values()];
  }
}

function subjectOf(input: IngestSeries): string {
  return `${input.target === '' ? '(no target)' : input.target} / ${input.metric}`;
}

function durationText(ms: number): string {
  if (ms % (24 * HOUR_MS) === 0) return `${ms / (24 * HOUR_MS)} d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS} h`;
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS} min`;
  return `${ms} ms`;
}

/** Merges a whole cell into [rows × 60] columns. */
function mergeCell(
  columns: readonly Float64Array[],
  at: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  lastOffset: number,
  last: number,
): void {
  const [counts, sums, mins, maxes, offsets, lasts] = columns as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const previous = counts[at] as number;
  if (previous === 0) {
    counts[at] = count;
    sums[at] = sum;
    mins[at] = min;
    maxes[at] = max;
    offsets[at] = lastOffset;
    lasts[at] = last;
    return;
  }
  counts[at] = previous + count;
  sums[at] = (sums[at] as number) + sum;
  if (min < (mins[at] as number)) mins[at] = min;
  if (max > (maxes[at] as number)) maxes[at] = max;
  if (lastOffset >= (offsets[at] as number)) {
    offsets[at] = lastOffset;
    lasts[at] = last;
  }
}

class FileMetricStore implements MetricStore {
  readonly #dir: string;
  readonly #blocksDir: string;
  readonly #now: () => number;
  readonly #log: MetricStoreLog;
  readonly #settings: MetricStoreSettings;
  readonly #registry: SeriesRegistry;
  #head = new Head();
  readonly #seriesLog: SeriesLogWriter;
  #wal: WalWriter | null = null;
  /** Hour index → its block files, oldest first. */
  readonly #blocks = new Map<number, LoadedBlock[]>();
  readonly #cache: BlockCache;
  /** Block data found unreadable, logged once. */
  readonly #unreadable = new Set<string>();
  #generation = 0;
  #blockSequence = 0;
  #checkpointBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #acceptedPointsTotal = 0;
  #rejectedPointsTotal = 0;
  readonly #querySources: QuerySources;
  readonly #queryScratch = new QueryScratch();

  private constructor(options: MetricStoreOptions) {
    this.#dir = options.dir;
    this.#blocksDir = join(options.dir, BLOCKS_FOLDER);
    this.#now = options.now;
    this.#log = options.log ?? ignoreLog;
    this.#settings = settingsOf(options);
    this.#registry = new SeriesRegistry(this.#settings);
    this.#cache = new BlockCache(this.#settings.blockCacheBytes);
    mkdirSync(this.#blocksDir, { recursive: true });

    const seriesLogPath = join(this.#dir, SERIES_LOG_FILE);
    const seriesScan = readSeriesLog(seriesLogPath, this.#registry);
    if (seriesScan.problem)
      this.#log.warn(
        { file: seriesLogPath, problem: seriesScan.problem },
        'metric store: series log tail ignored',
      );
    this.#seriesLog = new SeriesLogWriter(seriesLogPath, seriesScan.validBytes, seriesScan.forgotten);
    this.#registry.collectFreeIds();
    this.#head.idCapacity = this.#registry.idCapacity;

    this.#querySources = {
      registry: this.#registry,
      head: () => this.#head,
      blocksOf: (hourIndex) => this.#blocks.get(hourIndex) ?? [],
      ids: (block, segment) =>
        this.#readCached(`${block.name}#${segment.metricKey}#ids`, () => readSegmentIds(block.path, segment)),
      column: (block, segment, field) =>
        this.#readCached(`${block.name}#${segment.metricKey}#${columnSource(segment, field)}`, () =>
          readSegmentColumn(block.path, segment, field),
        ),
    };
  }

  static open(options: MetricStoreOptions): FileMetricStore {
    const store = new FileMetricStore(options);
    store.#load();
    const every = store.#settings.compactEveryMs;
    if (every !== null) {
      store.#timer = setInterval(function compactOnTimer() {
        try {
          store.compact();
        } catch (error) {
          store.#log.warn({ err: error }, 'metric store: compaction failed; retried at the next tick');
        }
      }, every);
      store.#timer.unref();
    }
    return store;
  }

  append(batch: readonly IngestSeries[]): AppendResult {
    this.#assertOpen();
    const wal = this.#wal as WalWriter;
    const registry = this.#registry;
    const head = this.#head;
    const now = this.#now();
    const oldest = now - this.#settings.retentionMs;
    const newest = now + this.#settings.maxFutureSkewMs;
    head.nowMs = now;
    let tally: RejectionTally | null = null;
    const newSeries: Series[] = [];
    let accepted = 0;
    let rejected = 0;
    try {
      for (const input of batch) {
        const times = input.timestampsMs;
        const values = input.values;
        const n = Math.min(times.length, values.length);
        if (n === 0) continue;
        const key = registry.keyOf(input);
        let series = registry.get(key);
        if (!series) {
          let valid = false;
          for (let i = 0; i < n && !valid; i++) {
            const time = times[i] as number;
            valid = time >= oldest && time <= newest && Number.isFinite(values[i]);
          }
          const refusal = valid ? registry.refusal(input) : null;
          if (refusal !== null) {
            tally ??= new RejectionTally();
            const limit =
              refusal === 'series_limit_per_target'
                ? `limit ${this.#settings.maxSeriesPerTarget} series per target`
                : `limit ${this.#settings.maxSeriesPerMetric} series per metric`;
            tally.add(refusal, n, subjectOf(input), () => `${subjectOf(input)}: ${limit}`);
            rejected += n;
            continue;
          }
          if (valid) {
            series = registry.create(input, key);
            head.idCapacity = registry.idCapacity;
            newSeries.push(series);
          }
        }
        const id = series ? series.id : -1;
        if (series) wal.startEntry(id, n);
        const cumulative = input.temporality === 'cumulative';
        const startMs = input.startTimeMs;
        let lastSeen = series ? series.lastSeenMs : 0;
        let tooOld = 0;
        let tooNew = 0;
        let invalid = 0;
        for (let i = 0; i < n; i++) {
          const time = times[i] as number;
          const value = values[i] as number;
          if (!(time >= oldest)) {
            if (Number.isNaN(time)) invalid++;
            else tooOld++;
          } else if (time > newest) tooNew++;
          else if (!Number.isFinite(value)) invalid++;
          else if (series) {
            accepted++;
            if (time > lastSeen) lastSeen = time;
            if (cumulative) {
              const delta = cumulativeDelta(series, time, value, startMs);
              if (Number.isNaN(delta)) continue;
              head.add(id, time, delta);
              wal.point(time, delta);
            } else {
              head.add(id, time, value);
              wal.point(time, value);
            }
          }
        }
        if (series) {
          series.lastSeenMs = lastSeen;
          if (cumulative)
            wal.endCumulativeEntry(series.cumulativeTimeMs, series.cumulativeValue, series.cumulativeStartMs);
          else wal.endEntry();
        }
        if (tooOld + tooNew + invalid > 0) {
          tally ??= new RejectionTally();
          rejected += tooOld + tooNew + invalid;
          this.#tallyPoints(tally, input, tooOld, tooNew, invalid, oldest, newest);
        }
      }
      // Definitions first: a point in the log always has its series in the series log.
      this.#seriesLog.define(newSeries);
      wal.commit();
    } catch (error) {
      wal.discard();
      throw error;
    }
    this.#acceptedPointsTotal += accepted;
    this.#rejectedPointsTotal += rejected;
    return { acceptedPoints: accepted, rejections: tally ? tally.list() : [] };
  }

  query(query: RangeQuery): RangeResult {
    this.#assertOpen();
    return runRangeQuery(this.#querySources, this.#queryScratch, query);
  }

  listMetrics(filter: { scope?: SeriesScope; target?: string } = {}): MetricNameSummary[] {
    this.#assertOpen();
    const found: MetricNameSummary[] = [];
    for (const entry of this.#registry.metrics()) {
      if (filter.scope !== undefined && entry.scope !== filter.scope) continue;
      if (filter.target !== undefined && entry.target !== filter.target) continue;
      found.push({
        scope: entry.scope,
        target: entry.target,
        metric: entry.name,
        series: entry.series.size,
        labels: [...entry.labelUse.keys()].sort(),
      });
    }
    const order = (m: MetricNameSummary): string => `${m.scope}\u0000${m.target}\u0000${m.metric}`;
    return found.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  labelValues(
    scope: SeriesScope,
    target: string | null,
    metric: string,
    label: string,
    limit = 1000,
  ): string[] {
    this.#assertOpen();
    const carrying: { value: string; seenMs: number }[] = [];
    for (const entry of this.#registry.metricsMatching(scope, target, metric)) {
      if (!entry.labelUse.has(label)) continue;
      for (const series of entry.series) {
        const value = series.label(label);
        if (value !== undefined) carrying.push({ value, seenMs: series.lastSeenMs });
      }
    }
    carrying.sort((a, b) => b.seenMs - a.seenMs);
    const values = new Set<string>();
    for (const { value } of carrying) {
      if (values.size >= limit) break;
      values.add(value);
    }
    return [...values];
  }

  stats(): MetricStoreStats {
    let blocks = 0;
    let blockBytes = 0;
    for (const list of this.#blocks.values()) {
      blocks += list.length;
      for (const block of list) blockBytes += block.bytes;
    }
    const walBytes = this.#wal?.bytes ?? 0;
    return {
      series: this.#registry.size,
      headSeriesMinutes: this.#head.chunksInUse * CHUNK_MINUTES,
      headBytes: this.#head.bytes,
      blocks,
      blockCacheBytes: this.#cache.bytes,
      walBytes,
      diskBytes: blockBytes + walBytes + this.#checkpointBytes + this.#seriesLog.bytes,
      acceptedPointsTotal: this.#acceptedPointsTotal,
      rejectedPointsTotal: this.#rejectedPointsTotal,
    };
  }

  compact(): void {
    this.#assertOpen();
    const now = this.#now();
    const settings = this.#settings;
    const horizon = now - settings.retentionMs;
    const nextGeneration = this.#generation + 1;
    let rotate = false;
    const replaced: LoadedBlock[] = [];

    for (const hour of this.#head.hours()) {
      const endMs = hour.startMs + HOUR_MS;
      if (endMs <= horizon) {
        this.#head.drop(hour);
        rotate = true;
        continue;
      }
      const closesAt = endMs + settings.closeGraceMs;
      if (closesAt > now) continue;
      // An hour first written after it closed holds late data (or a backfill): let more of it gather.
      if (hour.createdAtMs >= closesAt && now - hour.createdAtMs < settings.lateFlushMs) continue;
      replaced.push(...this.#writeHour(hour, nextGeneration));
      rotate = true;
    }

    for (const [hourIndex, blocks] of this.#blocks) {
      if ((hourIndex + 1) * HOUR_MS > horizon) continue;
      this.#blocks.delete(hourIndex);
      for (const block of blocks) this.#deleteBlock(block);
    }

    // A series unseen for longer than the retention has no data left anywhere; its id may be reused.
    const forgotten: number[] = [];
    for (const series of this.#registry.all()) {
      if (series.lastSeenMs >= horizon - HOUR_MS) continue;
      this.#head.dropSeries(series.id);
      this.#registry.forget(series);
      forgotten.push(series.id);
    }
    if (forgotten.length > 0) {
      this.#seriesLog.forget(forgotten);
      rotate = true;
    }

    if (rotate || (this.#wal?.bytes ?? 0) > settings.walCheckpointBytes) {
      this.#checkpoint(nextGeneration);
      for (const block of replaced) this.#deleteBlock(block);
    } else {
      this.#wal?.sync();
      this.#seriesLog.sync();
    }
    if (this.#seriesLog.needsRewrite(this.#registry.size)) this.#seriesLog.rewrite(this.#registry);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#wal?.close();
    this.#seriesLog.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the metric store is closed');
  }

  #tallyPoints(
    tally: RejectionTally,
    input: IngestSeries,
    tooOld: number,
    tooNew: number,
    invalid: number,
    oldest: number,
    newest: number,
  ): void {
    const subject = subjectOf(input);
    if (tooOld > 0)
      tally.add(
        'too_old',
        tooOld,
        subject,
        () =>
          `${subject}: points before ${new Date(oldest).toISOString()} (retention ${durationText(this.#settings.retentionMs)})`,
      );
    if (tooNew > 0)
      tally.add(
        'too_far_in_future',
        tooNew,
        subject,
        () =>
          `${subject}: points after ${new Date(newest).toISOString()} (allowed clock skew ${durationText(this.#settings.maxFutureSkewMs)})`,
      );
    if (invalid > 0) tally.add('invalid_value', invalid, subject, () => `${subject}: NaN or infinite values`);
  }

  #readCached<T extends Float64Array | Int32Array>(key: string, load: () => T): T | null {
    if (this.#unreadable.has(key)) return null;
    try {
      return this.#cache.get(key, load);
    } catch (error) {
      this.#unreadable.add(key);
      this.#log.warn({ err: error, block: key }, 'metric store: block data unreadable, answered as missing');
      return null;
    }
  }

  /** Loads the directory: series log (done), checkpoint, blocks, write-ahead log; then starts a generation. */
  #load(): void {
    const now = this.#now();
    let generation = 0;
    for (const { name, generation: candidate } of filesByGeneration(this.#dir, 'checkpoint').reverse()) {
      try {
        const head = new Head();
        head.idCapacity = this.#registry.idCapacity;
        readCheckpoint(join(this.#dir, name), head, this.#registry);
        this.#head = head;
        generation = candidate;
        break;
      } catch (error) {
        this.#log.warn(
          { err: error, file: name },
          'metric store: checkpoint unreadable, trying an older one',
        );
      }
    }

    const horizon = now - this.#settings.retentionMs;
    const replaced = new Set<string>();
    const loaded: LoadedBlock[] = [];
    for (const name of readdirSync(this.#blocksDir)) {
      const path = join(this.#blocksDir, name);
      const blockGeneration = blockGenerationOf(name);
      // A block newer than the checkpoint was written by a compaction that did not finish: its data is
      // still in the checkpoint and log being replayed.
      if (blockGeneration === null) {
        if (name.endsWith('.tmp')) removeFile(path);
        continue;
      }
      if (blockGeneration > generation) {
        removeFile(path);
        continue;
      }
      try {
        const { index, bytes } = readBlockIndex(path);
        if (index.hourMs + HOUR_MS <= horizon) {
          removeFile(path);
          continue;
        }
        for (const old of index.replaces) replaced.add(old);
        loaded.push({ name, path, index, bytes });
      } catch (error) {
        this.#log.warn({ err: error, file: path }, 'metric store: block file unreadable, skipped');
      }
    }
    for (const block of loaded.sort((a, b) => a.index.generation - b.index.generation)) {
      if (replaced.has(block.name)) {
        removeFile(block.path);
        continue;
      }
      const hourIndex = Math.floor(block.index.hourMs / HOUR_MS);
      const list = this.#blocks.get(hourIndex) ?? [];
      list.push(block);
      this.#blocks.set(hourIndex, list);
    }

    const head = this.#head;
    const registry = this.#registry;
    const visitor = {
      point(id: number, timeMs: number, value: number): void {
        const series = registry.byId(id);
        if (!series || timeMs < horizon) return;
        // An hour re-created by the replay counts as created when its data arrived, not as late data.
        head.nowMs = timeMs;
        head.add(id, timeMs, value);
        if (timeMs > series.lastSeenMs) series.lastSeenMs = timeMs;
      },
      cumulativeState(id: number, timeMs: number, value: number, startMs: number): void {
        const series = registry.byId(id);
        if (!series) return;
        series.cumulativeTimeMs = timeMs;
        series.cumulativeValue = value;
        series.cumulativeStartMs = startMs;
        if (timeMs > series.lastSeenMs) series.lastSeenMs = timeMs;
      },
    };
    for (const { name, generation: walGeneration } of filesByGeneration(this.#dir, 'wal')) {
      if (walGeneration < generation) continue;
      const scan = replayWal(join(this.#dir, name), visitor);
      if (scan.problem)
        this.#log.warn(
          { file: name, problem: scan.problem, validBytes: scan.validBytes },
          'metric store: write-ahead log tail ignored (a write cut short by a crash)',
        );
    }
    this.#generation = generation;
    this.#checkpoint(generation + 1);
  }

  /** Starts generation `next`: checkpoint, fresh write-ahead log, older files deleted. */
  #checkpoint(next: number): void {
    this.#checkpointBytes = writeCheckpoint(
      join(this.#dir, checkpointFile(next)),
      next,
      this.#head,
      this.#registry,
    );
    const wal = new WalWriter(join(this.#dir, walFile(next)));
    this.#wal?.close();
    this.#wal = wal;
    this.#generation = next;
    this.#seriesLog.sync();
    for (const kind of ['wal', 'checkpoint'] as const)
      for (const { name, generation } of filesByGeneration(this.#dir, kind))
        if (generation < next) removeFile(join(this.#dir, name));
    syncDirectory(this.#dir);
    syncDirectory(this.#blocksDir);
  }

  #deleteBlock(block: LoadedBlock): void {
    removeFile(block.path);
    this.#cache.evict(`${block.name}#`);
  }

  /**
   * Writes a head hour to a block file of generation `generation` and drops it from the head. When the hour
   * would have too many blocks, they are merged into the new one; returns those it replaces, to be
   * deleted once the checkpoint of `generation` is written.
   */
  #writeHour(hour: HeadHour, generation: number): LoadedBlock[] {
    const existing = this.#blocks.get(hour.index) ?? [];
    const merged = existing.length >= this.#settings.maxBlocksPerHour ? existing : [];
    const name = blockFile(hour.startMs, generation, this.#blockSequence++);
    const path = join(this.#blocksDir, name);
    writeBlockFile(
      path,
      { hourMs: hour.startMs, generation, replaces: merged.map((block) => block.name) },
      this.#segmentsOf(hour, merged),
    );
    const { index, bytes } = readBlockIndex(path);
    const block: LoadedBlock = { name, path, index, bytes };
    this.#blocks.set(hour.index, merged.length > 0 ? [block] : [...existing, block]);
    this.#head.drop(hour);
    return merged;
  }

  /** The cells of a head hour plus those of `blocks` of the same hour, as one segment per metric. */
  #segmentsOf(hour: HeadHour, blocks: readonly LoadedBlock[]): SegmentInput[] {
    const idsByMetric = new Map<string, Set<number>>();
    let idLimit = this.#registry.idCapacity;
    const add = (metricKey: string, id: number): void => {
      if (id >= idLimit) idLimit = id + 1;
      let ids = idsByMetric.get(metricKey);
      if (!ids) {
        ids = new Set();
        idsByMetric.set(metricKey, ids);
      }
      ids.add(id);
    };
    for (let slot = 0; slot < hour.chunks.length; slot += CHUNKS_PER_HOUR) {
      const id = slot / CHUNKS_PER_HOUR;
      let any = false;
      for (let chunk = 0; chunk < CHUNKS_PER_HOUR; chunk++)
        if ((hour.chunks[slot + chunk] as number) >= 0) any = true;
      const series = any ? this.#registry.byId(id) : undefined;
      if (series) add(series.entry.key, id);
    }
    const blockIds = new Map<LoadedBlock, Map<string, Int32Array>>();
    for (const block of blocks) {
      const bySegment = new Map<string, Int32Array>();
      for (const segment of block.index.segments.values()) {
        const ids = this.#readCached(`${block.name}#${segment.metricKey}#ids`, () =>
          readSegmentIds(block.path, segment),
        );
        if (!ids) continue;
        bySegment.set(segment.metricKey, ids);
        for (const id of ids) add(segment.metricKey, id);
      }
      blockIds.set(block, bySegment);
    }

    const rowOfId = new Int32Array(idLimit).fill(-1);
    const segments: SegmentInput[] = [];
    for (const [metricKey, idSet] of idsByMetric) {
      const ids = Int32Array.from(idSet).sort();
      ids.forEach((id, row) => (rowOfId[id] = row));
      const columns = Array.from({ length: CELL_FIELDS }, () => new Float64Array(ids.length * 60));

      for (const block of blocks) {
        const segment = block.index.segments.get(metricKey);
        const segmentIds = blockIds.get(block)?.get(metricKey);
        if (!segment || !segmentIds) continue;
        const fields = Array.from({ length: CELL_FIELDS }, (_, field) =>
          this.#readCached(`${block.name}#${metricKey}#${columnSource(segment, field)}`, () =>
            readSegmentColumn(block.path, segment, field),
          ),
        );
        if (fields.some((column) => column === null)) continue;
        const [counts, sums, mins, maxes, offsets, lasts] = fields as Float64Array[] as [
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
        ];
        for (let row = 0; row < segmentIds.length; row++) {
          const target = rowOfId[segmentIds[row] as number] as number;
          for (let m = 0; m < 60; m++) {
            const from = row * 60 + m;
            const count = counts[from] as number;
            if (count === 0) continue;
            mergeCell(
              columns,
              target * 60 + m,
              count,
              sums[from] as number,
              mins[from] as number,
              maxes[from] as number,
              offsets[from] as number,
              lasts[from] as number,
            );
          }
        }
      }

      for (let row = 0; row < ids.length; row++) {
        const id = ids[row] as number;
        for (let chunk = 0; chunk < CHUNKS_PER_HOUR; chunk++) {
          const handle = hour.chunk(id, chunk);
          if (handle < 0) continue;
          const page = this.#head.page(handle);
          const start = this.#head.offset(handle);
          for (let m = 0; m < CHUNK_MINUTES; m++) {
            const at = start + m * CELL_FIELDS;
            const count = page[at] as number;
            if (count === 0) continue;
            mergeCell(
              columns,
              row * 60 + chunk * CHUNK_MINUTES + m,
              count,
              page[at + CELL.sum] as number,
              page[at + CELL.min] as number,
              page[at + CELL.max] as number,
              page[at + CELL.lastOffset] as number,
              page[at + CELL.last] as number,
            );
          }
        }
      }
      for (const id of ids) rowOfId[id] = -1;
      segments.push({ metricKey, ids, columns });
    }
    return segments;
  }
}
