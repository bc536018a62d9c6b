// Building IngestSeries from points that arrive one by one (OTLP data points, pushed samples): points of
// the same series — same scope, target, metric, temporality, start time, unit and labels — are gathered
// into one series, and labels are set safely whatever their names.
import type { IngestSeries } from '../domain/metric-series.js';

/** Everything that identifies a series, without its points. */
export type SeriesHead = Omit<IngestSeries, 'timestampsMs' | 'values'>;

/**
 * Sets a label on a plain object. A label named `__proto__` becomes an own property like any other
 * instead of silently vanishing (plain assignment of a string to `__proto__` does nothing).
 */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    labels[name] = value;
  }
}

/**
 * A string equal for two series heads exactly when they name the same series; label order does not
 * matter. Every text part is JSON-quoted, so no label value can forge a separator.
 */
export function seriesIdentity(head: SeriesHead): string {
  const labels = Object.keys(head.labels)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${JSON.stringify(head.labels[name])}`)
    .join(',');
  return [
    head.scope,
    JSON.stringify(head.target),
    JSON.stringify(head.metric),
    head.temporality,
    head.startTimeMs ?? '',
    JSON.stringify(head.unit ?? null),
    labels,
  ].join(' ');
}

/** Gathers points into series, in the order each series was first seen. */
export class SeriesGroups {
  readonly #groups = new Map<string, { head: SeriesHead; timestampsMs: number[]; values: number[] }>();

  /** Adds one point to the series `head` names, starting that series if it is new. */
  add(head: SeriesHead, timestampMs: number, value: number): void {
    const identity = seriesIdentity(head);
    let group = this.#groups.get(identity);
    if (group === undefined) {
      group = { head, timestampsMs: [], values: [] };
      this.#groups.set(identity, group);
    }
    group.timestampsMs.push(timestampMs);
    group.values.push(value);
  }

  /** The series gathered so far. */
  toSeries(): IngestSeries[] {
    return [...this.#groups.values()].map(({ head, timestampsMs, values }) => ({
      ...head,
      timestampsMs,
      values,
    }));
  }
}
