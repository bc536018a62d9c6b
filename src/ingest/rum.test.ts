import { describe, expect, it } from 'vitest';
import type { IngestSeries } from '../domain/metric-series.js';
import {
  RECEIVE_TIME_TOLERANCE_MS,
  normalizeApiUrl,
  normalizePagePath,
  parseRumBeacon,
  rumBeaconSeries,
  rumEventTimeMs,
  type RumBeacon,
} from './rum.js';

const NOW = Date.UTC(2025, 0, 6, 9, 30, 15);

function beacon(input: unknown): RumBeacon {
  const parsed = parseRumBeacon(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

function problemsOf(input: unknown) {
  const parsed = parseRumBeacon(input);
  return parsed.ok ? [] : parsed.problems;
}

function find(series: readonly IngestSeries[], metric: string, labels?: Record<string, string>) {
  return series.filter(
    (one) =>
      one.metric === metric &&
      (labels === undefined || JSON.stringify(one.labels) === JSON.stringify(labels)),
  );
}

describe('normalizePagePath', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/checkout', '/checkout'],
    ['/checkout/', '/checkout'],
    ['/orders/1234/items?tab=2#top', '/orders/:id/items'],
    ['/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301/profile', '/users/:id/profile'],
    ['/objects/507f1f77bcf86cd799439011', '/objects/:id'],
    ['/blog/deadbeefdeadbeef', '/blog/deadbeefdeadbeef'],
    ['/order-17/v2', '/order-17/v2'],
    ['https://shop.example.com/cart/42?session=secret', '/cart/:id'],
    ['/search#q=42', '/search'],
  ])('turns %j into %j', (raw, page) => {
    expect(normalizePagePath(raw)).toBe(page);
  });

  it('cuts a very long path to 256 characters', () => {
    expect(normalizePagePath(`/${'a'.repeat(1000)}`)).toHaveLength(256);
  });
});

describe('normalizeApiUrl', () => {
  it('keeps origin and normalised path, dropping query and fragment', () => {
    expect(normalizeApiUrl('https://API.example.com:8443/v1/orders/991/lines/?expand=1#x')).toBe(
      'https://api.example.com:8443/v1/orders/:id/lines',
    );
  });

  it('keeps a path without origin as a path', () => {
    expect(normalizeApiUrl('/api/carts/12')).toBe('/api/carts/:id');
  });
});

describe('rumEventTimeMs', () => {
  it('dates an event of a normal batch at the receive time', () => {
    expect(rumEventTimeMs(NOW, 25_000, 15_000)).toBe(NOW);
  });

  it('dates an event held back for longer than the tolerance back by its age on the page clock', () => {
    const age = RECEIVE_TIME_TOLERANCE_MS + 60_000;
    expect(rumEventTimeMs(NOW, 1_000_000, 1_000_000 - age)).toBe(NOW - age);
  });

  it('uses the receive time when the page clock is not given', () => {
    expect(rumEventTimeMs(NOW, undefined, 10)).toBe(NOW);
    expect(rumEventTimeMs(NOW, 10_000_000, undefined)).toBe(NOW);
  });
});

describe('parseRumBeacon', () => {
  const valid = {
    site: 'shop-web',
    page: '/cart',
    events: [{ type: 'pageview', ttfb: 120 }],
  };

  it('accepts a minimal beacon and ignores unknown fields', () => {
    const parsed = beacon({ ...valid, userAgent: 'x', events: [{ type: 'pageview', extra: 1 }] });
    expect(parsed.events).toEqual([{ type: 'pageview' }]);
  });

  it('names every field at fault', () => {
    const problems = problemsOf({
      site: 'shop web!',
      page: 'cart',
      events: [
        { type: 'pageview', ttfb: -1 },
        { type: 'vital', name: 'FID', value: 10 },
        { type: 'api', url: 'ftp://files.example.com/x', status: 200.5, duration: 5, success: 'yes' },
        { type: 'custom', key: '', value: 1 },
        { type: 'teleport' },
      ],
    });
    expect(problems.map((problem) => problem.field).sort()).toEqual(
      [
        'site',
        'page',
        'events[0].ttfb',
        'events[1].name',
        'events[2].url',
        'events[2].status',
        'events[2].success',
        'events[3].key',
        'events[4].type',
      ].sort(),
    );
  });

  it('requires site, page and events', () => {
    expect(problemsOf({}).map((problem) => [problem.field, problem.reason])).toEqual([
      ['site', 'is required'],
      ['page', 'is required'],
      ['events', 'is required'],
    ]);
  });

  it('refuses more than 200 events and an empty batch', () => {
    const events = Array.from({ length: 201 }, () => ({ type: 'error', message: 'boom' }));
    expect(problemsOf({ ...valid, events })).toEqual([
      { field: 'events', reason: 'must hold at most 200 events' },
    ]);
    expect(problemsOf({ ...valid, events: [] })).toEqual([
      { field: 'events', reason: 'must hold at least one event' },
    ]);
  });

  it('says only "must not be empty" of an empty site, page or key', () => {
    const problems = problemsOf({ site: '', page: '', events: [{ type: 'custom', key: '', value: 1 }] });
    expect(problems).toEqual([
      { field: 'site', reason: 'must not be empty' },
      { field: 'page', reason: 'must not be empty' },
      { field: 'events[0].key', reason: 'must not be empty' },
    ]);
  });

  it('bounds the site name and the custom statistic key', () => {
    const fields = problemsOf({
      ...valid,
      site: 's'.repeat(101),
      events: [{ type: 'custom', key: 'k'.repeat(101), value: 1 }],
    }).map((problem) => problem.field);
    expect(fields).toEqual(['site', 'events[0].key']);
  });

  it('refuses a CLS score above 100 and a timing above one hour', () => {
    const fields = problemsOf({
      ...valid,
      events: [
        { type: 'vital', name: 'CLS', value: 101 },
        { type: 'vital', name: 'LCP', value: 3_600_001 },
      ],
    }).map((problem) => problem.field);
    expect(fields).toEqual(['events[0].value', 'events[1].value']);
  });

  it('refuses text holding NUL or control characters', () => {
    const fields = problemsOf({
      ...valid,
      events: [
        { type: 'custom', key: 'a\u0007b', value: 1 },
        { type: 'error', message: 'x\u0000y' },
      ],
    }).map((problem) => problem.field);
    expect(fields).toEqual(['events[0].key', 'events[1].message']);
  });
});

