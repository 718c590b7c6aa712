/**
 * Running the app on a socket: settings as `mlflow server` resolves them, one store per process,
 * graceful shutdown (requests in flight finish, then the store closes), and `--workers` as node
 * `cluster` processes sharing the port. Nothing here keeps state between requests, so several
 * processes or machines can serve one database.
 *
 * @example
 * const s = await startServer(resolveSettings({ backendStoreUri: 'sqlite:///mlflow.db', port: 0 }));
 * console.log(s.url); // http://127.0.0.1:41235
 * await s.close();
 */
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlfError } from '../lib/errors.js';
import { readAuthConfig } from './auth/config.js';
import { maskUri, uriScheme } from '../tracking/uri.js';
import type { TrackingStore } from '../stores/tracking-store.js';
import type { RegistryStore } from '../stores/registry-store.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { budgetFromEnv } from './body-budget.js';
import type { AuthConfig } from './auth/config.js';
import type { AppOptions, Middleware } from './app.js';

export interface ServerSettings {
  backendStoreUri: string;
  registryStoreUri?: string;
  /** Resolved: `mlflow-artifacts:/` when serving artifacts, else as given (or undefined for a local store). */
  defaultArtifactRoot?: string;
  serveArtifacts: boolean;
  artifactsDestination: string;
  host: string;
  port: number;
  workers: number;
  logLevel: LogLevel;
  /** `--app-name basic-auth`: its config, read (and checked) when the settings are resolved. */
  auth?: AuthConfig;
  /** Host patterns (`--allowed-hosts`); undefined: localhost forms, private ranges and the bound address. */
  allowedHosts?: string[];
  /** CORS origins (`--cors-allowed-origins`); undefined: same-origin and localhost only. */
  corsAllowedOrigins?: string[];
  /** `--disable-security-middleware`: no host or origin checks. */
  disableSecurityMiddleware?: boolean;
  xFrameOptions?: string;
  /** MLflow's `--static-prefix`: '' or a path like `/mlflow` (no trailing slash). */
  staticPrefix: string;
}

/** The apps `--app-name` accepts (MLflow's `mlflow.app` entry points that mlf implements). */
export const APP_NAMES = ['basic-auth'] as const;

export type ServerInput = Partial<Omit<ServerSettings, 'backendStoreUri' | 'auth'>> & { backendStoreUri?: string; appName?: string; env?: NodeJS.ProcessEnv };

const isLocalStore = (uri: string) => uriScheme(uri) === '' || uriScheme(uri) === 'file';

/**
 * MLflow's `mlflow server` resolution: an empty backend store is `./mlruns`; the default artifact
 * root is `mlflow-artifacts:/` when serving artifacts, else the local backend store, else required.
 */
export function resolveSettings(input: ServerInput): ServerSettings {
  const backendStoreUri = input.backendStoreUri || './mlruns';
  const serveArtifacts = input.serveArtifacts ?? true;
  let defaultArtifactRoot = input.defaultArtifactRoot || undefined;
  if (!defaultArtifactRoot) {
    if (serveArtifacts) defaultArtifactRoot = 'mlflow-artifacts:/';
    else if (!isLocalStore(backendStoreUri)) {
      throw new MlfError(
        "Option 'default-artifact-root' is required when backend store is not local file based and artifact serving is disabled.",
        'INVALID_PARAMETER_VALUE',
        2,
      );
    }
  }
  const staticPrefix = input.staticPrefix ?? '';
  // MLflow's checks and messages for --static-prefix.
  if (staticPrefix && !staticPrefix.startsWith('/')) throw new MlfError("--static-prefix must begin with a '/'.", 'INVALID_PARAMETER_VALUE', 2);
  if (staticPrefix.endsWith('/')) throw new MlfError("--static-prefix should not end with a '/'.", 'INVALID_PARAMETER_VALUE', 2);
  const workers = input.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new MlfError(`Invalid value for '--workers': ${workers} is not a positive integer.`, 'INVALID_PARAMETER_VALUE', 2);
  }
  let auth: AuthConfig | undefined;
  if (input.appName !== undefined && input.appName !== '') {
    if (!(APP_NAMES as readonly string[]).includes(input.appName)) {
      throw new MlfError(`Invalid value for '--app-name': '${input.appName}' is not one of ${APP_NAMES.join(', ')}.`, 'INVALID_PARAMETER_VALUE', 2);
    }
    auth = readAuthConfig(input.env ?? process.env);
  }
  return {
    backendStoreUri,
    registryStoreUri: input.registryStoreUri || undefined,
    defaultArtifactRoot,
    serveArtifacts,
    artifactsDestination: path.resolve(input.artifactsDestination || './mlartifacts'),
    host: input.host || '127.0.0.1',
    port: input.port ?? 5000,
    workers,
    logLevel: input.logLevel ?? 'info',
    auth,
    allowedHosts: input.allowedHosts,
    corsAllowedOrigins: input.corsAllowedOrigins,
    disableSecurityMiddleware: input.disableSecurityMiddleware,
    xFrameOptions: input.xFrameOptions,
    staticPrefix,
  };
}

