/**
 * The basic-auth app's REST endpoints (mlflow/server/auth/routes.py and their handlers): users, and
 * experiment and registered-model permissions, with MLflow's paths, reply shapes and errors. Who may
 * call them is in ./rules.ts.
 */
import { MlfError } from '../../lib/errors.js';
import { missing, readParams, type Params } from '../request.js';
import type { Handler, Json, RouteTable } from '../routes/tracking.js';
import type { AuthStore } from './auth-store.js';

/** MLflow's `_get_request_param` (a value of any JSON type, required). */
function param(p: Params, name: string): unknown {
  const v = p[name];
  if (v === undefined || v === null) throw missing(name);
  return v;
}
const text = (p: Params, name: string) => String(param(p, name));

/** `is_admin` as MLflow's clients send it: a JSON boolean (or its text form). */
function bool(p: Params, name: string): boolean {
  const v = param(p, name);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw new MlfError(`Invalid value ${JSON.stringify(v)} for parameter '${name}': expected a boolean.`, 'INVALID_PARAMETER_VALUE');
}

export function authRoutes(table: RouteTable, auth: AuthStore): void {
  const on = (path: string, method: string, h: (p: Params) => Promise<Json>) => {
    const handler: Handler = async (req) => h(await readParams(req));
    table.set(path, { ...table.get(path), [method]: handler });
  };
  const empty = {};

  table.set('/users/create', {
    POST: async (req) => {
      // MLflow also takes the sign-up page's form; mlf serves no UI, so JSON only.
      const ct = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (ct !== 'application/json') {
        throw new MlfError('Invalid content type. Must be one of: application/x-www-form-urlencoded, application/json', 'BAD_REQUEST');
      }
      const p = await readParams(req);
      return { user: await auth.createUser(text(p, 'username'), text(p, 'password')) };
    },
  });
  on('/users/get', 'GET', async (p) => ({ user: await auth.getUser(text(p, 'username')) }));
  on('/users/update-password', 'PATCH', async (p) => {
    await auth.updateUser(text(p, 'username'), { password: text(p, 'password') });
    return empty;
  });
  on('/users/update-admin', 'PATCH', async (p) => {
    await auth.updateUser(text(p, 'username'), { isAdmin: bool(p, 'is_admin') });
    return empty;
  });
  on('/users/delete', 'DELETE', async (p) => {
    await auth.deleteUser(text(p, 'username'));
    return empty;
  });

  on('/experiments/permissions/create', 'POST', async (p) => ({
    experiment_permission: await auth.createExperimentPermission(text(p, 'experiment_id'), text(p, 'username'), text(p, 'permission')),
  }));
  on('/experiments/permissions/get', 'GET', async (p) => ({
    experiment_permission: await auth.getExperimentPermission(text(p, 'experiment_id'), text(p, 'username')),
  }));
  on('/experiments/permissions/update', 'PATCH', async (p) => {
    await auth.updateExperimentPermission(text(p, 'experiment_id'), text(p, 'username'), text(p, 'permission'));
    return empty;
  });
  on('/experiments/permissions/delete', 'DELETE', async (p) => {
    await auth.deleteExperimentPermission(text(p, 'experiment_id'), text(p, 'username'));
    return empty;
  });

  on('/registered-models/permissions/create', 'POST', async (p) => ({
    registered_model_permission: await auth.createRegisteredModelPermission(text(p, 'name'), text(p, 'username'), text(p, 'permission')),
  }));
  on('/registered-models/permissions/get', 'GET', async (p) => ({
    registered_model_permission: await auth.getRegisteredModelPermission(text(p, 'name'), text(p, 'username')),
  }));
  on('/registered-models/permissions/update', 'PATCH', async (p) => {
    await auth.updateRegisteredModelPermission(text(p, 'name'), text(p, 'username'), text(p, 'permission'));
    return empty;
  });
  on('/registered-models/permissions/delete', 'DELETE', async (p) => {
    await auth.deleteRegisteredModelPermission(text(p, 'name'), text(p, 'username'));
    return empty;
  });
}
