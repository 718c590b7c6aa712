/**
 * The basic-auth app's settings, read as MLflow's `read_auth_config` reads them: the INI file named by
 * `MLFLOW_AUTH_CONFIG_PATH`, else the built-in `basic_auth.ini` (whose values are the defaults below),
 * section `[mlflow]`. A missing file or key is one clear error line (the server then refuses to start).
 *
 * @example
 * // basic_auth.ini
 * // [mlflow]
 * // default_permission = READ
 * // database_uri = sqlite:///basic_auth.db
 * // admin_username = admin
 * // admin_password = password1234
 * const cfg = readAuthConfig(); // { defaultPermission: 'READ', databaseUri: 'sqlite:///basic_auth.db', ... }
 */
import fs from 'node:fs';
import { MlfError } from '../../lib/errors.js';
import { parseIni } from '../../stores/rest/credentials.js';
import { isPermissionName, PERMISSION_NAMES, type PermissionName } from './permissions.js';

export interface AuthConfig {
  defaultPermission: PermissionName;
  databaseUri: string;
  adminUsername: string;
  /** Only used to create the admin at first start; never logged. */
  adminPassword: string;
  authorizationFunction: string;
  /** Where the settings came from (a path, or `built-in`), for messages. */
  source: string;
}

/** MLflow's own `basic_auth.ini`, used when MLFLOW_AUTH_CONFIG_PATH is unset. */
export const BUILT_IN_AUTH_INI = `[mlflow]
default_permission = READ
database_uri = sqlite:///basic_auth.db
admin_username = admin
admin_password = password
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
`;

/** The only authorization function mlf implements: HTTP Basic against the auth database. */
export const BASIC_AUTH_FUNCTION = 'mlflow.server.auth:authenticate_request_basic_auth';

const REQUIRED = ['default_permission', 'database_uri', 'admin_username', 'admin_password'] as const;

export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const file = env.MLFLOW_AUTH_CONFIG_PATH;
  let text = BUILT_IN_AUTH_INI;
  if (file) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new MlfError(`Cannot read the auth config file '${file}' (MLFLOW_AUTH_CONFIG_PATH): ${(e as NodeJS.ErrnoException).code ?? e}`, 'INVALID_PARAMETER_VALUE', 1);
    }
  }
  return parseAuthConfig(text, file ?? 'built-in');
}

export function parseAuthConfig(text: string, source: string): AuthConfig {
  const bad = (why: string) => new MlfError(`Invalid auth config '${source}': ${why}`, 'INVALID_PARAMETER_VALUE', 1);
  const section = parseIni(text).get('mlflow');
  if (!section) throw bad('no [mlflow] section');
  for (const key of REQUIRED) if (!section.get(key)?.trim()) throw bad(`missing '${key}' in [mlflow]`);
  const defaultPermission = section.get('default_permission')!.trim();
  if (!isPermissionName(defaultPermission)) {
    throw bad(`default_permission '${defaultPermission}' is not one of ${PERMISSION_NAMES.join(', ')}`);
  }
  const authorizationFunction = section.get('authorization_function')?.trim() || BASIC_AUTH_FUNCTION;
  if (authorizationFunction !== BASIC_AUTH_FUNCTION) {
    // A Python import path cannot run here; refusing is safer than serving without the intended check.
    throw bad(`authorization_function '${authorizationFunction}' is not supported (only ${BASIC_AUTH_FUNCTION})`);
  }
  return {
    defaultPermission,
    databaseUri: section.get('database_uri')!.trim(),
    adminUsername: section.get('admin_username')!.trim(),
    adminPassword: section.get('admin_password')!,
    authorizationFunction,
    source,
  };
}
