// IPv4 address ranges for a robot's "IP address (range)" security setting. DingTalk does not support
// IPv6 allow-lists (dingtalk-robot.md §2c), so an IPv6 client never matches.

/** One parsed range: `network` and `mask` as unsigned 32-bit integers. */
export interface Ipv4Range {
  readonly text: string;
  readonly network: number;
  readonly mask: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  let value = 0;
  for (const part of match.slice(1)) {
    const octet = Number(part);
    if (octet > 255 || (part.length > 1 && part.startsWith('0'))) return null;
    value = value * 256 + octet;
  }
  return value;
}

/**
 * Parses `a.b.c.d` (one address) or `a.b.c.d/n` (a CIDR range); returns a reason on failure.
 * @example parseIpv4Range('10.0.0.0/8') // { text: '10.0.0.0/8', network: 167772160, mask: 4278190080 }
 */
export function parseIpv4Range(text: string): Ipv4Range | string {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return `"${text}" is not an IPv4 address or CIDR range`;
  if (address.includes(':')) return `"${text}" is IPv6; DingTalk IP allow-lists are IPv4 only`;
  const ip = parseIpv4(address);
  if (ip === null) return `"${text}" is not an IPv4 address or CIDR range`;
  let prefix = 32;
  if (prefixText !== undefined) {
    if (!/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
      return `"${text}" has an invalid prefix length (0–32)`;
    }
    prefix = Number(prefixText);
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { text: text.trim(), network: (ip & mask) >>> 0, mask };
}

/** The client address as DingTalk would print it: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4. */
export function normalizeClientIp(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function isIpAllowed(clientIp: string, ranges: readonly Ipv4Range[]): boolean {
  const ip = parseIpv4(normalizeClientIp(clientIp));
  if (ip === null) return false;
  return ranges.some((range) => (ip & range.mask) >>> 0 === range.network);
}
