/** An in-process server with the basic-auth app (SQLite tracking and auth databases in a temp folder). */
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../../src/server/app.js';
import { createLogger, type Logger } from '../../../src/server/logger.js';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import type { AuthStore } from '../../../src/server/auth/auth-store.js';
import { Authenticator } from '../../../src/server/auth/authenticator.js';
import { authLayer, servesMethod } from '../../../src/server/auth/middleware.js';
import { authRoutes } from '../../../src/server/auth/routes.js';
import { openAuthForServer } from '../../../src/server/auth/server-layers.js';
import type { PermissionName } from '../../../src/server/auth/permissions.js';
import type { RouteTable } from '../../../src/server/routes/tracking.js';
import { tempDir } from '../../support/databases.js';
import { apiCaller } from '../helpers.js';

export const ADMIN = { username: 'admin', password: 'admin-pw-1' };

export interface CallResult {
  status: number;
  json: any;
  headers: Headers;
}

export type Caller = (method: string, route: string, body?: Record<string, unknown>, headers?: Record<string, string>) => Promise<CallResult>;

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export interface AuthTestServer {
  app: ReturnType<typeof createApp>;
  store: TrackingStore;
  auth: AuthStore;
  dir: string;
  logLines: string[];
  /** Requests signed in as `user` (or anonymous when undefined). */
  as(user?: { username: string; password: string }): Caller;
  close(): Promise<void>;
}

export async function makeAuthServer(opts: { defaultPermission?: PermissionName; authDbUri?: string; authenticator?: (auth: AuthStore) => Authenticator; extraRoutes?: (t: RouteTable) => void } = {}): Promise<AuthTestServer> {
  const dir = tempDir('mlf-auth-');
  const store = await openTrackingStore(`sqlite:///${path.join(dir, 'mlflow.db')}`, { artifactRoot: 'mlflow-artifacts:/' });
  const logLines: string[] = [];
  const logger: Logger = createLogger('info', (l) => logLines.push(l));
  const config = {
    defaultPermission: opts.defaultPermission ?? 'READ',
    databaseUri: opts.authDbUri ?? `sqlite:///${path.join(dir, 'basic_auth.db')}`,
    adminUsername: ADMIN.username,
    adminPassword: ADMIN.password,
    authorizationFunction: 'mlflow.server.auth:authenticate_request_basic_auth',
    source: 'test',
  };
  const auth = await openAuthForServer(config, logger);
  const app = createApp({
    store,
    artifactsDestination: path.join(dir, 'mlartifacts'),
    logger,
    middleware: [authLayer({ auth, config, tracking: store, logger, authenticator: opts.authenticator?.(auth), isRoute: (rest, method) => servesMethod(app.routes.get(rest), method) })],
    extendRoutes: (t) => {
      authRoutes(t, auth);
      opts.extraRoutes?.(t);
    },
  });
  const call = apiCaller(app);
  const as = (user?: { username: string; password: string }): Caller => (method, route, body, headers = {}) =>
    call(method, route, body, user ? { ...headers, Authorization: basic(user.username, user.password) } : headers);
  return {
    app,
    store,
    auth,
    dir,
    logLines,
    as,
    close: async () => {
      await store.close();
      await auth.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
