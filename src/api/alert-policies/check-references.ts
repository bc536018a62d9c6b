// The references a policy makes must exist before it is saved or previewed: its contact groups and, for
// prometheus policies, its data source.
import type { AlertPolicyInput } from '../../domain/alert-policy.js';
import type { FieldProblem } from '../../domain/field-problem.js';
import { invalidRequest } from '../../errors.js';
import type { Store } from '../../store/store.js';

/**
 * Refuses with `invalid_request` naming every reference that does not exist; `prefix` is where the
 * policy sits in the body (`policy.` for a preview of an unsaved policy); `ignoredGroupIds` are placeholders
 * that name no group (a preview without recipients).
 * @example await checkReferences(tx, request.body) // notification.contactGroupIds[0]: no contact group with id …
 */
export async function checkReferences(
  store: Store,
  input: AlertPolicyInput,
  prefix = '',
  ignoredGroupIds: readonly string[] = [],
): Promise<void> {
  const problems: FieldProblem[] = [];
  const groupIds = input.notification.contactGroupIds.filter((id) => !ignoredGroupIds.includes(id));
  const existing = await store.contactGroups.existingIds(groupIds);
  groupIds.forEach((id, i) => {
    if (!existing.has(id)) {
      problems.push({
        field: `${prefix}notification.contactGroupIds[${i}]`,
        reason: `no contact group with id ${id}`,
      });
    }
  });
  if (input.datasourceId !== null && !(await store.datasources.get(input.datasourceId))) {
    problems.push({ field: `${prefix}datasourceId`, reason: `no data source with id ${input.datasourceId}` });
  }
  if (problems.length > 0) throw invalidRequest(problems);
}
