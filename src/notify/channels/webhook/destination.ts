// Where a webhook request may go, decided at send time: resolve the host name to every address, refuse
// if any is loopback/private/link-local (unless the operator allowed the origin), and hand back one
// checked address to connect to, so a DNS answer that changes between check and connect cannot matter.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { restrictedAddressReason } from '../../../domain/network-address.js';

/** Every address a host name resolves to; injectable so tests can point a name anywhere. */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The system resolver (getaddrinfo, as the rest of Node uses), all addresses. */
export function resolveWithSystem(hostname: string): Promise<readonly LookupAddress[]> {
  return lookup(hostname, { all: true });
}

export type Destination =
  | { readonly kind: 'ok'; readonly address: LookupAddress }
  | { readonly kind: 'refused'; readonly reason: string };

/** `[::1]` → `::1`: URL keeps the brackets of IPv6 hosts, sockets want them off. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Resolves `url`'s host and checks each address. Rejects (like `lookup`) when resolution fails; the
 * caller turns that into a transient failure.
 */
export async function checkedDestination(
  url: URL,
  allowedOrigins: readonly string[],
  resolveHost: ResolveHost,
): Promise<Destination> {
  const hostname = bareHostname(url);
  const family = isIP(hostname);
  const addresses: readonly LookupAddress[] =
    family !== 0 ? [{ address: hostname, family }] : await resolveHost(hostname);
  const first = addresses[0];
  if (first === undefined) return { kind: 'refused', reason: `${hostname} resolves to no address` };
  // The operator vouched for this origin (the sandbox, an internal receiver): any address is fine.
  if (allowedOrigins.includes(url.origin)) return { kind: 'ok', address: first };
  for (const { address } of addresses) {
    const reason = restrictedAddressReason(address);
    if (reason !== null) {
      const resolved = address === hostname ? hostname : `${hostname} resolves to ${address}`;
      return {
        kind: 'refused',
        reason: `${resolved}, ${reason}; allow its origin ${url.origin} in TOCSIN_ALLOWED_WEBHOOK_ORIGINS if intended`,
      };
    }
  }
  return { kind: 'ok', address: first };
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that answers with the already checked address whatever it is asked,
 * so the socket connects exactly there. Node asks with `all: true` when it tries several addresses
 * (autoSelectFamily), and for one address otherwise.
 */
export function pinnedLookup(address: LookupAddress) {
  return function lookupPinnedAddress(
    _hostname: string,
    options: LookupOptions,
    callback: LookupCallback,
  ): void {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
}