/** Opens the tracking store the way the server needs it; an out-of-date schema is exit code 1. */
export async function openServerStore(s: ServerSettings): Promise<TrackingStore> {
  const { openTrackingStore } = await import('../stores/open-store.js');
  try {
    // SQLite's writes (and their commits' fsyncs) run in a worker thread: /health never waits for them.
    return await openTrackingStore(s.backendStoreUri, { artifactRoot: s.defaultArtifactRoot, writerThread: true });
  } catch (e) {
    if (e instanceof MlfError) throw new MlfError(maskUri(e.message).split('\n')[0]!, e.errorCode, 1);
    throw new MlfError(maskUri(String((e as Error)?.message ?? e)).split('\n')[0]!, 'INTERNAL_ERROR', 1);
  }
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  store: TrackingStore;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then closes the store. */
  close(graceMs?: number): Promise<void>;
}

/** Starts one server process on `settings.host:settings.port` (port 0 picks a free one). */
export async function startServer(settings: ServerSettings, logger: Logger = createLogger(settings.logLevel)): Promise<RunningServer> {
  const budget = budgetFromEnv();
  const store = await openServerStore(settings);
  // A registry on a database of its own is opened (and checked) now and closed with the server;
  // by default the registry shares the backend store's connection, and on a file store it answers
  // FEATURE_DISABLED.
  const registryUri = settings.registryStoreUri && settings.registryStoreUri !== settings.backendStoreUri ? settings.registryStoreUri : undefined;
  let registryStore: RegistryStore | undefined;
  if (registryUri && !isLocalStore(registryUri)) {
    try {
      registryStore = await (await import('../stores/sql/registry/index.js')).openRegistryStore(registryUri);
    } catch (e) {
      await store.close().catch(() => undefined);
      const msg = maskUri(String((e as Error)?.message ?? e)).split('\n')[0]!;
      throw new MlfError(msg, e instanceof MlfError ? e.errorCode : 'INTERNAL_ERROR', 1);
    }
  }
  let layers: { middleware: Middleware[]; extendRoutes?: AppOptions['extendRoutes']; close(): Promise<void> };
  try {
    layers = await (await import('./auth/server-layers.js')).serverLayers(settings, store, logger);
  } catch (e) {
    await store.close().catch(() => undefined);
    await registryStore?.close().catch(() => undefined);
    throw e;
  }
  const [{ createApp }, { nodeListener }, http, { HTTP_SERVER_OPTIONS, protectServer }] = await Promise.all([
    import('./app.js'),
    import('./http.js'),
    import('node:http'),
    import('./client-errors.js'),
  ]);
  const app = createApp({
    middleware: layers.middleware,
    extendRoutes: layers.extendRoutes,
    store,
    serveArtifacts: settings.serveArtifacts,
    artifactsDestination: settings.artifactsDestination,
    registryStoreUri: registryUri,
    registryStore,
    logger,
    staticPrefix: settings.staticPrefix,
  });
  // Timeouts against slow clients, JSON answers to what Node's parser refuses, bounded bodies in flight.
  const server = protectServer(http.createServer(HTTP_SERVER_OPTIONS, nodeListener(app.handle, budget)));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await store.close().catch(() => undefined);
    await registryStore?.close().catch(() => undefined);
    await layers.close().catch(() => undefined);
    throw new MlfError(`Cannot listen on ${settings.host}:${settings.port}: ${(e as Error).message}`, 'INTERNAL_ERROR', 1);
  }
  const port = (server.address() as AddressInfo).port;
  if (!settings.auth && !/^(127\.|localhost$|::1$|\[::1\]$)/.test(settings.host)) {
    logger.warning(`Listening on ${settings.host} without authentication: anyone who can reach port ${port} can read and delete every experiment. Use --app-name basic-auth, or --host 127.0.0.1.`);
  }
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    store,
    close: (graceMs = 30_000) =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          const force = setTimeout(() => server.closeAllConnections(), graceMs);
          server.close(() => {
            clearInterval(sweep);
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await store.close();
        await registryStore?.close();
        await layers.close();
      })()),
  };
}
