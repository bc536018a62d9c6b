// POST /api/v1/alert-policies/{id}:preview and /api/v1/alert-policies:preview: a saved or unsaved policy
// replayed over the last hours of its data with the evaluator's own rules — per dimension value its
// series, values, thresholds and the intervals in which it would have fired. Reads only.
import type { FastifyInstance, FastifySerializerCompiler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PolicyDataSource } from '../../datasources/policy-data.js';
import type { AlertPolicy } from '../../domain/alert-policy.js';
import type { Clock } from '../../domain/clock.js';
import { backtestPolicy } from '../../evaluator/backtest.js';
import { fetchBacktestSpans } from '../../evaluator/backtest-windows.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { actionRoute, idParamsSchema } from '../validation.js';
import { checkReferences } from './check-references.js';
import { presentPolicyPreview } from './preview-present.js';
import {
  DEFAULT_PREVIEW_OPTIONS,
  NO_RECIPIENTS,
  policyPreviewSchema,
  previewRangeOf,
  savedPreviewBodySchema,
  unsavedPreviewBodySchema,
  type PreviewOptions,
} from './preview-schema.js';

export interface AlertPolicyPreviewOptions {
  readonly clock: Clock;
  /** Where a policy's numbers come from, as for the evaluator: the built-in store or its Prometheus. */
  readonly dataSourceFor: (policy: AlertPolicy) => PolicyDataSource;
}

/**
 * The answer is written as its presenter built it (typed to the answer schema): a day of minutes for 200
 * dimension values is a million numbers, too many to check again on every request. The schema documents it.
 */
const writeJson: FastifySerializerCompiler<unknown> = () =>
  function serializePreview(data: unknown) {
    return JSON.stringify(data);
  };

export function registerAlertPolicyPreviewRoutes(
  app: FastifyInstance,
  store: Store,
  options: AlertPolicyPreviewOptions,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alert-policies'];
  const description =
    'Replays the policy over the last `hours` (default 3, at most 24) or `from`–`to` with the ' +
    'evaluator’s own rules, starting with nothing firing: per dimension value, each rule’s metric per ' +
    'minute, its value and verdict at the end of every minute, its threshold (for percent-change rules ' +
    'the value it needed), and the intervals in which an alert event would have fired. Sends and stores ' +
    'nothing. Errors of the data source answer with their catalogued code.';
  const response = { 200: policyPreviewSchema };

  async function preview(policy: AlertPolicy, body: PreviewOptions) {
    const range = previewRangeOf(body, options.clock.now());
    const spans = await fetchBacktestSpans(options.dataSourceFor(policy), policy, range);
    return presentPolicyPreview(policy, backtestPolicy(policy, spans, range), body.limit);
  }

  api.post(
    // The id is matched up to the colon, as for :enable.
    actionRoute('alert-policies', 'preview'),
    {
      schema: { tags, params: idParamsSchema, body: savedPreviewBodySchema, response, description },
      serializerCompiler: writeJson,
      config: { permission: 'read' },
    },
    async function previewSavedPolicy(request) {
      const policy = await store.alertPolicies.get(request.params.id);
      if (!policy) throw new AppError('not_found', `no alert policy with id ${request.params.id}`);
      return preview(policy, request.body ?? DEFAULT_PREVIEW_OPTIONS);
    },
  );

  api.post(
    '/api/v1/alert-policies::preview',
    {
      schema: { tags, body: unsavedPreviewBodySchema, response, description },
      serializerCompiler: writeJson,
      config: { permission: 'read' },
    },
    async function previewUnsavedPolicy(request) {
      const { policy: input, ...body } = request.body;
      await checkReferences(store, input, 'policy.', [NO_RECIPIENTS]);
      return preview({ ...input, id: 'unsaved', createdAt: 0, updatedAt: 0 }, body);
    },
  );
}
