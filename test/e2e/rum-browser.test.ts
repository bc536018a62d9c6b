// Browser monitoring in a real browser: Chromium loads a shop page from one origin that includes /rum.js
// from a Tocsin on another origin, the user clicks (two fetches, one XHR, an error, a custom statistic),
// then leaves; the beacons must arrive and become the series the metric catalog reads.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import type { IngestSeries } from '../../src/domain/metric-series.js';
import { startRumTestApp, type RumTestApp } from '../rum-app.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

/** The shop's page: text for FCP/LCP, a banner that grows after load (a layout shift) and a Buy button. */
function shopPage(tocsinUrl: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Order</title>
<script src="${tocsinUrl}/rum.js" data-site="shop-web" defer></script>
</head><body style="margin:0;font:16px sans-serif">
<div id="banner" style="height:0;background:#fc0"></div>
<h1>Order 42</h1>
<p>Your order is on its way. ${'Thank you for shopping with us. '.repeat(20)}</p>
<button id="buy" style="width:200px;height:60px">Buy again</button>
<script>
  window.addEventListener('load', function () {
    setTimeout(function () {
      document.getElementById('banner').style.height = '150px';
      requestAnimationFrame(function () { setTimeout(function () { window.shifted = true; }, 50); });
    }, 100);
  });
  window.statuses = [];
  document.getElementById('buy').addEventListener('click', function () {
    window.tocsin.sum('checkout');
    var calls = [
      fetch('/api/cart/17?add=1').then(function (r) { return r.status; }),
      fetch('/api/fail').then(function (r) { return r.status; }),
      new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open('GET', '/api/stock/5');
        xhr.onloadend = function () { resolve(xhr.status); };
        xhr.send();
      }),
    ];
    Promise.all(calls).then(function (statuses) { window.statuses = statuses; });
    // A slow handler, so the interaction is long enough for INP to be measured.
    var until = performance.now() + 80;
    while (performance.now() < until) {}
    throw new Error('checkout button broke');
  });
</script>
</body></html>`;
}

/** Serves the shop: its page, its API (one endpoint failing) and a page to navigate away to. */
function startShop(tocsinUrl: string): Promise<Server> {
  const server = createServer(function serveShop(request, response) {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/shop/orders/42') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(shopPage(tocsinUrl));
    } else if (path === '/api/cart/17' || path === '/api/stock/5') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } else if (path === '/api/fail') {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":false}');
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>elsewhere</p>');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!hasChromium)(
  `browser monitoring in Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium)`}`,
  () => {
    let rum: RumTestApp;
    let shop: Server;
    let browser: Browser;
    let tocsinUrl: string;
    let shopUrl: string;

    beforeAll(async () => {
      rum = await startRumTestApp(systemClock);
      tocsinUrl = await rum.app.listen({ host: '127.0.0.1', port: 0 });
      shop = await startShop(tocsinUrl);
      shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((resolve) => (shop ? shop.close(resolve) : resolve(undefined)));
      await rum?.close();
    });

    it('reports a page view, its timings and vitals, the error, the API calls and a custom statistic', async () => {
      const startedAt = Date.now();
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));

      await page.goto(`${shopUrl}/shop/orders/42?ref=mail#top`, { waitUntil: 'load' });
      await page.waitForFunction('window.shifted === true');
      await page.click('#buy');
      // The page's own calls get what they would without the script.
      await page.waitForFunction('window.statuses.length === 3');
      expect(await page.evaluate('window.statuses')).toEqual([200, 500, 200]);
      await page.goto(`${shopUrl}/elsewhere`);

      const pagePath = '/shop/orders/:id';
      const series = await waitForSeries(rum.ingested, ['PV', 'CLS', 'INP', 'LCP', 'JS_Error_Count']);
      const values = (metric: string, labels: Record<string, string> = { page: pagePath }): number[] =>
        series
          .filter((one) => one.metric === metric && sameLabels(one.labels, labels))
          .flatMap((one) => one.values);

      for (const one of series) {
        expect(one).toMatchObject({ scope: 'browser', target: 'shop-web' });
        for (const t of one.timestampsMs) expect(t).toBeGreaterThanOrEqual(startedAt);
      }
      expect(values('PV')).toEqual([1]);
      expect(values('JS_Error_Count')).toEqual([1]);
      expect(pageErrors).toEqual(['checkout button broke']);

      const [ttfb, domReady, load, fcp, lcp] = ['TTFB', 'DOM_Ready', 'Page_Load', 'FCP', 'LCP'].map(
        (metric) => {
          const points = values(metric);
          expect(points, metric).toHaveLength(1);
          expect(points[0], metric).toBeGreaterThanOrEqual(0);
          expect(points[0], metric).toBeLessThan(10_000);
          return points[0]!;
        },
      );
      expect(ttfb).toBeLessThanOrEqual(domReady!);
      expect(domReady).toBeLessThanOrEqual(load!);
      expect(fcp).toBeGreaterThan(0);
      expect(fcp).toBeLessThanOrEqual(lcp!);

      const [cls] = values('CLS');
      expect(cls).toBeGreaterThan(0); // the banner pushed the text down
      expect(cls).toBeLessThan(1);
      const [inp] = values('INP');
      expect(inp).toBeGreaterThanOrEqual(80); // the click handler ran for 80 ms

      const api = (path: string, success: boolean) =>
        values('API_Duration', { page: pagePath, api: `${shopUrl}${path}`, success: String(success) });
      expect(api('/api/cart/:id', true)).toHaveLength(1);
      expect(api('/api/fail', false)).toHaveLength(1);
      expect(api('/api/stock/:id', true)).toHaveLength(1);
      for (const duration of values('API_Duration', {})) expect(duration).toBeLessThan(10_000);
      // Only the shop's three calls: the beacons to Tocsin are not reported as API calls.
      expect(series.filter((one) => one.metric === 'API_Duration').flatMap((one) => one.values)).toHaveLength(
        3,
      );

      expect(values('Custom', { key: 'checkout' })).toEqual([1]);
      await page.close();
    });
  },
);

function sameLabels(actual: Readonly<Record<string, string>>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([name, value]) => actual[name] === value);
}

/** Polls (a real external effect: beacons sent as the page goes) until every metric has arrived. */
async function waitForSeries(
  ingested: readonly IngestSeries[],
  metrics: readonly string[],
): Promise<readonly IngestSeries[]> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const seen = new Set(ingested.map((one) => one.metric));
    if (metrics.every((metric) => seen.has(metric))) {
      // Beacons sent together may land a moment apart.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return ingested;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${metrics.join(', ')} within 5 s; got ${ingested.map((one) => one.metric).join(', ')}`);
}
