// The files of a metric store directory and their names:
//   series.log             series definitions and forgotten ids (series-log.ts)
//   checkpoint-<G>.bin     the head and series state at the start of generation G (checkpoint-file.ts)
//   wal-<G>.log            every append since checkpoint G (write-ahead-log.ts)
//   blocks/<hour>-<G>-<n>.blk   one hour's aggregates, written in generation G (block-file.ts)
import { closeSync, fsyncSync, openSync, readdirSync, rmSync } from 'node:fs';

export const SERIES_LOG_FILE = 'series.log';
export const BLOCKS_FOLDER = 'blocks';

export function checkpointFile(generation: number): string {
  return `checkpoint-${generation}.bin`;
}

export function walFile(generation: number): string {
  return `wal-${generation}.log`;
}

export function blockFile(hourMs: number, generation: number, sequence: number): string {
  return `${hourMs}-${generation}-${sequence}.blk`;
}

/** The generation in a checkpoint or log file name, or null for other files. */
export function generationOf(name: string, kind: 'checkpoint' | 'wal'): number | null {
  const match = kind === 'checkpoint' ? /^checkpoint-(\d+)\.bin$/.exec(name) : /^wal-(\d+)\.log$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** The generation a block file was written in, or null when the name is not a block's. */
export function blockGenerationOf(name: string): number | null {
  const match = /^\d+-(\d+)-\d+\.blk$/.exec(name);
  return match ? Number(match[1]) : null;
}

/** The files of `kind` in `dir` by generation, oldest first. */
export function filesByGeneration(
  dir: string,
  kind: 'checkpoint' | 'wal',
): { name: string; generation: number }[] {
  const found: { name: string; generation: number }[] = [];
  for (const name of readdirSync(dir)) {
    const generation = generationOf(name, kind);
    if (generation !== null) found.push({ name, generation });
  }
  return found.sort((a, b) => a.generation - b.generation);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

/** Makes renames and deletions in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
