/**
 * The MLflow-compatible tracking server as one request → reply function. It holds no state of its own beyond the one
 * store it is given, so any number of processes (or machines) can serve the same database.
 *
 * Routing is an exact-match table per API prefix (`/api/2.0/mlflow`, `/ajax-api/2.0/mlflow` and the
 * 1.x `preview` forms), which costs one Map lookup per request; errors go through one mapper
 * (MlfError → MLflow's `{"error_code","message"}` with `httpStatusFor`). The app is a plain
 * `(Req) => Promise<Reply>` function (see ./http.ts) served by `node:http` directly; `fetch` and
 * `request` give the same app as web Request → Response, for tests and fetch-based hosts.
 *
 * @example
 * const app = createApp({ store: await openTrackingStore('sqlite:///mlflow.db'), artifactsDestination: './mlartifacts' });
 * const res = await app.request('/api/2.0/mlflow/experiments/get?experiment_id=0'); // a web Response
 * http.createServer(nodeListener(app.handle)).listen(5000);
 */
import path from 'node:path';
import { isMlfError, MlfError } from '../lib/errors.js';
import { maskUri } from '../tracking/uri.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import { trackingRoutes, type RouteTable } from './routes/tracking.js';
import { addLoggedModelRoutes, addRunOutputRoutes } from './routes/logged-models.js';
import { addLoggedModelArtifactRoutes } from './routes/logged-model-artifacts.js';
import { templateRouteKey } from './routes/route-key.js';
import { ArtifactAccess, artifactProxyHandlers } from './routes/artifacts.js';
import { addFileStoreRegistryRoutes, registryRoutes } from './routes/registry.js';
import type { RegistryStore } from '../stores/registry-store.js';
import { createLogger, type Logger } from './logger.js';
import { ajaxRoutes, rootRoutes, type ReplyTable } from './routes/ajax.js';
import { webHandler, type HandleFn, type Reply, type Req } from './http.js';
import { BudgetExceeded } from './body-budget.js';
import { defaultUiDir, uiHandler } from './routes/ui.js';
import { addTraceArtifactRoute, addTraceRoutes } from './routes/traces.js';
import { addTraceV3Routes } from './routes/traces-v3.js';
import { OTLP_TRACES_PATH, otlpTracesHandler } from './routes/otlp.js';
import { addStoredSpansToTraceArtifact } from './routes/trace-data.js';
import { jsonPieces } from './json-pieces.js';

/**
 * The MLflow version whose API this server speaks (what `/version` answers). MLflow 3 clients send
 * spans over OTLP (`/v1/traces`) only to servers that answer 3.4 or later; older answers make them
 * upload `traces.json` instead.
 */
export const MLFLOW_API_VERSION = '3.4.0';

export interface AppOptions {
  store: TrackingStore;
  /** Proxy artifact upload/download/list/delete to `artifactsDestination` (MLflow's default: on). */
  serveArtifacts?: boolean;
  /** Local folder for proxied artifacts; default `./mlartifacts`. */
  artifactsDestination?: string;
  /** URI of the registry store (default: the store's); decides how registry endpoints answer. */
  registryStoreUri?: string;
  /** An open registry store (the caller closes it); default: one on `registryStoreUri` or on the SQL store's connection. */
  registryStore?: RegistryStore;
  /** Request log; default: info level to stderr. */
  logger?: Logger;
  /**
   * Layers around the router, outermost first (host/origin checks, authentication). They run inside
   * the request log and the error mapper, so a refused request is logged and an MlfError they throw
   * becomes MLflow's JSON error.
   */
  middleware?: Middleware[];
  /** Adds endpoints to the route table (e.g. the basic-auth app's `/users/...`). */
  extendRoutes?: (table: RouteTable) => void;
  /**
   * MLflow's `--static-prefix` (e.g. `/mlflow`): the UI, `/ajax-api`, `/health` and `/version` move
   * under it; `/api` and its artifact proxy stay at the root, as in MLflow.
   */
  staticPrefix?: string;
  /** Folder of the built web UI; default: the package's `dist/ui`. */
  uiDir?: string;
}

/** A layer around the router: answer itself, or call `next` (possibly with a changed request). */
export type Middleware = (req: Req, next: HandleFn) => Promise<Reply>;

export interface App {
  /** The app itself: every error is already mapped to MLflow's JSON error reply. */
  handle: HandleFn;
  /** The same app as a fetch handler. */
  fetch(request: Request): Promise<Response>;
  /** `fetch` for a path (or URL) and init, as tests use it: `app.request('/health')`. */
  request(input: string, init?: RequestInit): Promise<Response>;
  /** The API route table (path after the API prefix → method → handler), e.g. to check every route has an auth rule. */
  routes: ReadonlyMap<string, Readonly<Partial<Record<string, unknown>>>>;
  /** The `/api/3.0/mlflow` route table (MLflow 3's trace rpcs). */
  routesV3: ReadonlyMap<string, Readonly<Partial<Record<string, unknown>>>>;
}

