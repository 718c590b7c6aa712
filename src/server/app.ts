/**
 * The MLflow-compatible tracking server as a Hono app. It holds no state of its own beyond the one
 * store it is given, so any number of processes (or machines) can serve the same database.
 *
 * Routing is an exact-match table per API prefix (`/api/2.0/mlflow`, `/ajax-api/2.0/mlflow` and the
 * 1.x `preview` forms), which costs one Map lookup per request; errors go through one mapper
 * (MlfError → MLflow's `{"error_code","message"}` with `httpStatusFor`).
 *
 * @example
 * const app = createApp({ store: await openTrackingStore('sqlite:///mlflow.db'), artifactsDestination: './mlartifacts' });
 * const res = await app.request('/api/2.0/mlflow/experiments/get?experiment_id=0');
 */
import path from 'node:path';
import { Hono, type Context } from 'hono';
import { isMlfError, MlfError } from '../lib/errors.js';
import { maskUri } from '../tracking/uri.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import { trackingRoutes, type RouteTable } from './routes/tracking.js';
import { ArtifactAccess, artifactProxyHandlers } from './routes/artifacts.js';
import { addFileStoreRegistryRoutes } from './routes/registry.js';
import { createLogger, type Logger } from './logger.js';

/** The MLflow version whose API this server speaks (what `/version` answers). */
export const MLFLOW_API_VERSION = '2.17.2';

export interface AppOptions {
  store: TrackingStore;
  /** Proxy artifact upload/download/list/delete to `artifactsDestination` (MLflow's default: on). */
  serveArtifacts?: boolean;
  /** Local folder for proxied artifacts; default `./mlartifacts`. */
  artifactsDestination?: string;
  /** URI of the registry store (default: the store's); decides how registry endpoints answer. */
  registryStoreUri?: string;
  /** Request log; default: info level to stderr. */
  logger?: Logger;
}

const API_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow', '/ajax-api/2.0/preview/mlflow'];
const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];
// A fresh headers object per response: @hono/node-server's Response records Content-Length in the
// init object it is given, so a shared constant would carry one response's length to the next.
const jsonHeaders = (): Record<string, string> => ({ 'Content-Type': 'application/json' });

function errorResponse(e: MlfError): Response {
  return new Response(JSON.stringify({ error_code: e.errorCode, message: maskUri(e.message) }), {
    status: e.httpStatus,
    headers: jsonHeaders(),
  });
}

function notFound(c: Context): Response {
  return errorResponse(new MlfError(`No API found for '${c.req.method} ${c.req.path}'`, 'ENDPOINT_NOT_FOUND'));
}

function isFileStoreUri(uri: string): boolean {
  return !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) || /^file:/i.test(uri);
}

export function createApp(opts: AppOptions): Hono {
  const { store } = opts;
  const serveArtifacts = opts.serveArtifacts ?? true;
  const logger = opts.logger ?? createLogger('info');
  const access = new ArtifactAccess(path.resolve(opts.artifactsDestination ?? 'mlartifacts'), serveArtifacts);
  const table: RouteTable = trackingRoutes(store, access);
  const registryUri = opts.registryStoreUri ?? store.displayUri;
  const registryOnFiles = opts.registryStoreUri ? isFileStoreUri(opts.registryStoreUri) : store.kind === 'file';
  if (registryOnFiles) addFileStoreRegistryRoutes(table, maskUri(registryUri));
  const proxy = artifactProxyHandlers(access);

  const app = new Hono();

  app.use('*', async (c, next) => {
    if (!logger.enabled('info')) return next();
    const t0 = performance.now();
    await next();
    logger.info(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - t0).toFixed(1)}ms`);
  });

  app.onError((err, c) => {
    if (isMlfError(err)) return errorResponse(err);
    logger.error(`${c.req.method} ${c.req.path}: ${maskUri(String((err as Error)?.stack ?? err))}`);
    return errorResponse(new MlfError(String((err as Error)?.message ?? err), 'INTERNAL_ERROR'));
  });
  app.notFound(notFound);

  app.get('/health', (c) => c.text('OK'));
  app.get('/version', (c) => c.text(MLFLOW_API_VERSION));

  const dispatchApi = async (c: Context, rest: string): Promise<Response> => {
    const entry = table.get(rest);
    if (!entry) return notFound(c);
    const h = entry[c.req.method];
    if (!h) {
      // Flask answers 405 here; mlf keeps MLflow's JSON error shape.
      const e = new MlfError(`The method ${c.req.method} is not allowed for '${c.req.path}'. Allowed: ${Object.keys(entry).join(', ')}.`, 'BAD_REQUEST');
      return new Response(JSON.stringify(e.toJSON()), { status: 405, headers: { ...jsonHeaders(), Allow: Object.keys(entry).join(', ') } });
    }
    const body = await h(c);
    return new Response(JSON.stringify(body), { status: 200, headers: jsonHeaders() });
  };

  const dispatchArtifacts = async (c: Context, rest: string, rawPath: string): Promise<Response> => {
    const isArtifacts = rest === '/artifacts' || rest.startsWith('/artifacts/');
    const isMpu = /^\/mpu\/(create|complete|abort)\//.test(rest);
    if (!isArtifacts && !isMpu) return notFound(c);
    if (!serveArtifacts) {
      const rule = isMpu ? rest.replace(/^(\/mpu\/[a-z]+)\/.*$/, '$1/<path:artifact_path>') : rest === '/artifacts' ? rest : '/artifacts/<path:artifact_path>';
      return c.text(
        `Endpoint: ${rawPath.slice(0, rawPath.length - rest.length)}${rule} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``,
        503,
      );
    }
    const m = c.req.method;
    if (isMpu) {
      if (m !== 'POST') return notFound(c);
      throw new MlfError('Multipart upload is not supported for the current artifact repository', 'NOT_IMPLEMENTED');
    }
    if (rest === '/artifacts') {
      if (m === 'GET') return proxy.list(c);
      return notFound(c);
    }
    const rel = rest.slice('/artifacts/'.length);
    if (m === 'GET') return proxy.download(c, rel);
    if (m === 'PUT') return proxy.upload(c, rel);
    if (m === 'DELETE') return proxy.remove(c, rel);
    return notFound(c);
  };

  app.all('*', async (c) => {
    const p = c.req.path;
    for (const prefix of API_PREFIXES) {
      if (p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47 /* / */) return dispatchApi(c, p.slice(prefix.length));
    }
    for (const prefix of ARTIFACT_PREFIXES) {
      if (p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47) return dispatchArtifacts(c, p.slice(prefix.length), p);
    }
    return notFound(c);
  });

  return app;
}
