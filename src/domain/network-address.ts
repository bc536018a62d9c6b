// Where Tocsin may send requests: DingTalk robots only at DingTalk's own endpoint, generic webhooks never
// at loopback, private or link-local addresses (SSRF), unless the operator allows an origin in config.
import { isIPv4, isIPv6 } from 'node:net';

/** The hosts of DingTalk's custom-robot endpoint (China and international deployments). */
export const DINGTALK_ROBOT_HOSTS = ['oapi.dingtalk.com', 'oapi.dingtalk.io'] as const;
export const DINGTALK_ROBOT_PATH = '/robot/send';

/** Why an address must not be the target of a webhook, or null when it is a public unicast address. */
export function restrictedAddressReason(ip: string): string | null {
  if (isIPv4(ip)) return restrictedIPv4Reason(ip);
  if (isIPv6(ip)) return restrictedIPv6Reason(ip);
  return null;
}

function restrictedIPv4Reason(ip: string): string | null {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 169 && b === 254) return 'a link-local address (cloud metadata lives here)';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address';
  if (a === 198 && (b === 18 || b === 19)) return 'a benchmarking address';
  if (a === 192 && b === 0) return 'a reserved address';
  if (a >= 224) return 'a multicast or reserved address';
  return null;
}

function restrictedIPv6Reason(ip: string): string | null {
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return restrictedIPv4Reason(mapped[1]!);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16);
    const lo = parseInt(hexMapped[2]!, 16);
    return restrictedIPv4Reason(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (lower === '::') return 'an unspecified address';
  if (lower === '::1') return 'a loopback address';
  const first = parseInt(lower.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  return null;
}

/** Strips the brackets URL gives IPv6 hosts: `[::1]` → `::1`. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Why a host name is not a public destination, judged without DNS (names are checked again at send time). */
export function restrictedHostReason(hostname: string): string | null {
  const host = bareHost(hostname.toLowerCase()).replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback address';
  if (host.endsWith('.local') || host.endsWith('.internal')) return 'a local network name';
  return restrictedAddressReason(host);
}

/** Parses a URL, or returns null; WHATWG parsing also normalises `http://2130706433/` to `127.0.0.1`. */
function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function isAllowedOrigin(url: URL, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.includes(url.origin);
}

/**
 * Checks a DingTalk robot webhook: `https://oapi.dingtalk.com/robot/send?access_token=…` (or `.io`),
 * or any origin the operator allowed (the sandbox), still with an `access_token`. Returns the reason it
 * is refused, or null.
 */
export function dingtalkWebhookProblem(value: string, allowedOrigins: readonly string[]): string | null {
  const url = parseUrl(value);
  if (!url) return 'not a valid URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (!url.searchParams.get('access_token')) return 'must carry the robot access_token query parameter';
  if (isAllowedOrigin(url, allowedOrigins)) return null;
  const official =
    url.protocol === 'https:' && (DINGTALK_ROBOT_HOSTS as readonly string[]).includes(url.hostname);
  if (!official || url.port !== '' || url.pathname !== DINGTALK_ROBOT_PATH) {
    return `must be https://${DINGTALK_ROBOT_HOSTS[0]}${DINGTALK_ROBOT_PATH}?access_token=… (or ${DINGTALK_ROBOT_HOSTS[1]}); other origins must be listed in TOCSIN_ALLOWED_WEBHOOK_ORIGINS`;
  }
  return null;
}

/** Checks a generic webhook URL: http(s), no credentials, not a loopback/private/link-local host unless allowed. */
export function webhookUrlProblem(value: string, allowedOrigins: readonly string[]): string | null {
  const url = parseUrl(value);
  if (!url) return 'not a valid URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials; use a header';
  if (isAllowedOrigin(url, allowedOrigins)) return null;
  const reason = restrictedHostReason(url.hostname);
  if (reason)
    return `points to ${reason}; allow its origin ${url.origin} in TOCSIN_ALLOWED_WEBHOOK_ORIGINS if intended`;
  return null;
}
