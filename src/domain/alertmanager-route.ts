// Alertmanager routes: the bridge's small routing table. Each route picks alerts by Alertmanager label
// matchers and says which contact groups hear about them, on which channels, at which severity. Routes
// are tried in `order` (then by name); the first that matches takes the alert unless it says `continue`,
// as in Alertmanager's own routing tree (docs/alertmanager.md).
import { z } from 'zod';
import { CHANNELS, DEFAULT_SILENCE_MINUTES, isTimeZone, SEVERITIES, type Severity } from './alert-policy.js';
import { nameField, readOnlyFields } from './contact.js';
import { matchersMatch, parseMatcher, type LabelMatcher } from './alertmanager-matcher.js';

/** How a route reads an alert's severity: one label's value mapped to P1–P4, case-insensitively. */
export interface SeverityMapping {
  readonly label: string;
  readonly values: Readonly<Record<string, Severity>>;
  readonly default: Severity;
}

/** Prometheus rules' customary `severity` label: critical → P1, warning → P2, info → P4, else P3. */
export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  label: 'severity',
  values: { critical: 'P1', warning: 'P2', info: 'P4' },
  default: 'P3',
};

const ALERT_LABEL_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const uniqueList = <T extends z.ZodType>(item: T) =>
  z.array(item).refine((list) => new Set(list).size === list.length, 'must not list the same value twice');

const matcherText = z.string().superRefine(function checkMatcher(text, ctx) {
  const parsed = parseMatcher(text);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

const severityMappingSchema = z
  .strictObject({
    label: z
      .string()
      .regex(ALERT_LABEL_NAME, 'must be a label name such as severity')
      .default(DEFAULT_SEVERITY_MAPPING.label),
    values: z
      .record(z.string().min(1, 'must not be empty').max(200), z.enum(SEVERITIES))
      .refine(
        (values) =>
          new Set(Object.keys(values).map((key) => key.toLowerCase())).size === Object.keys(values).length,
        'must not map the same value twice (values are compared ignoring case)',
      )
      .default({ ...DEFAULT_SEVERITY_MAPPING.values }),
    default: z.enum(SEVERITIES).default(DEFAULT_SEVERITY_MAPPING.default),
  })
  .describe('which label gives the severity, and how its values map to P1–P4');

export const alertmanagerRouteInputSchema = z
  .strictObject({
    ...readOnlyFields,
    name: nameField,
    description: z.string().max(2000).nullish(),
    matchers: z
      .array(matcherText)
      .max(30, 'at most 30 matchers')
      .default([])
      .describe('Alertmanager matchers, all of which an alert must satisfy; none matches every alert'),
    contactGroupIds: uniqueList(z.string().min(1).max(64))
      .min(1, 'choose at least one contact group')
      .max(50),
    channels: uniqueList(z.enum(CHANNELS)).min(1, 'choose at least one notification channel'),
    severity: severityMappingSchema.nullish(),
    continue: z
      .boolean()
      .default(false)
      .describe('true: later routes are tried too; false: the first matching route takes the alert'),
    order: z
      .int('must be a whole number')
      .min(-1_000_000)
      .max(1_000_000)
      .default(0)
      .describe('routes are tried by order, lowest first, then by name'),
    silenceMinutes: z
      .int('must be a whole number of minutes')
      .min(1, 'must be at least 1 minute')
      .max(43200, 'must be at most 43200 minutes (30 days)')
      .default(DEFAULT_SILENCE_MINUTES)
      .describe('a still-firing alert re-sent by Alertmanager is notified again only after this long'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
      .default('Asia/Shanghai')
      .describe('the zone of the times in messages'),
  })
  .transform(({ id: _id, createdAt: _c, updatedAt: _u, ...route }) => ({
    name: route.name,
    description: route.description ?? null,
    matchers: route.matchers.map((matcher) => matcher.trim()),
    contactGroupIds: route.contactGroupIds,
    channels: route.channels,
    severity: route.severity ?? DEFAULT_SEVERITY_MAPPING,
    continue: route.continue,
    order: route.order,
    silenceMinutes: route.silenceMinutes,
    timeZone: route.timeZone,
  }));

export type AlertmanagerRouteInput = z.output<typeof alertmanagerRouteInputSchema>;

export interface AlertmanagerRoute extends AlertmanagerRouteInput {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A route with its matchers parsed once, ready to route a payload's alerts. */
export interface CompiledRoute {
  readonly route: AlertmanagerRoute;
  readonly matchers: readonly LabelMatcher[];
}

/** Routes in the order they are tried: `order` ascending, then name (stable across export and apply). */
export function compileRoutes(routes: readonly AlertmanagerRoute[]): CompiledRoute[] {
  return [...routes]
    .sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((route) => ({
      route,
      // Stored matchers were validated on the way in; one that no longer parses matches nothing.
      matchers: route.matchers.map((text) => {
        const parsed = parseMatcher(text);
        return parsed.ok ? parsed.matcher : { name: '', operator: '=~', value: '', regex: /(?!)/ };
      }),
    }));
}

/**
 * The routes an alert with `labels` goes to: each matching route in order, stopping after the first
 * one that does not `continue`.
 * @example routesFor(compileRoutes(routes), { alertname: 'HighLatency', team: 'ops' }).map((r) => r.name)
 */
export function routesFor(
  routes: readonly CompiledRoute[],
  labels: Readonly<Record<string, string>>,
): AlertmanagerRoute[] {
  const chosen: AlertmanagerRoute[] = [];
  for (const { route, matchers } of routes) {
    if (!matchersMatch(matchers, labels)) continue;
    chosen.push(route);
    if (!route.continue) break;
  }
  return chosen;
}

/** The severity the route gives an alert: its label's value mapped (ignoring case), else the default. */
export function severityOf(mapping: SeverityMapping, labels: Readonly<Record<string, string>>): Severity {
  const value = Object.hasOwn(labels, mapping.label) ? labels[mapping.label]!.trim().toLowerCase() : '';
  for (const [key, severity] of Object.entries(mapping.values)) {
    if (key.toLowerCase() === value) return severity;
  }
  return mapping.default;
}
