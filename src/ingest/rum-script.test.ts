import { Script, createContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RUM_SCRIPT } from './rum-script.js';
import { parseRumBeacon } from './rum.js';

interface FakePage {
  readonly window: Record<string, any>;
  readonly beacons: { url: string; body: unknown }[];
  readonly warnings: string[];
  /** Calls the window's listeners of one event type. */
  dispatch(type: string, event?: Record<string, unknown>): void;
}

/** Runs /rum.js in a window holding just what the script touches, with sendBeacon recorded. */
function runInFakePage(
  options: { site?: string | null; fetch?: (...args: unknown[]) => Promise<unknown> } = {},
): FakePage {
  const beacons: { url: string; body: unknown }[] = [];
  const warnings: string[] = [];
  const listeners = new Map<string, ((event: unknown) => void)[]>();
  const attributes: Record<string, string | null> = { 'data-site': options.site ?? null };
  const window: Record<string, any> = {
    document: {
      currentScript: {
        src: 'https://tocsin.example.com/rum.js',
        getAttribute: (name: string) => attributes[name] ?? null,
      },
      readyState: 'loading',
      visibilityState: 'visible',
    },
    location: { href: 'https://shop.example.com/cart?x=1', pathname: '/cart' },
    navigator: {
      sendBeacon(url: string, body: string) {
        beacons.push({ url, body: JSON.parse(body) });
        return true;
      },
    },
    performance: { now: () => 1234.4, getEntriesByType: () => [] },
    console: { warn: (message: string) => warnings.push(message) },
    URL,
    TextEncoder,
    setTimeout: () => 1,
    clearTimeout: () => undefined,
    addEventListener(type: string, listener: (event: unknown) => void) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
  };
  if (options.fetch) window.fetch = options.fetch;
  window.window = window;
  const context = createContext(window);
  new Script(RUM_SCRIPT, { filename: 'rum.js' }).runInContext(context);
  return {
    window,
    beacons,
    warnings,
    dispatch(type, event = {}) {
      for (const listener of listeners.get(type) ?? []) listener(event);
    },
  };
}