export const API_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow', '/ajax-api/2.0/preview/mlflow'];
/** Where MLflow serves its `since 3.0` rpcs; their table differs (`POST /traces` is StartTraceV3 there). */
export const API3_PREFIXES = ['/api/3.0/mlflow', '/ajax-api/3.0/mlflow'];
export const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];
// Shared, never mutated: the node adapter sets Content-Length on the response, not in these.
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Type': 'application/json' });
const TEXT_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Type': 'text/plain; charset=UTF-8' });

export function jsonReply(body: string | string[], status = 200): Reply {
  return { status, headers: JSON_HEADERS, body };
}

export function errorReply(e: MlfError): Reply {
  const reply = jsonReply(JSON.stringify({ error_code: e.errorCode, message: maskUri(e.message) }), e.httpStatus);
  if (e instanceof BudgetExceeded) reply.headers = { ...JSON_HEADERS, 'Retry-After': String(e.retryAfterSeconds) };
  return reply;
}

function notFound(req: Req): Reply {
  return errorReply(new MlfError(`No API found for '${req.method} ${req.path}'`, 'ENDPOINT_NOT_FOUND'));
}

function isFileStoreUri(uri: string): boolean {
  return !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) || /^file:/i.test(uri);
}

/** The registry store, opened on first use (and again after a failed open): on its own URI, or on the SQL store's connection. */
function lazyRegistryStore(store: TrackingStore, uri: string | undefined): () => Promise<RegistryStore> {
  let opening: Promise<RegistryStore> | undefined;
  return () =>
    (opening ??= (async () => {
      if (!uri) return store.openRegistry();
      const { openRegistryStore } = await import('../stores/sql/registry/index.js');
      return openRegistryStore(uri);
    })().catch((e) => {
      opening = undefined;
      throw e;
    }));
}

