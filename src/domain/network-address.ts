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

/** The eight 16-bit groups of a valid IPv6 address in any textual form: `::`, embedded IPv4, a zone. */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase().replace(/%.*$/, '');
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const [head, tail] = text.split('::');
  if (tail === undefined) return groups(head);
  const [before, after] = [groups(head), groups(tail)];
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

function restrictedIPv6Reason(ip: string): string | null {
  const g = ipv6Groups(ip);
  const zeroUpTo = (n: number) => g.slice(0, n).every((group) => group === 0);
  const lastIPv4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  if (zeroUpTo(8)) return 'an unspecified address';
  if (zeroUpTo(7) && g[7] === 1) return 'a loopback address';
  // IPv4 inside IPv6 reaches the IPv4 host: mapped ::ffff:0:0/96, translated ::ffff:0:0:0/96, NAT64
  // 64:ff9b::/96, and the deprecated IPv4-compatible ::/96 (refused even when public).
  if (zeroUpTo(5) && g[5] === 0xffff) return restrictedIPv4Reason(lastIPv4());
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return restrictedIPv4Reason(lastIPv4());
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) {
    return restrictedIPv4Reason(lastIPv4());
  }
  if (zeroUpTo(6)) return restrictedIPv4Reason(lastIPv4()) ?? 'a deprecated IPv4-compatible address';
  const first = g[0]!;
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
