// Calls — served, made, and database operations — arrive as a duration histogram per stream (route,
// status, method…): `<name>_count` calls and `<name>_sum` time. One factory turns such a histogram into
// the ARMS call series: count, error count, exception count and milliseconds.
import type { IngestSeries } from '../../domain/metric-series.js';
import type { DerivationRule, SourceFamily } from './derivation-rule.js';
import { counterTemporality, emitDerived, msFactor, type Dimensions } from './derived-series.js';

/** The stored names one direction of calls is written under. */
export interface CallNames {
  readonly count: string;
  readonly time: string;
  readonly error: string;
}

export const SERVED_CALLS: CallNames = {
  count: 'Invocation_Count',
  time: 'Invocation_Time',
  error: 'Invocation_Error_Count',
};
export const MADE_CALLS: CallNames = {
  count: 'Invocation_Out_Count',
  time: 'Invocation_Out_Time',
  error: 'Invocation_Out_Error_Count',
};
export const DATABASE_CALLS: CallNames = {
  count: 'Database_Count',
  time: 'Database_Time',
  error: 'Database_Error_Count',
};

/** What one call stream is, read from its labels. */
export interface CallStream {
  /** The ARMS dimensions to set: host, interface, invocation_type, database. */
  readonly dimensions: Dimensions;
  readonly error: boolean;
  /** The exception class the calls ended in, if any; counted as Exception_Count (served calls only). */
  readonly exception?: string | undefined;
}

export interface CallHistogram {
  readonly family: SourceFamily;
  /** The histogram's name; the rules read `<histogram>_count` and `<histogram>_sum`. */
  readonly histogram: string;
  readonly names: CallNames;
  /** The unit of `_sum` when the series does not carry one: `s` for current conventions. */
  readonly timeUnit: 's' | 'ms';
  readonly classify: (labels: Readonly<Record<string, string>>) => CallStream;
  /** How the dimensions and errors are read, in words, for the docs. */
  readonly how: { readonly count: string; readonly error: string; readonly exception?: string };
}

/** The `_count` and `_sum` rules of one call histogram. */
export function callRules(spec: CallHistogram): DerivationRule[] {
  const { names, how } = spec;
  const countProduces: Record<string, string> = {
    [names.count]: `every stream ${how.count}`,
    [names.error]: `streams where ${how.error}`,
  };
  if (how.exception) countProduces.Exception_Count = `streams where ${how.exception}`;
  const unitNote = spec.timeUnit === 's' ? '× 1000 (s → ms)' : 'as it is (ms)';
  return [
    {
      family: spec.family,
      metric: `${spec.histogram}_count`,
      produces: countProduces,
      derive(raw: IngestSeries, out) {
        const stream = spec.classify(raw.labels);
        const temporality = counterTemporality(raw);
        emitDerived(out, raw, names.count, stream.dimensions, { temporality });
        if (stream.error) emitDerived(out, raw, names.error, stream.dimensions, { temporality });
        if (stream.exception !== undefined && how.exception) {
          emitDerived(
            out,
            raw,
            'Exception_Count',
            { ...stream.dimensions, exception: stream.exception },
            { temporality },
          );
        }
      },
    },
    {
      family: spec.family,
      metric: `${spec.histogram}_sum`,
      produces: { [names.time]: `every stream, ${unitNote}` },
      derive(raw: IngestSeries, out) {
        const stream = spec.classify(raw.labels);
        emitDerived(out, raw, names.time, stream.dimensions, {
          scale: msFactor(raw, spec.timeUnit),
          temporality: counterTemporality(raw),
        });
      },
    },
  ];
}

/** `true` for an HTTP status 500–599 given as text. */
export function isServerErrorStatus(status: string | undefined): boolean {
  if (status === undefined || status.length !== 3) return false;
  const code = Number(status);
  return code >= 500 && code < 600;
}

function isAllDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The exception an OTel `error.type` names: a class name such as `java.net.SocketTimeoutException`, not a
 * status code (`500`) nor the catch-all `_OTHER`.
 */
export function exceptionOfErrorType(errorType: string | undefined): string | undefined {
  if (!errorType || errorType === '_OTHER' || isAllDigits(errorType)) return undefined;
  return errorType;
}

/** A Micrometer `exception` (or `error`) tag, which says `None` when there was none. */
export function exceptionOfTag(tag: string | undefined): string | undefined {
  if (!tag || tag === 'None' || tag === 'none') return undefined;
  return tag;
}
