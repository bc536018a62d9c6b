// What a policy watches — its kind, target, metric type or data source and expression, and how it splits
// by dimension — as one short digest stored on its events. When it differs, the events' dimension values
// no longer mean what they meant, so the evaluator ends them (`policy_changed`); edits to the rules,
// thresholds, fill or notification settings keep the events and re-evaluate them under the new rules.
import { createHash } from 'node:crypto';
import type { AlertPolicy } from '../domain/alert-policy.js';

/**
 * The digest of what `policy` watches.
 * @example watchFingerprint(policy) === event.watchFingerprint // false after the dimension key changed
 */
export function watchFingerprint(
  policy: Pick<AlertPolicy, 'kind' | 'target' | 'metricType' | 'datasourceId' | 'expr' | 'dimension'>,
): string {
  const watched = [
    policy.kind,
    policy.target,
    policy.metricType,
    policy.datasourceId,
    policy.expr,
    policy.dimension.mode,
    policy.dimension.key ?? null,
    policy.dimension.value ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(watched)).digest('hex').slice(0, 32);
}
