// Browser beacons (POST /api/v1/rum, sent by /rum.js): the beacon's schema, the page and API URL
// normalisation that keeps label cardinality bounded, and the decoding of a beacon into the `browser`
// series the metric catalog reads (PV, JS_Error_Count, TTFB … CLS, API_Duration, Custom).
import { z } from 'zod';
import { validate, type Validated } from '../domain/field-problem.js';
import type { IngestSeries, SeriesTemporality } from '../domain/metric-series.js';

/** The most a beacon body may weigh; sendBeacon itself refuses more than 64 KiB in flight per page. */
export const RUM_BEACON_MAX_BYTES = 64 * 1024;
/** The most events one beacon may carry; /rum.js sends at most 50 per beacon. */
export const RUM_BEACON_MAX_EVENTS = 200;
/** The most characters a `page` or `api` label keeps after normalisation; longer paths are cut here. */
export const RUM_LABEL_MAX_CHARS = 256;
/** The placeholder a path segment that is an identifier (number, UUID, long hex) becomes. */
export const ID_SEGMENT = ':id';

/**
 * How late an event may be, by the page's own clock, and still be dated at the server's receive time.
 * Browsers' wall clocks are often wrong by minutes, so the server's clock dates every point. /rum.js
 * sends within 10 s, and a point dated at receive time lands in the minute the evaluator has not yet
 * closed, where it can still fire an alert. An event held back longer (a frozen tab, a page hidden for a
 * long time, an offline laptop) is dated back by its age, measured on the page's monotonic
 * `performance.now()` clock (beacon `sentAt` minus event `at`), so it is not counted in a later minute.
 */
export const RECEIVE_TIME_TOLERANCE_MS = 3 * 60_000;

/** Milliseconds a timing or duration may report at most: one hour; anything longer is a broken client. */
const MAX_MS = 3_600_000;
/** `performance.now()` values may reach this (about 115 days of an open tab). */
const MAX_PAGE_CLOCK_MS = 1e10;
const MAX_URL_CHARS = 2048;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d+$/;
/** Object ids and hashes (MongoDB ids, SHA digests): 16 or more hex characters with at least one digit. */
const LONG_HEX = /^(?=[a-f]*\d)[0-9a-f]{16,}$/i;
const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:/i;

/** Whether a path segment names one object rather than a route: its value would make a series per object. */
function isIdentifierSegment(segment: string): boolean {
  return DIGITS.test(segment) || UUID.test(segment) || LONG_HEX.test(segment);
}

/**
 * The `page` label of a page path or URL: the path alone (no origin, query string or fragment, which may
 * hold tokens and would make a series per visit), each segment that is a number, a UUID or a long hex id
 * replaced by `:id`, and no trailing slash (but `/` itself). Whole segments only: `/order-17` stays.
 * Cut to {@link RUM_LABEL_MAX_CHARS} characters.
 * @example normalizePagePath('/orders/1234/items?tab=2#top') // '/orders/:id/items'
 */
