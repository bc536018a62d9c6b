// The first admin token: from TOCSIN_ADMIN_TOKEN when configured, otherwise generated on the first start
// and shown once (only its hash is kept).
import type { Store } from '../../store/store.js';
import { generateToken, hashToken } from '../auth.js';

/**
 * Makes sure an admin can get in. Returns a newly generated token for the caller to print once, or null
 * when the configured token is in place or tokens already exist.
 */
export async function ensureAdminToken(store: Store, configuredToken: string | null): Promise<string | null> {
  if (configuredToken) {
    const hash = hashToken(configuredToken);
    if (!(await store.apiTokens.findByHash(hash))) {
      await store.apiTokens.create({ name: 'TOCSIN_ADMIN_TOKEN', role: 'admin', tokenHash: hash });
    }
    return null;
  }
  return store.transaction(async (tx) => {
    if ((await tx.apiTokens.count()) > 0) return null;
    const token = generateToken();
    await tx.apiTokens.create({ name: 'first admin', role: 'admin', tokenHash: hashToken(token) });
    return token;
  });
}
