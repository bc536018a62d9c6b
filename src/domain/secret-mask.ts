// Secrets leave the API masked (`SEC…a1b2`). A masked value sent back unchanged means "keep what is
// stored", so a user can GET, edit other fields and PUT, or export and apply, without ever seeing secrets.

export const MASK = '…';

/** `SEC045a…9a54c` → `SEC…a54c`: a prefix a user recognises, then the last four characters. */
export function maskSecret(secret: string, visiblePrefix = 0): string {
  if (secret.length <= visiblePrefix + 8) return secret.slice(0, visiblePrefix) + MASK;
  return secret.slice(0, visiblePrefix) + MASK + secret.slice(-4);
}

export function isMasked(value: string): boolean {
  return value.includes(MASK) || value.includes('%E2%80%A6');
}

/** Masks the robot's access_token inside a webhook URL, keeping every other part readable. */
export function maskWebhookToken(webhook: string): string {
  const url = new URL(webhook);
  const token = url.searchParams.get('access_token');
  if (!token) return webhook;
  // Rebuild by hand: URLSearchParams would percent-encode the ellipsis.
  const query = [...url.searchParams.entries()]
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${key === 'access_token' ? maskSecret(value) : encodeURIComponent(value)}`,
    )
    .join('&');
  return `${url.origin}${url.pathname}?${query}`;
}

/** Header names whose values are credentials and are masked like secrets. */
export function isSensitiveHeader(name: string): boolean {
  return /auth|token|secret|key|signature|cookie|password/i.test(name);
}

/**
 * Resolves a secret field of an update: a masked value that matches the mask of the stored secret keeps the
 * stored secret; any other masked value is a mistake (the real value was never known to the client).
 * Returns the value to store, or null when the masked value does not match.
 */
export function unmask(
  incoming: string,
  stored: string | null | undefined,
  mask: (secret: string) => string,
): string | null {
  if (!isMasked(incoming)) return incoming;
  if (stored && mask(stored) === incoming) return stored;
  return null;
}
