/**
 * The layers `mlf server` puts around the app from its settings: the host/origin checks (unless
 * disabled) and, with `--app-name basic-auth`, the auth database (opened, admin created) and the
 * sign-in/permission layer with the auth endpoints.
 */
import type { TrackingStore } from '../../stores/tracking-store.js';
import type { AppOptions, Middleware } from '../app.js';
import type { Logger } from '../logger.js';
import type { ServerSettings } from '../serve.js';
import { openAuthStore, type AuthStore } from './auth-store.js';
import type { AuthConfig } from './config.js';
import { authLayer, servesMethod } from './middleware.js';
import { authRoutes } from './routes.js';
import { securityLayer } from './security.js';

export interface ServerLayers {
  middleware: Middleware[];
  extendRoutes?: AppOptions['extendRoutes'];
  close(): Promise<void>;
}

/**
 * Opens the auth database and creates the admin if missing (MLflow's `create_admin_user`); a
 * concurrent start that created it first is fine.
 */
export async function openAuthForServer(config: AuthConfig, logger: Logger): Promise<AuthStore> {
  const auth = await openAuthStore(config.databaseUri);
  try {
    if (!(await auth.hasUser(config.adminUsername))) {
      try {
        await auth.createUser(config.adminUsername, config.adminPassword, true);
        logger.info(`Created admin user '${config.adminUsername}'. Set a new password as soon as possible (mlf users update-password).`);
      } catch (e) {
        if (!(await auth.hasUser(config.adminUsername))) throw e;
      }
    }
  } catch (e) {
    await auth.close().catch(() => undefined);
    throw e;
  }
  return auth;
}

export async function serverLayers(settings: ServerSettings, tracking: TrackingStore, logger: Logger): Promise<ServerLayers> {
  const middleware: Middleware[] = [];
  if (!settings.disableSecurityMiddleware) {
    middleware.push(
      securityLayer(
        { allowedHosts: settings.allowedHosts, corsAllowedOrigins: settings.corsAllowedOrigins, boundHost: settings.host, xFrameOptions: settings.xFrameOptions },
        logger,
      ),
    );
  }
  if (!settings.auth) return { middleware, close: async () => undefined };
  const auth = await openAuthForServer(settings.auth, logger);
  let routes: ReadonlyMap<string, Readonly<Partial<Record<string, unknown>>>> | undefined;
  middleware.push(authLayer({ auth, config: settings.auth, tracking, logger, isRoute: (rest, method) => servesMethod(routes?.get(rest), method) }));
  const extendRoutes: AppOptions['extendRoutes'] = (t) => {
    routes = t;
    authRoutes(t, auth);
  };
  return { middleware, extendRoutes, close: () => auth.close() };
}
