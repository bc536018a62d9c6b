// sendWebhook against a real HTTP server on 127.0.0.1 (port 0): what the receiver gets — method, headers,
// a signature it can verify, the rendered body — how each kind of answer becomes an outcome, and the
// send-time SSRF check with the connection pinned to the checked address.
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderedNotification } from '../../rendered-notification.js';
import type { WebhookConfig } from './config.js';
import { sendWebhook, type WebhookOutcome, type WebhookSendOptions } from './send.js';
import { verifyWebhookSignature } from './sign.js';

const SECRET = 'whsec-0123456789abcdef';
const NOW = Date.parse('2025-01-01T01:00:00Z');

const FIRING: RenderedNotification = {
  kind: 'firing',
  title: '[P2 告警] orders "slow"',
  summary: '1 条告警: **P2** × 1',
  items: [{ severity: 'P2', markdown: '- **order-service**: p99 > 500 ms' }],
  links: [{ title: '查看', url: 'https://tocsin.example/events/1' }],
  locale: 'zh-CN',
};

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Reply = (response: ServerResponse) => void;

let server: Server;
let origin: string;
let port: number;
let received: Received[];
/** How the server answers each path; `/ok` and anything unknown answer 200. */
let replies: Record<string, Reply>;

beforeEach(async () => {
  received = [];
  replies = {};
  server = createServer(function receive(request, response) {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = replies[request.url ?? ''];
      if (reply) reply(response);
      else response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function webhook(changes: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    url: `${origin}/hook?team=ops`,
    method: 'POST',
    headers: { Authorization: 'Bearer t0ken', 'X-Team': 'ops' },
    bodyTemplate: null,
    secret: SECRET,
    ...changes,
  };
}

function options(changes: Partial<WebhookSendOptions> = {}): WebhookSendOptions {
  return {
    now: () => NOW,
    timeoutMs: 2_000,
    allowedWebhookOrigins: [origin],
    notificationId: 'n-42',
    ...changes,
  };
}

function failure(outcome: WebhookOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function resolvesTo(...addresses: string[]) {
  return (): Promise<readonly LookupAddress[]> =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

describe('a delivered webhook', () => {
  it("POSTs the JSON payload with the contact's headers and a signature the receiver can verify", async () => {
    const outcome = await sendWebhook(webhook(), FIRING, options());
    expect(outcome).toEqual({ ok: true, httpStatus: 200, requests: 1 });
    expect(received).toHaveLength(1);
    const [request] = received as [Received];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hook?team=ops');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      authorization: 'Bearer t0ken',
      'x-team': 'ops',
      'user-agent': 'Tocsin-Webhook/1',
      'x-tocsin-notification': 'n-42',
      'x-tocsin-timestamp': String(NOW / 1000),
    });
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ version: 1, kind: 'firing', notificationId: 'n-42', title: FIRING.title });
    const signature = request.headers['x-tocsin-signature'] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const headers = { signature, timestamp: request.headers['x-tocsin-timestamp'] as string };
    expect(verifyWebhookSignature(SECRET, headers, request.body, NOW / 1000)).toBe(true);
    expect(
      verifyWebhookSignature(SECRET, headers, request.body.replace('firing', 'resolved'), NOW / 1000),
    ).toBe(false);
  });

  it.each(['PUT', 'PATCH'] as const)('uses the method %s', async (method) => {
    expect((await sendWebhook(webhook({ method }), FIRING, options())).ok).toBe(true);
    expect(received[0]?.method).toBe(method);
  });

  it('sends the rendered body template, JSON-escaped, signed over the exact bytes sent', async () => {
    const bodyTemplate = '{"msgtype":"text","text":{"content":"{{title}} ({{itemCount}})"}}';
    expect((await sendWebhook(webhook({ bodyTemplate }), FIRING, options())).ok).toBe(true);
    const request = received[0]!;
    expect(JSON.parse(request.body)).toEqual({
      msgtype: 'text',
      text: { content: '[P2 告警] orders "slow" (1)' },
    });
    const headers = {
      signature: request.headers['x-tocsin-signature'] as string,
      timestamp: request.headers['x-tocsin-timestamp'] as string,
    };
    expect(verifyWebhookSignature(SECRET, headers, request.body, NOW / 1000)).toBe(true);
  });

  it('sends a text template as text/plain, and no signature without a secret', async () => {
    const outcome = await sendWebhook(
      webhook({ bodyTemplate: 'ALERT {{title}}', secret: null }),
      FIRING,
      options(),
    );
    expect(outcome.ok).toBe(true);
    expect(received[0]?.body).toBe('ALERT [P2 告警] orders "slow"');
    expect(received[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(received[0]?.headers['x-tocsin-signature']).toBeUndefined();
    expect(received[0]?.headers['x-tocsin-timestamp']).toBe(String(NOW / 1000));
  });

  it('ignores contact headers that Tocsin owns: Host, framing and the X-Tocsin- headers', async () => {
    const headers = {
      Host: 'internal.example',
      'X-Tocsin-Signature': 'sha256=forged',
      'Transfer-Encoding': 'x',
    };
    expect((await sendWebhook(webhook({ headers }), FIRING, options())).ok).toBe(true);
    expect(received[0]?.headers.host).toBe(`127.0.0.1:${port}`);
    expect(received[0]?.headers['x-tocsin-signature']).not.toBe('sha256=forged');
    expect(received[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('counts any 2xx as delivered', async () => {
    replies['/hook?team=ops'] = (response) => response.writeHead(204).end();
    expect(await sendWebhook(webhook(), FIRING, options())).toEqual({
      ok: true,
      httpStatus: 204,
      requests: 1,
    });
  });
});

describe('a refused or failed webhook', () => {
  it('retries 500 later, quoting the answer', async () => {
    replies['/hook?team=ops'] = (response) => response.writeHead(500).end('database down');
    expect(failure(await sendWebhook(webhook(), FIRING, options()))).toMatchObject({
      retryable: true,
      class: 'transient',
      httpStatus: 500,
      reason: 'HTTP 500 Internal Server Error: database down — the receiver failed or timed out, retry later',
    });
  });

  it.each([408, 425, 502, 503])('retries HTTP %i later', async (status) => {
    replies['/hook?team=ops'] = (response) => response.writeHead(status).end();
    expect(failure(await sendWebhook(webhook(), FIRING, options()))).toMatchObject({
      retryable: true,
      class: 'transient',
      httpStatus: status,
    });
  });

  it('treats 429 as rate limited and waits as long as Retry-After says', async () => {
    replies['/hook?team=ops'] = (response) =>
      response.writeHead(429, { 'Retry-After': '120' }).end('slow down');
    expect(failure(await sendWebhook(webhook(), FIRING, options()))).toMatchObject({
      retryable: true,
      class: 'rate_limited',
      retryAfterMs: 120_000,
      httpStatus: 429,
    });
  });

  it('fails 404 permanently with the status and only the first 300 bytes of the answer', async () => {
    replies['/hook?team=ops'] = (response) => response.writeHead(404).end(`no such hook ${'x'.repeat(5000)}`);
    const outcome = failure(await sendWebhook(webhook(), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: false, class: 'permanent', httpStatus: 404, requests: 1 });
    expect(outcome.reason).toMatch(/^HTTP 404 Not Found: no such hook x+ — check the webhook URL$/);
    expect(outcome.reason.match(/x/g)).toHaveLength(300 - 'no such hook '.length);
  });

  it('does not follow a redirect, and says where it pointed', async () => {
    replies['/hook?team=ops'] = (response) =>
      response.writeHead(302, { Location: `${origin}/elsewhere` }).end();
    const outcome = failure(await sendWebhook(webhook(), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: false, class: 'permanent', httpStatus: 302 });
    expect(outcome.reason).toContain(`redirect to ${origin}/elsewhere — redirects are not followed`);
    expect(received.map((request) => request.url)).toEqual(['/hook?team=ops']);
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    replies['/hook?team=ops'] = () => undefined;
    const outcome = failure(await sendWebhook(webhook(), FIRING, options({ timeoutMs: 200 })));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient', requests: 1 });
    expect(outcome.reason).toContain('no answer within 200 ms (timeout)');
  });

  it('retries when nothing listens, naming the socket error', async () => {
    const closed = `http://127.0.0.1:${port}`;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    const outcome = failure(await sendWebhook(webhook({ url: `${closed}/hook` }), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient' });
    expect(outcome.reason).toContain('ECONNREFUSED');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('refuses a body template with an unknown variable before sending anything', async () => {
    const outcome = failure(await sendWebhook(webhook({ bodyTemplate: '{{severty}}' }), FIRING, options()));
    expect(outcome).toMatchObject({ retryable: false, class: 'permanent', requests: 0 });
    expect(outcome.reason).toContain('not sent: the body template uses unknown variables {{severty}}');
    expect(received).toEqual([]);
  });
});

describe('the send-time address check', () => {
  const name = 'hooks.example.test';

  it('refuses a host name that resolves to 127.0.0.1 when its origin is not allowed, sending nothing', async () => {
    const outcome = failure(
      await sendWebhook(
        webhook({ url: `http://${name}:${port}/hook` }),
        FIRING,
        options({ resolveHost: resolvesTo('127.0.0.1') }),
      ),
    );
    expect(outcome).toMatchObject({ retryable: false, class: 'permanent', requests: 0 });
    expect(outcome.reason).toBe(
      `not sent: refused: ${name} resolves to 127.0.0.1, a loopback address; allow its origin http://${name}:${port} in TOCSIN_ALLOWED_WEBHOOK_ORIGINS if intended`,
    );
    expect(received).toEqual([]);
  });

  it('refuses when any of the addresses is internal, not just the first', async () => {
    const outcome = failure(
      await sendWebhook(
        webhook({ url: `http://${name}:${port}/hook` }),
        FIRING,
        options({ resolveHost: resolvesTo('93.184.216.34', '10.0.0.8') }),
      ),
    );
    expect(outcome.reason).toContain('resolves to 10.0.0.8, a private address');
  });

  it('refuses an internal address literal in the URL', async () => {
    const outcome = failure(await sendWebhook(webhook(), FIRING, options({ allowedWebhookOrigins: [] })));
    expect(outcome).toMatchObject({ class: 'permanent', requests: 0 });
    expect(outcome.reason).toContain('points to a loopback address');
  });

  it('connects to the checked address itself when the origin is allowed (the name is never resolved again)', async () => {
    // hooks.example.test exists in no DNS: the request can only arrive through the pinned address.
    const outcome = await sendWebhook(
      webhook({ url: `http://${name}:${port}/hook` }),
      FIRING,
      options({ resolveHost: resolvesTo('127.0.0.1'), allowedWebhookOrigins: [`http://${name}:${port}`] }),
    );
    expect(outcome.ok).toBe(true);
    expect(received[0]?.headers.host).toBe(`${name}:${port}`);
  });

  it('retries when the host name cannot be resolved', async () => {
    const outcome = failure(
      await sendWebhook(
        webhook({ url: `http://${name}:${port}/hook` }),
        FIRING,
        options({
          resolveHost: () =>
            Promise.reject(Object.assign(new Error(`getaddrinfo EAI_AGAIN ${name}`), { code: 'EAI_AGAIN' })),
        }),
      ),
    );
    expect(outcome).toMatchObject({ retryable: true, class: 'transient', requests: 0 });
    expect(outcome.reason).toBe(`could not resolve ${name}: getaddrinfo EAI_AGAIN ${name}`);
  });
});