describe('rumBeaconSeries', () => {
  it('turns each kind of event into the series the metric catalog reads', () => {
    const series = rumBeaconSeries(
      beacon({
        site: 'shop-web',
        page: '/orders/42?ref=mail',
        sentAt: 12_000,
        events: [
          { type: 'pageview', at: 900, ttfb: 120.5, domReady: 480, load: 910 },
          { type: 'vital', at: 400, name: 'FCP', value: 350 },
          { type: 'vital', at: 11_000, name: 'LCP', value: 700 },
          { type: 'vital', at: 11_000, name: 'INP', value: 48 },
          { type: 'vital', at: 11_000, name: 'CLS', value: 0.12 },
          { type: 'error', at: 5_000, message: 'TypeError: x is undefined', source: 'app.js:1:2' },
          { type: 'error', at: 6_000, message: 'again' },
          {
            type: 'api',
            at: 7_000,
            url: 'https://api.example.com/orders/42?x=1',
            method: 'GET',
            status: 200,
            duration: 35,
            success: true,
          },
          {
            type: 'api',
            at: 7_500,
            url: 'https://api.example.com/orders/43',
            method: 'GET',
            status: 200,
            duration: 45,
            success: true,
          },
          {
            type: 'api',
            at: 8_000,
            url: 'https://api.example.com/orders/43',
            method: 'POST',
            status: 500,
            duration: 80,
            success: false,
          },
          { type: 'custom', at: 9_000, key: 'checkout', value: 1 },
          { type: 'custom', at: 9_500, key: 'cart_size', value: 3 },
        ],
      }),
      NOW,
    );

    const page = { page: '/orders/:id' };
    for (const one of series) {
      expect(one.scope).toBe('browser');
      expect(one.target).toBe('shop-web');
      expect(one.timestampsMs.every((t) => t === NOW)).toBe(true);
    }
    const only = (metric: string, labels: Record<string, string>) => {
      const found = find(series, metric, labels);
      expect(found, metric).toHaveLength(1);
      return found[0]!;
    };
    expect(only('PV', page)).toMatchObject({ temporality: 'delta', values: [1] });
    expect(only('JS_Error_Count', page)).toMatchObject({ temporality: 'delta', values: [1, 1] });
    for (const [metric, value] of [
      ['TTFB', 120.5],
      ['DOM_Ready', 480],
      ['Page_Load', 910],
      ['FCP', 350],
      ['LCP', 700],
      ['INP', 48],
      ['CLS', 0.12],
    ] as const) {
      expect(only(metric, page)).toMatchObject({ temporality: 'gauge', values: [value] });
    }
    const api = 'https://api.example.com/orders/:id';
    expect(only('API_Duration', { ...page, api, success: 'true' })).toMatchObject({
      temporality: 'gauge',
      values: [35, 45],
    });
    expect(only('API_Duration', { ...page, api, success: 'false' }).values).toEqual([80]);
    expect(only('Custom', { key: 'checkout' })).toMatchObject({ temporality: 'gauge', values: [1] });
    expect(only('Custom', { key: 'cart_size' }).values).toEqual([3]);
    expect(series).toHaveLength(13);
  });

  it('dates back only the events held longer than the tolerance', () => {
    const late = RECEIVE_TIME_TOLERANCE_MS + 120_000;
    const series = rumBeaconSeries(
      beacon({
        site: 'shop-web',
        page: '/',
        sentAt: late + 1_000,
        events: [
          { type: 'error', at: 1_000, message: 'old' },
          { type: 'custom', at: late, key: 'k', value: 2 },
        ],
      }),
      NOW,
    );
    expect(find(series, 'JS_Error_Count')[0]!.timestampsMs).toEqual([NOW - late]);
    expect(find(series, 'Custom')[0]!.timestampsMs).toEqual([NOW]);
  });
});
