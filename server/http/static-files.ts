import { createReadStream, statSync, type Stats } from 'node:fs';
import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { setCommonHeaders, setHtmlHeaders } from './security-headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Files that must be revalidated on every load so a new deploy (and service worker) is picked up. */
const NO_CACHE = /(^|\/)(index\.html|sw\.js|service-worker\.js|manifest\.json|manifest\.webmanifest)$/;

/**
 * Development files a build may leave in dist/ and production never needs:
 * a source map is the app's whole source, a megabyte or more per request.
 */
const NOT_SERVED = /\.map$/i;

/**
 * Serves the built app from `distDir`: content types, immutable caching for
 * the hashed files under /assets/, no-cache for the entry points, and an SPA
 * fallback to index.html for GET paths whose last segment has no extension.
 */
export function createStaticHandler(distDir: string, csp: string) {
  const root = resolve(distDir);
  return function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    const index = fileAt(join(root, 'index.html'));
    if (!index) {
      setCommonHeaders(res);
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The app is not built yet: run `npm run build`, then reload.\n');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return notFound(res);
    }
    const target = normalize(join(root, decoded));
    if (target !== root && !target.startsWith(root + sep)) return notFound(res);
    if (NOT_SERVED.test(target)) return notFound(res);
    const stats = fileAt(target);
    if (stats) return sendFile(req, res, target, stats, decoded, csp);
    const last = decoded.split('/').pop() ?? '';
    if (last.includes('.')) return notFound(res);
    sendFile(req, res, join(root, 'index.html'), index, '/index.html', csp);
  };
}

function fileAt(path: string): Stats | null {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, stats: Stats, urlPath: string, csp: string): void {
  const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  if (type.startsWith('text/html')) setHtmlHeaders(res, csp);
  else setCommonHeaders(res);
  let cache = 'no-cache';
  if (urlPath.startsWith('/assets/')) cache = 'public, max-age=31536000, immutable';
  else if (!NO_CACHE.test(urlPath)) cache = 'public, max-age=3600';
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': stats.size, 'Cache-Control': cache });
  if (req.method === 'HEAD') return void res.end();
  // pipeline, not pipe: a client that goes away mid-file (or a read error)
  // destroys the file stream too, so its descriptor is closed at once; with
  // pipe() every cancelled download kept one open until the process ran out
  // (EMFILE, and the unhandled stream error ended it).
  pipeline(createReadStream(path), res, (err) => {
    if (err && !res.destroyed) res.destroy();
  });
}

function notFound(res: ServerResponse): void {
  setCommonHeaders(res);
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Not found\n');
}
