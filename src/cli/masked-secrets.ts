// How the API masks secrets (`SEC…a54c`, `access_token=…9c0d`), mirrored so that `apply` can tell that a
// clear secret in a file is the one already stored. Keep in step with src/domain/secret-mask.ts and
// src/api/contacts/present.ts; masked-secrets.test.ts checks both agree.

const MASK = '…';

export function isMasked(value: string): boolean {
  return value.includes(MASK) || value.includes('%E2%80%A6');
}

/** `SEC045a…9a54c` → `SEC…a54c`: the visible prefix, the ellipsis, then the last four characters. */
export function maskSecret(secret: string, visiblePrefix = 0): string {
  if (isMasked(secret)) return secret;
  if (secret.length <= visiblePrefix + 8) return secret.slice(0, visiblePrefix) + MASK;
  return secret.slice(0, visiblePrefix) + MASK + secret.slice(-4);
}

/** A DingTalk signing secret keeps its `SEC` prefix visible. */
export function maskDingtalkSecret(secret: string): string {
  return maskSecret(secret, 3);
}

/** Masks the robot's access_token inside a webhook URL; a value that is not a URL is left as it is. */
export function maskWebhookToken(webhook: string): string {
  if (isMasked(webhook)) return webhook;
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return webhook;
  }
  const token = url.searchParams.get('access_token');
  if (!token) return webhook;
  const query = [...url.searchParams.entries()]
    .map(
      ([key, value]) =>
        `${encodeURIComponent(key)}=${key === 'access_token' ? maskSecret(value) : encodeURIComponent(value)}`,
    )
    .join('&');
  return `${url.origin}${url.pathname}?${query}`;
}

/** Header names whose values are credentials and come back masked. */
export function isSensitiveHeader(name: string): boolean {
  return /auth|token|secret|key|signature|cookie|password/i.test(name);
}
