/**
 * The web UI's files: `index.html` at `/` and the bundle under `/static-files/`, as MLflow's server
 * lays them out (both under `--static-prefix` when one is set). The files are built into `dist/ui`
 * by `npm run build` (see scripts/build-ui.js); each one is read once and kept in memory, with a
 * gzip twin written at build time, so a page load never touches the disk or compresses twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlfError } from '../../lib/errors.js';
import type { Reply, Req } from '../http.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=UTF-8',
  '.js': 'text/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The package's `dist/ui`, found from this file whether it runs from `src/` (tests) or `dist/src/`. */
export function defaultUiDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, 'dist', 'ui');
}

interface Asset {
  type: string;
  body: Buffer;
  gz?: Buffer;
}

/**
 * `GET /` and `GET /static-files/<file>` (HEAD too); `undefined` for any other path, so the caller
 * answers its JSON 404. Hashed bundle names are cached for a year; `index.html` is revalidated.
 */
export function uiHandler(uiDir: string): (req: Req, rest: string) => Reply | undefined {
  const cache = new Map<string, Asset | null>();
  const load = (rel: string): Asset | null => {
    let a = cache.get(rel);
    if (a !== undefined) return a;
    const file = path.join(uiDir, rel);
    a = null;
    // `rel` has no `..` (checked below), so `file` stays inside uiDir.
    if (fs.existsSync(file) && fs.statSync(file).isFile()) {
      const gzFile = `${file}.gz`;
      a = {
        type: TYPES[path.extname(file)] ?? 'application/octet-stream',
        body: fs.readFileSync(file),
        gz: fs.existsSync(gzFile) ? fs.readFileSync(gzFile) : undefined,
      };
    }
    cache.set(rel, a);
    return a;
  };
  const send = (req: Req, a: Asset, cacheControl: string): Reply => {
    const gzip = a.gz && /\bgzip\b/.test(req.header('accept-encoding') ?? '');
    const headers: Record<string, string> = { 'Content-Type': a.type, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding' };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    return { status: 200, headers, body: gzip ? a.gz : a.body };
  };
  return (req, rest) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    if (rest === '/') {
      const index = load('index.html');
      if (!index) throw new MlfError(`The web UI is not built (no ${path.join(uiDir, 'index.html')}): run 'npm run build'.`, 'ENDPOINT_NOT_FOUND');
      return send(req, index, 'no-cache');
    }
    if (!rest.startsWith('/static-files/')) return undefined;
    const rel = rest.slice('/static-files/'.length);
    if (!rel || rel.split('/').some((s) => s === '..' || s === '' || s === '.') || rel.includes('\\') || rel.endsWith('.gz')) return undefined;
    const a = load(rel);
    if (!a) return undefined;
    return send(req, a, /\.[0-9a-f]{8,}\./i.test(rel) || /-[A-Z0-9]{8}\./.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
}
