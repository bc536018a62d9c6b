// Where webhooks may point: loopback, private, link-local and other internal addresses are refused in
// every spelling (IPv4, IPv6, IPv4 inside IPv6, WHATWG-normalised URLs); DingTalk robots only at DingTalk.
import { describe, expect, it } from 'vitest';
import {
  dingtalkWebhookProblem,
  restrictedAddressReason,
  restrictedHostReason,
  webhookUrlProblem,
} from './network-address.js';

const SANDBOX = 'http://127.0.0.1:9701';

describe('restrictedAddressReason on IPv4', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.0.8', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
  ])('refuses %s as %s', (ip, kind) => {
    expect(restrictedAddressReason(ip)).toContain(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '47.95.1.1',
  ])('accepts the public address %s', (ip) => {
    expect(restrictedAddressReason(ip)).toBeNull();
  });
});

describe('restrictedAddressReason on IPv6', () => {
  it.each([
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
  ])('refuses %s as %s', (ip, kind) => {
    expect(restrictedAddressReason(ip)).toContain(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::a00:5', 'private'],
    ['::7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::8.8.8.8', 'IPv4-compatible'],
  ])('refuses the IPv4-carrying address %s as %s', (ip, kind) => {
    expect(restrictedAddressReason(ip)).toContain(kind);
  });

  it.each(['2001:4860:4860::8888', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'accepts the public address %s',
    (ip) => {
      expect(restrictedAddressReason(ip)).toBeNull();
    },
  );

  it('leaves host names alone: they are not addresses', () => {
    expect(restrictedAddressReason('hooks.example.com')).toBeNull();
  });
});

describe('restrictedHostReason', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'api.localhost',
    'localhost.',
    'printer.local',
    'metadata.google.internal',
  ])('refuses the local name %s', (host) => {
    expect(restrictedHostReason(host)).not.toBeNull();
  });

  it('refuses a bracketed IPv6 host as URL gives it', () => {
    expect(restrictedHostReason('[::1]')).toContain('loopback');
  });

  it('accepts a public name, to be checked again after DNS at send time', () => {
    expect(restrictedHostReason('hooks.example.com')).toBeNull();
  });
});

describe('webhookUrlProblem', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://0x7f000001/hook',
    'http://017700000001/hook',
    'http://127.1/hook',
    'http://0/hook',
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[0:0:0:0:0:ffff:7f00:1]/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://localhost:3000/hook',
    'http://LocalHost./hook',
  ])('refuses %s, which WHATWG URL parsing puts on an internal address', (url) => {
    expect(webhookUrlProblem(url, [])).toMatch(/^points to /);
  });

  it('names the origin to allow when it refuses an internal address', () => {
    expect(webhookUrlProblem('http://10.0.0.5:8080/x', [])).toContain(
      'allow its origin http://10.0.0.5:8080 in TOCSIN_ALLOWED_WEBHOOK_ORIGINS',
    );
  });

  it('accepts an internal address whose origin the operator allowed', () => {
    expect(webhookUrlProblem(`${SANDBOX}/hook`, [SANDBOX])).toBeNull();
  });

  it('still refuses another port of an allowed host, since origins include the port', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9702/hook', [SANDBOX])).not.toBeNull();
  });

  it('accepts a public https URL', () => {
    expect(webhookUrlProblem('https://hooks.example.com/x?y=1', [])).toBeNull();
  });

  it('refuses credentials in the URL, pointing to headers', () => {
    expect(webhookUrlProblem('https://user:pass@hooks.example.com/x', [])).toContain('credentials');
  });

  it.each(['file:///etc/passwd', 'ftp://hooks.example.com/x', 'gopher://hooks.example.com/'])(
    'refuses the non-http URL %s',
    (url) => {
      expect(webhookUrlProblem(url, [])).toBe('must be an http or https URL');
    },
  );

  it('refuses text that is not a URL', () => {
    expect(webhookUrlProblem('hooks.example.com/x', [])).toBe('not a valid URL');
  });
});

describe('dingtalkWebhookProblem', () => {
  it.each([
    'https://oapi.dingtalk.com/robot/send?access_token=abc',
    'https://oapi.dingtalk.io/robot/send?access_token=abc',
    'https://OAPI.DINGTALK.COM/robot/send?access_token=abc',
  ])('accepts the official robot endpoint %s', (url) => {
    expect(dingtalkWebhookProblem(url, [])).toBeNull();
  });

  it.each([
    ['another host', 'http://evil.example.com/robot/send?access_token=x'],
    ['plain http', 'http://oapi.dingtalk.com/robot/send?access_token=x'],
    ['another path', 'https://oapi.dingtalk.com/robot/other?access_token=x'],
    ['another port', 'https://oapi.dingtalk.com:8443/robot/send?access_token=x'],
    ['a look-alike host', 'https://oapi.dingtalk.com.evil.example/robot/send?access_token=x'],
    ['a trailing-dot host', 'https://oapi.dingtalk.com./robot/send?access_token=x'],
  ])('refuses %s, pointing to the allow-list', (_what, url) => {
    expect(dingtalkWebhookProblem(url, [])).toContain('TOCSIN_ALLOWED_WEBHOOK_ORIGINS');
  });

  it('refuses the endpoint without access_token', () => {
    expect(dingtalkWebhookProblem('https://oapi.dingtalk.com/robot/send', [])).toContain('access_token');
  });

  it('refuses an empty access_token', () => {
    expect(dingtalkWebhookProblem('https://oapi.dingtalk.com/robot/send?access_token=', [])).toContain(
      'access_token',
    );
  });

  it('refuses credentials in the URL', () => {
    expect(dingtalkWebhookProblem('https://u:p@oapi.dingtalk.com/robot/send?access_token=x', [])).toContain(
      'credentials',
    );
  });

  it('accepts an allowed origin such as the sandbox, still with an access_token', () => {
    expect(dingtalkWebhookProblem(`${SANDBOX}/robot/send?access_token=x`, [SANDBOX])).toBeNull();
    expect(dingtalkWebhookProblem(`${SANDBOX}/robot/send`, [SANDBOX])).toContain('access_token');
  });

  it('refuses text that is not a URL', () => {
    expect(dingtalkWebhookProblem('oapi.dingtalk.com/robot/send?access_token=x', [])).toBe('not a valid URL');
  });
});
