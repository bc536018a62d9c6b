// Alertmanager routes: the input schema (defaults, matchers named by index), the order routes are tried
// in with first-match and `continue`, and the severity an alert's labels map to.
import { describe, expect, it } from 'vitest';
import { validate } from './field-problem.js';
import {
  alertmanagerRouteInputSchema,
  compileRoutes,
  DEFAULT_SEVERITY_MAPPING,
  routesFor,
  severityOf,
  type AlertmanagerRoute,
} from './alertmanager-route.js';

function route(name: string, patch: Record<string, unknown> = {}): AlertmanagerRoute {
  const input = alertmanagerRouteInputSchema.parse({
    name,
    contactGroupIds: ['g1'],
    channels: ['dingtalk'],
    ...patch,
  });
  return { ...input, id: `id-${name}`, createdAt: 0, updatedAt: 0 };
}

describe('alertmanagerRouteInputSchema', () => {
  it('fills the defaults: no matchers, Prometheus severities, first match wins, a day of silence', () => {
    const parsed = alertmanagerRouteInputSchema.parse({
      id: 'ignored',
      name: ' ops ',
      contactGroupIds: ['g1'],
      channels: ['dingtalk'],
    });
    expect(parsed).toEqual({
      name: 'ops',
      description: null,
      matchers: [],
      contactGroupIds: ['g1'],
      channels: ['dingtalk'],
      severity: DEFAULT_SEVERITY_MAPPING,
      continue: false,
      order: 0,
      silenceMinutes: 1440,
      timeZone: 'Asia/Shanghai',
    });
  });

  it('names each bad matcher by its index, with the reason', () => {
    const result = validate(alertmanagerRouteInputSchema, {
      name: 'ops',
      matchers: ['team="ops"', 'severity', 'env=~"(prod"'],
      contactGroupIds: ['g1'],
      channels: ['dingtalk'],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field)).toEqual(['matchers[1]', 'matchers[2]']);
    expect(result.problems[0]!.reason).toContain('an operator (= != =~ !~)');
  });

  it('refuses a severity mapping with an unknown level, a bad label or a value twice', () => {
    const result = validate(alertmanagerRouteInputSchema, {
      name: 'ops',
      contactGroupIds: [],
      channels: ['sms'],
      severity: { label: 'prio rity', values: { High: 'P0', high: 'P1' } },
      timeZone: 'Mars/Olympus',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual([
      'channels[0]',
      'contactGroupIds',
      'severity.label',
      'severity.values.High',
      'timeZone',
    ]);
    const twice = validate(alertmanagerRouteInputSchema, {
      name: 'ops',
      contactGroupIds: ['g1'],
      channels: ['dingtalk'],
      severity: { values: { High: 'P1', high: 'P2' } },
    });
    expect(twice).toMatchObject({ ok: false, problems: [{ field: 'severity.values' }] });
  });
});

describe('routesFor', () => {
  const labels = { alertname: 'HighLatency', severity: 'critical', team: 'ops' };
  const names = (routes: readonly AlertmanagerRoute[]) => routes.map((r) => r.name);

  it('gives the first matching route only, trying routes by order and then by name', () => {
    const routes = compileRoutes([
      route('z-catch-all', { order: 100 }),
      route('b-ops', { matchers: ['team="ops"'] }),
      route('a-db', { matchers: ['team="db"'] }),
      route('c-ops-too', { matchers: ['team=~"ops|sre"'] }),
    ]);
    expect(names(routesFor(routes, labels))).toEqual(['b-ops']);
    expect(names(routesFor(routes, { ...labels, team: 'web' }))).toEqual(['z-catch-all']);
  });

  it('goes on after a matching route that says continue', () => {
    const routes = compileRoutes([
      route('audit', { continue: true, order: -1 }),
      route('ops', { matchers: ['team="ops"'], continue: true }),
      route('ops-critical', { matchers: ['team="ops"', 'severity="critical"'] }),
      route('never', { order: 5 }),
    ]);
    expect(names(routesFor(routes, labels))).toEqual(['audit', 'ops', 'ops-critical']);
    expect(names(routesFor(routes, { ...labels, severity: 'info' }))).toEqual(['audit', 'ops', 'never']);
  });

  it('routes nothing when no route matches', () => {
    const routes = compileRoutes([route('ops', { matchers: ['team="ops"', 'alertname!="Watchdog"'] })]);
    expect(routesFor(routes, { ...labels, alertname: 'Watchdog' })).toEqual([]);
  });
});

describe('severityOf', () => {
  it('maps the severity label by default: critical P1, warning P2, info P4, anything else P3', () => {
    const of = (severity?: string) =>
      severityOf(DEFAULT_SEVERITY_MAPPING, severity === undefined ? {} : { severity });
    expect([of('critical'), of('warning'), of('info'), of('page'), of()]).toEqual([
      'P1',
      'P2',
      'P4',
      'P3',
      'P3',
    ]);
  });

  it('reads another label and ignores case', () => {
    const mapping = { label: 'priority', values: { High: 'P1', low: 'P4' }, default: 'P2' } as const;
    expect(severityOf(mapping, { priority: 'HIGH' })).toBe('P1');
    expect(severityOf(mapping, { priority: 'Low ' })).toBe('P4');
    expect(severityOf(mapping, { severity: 'critical' })).toBe('P2');
  });
});