export function createApp(opts: AppOptions): App {
  const { store } = opts;
  const serveArtifacts = opts.serveArtifacts ?? true;
  const logger = opts.logger ?? createLogger('info');
  const logRequests = logger.enabled('info');
  const access = new ArtifactAccess(path.resolve(opts.artifactsDestination ?? 'mlartifacts'), serveArtifacts);
  const table: RouteTable = trackingRoutes(store, access);
  addLoggedModelRoutes(table, store);
  addRunOutputRoutes(table, store);
  const traces = store.traces;
  addTraceRoutes(table, traces, store);
  const table3: RouteTable = new Map();
  addTraceV3Routes(table, table3, traces, store);
  const otlp = otlpTracesHandler(traces, store);
  const registryUri = opts.registryStoreUri ?? store.displayUri;
  const registryOnFiles = opts.registryStoreUri ? isFileStoreUri(opts.registryStoreUri) : !store.capabilities.registry;
  if (opts.registryStore) {
    const reg = opts.registryStore;
    registryRoutes(table, async () => reg, store);
  } else if (registryOnFiles) addFileStoreRegistryRoutes(table, maskUri(registryUri));
  else registryRoutes(table, lazyRegistryStore(store, opts.registryStoreUri), store);
  opts.extendRoutes?.(table);
  const proxy = artifactProxyHandlers(access);
  const ajaxOnly = ajaxRoutes(store, access);
  addTraceArtifactRoute(ajaxOnly, traces, access);
  addStoredSpansToTraceArtifact(ajaxOnly, traces);
  addLoggedModelArtifactRoutes(table, ajaxOnly, store, access);
  const atRoot = rootRoutes(store, access, table);
  const dispatchReply = (t: ReplyTable, req: Req, rest: string): Promise<Reply> | undefined => {
    const entry = t.get(rest) ?? t.get(templateRouteKey(rest));
    const h = entry && (entry[req.method] ?? (req.method === 'HEAD' ? entry.GET : undefined));
    return h?.(req);
  };
  const ui = uiHandler(opts.uiDir ?? defaultUiDir());
  const prefix = opts.staticPrefix ?? '';

  const dispatchApi = async (req: Req, rest: string, t: RouteTable = table): Promise<Reply> => {
    // Paths with ids in them (`/logged-models/<id>`, `/traces/<id>`) are registered under their template.
    const entry = t.get(rest) ?? t.get(templateRouteKey(rest));
    if (!entry) return notFound(req);
    // HEAD is answered as GET (node drops the body), as Flask and Hono do.
    const h = entry[req.method] ?? (req.method === 'HEAD' ? entry.GET : undefined);
    if (!h) {
      // Flask answers 405 here; mlf keeps MLflow's JSON error shape.
      const allowed = Object.keys(entry).join(', ');
      const e = new MlfError(`The method ${req.method} is not allowed for '${req.path}'. Allowed: ${allowed}.`, 'BAD_REQUEST');
      return { status: 405, headers: { 'Content-Type': 'application/json', Allow: allowed }, body: JSON.stringify(e.toJSON()) };
    }
    return jsonReply(jsonPieces(await h(req)));
  };

  const dispatchArtifacts = async (req: Req, rest: string): Promise<Reply> => {
    const isArtifacts = rest === '/artifacts' || rest.startsWith('/artifacts/');
    const isMpu = /^\/mpu\/(create|complete|abort)\//.test(rest);
    if (!isArtifacts && !isMpu) return notFound(req);
    if (!serveArtifacts) {
      const rule = isMpu ? rest.replace(/^(\/mpu\/[a-z]+)\/.*$/, '$1/<path:artifact_path>') : rest === '/artifacts' ? rest : '/artifacts/<path:artifact_path>';
      return {
        status: 503,
        headers: TEXT_HEADERS,
        body: `Endpoint: ${req.path.slice(0, req.path.length - rest.length)}${rule} disabled due to the mlflow server running with \`--no-serve-artifacts\`. To enable artifacts server functionality, run \`mlflow server\` with \`--serve-artifacts\``,
      };
    }
    const m = req.method;
    if (isMpu) {
      if (m !== 'POST') return notFound(req);
      throw new MlfError('Multipart upload is not supported for the current artifact repository', 'NOT_IMPLEMENTED');
    }
    if (rest === '/artifacts') {
      if (m === 'GET' || m === 'HEAD') return proxy.list(req);
      return notFound(req);
    }
    const rel = rest.slice('/artifacts/'.length);
    if (m === 'GET' || m === 'HEAD') return proxy.download(req, rel);
    if (m === 'PUT') return proxy.upload(req, rel);
    if (m === 'DELETE') return proxy.remove(req, rel);
    return notFound(req);
  };

  // With a static prefix, `/api/...` is only at the root and the rest only under the prefix (MLflow's layout).
  const underPrefix = (p: string): string | undefined =>
    !prefix ? p : p === prefix ? '' : p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47 ? p.slice(prefix.length) : undefined;

  const dispatch: HandleFn = async (req) => {
    const full = req.path;
    const inPrefix = underPrefix(full);
    if (inPrefix !== undefined) {
      // MLflow's UI-only endpoints; Flask merges repeated slashes (`//model-versions/get-artifact`).
      const uiOnly = inPrefix.startsWith('/ajax-api/2.0/mlflow/')
        ? dispatchReply(ajaxOnly, req, inPrefix.slice('/ajax-api/2.0/mlflow'.length))
        : inPrefix.startsWith('/api/')
          ? undefined
          : dispatchReply(atRoot, req, inPrefix.includes('//') ? inPrefix.replace(/\/{2,}/g, '/') : inPrefix);
      if (uiOnly) return await uiOnly;
    }
    for (const api of API_PREFIXES) {
      const p = api.startsWith('/ajax-api') ? inPrefix : full;
      if (p?.startsWith(api) && p.charCodeAt(api.length) === 47 /* / */) return await dispatchApi(req, p.slice(api.length));
    }
    for (const api of API3_PREFIXES) {
      const p = api.startsWith('/ajax-api') ? inPrefix : full;
      if (p?.startsWith(api) && p.charCodeAt(api.length) === 47) return await dispatchApi(req, p.slice(api.length), table3);
    }
    // MLflow mounts its OTLP router at the root, like `/api`.
    if (full === OTLP_TRACES_PATH) return await otlp(req);
    for (const api of ARTIFACT_PREFIXES) {
      const p = api.startsWith('/ajax-api') ? inPrefix : full;
      if (p?.startsWith(api) && p.charCodeAt(api.length) === 47) return await dispatchArtifacts(req, p.slice(api.length));
    }
    if (inPrefix === undefined) return notFound(req);
    const p = inPrefix;
    if ((p === '/health' || p === '/version') && (req.method === 'GET' || req.method === 'HEAD')) {
      return { status: 200, headers: TEXT_HEADERS, body: p === '/health' ? 'OK' : MLFLOW_API_VERSION };
    }
    // `<prefix>` alone goes to `<prefix>/` so the page's relative URLs resolve under the prefix.
    if (p === '') return { status: 308, headers: { Location: `${prefix}/` } };
    return ui(req, p) ?? notFound(req);
  };
  const guarded = (opts.middleware ?? []).reduceRight<HandleFn>((next, mw) => (r) => mw(r, next), dispatch);

  const route = async (req: Req): Promise<Reply> => {
    try {
      return await guarded(req);
    } catch (err) {
      if (isMlfError(err)) return errorReply(err);
      logger.error(`${req.method} ${req.path}: ${maskUri(String((err as Error)?.stack ?? err))}`);
      return errorReply(new MlfError(String((err as Error)?.message ?? err), 'INTERNAL_ERROR'));
    }
  };

  // The log line is the only per-request work beyond the route; none of it runs when filtered out.
  const handle: HandleFn = logRequests
    ? async (req) => {
        const t0 = performance.now();
        const reply = await route(req);
        logger.info(`${req.method} ${req.path} ${reply.status} ${(performance.now() - t0).toFixed(1)}ms`);
        return reply;
      }
    : route;

  const fetch = webHandler(handle);
  return {
    handle,
    fetch,
    request: (input, init) => fetch(new Request(new URL(input, 'http://localhost'), init)),
    routes: table,
    routesV3: table3,
  };
}
