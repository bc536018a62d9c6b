// Asking a data source for what one evaluation of a policy reads: per rule, its last N minutes and, for
// percent-change rules, the baseline window — each one fetchWindow call, the rules' calls in parallel.
import type { PolicyDataSource } from '../datasources/policy-data.js';
import type { AlertPolicy } from '../domain/alert-policy.js';
import { conditionWindows, type ConditionData } from '../domain/condition-evaluation.js';

/**
 * The windows of every rule of `policy` for an evaluation at `evaluatedAt`, in the rules' order.
 * @example evaluateDimensions(policy, await fetchPolicyWindows(source, policy, now), known)
 */
export async function fetchPolicyWindows(
  source: PolicyDataSource,
  policy: AlertPolicy,
  evaluatedAt: number,
): Promise<ConditionData[]> {
  return Promise.all(
    policy.rules.conditions.map(async function fetchConditionWindows(condition) {
      const windows = conditionWindows(condition, evaluatedAt);
      const [current, baseline] = await Promise.all([
        source.fetchWindow({ policy, condition, ...windows.current }),
        windows.baseline ? source.fetchWindow({ policy, condition, ...windows.baseline }) : [],
      ]);
      return { current, baseline };
    }),
  );
}