/** Lets the promise callbacks the script chained run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('/rum.js', () => {
  it('is a plain script without syntax newer than ES2017', () => {
    expect(() => new Script(RUM_SCRIPT)).not.toThrow();
    // A crude guard against the usual newer syntax (optional chaining, ??, catch without binding, spread, **); the Chromium test runs it for real.
    expect(RUM_SCRIPT).not.toMatch(/\?\.|\?\?|catch\s*\{|\.\.\.|\*\*/);
  });

  it('sends custom statistics to the endpoint beside the script, as a beacon the schema accepts', () => {
    const page = runInFakePage({ site: 'shop-web' });
    page.window.tocsin.sum('checkout');
    page.window.tocsin.avg('cart_size', 3);
    page.window.tocsin.sum('bad', Number.NaN);
    page.window.tocsin.flush();

    expect(page.beacons).toHaveLength(1);
    const [beacon] = page.beacons;
    expect(beacon!.url).toBe('https://tocsin.example.com/api/v1/rum');
    expect(beacon!.body).toEqual({
      site: 'shop-web',
      page: '/cart',
      sentAt: 1234,
      events: [
        { type: 'custom', key: 'checkout', value: 1, at: 1234 },
        { type: 'custom', key: 'cart_size', value: 3, at: 1234 },
      ],
    });
    expect(parseRumBeacon(beacon!.body).ok).toBe(true);
  });

  it('takes site and endpoint from window.tocsinRum', () => {
    const beacons: unknown[] = [];
    const window: Record<string, any> = {
      tocsinRum: { site: 'admin-web', endpoint: 'https://collector.example.com/api/v1/rum' },
      document: { currentScript: null, readyState: 'complete', visibilityState: 'visible' },
      location: { href: 'https://admin.example.com/', pathname: '/' },
      navigator: { sendBeacon: (url: string) => beacons.push(url) > 0 },
      URL,
      setTimeout: () => 1,
      clearTimeout: () => undefined,
      addEventListener: () => undefined,
    };
    window.window = window;
    new Script(RUM_SCRIPT).runInContext(createContext(window));
    window.tocsin.sum('x');
    window.tocsin.flush();
    expect(window.tocsin.rum).toEqual({
      site: 'admin-web',
      endpoint: 'https://collector.example.com/api/v1/rum',
    });
    expect(beacons).toEqual(['https://collector.example.com/api/v1/rum']);
  });

  it('does nothing but warn when the page names no site', () => {
    const page = runInFakePage({ site: null });
    expect(page.window.tocsin).toBeUndefined();
    expect(page.warnings).toEqual([expect.stringContaining('data-site')]);
  });

  it('reports JavaScript errors and unhandled rejections, and sends on hide', () => {
    const page = runInFakePage({ site: 'shop-web' });
    page.dispatch('error', {
      message: 'Uncaught TypeError: x',
      filename: 'https://shop/app.js',
      lineno: 3,
      colno: 9,
    });
    page.dispatch('unhandledrejection', { reason: new Error('nope') });
    page.window.document.visibilityState = 'hidden';
    page.dispatch('visibilitychange');

    const events = page.beacons.flatMap((beacon: any) => beacon.body.events);
    expect(events.filter((event: any) => event.type === 'error')).toEqual([
      { type: 'error', message: 'Uncaught TypeError: x', source: 'https://shop/app.js:3:9', at: 1234 },
      expect.objectContaining({ type: 'error', message: 'Unhandled rejection: nope' }),
    ]);
    // Hidden before load: the page view is still counted.
    expect(events.filter((event: any) => event.type === 'pageview')).toHaveLength(1);
  });

  it('splits a batch whose beacon would pass 64 KiB, losing no event', () => {
    const page = runInFakePage({ site: 'shop-web' });
    for (let i = 0; i < 49; i++) {
      page.dispatch('error', { message: `${i} ${'错'.repeat(600)}`, filename: 'https://shop/app.js' });
    }
    page.window.tocsin.flush();

    expect(page.beacons.length).toBeGreaterThan(1);
    for (const beacon of page.beacons) {
      expect(Buffer.byteLength(JSON.stringify(beacon.body))).toBeLessThanOrEqual(64 * 1024);
      expect(parseRumBeacon(beacon.body).ok).toBe(true);
    }
    const messages = page.beacons.flatMap((beacon: any) => beacon.body.events.map((e: any) => e.message));
    expect(messages.map((message: string) => Number(message.split(' ')[0]))).toEqual(
      Array.from({ length: 49 }, (_, i) => i),
    );
  });

  it('times fetch calls without changing what the page gets, and skips its own endpoint', async () => {
    const failure = new TypeError('Failed to fetch');
    const page = runInFakePage({
      site: 'shop-web',
      fetch: (input: unknown) => {
        if (String(input).includes('down')) return Promise.reject(failure);
        return Promise.resolve({ status: 503, ok: false, tag: 'original' });
      },
    });
    const fetch = page.window.fetch as (input: string, init?: object) => Promise<unknown>;
    await expect(fetch('/api/orders/17?x=1', { method: 'post' })).resolves.toEqual({
      status: 503,
      ok: false,
      tag: 'original',
    });
    await expect(fetch('https://down.example.com/ping')).rejects.toBe(failure);
    await fetch('https://tocsin.example.com/api/v1/rum');
    await settle();
    page.window.tocsin.flush();

    const events = page.beacons.flatMap((beacon: any) => beacon.body.events);
    expect(events).toEqual([
      {
        type: 'api',
        url: 'https://shop.example.com/api/orders/17',
        method: 'POST',
        status: 503,
        duration: 0,
        success: false,
        at: 1234,
      },
      {
        type: 'api',
        url: 'https://down.example.com/ping',
        method: 'GET',
        status: 0,
        duration: 0,
        success: false,
        at: 1234,
      },
    ]);
  });
});