export function normalizePagePath(raw: string): string {
  let path = raw;
  if (ABSOLUTE_URL.test(raw)) {
    try {
      path = new URL(raw).pathname;
    } catch {
      // Not a URL after all: treat the text as a path.
    }
  }
  path = path.split(/[?#]/, 1)[0] ?? '';
  const segments = path.split('/').map((segment) => (isIdentifierSegment(segment) ? ID_SEGMENT : segment));
  let normalized = segments.join('/');
  if (!normalized.startsWith('/')) normalized = `/${normalized}`;
  if (normalized.length > 1 && normalized.endsWith('/')) normalized = normalized.slice(0, -1);
  return normalized.slice(0, RUM_LABEL_MAX_CHARS);
}

/**
 * The `api` label of an API call's URL: origin and normalised path (as {@link normalizePagePath}), so
 * calls to the same endpoint on different objects share one series; a path without origin stays a path.
 * @example normalizeApiUrl('https://api.example.com/orders/1234?x=1') // 'https://api.example.com/orders/:id'
 */
export function normalizeApiUrl(raw: string): string {
  if (!isHttpUrl(raw)) return normalizePagePath(raw);
  const url = new URL(raw);
  return `${url.origin}${normalizePagePath(url.pathname)}`.slice(0, RUM_LABEL_MAX_CHARS);
}

function isHttpUrl(text: string): boolean {
  if (!ABSOLUTE_URL.test(text) || !URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}

/** A page or API address: a path from `/`, or an absolute http(s) URL. */
const addressField = z
  .string()
  .min(1, { message: 'must not be empty', abort: true })
  .max(MAX_URL_CHARS)
  .refine(
    (text) => (text.startsWith('/') && !text.startsWith('//')) || isHttpUrl(text),
    'must be a path starting with / or an absolute http(s) URL',
  );

const milliseconds = z.number().min(0, 'must not be negative').max(MAX_MS, 'must be at most one hour');
const pageClock = z.number().min(0, 'must not be negative').max(MAX_PAGE_CLOCK_MS);
/** Printable text without control characters (they have no place in a label or a message). */
const labelText = (max: number) =>
  z
    .string()
    .min(1, { message: 'must not be empty', abort: true })
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Every event may say when it happened on the page's `performance.now()` clock. */
const eventTime = { at: pageClock.optional() };

const pageviewEvent = z.object({
  type: z.literal('pageview'),
  ...eventTime,
  ttfb: milliseconds.optional(),
  domReady: milliseconds.optional(),
  load: milliseconds.optional(),
});

/** The Web Vitals a `vital` event may carry; each becomes the stored series of that name (CLS unitless, the rest ms). */
export const RUM_VITALS = ['FCP', 'LCP', 'INP', 'CLS'] as const;

const vitalEvent = z
  .object({
    type: z.literal('vital'),
    ...eventTime,
    name: z.enum(RUM_VITALS),
    value: milliseconds,
  })
  .refine((vital) => vital.name !== 'CLS' || vital.value <= 100, {
    message: 'a CLS score must be at most 100',
    path: ['value'],
  });

const errorEvent = z.object({
  type: z.literal('error'),
  ...eventTime,
  message: z.string().max(2000),
  source: z.string().max(MAX_URL_CHARS).optional(),
});

const apiEvent = z.object({
  type: z.literal('api'),
  ...eventTime,
  url: addressField,
  method: z
    .string()
    .regex(/^[A-Za-z]{1,16}$/, 'must be an HTTP method such as GET')
    .default('GET'),
  /** 0 when no response came (network error, CORS refusal). */
  status: z.number().int('must be a whole number').min(0).max(999),
  duration: milliseconds,
  success: z.boolean(),
});

const customEvent = z.object({
  type: z.literal('custom'),
  ...eventTime,
  key: labelText(100),
  value: z.number(),
});

/**
 * The body of POST /api/v1/rum. Unknown fields are ignored rather than refused: a page may hold a
 * /rum.js cached from another Tocsin version. `at` and `sentAt` are the page's `performance.now()`
 * (milliseconds since the navigation started), never wall-clock times; see {@link RECEIVE_TIME_TOLERANCE_MS}.
 */
export const rumBeaconSchema = z.object({
  site: z
    .string()
    .min(1, { message: 'must not be empty', abort: true })
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, and . _ : - (e.g. shop-web)'),
  page: addressField,
  sentAt: pageClock.optional(),
  events: z
    .array(z.discriminatedUnion('type', [pageviewEvent, vitalEvent, errorEvent, apiEvent, customEvent]))
    .min(1, 'must hold at least one event')
    .max(RUM_BEACON_MAX_EVENTS, `must hold at most ${RUM_BEACON_MAX_EVENTS} events`),
});

export type RumBeacon = z.output<typeof rumBeaconSchema>;
export type RumEvent = RumBeacon['events'][number];

/** Validates a parsed beacon body, naming every field at fault. */
export function parseRumBeacon(input: unknown): Validated<RumBeacon> {
  return validate(rumBeaconSchema, input);
}

/** When an event happened, in epoch milliseconds, by the server's clock; see {@link RECEIVE_TIME_TOLERANCE_MS}. */
export function rumEventTimeMs(nowMs: number, sentAt: number | undefined, at: number | undefined): number {
  if (sentAt === undefined || at === undefined) return nowMs;
  const age = sentAt - at;
  return age > RECEIVE_TIME_TOLERANCE_MS ? Math.round(nowMs - age) : nowMs;
}

/** Collects points into one series per metric and label set, in the order first seen. */
class SeriesCollector {
  readonly #series = new Map<
    string,
    {
      metric: string;
      temporality: SeriesTemporality;
      labels: Record<string, string>;
      ts: number[];
      vs: number[];
    }
  >();

  constructor(readonly target: string) {}

  add(
    metric: string,
    temporality: SeriesTemporality,
    labels: Record<string, string>,
    timeMs: number,
    value: number,
  ): void {
    const key = JSON.stringify([metric, labels]);
    let series = this.#series.get(key);
    if (!series) {
      series = { metric, temporality, labels, ts: [], vs: [] };
      this.#series.set(key, series);
    }
    series.ts.push(timeMs);
    series.vs.push(value);
  }

  toSeries(): IngestSeries[] {
    return [...this.#series.values()].map((series) => ({
      scope: 'browser',
      target: this.target,
      metric: series.metric,
      labels: series.labels,
      temporality: series.temporality,
      timestampsMs: series.ts,
      values: series.vs,
    }));
  }
}

/**
 * The stored series of one valid beacon, all of scope `browser` and target the site:
 * - `PV` (delta, 1 per page view) and `JS_Error_Count` (delta, 1 per error), labels `{page}`;
 * - `TTFB`, `DOM_Ready`, `Page_Load`, `FCP`, `LCP`, `INP` (gauge, ms) and `CLS` (gauge, score), `{page}`;
 * - `API_Duration` (gauge, ms, one point per call), `{page, api, success: 'true' | 'false'}`;
 * - `Custom` (gauge, one point per `tocsin.sum` / `tocsin.avg` call), `{key}`.
 * An error's message and source are not stored: the store keeps numbers, and a label per message would
 * make a series per message. An API call's method and status likewise only shape `success`.
 * @example rumBeaconSeries(beacon, clock.now())
 */
export function rumBeaconSeries(beacon: RumBeacon, nowMs: number): IngestSeries[] {
  const page = normalizePagePath(beacon.page);
  const out = new SeriesCollector(beacon.site);
  for (const event of beacon.events) {
    const timeMs = rumEventTimeMs(nowMs, beacon.sentAt, event.at);
    switch (event.type) {
      case 'pageview':
        out.add('PV', 'delta', { page }, timeMs, 1);
        if (event.ttfb !== undefined) out.add('TTFB', 'gauge', { page }, timeMs, event.ttfb);
        if (event.domReady !== undefined) out.add('DOM_Ready', 'gauge', { page }, timeMs, event.domReady);
        if (event.load !== undefined) out.add('Page_Load', 'gauge', { page }, timeMs, event.load);
        break;
      case 'vital':
        out.add(event.name, 'gauge', { page }, timeMs, event.value);
        break;
      case 'error':
        out.add('JS_Error_Count', 'delta', { page }, timeMs, 1);
        break;
      case 'api': {
        const labels = { page, api: normalizeApiUrl(event.url), success: String(event.success) };
        out.add('API_Duration', 'gauge', labels, timeMs, event.duration);
        break;
      }
      case 'custom':
        out.add('Custom', 'gauge', { key: event.key }, timeMs, event.value);
        break;
    }
  }
  return out.toSeries();
}
