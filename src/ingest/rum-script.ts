// The browser monitoring script served at /rum.js: plain ES2017, no dependencies, no build step. It
// measures page load, Core Web Vitals, JavaScript errors and API calls and sends them as the beacons
// src/ingest/rum.ts decodes; the beacon fields here and that schema must stay in step.
//
// It is a String.raw template so the script reads as the code it is (backslashes stay as written);
// it must therefore contain no backtick and no dollar-brace. rum-script.test.ts runs it in a fake window
// and test/e2e/rum-browser.test.ts in Chromium.

/**
 * The JavaScript text of /rum.js. A page includes it with its site name:
 * @example <script src="https://tocsin.example.com/rum.js" data-site="shop-web" defer></script>
 */
export const RUM_SCRIPT = String.raw`/* Tocsin browser monitoring: page load, Web Vitals, JS errors and API calls, sent to POST /api/v1/rum */
(function () {
  'use strict';
  if (typeof window === 'undefined' || (window.tocsin && window.tocsin.rum)) return;

  var config = window.tocsinRum || {};
  var script = document.currentScript;
  var site = config.site || (script && script.getAttribute('data-site'));
  if (!site) {
    if (window.console) console.warn('tocsin rum.js: no site name; add data-site="your-site" to the script tag');
    return;
  }
  var endpoint;
  try {
    endpoint = new URL(
      config.endpoint || (script && script.getAttribute('data-endpoint')) || '/api/v1/rum',
      script && script.src ? script.src : location.href
    ).href;
  } catch (e) {
    return;
  }

  var perf = window.performance;
  var BATCH_EVENTS = 50;
  var MAX_BEACON_BYTES = 60000;
  var FLUSH_AFTER_MS = 10000;
  var MAX_ERRORS = 200; // an error thrown in a loop is reported, not a flood
  var TEXT_CHARS = 500;
  var originalFetch = window.fetch;
  var queue = [];
  var timer = 0;
  var errorCount = 0;

  function now() {
    return perf && perf.now ? Math.round(perf.now()) : 0;
  }
  function currentPage() {
    return location.pathname; // never the query string or fragment: they may hold tokens
  }
  function clip(text) {
    text = String(text == null ? '' : text);
    return text.length > TEXT_CHARS ? text.slice(0, TEXT_CHARS) : text;
  }
  function duration(ms) {
    return Math.max(0, Math.round(ms));
  }

  function push(event) {
    event.at = now();
    event.page = currentPage();
    queue.push(event);
    if (queue.length >= BATCH_EVENTS) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_AFTER_MS);
  }

  // One beacon per run of events of the same page (a single-page app changes pages without a reload).
  function flush() {
    if (timer) clearTimeout(timer);
    timer = 0;
    while (queue.length) {
      var page = queue[0].page;
      var events = [];
      while (queue.length && events.length < BATCH_EVENTS && queue[0].page === page) {
        var event = queue.shift();
        delete event.page;
        events.push(event);
      }
      sendEvents(page, events);
    }
  }

  // Tocsin refuses beacons over 64 KiB; long non-Latin error messages can get there, so halve until they fit.
  function sendEvents(page, events) {
    var body = JSON.stringify({ site: site, page: page, sentAt: now(), events: events });
    if (events.length > 1 && byteLength(body) > MAX_BEACON_BYTES) {
      var half = Math.ceil(events.length / 2);
      sendEvents(page, events.slice(0, half));
      sendEvents(page, events.slice(half));
    } else {
      send(body);
    }
  }
  function byteLength(text) {
    return window.TextEncoder ? new TextEncoder().encode(text).length : text.length * 3;
  }

  // sendBeacon survives the page being closed; a string body goes as text/plain, which needs no CORS
  // preflight. Without it, fetch with keepalive does the same job.
  function send(body) {
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
    } catch (e) {
      // fall through to fetch
    }
    if (!originalFetch) return;
    try {
      originalFetch.call(window, endpoint, {
        method: 'POST',
        body: body,
        keepalive: true,
        credentials: 'omit',
      }).catch(function () {});
    } catch (e) {
      // monitoring must never break the page
    }
  }

  function observe(type, callback, options) {
    try {
      if (!window.PerformanceObserver || PerformanceObserver.supportedEntryTypes.indexOf(type) < 0) return null;
      var observer = new PerformanceObserver(function (list) {
        list.getEntries().forEach(callback);
      });
      var init = { type: type, buffered: true };
      for (var key in options || {}) init[key] = options[key];
      observer.observe(init);
      return observer;
    } catch (e) {
      return null;
    }
  }

  // ---- page view: Navigation Timing, as web-vitals measures it (from the navigation's start)
  var navigation = perf && perf.getEntriesByType ? perf.getEntriesByType('navigation')[0] : null;
  var activationStart = (navigation && navigation.activationStart) || 0;
  var pageviewSent = false;

  function sendPageview() {
    if (pageviewSent) return;
    pageviewSent = true;
    var event = { type: 'pageview' };
    var nav = perf && perf.getEntriesByType ? perf.getEntriesByType('navigation')[0] : null;
    if (nav) {
      // TTFB includes redirects, DNS, connection and request, as web-vitals defines it.
      if (nav.responseStart > 0) event.ttfb = duration(nav.responseStart - activationStart);
      if (nav.domContentLoadedEventEnd > 0) event.domReady = duration(nav.domContentLoadedEventEnd);
      if (nav.loadEventEnd > 0) event.load = duration(nav.loadEventEnd);
    } else if (perf && perf.timing && perf.timing.navigationStart) {
      var t = perf.timing;
      if (t.responseStart) event.ttfb = duration(t.responseStart - t.navigationStart);
      if (t.domContentLoadedEventEnd) event.domReady = duration(t.domContentLoadedEventEnd - t.navigationStart);
      if (t.loadEventEnd) event.load = duration(t.loadEventEnd - t.navigationStart);
    }
    push(event);
  }

  if (document.readyState === 'complete') setTimeout(sendPageview, 0);
  // loadEventEnd is set once the load handlers have returned, hence the extra turn.
  else window.addEventListener('load', function () { setTimeout(sendPageview, 0); });

  // ---- Core Web Vitals, each reported once per page view
  // Paints after the page was first hidden do not count (web-vitals does the same).
  var firstHiddenTime = document.visibilityState === 'hidden' ? 0 : Infinity;
  var reported = {};

  function vital(name, value) {
    if (reported[name] || value == null) return;
    reported[name] = true;
    push({ type: 'vital', name: name, value: name === 'CLS' ? Math.round(value * 10000) / 10000 : duration(value) });
  }

  var paintObserver = observe('paint', function (entry) {
    if (entry.name === 'first-contentful-paint' && entry.startTime < firstHiddenTime) {
      vital('FCP', Math.max(entry.startTime - activationStart, 0));
      if (paintObserver) paintObserver.disconnect();
    }
  });

  // LCP: the last candidate before the first input or the first hide.
  var lcp = null;
  var lcpObserver = observe('largest-contentful-paint', function (entry) {
    if (entry.startTime < firstHiddenTime) lcp = Math.max(entry.startTime - activationStart, 0);
  });
  function finishLcp() {
    if (!lcpObserver) return;
    lcpObserver.takeRecords().forEach(function (entry) {
      if (entry.startTime < firstHiddenTime) lcp = Math.max(entry.startTime - activationStart, 0);
    });
    lcpObserver.disconnect();
    lcpObserver = null;
    vital('LCP', lcp);
  }
  ['keydown', 'click'].forEach(function (type) {
    addEventListener(type, function () { setTimeout(finishLcp, 0); }, { once: true, capture: true });
  });

  // CLS: the largest session window of layout shifts without recent input, a window closing after a
  // 1 s gap or 5 s in all (web-vitals' definition).
  var cls = 0;
  var sessionValue = 0;
  var sessionFirst = 0;
  var sessionLast = 0;
  function layoutShift(entry) {
    if (entry.hadRecentInput) return;
    if (sessionValue && entry.startTime - sessionLast < 1000 && entry.startTime - sessionFirst < 5000) {
      sessionValue += entry.value;
    } else {
      sessionValue = entry.value;
      sessionFirst = entry.startTime;
    }
    sessionLast = entry.startTime;
    if (sessionValue > cls) cls = sessionValue;
  }
  var clsObserver = observe('layout-shift', layoutShift);

  // INP: the longest interactions (event-timing entries grouped by interactionId); with n interactions
  // the one at index min(9, floor(n / 50)) of the 10 longest approximates the 98th percentile, as
  // web-vitals does. first-input is observed too, as it is reported whatever its duration.
  var longest = [];
  var interactions = {};
  var interactionCount = 0;
  function eventTiming(entry) {
    if (!entry.interactionId) return;
    var known = interactions[entry.interactionId];
    if (!known) {
      interactionCount++;
      known = interactions[entry.interactionId] = { id: entry.interactionId, latency: entry.duration };
      longest.push(known);
    } else if (entry.duration > known.latency) {
      known.latency = entry.duration;
    }
    longest.sort(function (a, b) { return b.latency - a.latency; });
    if (longest.length > 10) delete interactions[longest.pop().id];
  }
  var eventObserver = observe('event', eventTiming, { durationThreshold: 40 });
  var firstInputObserver = eventObserver ? observe('first-input', eventTiming) : null;
  function inp() {
    if (eventObserver) eventObserver.takeRecords().forEach(eventTiming);
    if (!longest.length) return null;
    var count = perf.interactionCount || interactionCount;
    return longest[Math.min(longest.length - 1, Math.floor(count / 50))].latency;
  }

  // ---- JavaScript errors
  function reportError(message, source) {
    if (++errorCount > MAX_ERRORS) return;
    var event = { type: 'error', message: clip(message) };
    if (source) event.source = clip(source);
    push(event);
  }
  addEventListener('error', function (event) {
    // Resource load failures do not bubble to window; a listener without capture sees script errors only.
    var where = event.filename ? event.filename + ':' + event.lineno + ':' + event.colno : '';
    reportError(event.message || (event.error && event.error.message) || 'error', where);
  });
  addEventListener('unhandledrejection', function (event) {
    var reason = event.reason;
    var message = reason && reason.message ? reason.message : String(reason);
    reportError('Unhandled rejection: ' + message, reason && reason.stack ? String(reason.stack).split('\n')[1] : '');
  });

  // ---- API calls: fetch and XMLHttpRequest, timed until the response (headers for fetch) arrives
  function isOwnCall(absolute) {
    return absolute.indexOf(endpoint) === 0;
  }
  function apiCall(url, method, status, startedAt, ok) {
    try {
      var resolved = new URL(url, location.href);
      if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') return;
      if (isOwnCall(resolved.href)) return;
      push({
        type: 'api',
        url: resolved.origin + resolved.pathname,
        method: String(method || 'GET').toUpperCase(),
        status: status,
        duration: duration(now() - startedAt),
        success: !!ok,
      });
    } catch (e) {
      // an address we cannot read is not worth a report
    }
  }

  if (originalFetch) {
    window.fetch = function fetch(input, init) {
      var startedAt = now();
      var url = null;
      var method = 'GET';
      try {
        url = typeof input === 'string' ? input : input && input.url ? input.url : String(input);
        method = (init && init.method) || (input && input.method) || 'GET';
      } catch (e) {
        url = null;
      }
      var answer = originalFetch.apply(this, arguments);
      if (url !== null && answer && answer.then) {
        // A branch of its own: the page's promise is returned untouched, rejections included.
        answer.then(
          function (response) { apiCall(url, method, response.status, startedAt, response.ok); },
          function (error) { if (!error || error.name !== 'AbortError') apiCall(url, method, 0, startedAt, false); }
        );
      }
      return answer;
    };
  }

  var XHR = window.XMLHttpRequest;
  if (XHR && XHR.prototype) {
    var calls = new WeakMap();
    var open = XHR.prototype.open;
    var xhrSend = XHR.prototype.send;
    XHR.prototype.open = function (method, url) {
      try {
        calls.set(this, { method: method, url: String(url) });
      } catch (e) {
        // keep the page's call going whatever happens here
      }
      return open.apply(this, arguments);
    };
    XHR.prototype.send = function () {
      var call = calls.get(this);
      if (call) {
        var xhr = this;
        var aborted = false;
        call.startedAt = now();
        xhr.addEventListener('abort', function () { aborted = true; });
        xhr.addEventListener('loadend', function () {
          if (!aborted) apiCall(call.url, call.method, xhr.status, call.startedAt, xhr.status >= 200 && xhr.status < 300);
        });
      }
      return xhrSend.apply(this, arguments);
    };
  }

  // ---- sending: on hide (the last moment a page is sure to have), on pagehide, and every 10 s
  function onHidden() {
    sendPageview();
    finishLcp();
    if (clsObserver) {
      clsObserver.takeRecords().forEach(layoutShift);
      vital('CLS', cls);
    }
    vital('INP', inp());
    flush();
  }
  addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      if (firstHiddenTime === Infinity) firstHiddenTime = now();
      onHidden();
    }
  }, true);
  addEventListener('pagehide', onHidden, true);

  // ---- custom statistics: tocsin.sum('checkout') counts, tocsin.avg('cart_size', 3) averages; both
  // feed the site's Custom series, which Custom_Sum and Custom_Avg read.
  function custom(key, value) {
    if (typeof key !== 'string' || !key) return;
    value = value === undefined ? 1 : Number(value);
    if (!isFinite(value)) return;
    push({ type: 'custom', key: key.slice(0, 100), value: value });
  }
  window.tocsin = {
    rum: { site: site, endpoint: endpoint },
    sum: custom,
    avg: custom,
    // Sends what waits now (tests, or before a navigation the page controls).
    flush: flush,
  };
})();
`;
