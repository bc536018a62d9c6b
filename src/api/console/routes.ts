// Serves the web console (console/, built by `npm run build` into dist/console): its hashed assets with
// long cache lifetimes, and index.html for every client route so a reload of /alerts/policies works.
// Paths that belong to the API, ingestion, health and self-metrics never fall back to the console.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.js';

/**
 * dist/console seen from this file: both src/api/console/ (tsx, tests) and dist/api/console/ (npm start)
 * are three levels below the repository root.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/** fastify's default maxParamLength, which the API's routes keep. */
const MAX_PARAM_LENGTH = 100;

/** Prefixes that are never console routes: an unknown path under them is the API's own 404. */
const NOT_CONSOLE = ['/api', '/v1', '/metrics', '/healthz', '/readyz', '/rum.js'] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Vite names every file under assets/ by its content hash: such a URL never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tocsin</title></head>
<body style="font:16px sans-serif;margin:3em">
<h1>Tocsin</h1>
<p>The web console is not built. Run <code>npm run build</code> and restart the service.</p>
<p>The API is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
</body></html>
`;

export interface ConsoleRouteOptions {
  /** Where the built console lives; default dist/console of this checkout. */
  readonly consoleDir?: string;
}

function isConsolePath(path: string): boolean {
  return !NOT_CONSOLE.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions = {}): void {
  const root = resolve(options.consoleDir ?? DEFAULT_CONSOLE_DIR);
  const indexPath = join(root, 'index.html');

  async function sendFile(reply: FastifyReply, path: string, size: number, cacheControl: string) {
    const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    return reply
      .header('content-type', type)
      .header('content-length', size)
      .header('cache-control', cacheControl)
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(path));
  }

  async function sendIndex(reply: FastifyReply) {
    const size = await fileSize(indexPath);
    if (size === null) {
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT_PAGE);
    }
    // index.html names the current hashed bundles: always revalidate it.
    return sendFile(reply, indexPath, size, 'no-cache');
  }

  app.get('/', { schema: { hide: true } }, function serveConsoleIndex(_request, reply) {
    return sendIndex(reply);
  });

  app.get('/*', { schema: { hide: true } }, async function serveConsole(request, reply) {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (!isConsolePath(path)) {
      // This wildcard matches what the router would otherwise refuse on its own: a path parameter longer
      // than it takes (fastify's maxParamLength) is a bad id, not a missing page.
      if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
        throw new AppError('invalid_request', 'a path parameter is too long: ids are at most 64 characters');
      }
      return reply.callNotFound();
    }
    const file = resolve(root, `.${path}`);
    const inside = file.startsWith(root + sep);
    if (inside && extname(file) !== '') {
      const size = await fileSize(file);
      if (size !== null) {
        return sendFile(reply, file, size, path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
      }
      // A missing asset is a 404, not the page: a stale bundle name must fail visibly.
      return reply.callNotFound();
    }
    return sendIndex(reply);
  });
}
