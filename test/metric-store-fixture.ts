// The real built-in metric store in a scratch directory, for tests of what reads it (the catalog query,
// the built-in data source, the metrics API); `close` stops it and removes the directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetricStore } from '../src/metrics/store/open-metric-store.js';
import type { MetricStore } from '../src/metrics/store/metric-store.js';

export interface TestMetricStore {
  readonly store: MetricStore;
  close(): void;
}

/** Opens a store whose clock is `now`, without its compaction timer. */
export function openTestMetricStore(now: () => number): TestMetricStore {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-metrics-'));
  const store = openMetricStore({ dir, now, compactEveryMs: null });
  return {
    store,
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
