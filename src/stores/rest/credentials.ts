/**
 * Host credentials for the HTTP store, as MLflow's client finds them:
 * - `http(s)://` URIs: `get_default_host_creds` (`mlflow/utils/credentials.py`, `rest_utils.py`);
 * - `databricks` / `databricks://<profile>`: the legacy-provider path of `get_databricks_host_creds`
 *   (`mlflow/utils/databricks_utils.py`), i.e. environment variables, then `~/.databrickscfg`.
 *
 * MLflow would first try the Databricks SDK, which adds OAuth (client id/secret, `databricks auth
 * login`) and cloud-native auth. mlf has no SDK, so those configurations get a clear error rather than
 * an unauthenticated request. The legacy `databricks://<scope>:<prefix>` form reads dbutils secrets,
 * which exist only inside a Databricks runtime, so it is refused outside one with a message saying so.
 *
 * @example
 * defaultHostCreds('http://mlflow:5000')                // env MLFLOW_TRACKING_* → HostCreds
 * databricksHostCreds({ kind: 'databricks', profile: 'prod', uri: 'databricks://prod' })
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';
import type { DatabricksStoreUri } from '../../tracking/uri.js';
import type { HostCreds } from './http-client.js';
import { envBool } from './retry-policy.js';

export interface CredentialSources {
  env?: NodeJS.ProcessEnv;
  /** Home folder for `~/.mlflow/credentials` and `~/.databrickscfg`. */
  home?: string;
}

/** An INI file as Python's configparser reads it: keys lower-cased, `[DEFAULT]` inherited by every section. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\uFEFF/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      lastKey = undefined;
      continue;
    }
    // configparser: an indented line continues the previous value.
    if (/^\s/.test(line) && current && lastKey !== undefined) {
      current.set(lastKey, `${current.get(lastKey)}\n${trimmed}`);
      continue;
    }
    const sec = /^\[(.+)\]$/.exec(trimmed);
    if (sec) {
      const name = sec[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = undefined;
      continue;
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (m && current) {
      lastKey = m[1]!.toLowerCase();
      current.set(lastKey, m[2]!);
    }
  }
  const defaults = sections.get('DEFAULT');
  if (defaults) {
    for (const [name, s] of sections) {
      if (name === 'DEFAULT') continue;
      for (const [k, v] of defaults) if (!s.has(k)) s.set(k, v);
    }
  }
  return sections;
}

function readIni(file: string): Map<string, Map<string, string>> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseIni(text);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/**
 * MLflow's `get_default_host_creds(uri)`: `MLFLOW_TRACKING_USERNAME`/`PASSWORD` (each falling back to
 * `~/.mlflow/credentials` `[mlflow]`), `MLFLOW_TRACKING_TOKEN`, the TLS variables. User info written
 * in the URI itself (`http://me:pw@host`) is used for Basic auth when no username/password is
 * configured, as `requests` does.
 */
export function defaultHostCreds(uri: string, src: CredentialSources = {}): HostCreds {
  const env = src.env ?? process.env;
  if (envBool(env, 'MLFLOW_TRACKING_AWS_SIGV4', false)) {
    throw new MlfError('MLFLOW_TRACKING_AWS_SIGV4 is not supported by mlf: AWS SigV4 request signing needs MLflow\'s Python client.', 'FEATURE_DISABLED');
  }
  if (nonEmpty(env.MLFLOW_TRACKING_AUTH)) {
    throw new MlfError(
      `MLFLOW_TRACKING_AUTH='${env.MLFLOW_TRACKING_AUTH}' is not supported by mlf: request auth plugins are Python packages. Use MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN.`,
      'FEATURE_DISABLED',
    );
  }
  const u = new URL(uri);
  const host = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  let username = nonEmpty(env.MLFLOW_TRACKING_USERNAME);
  let password = nonEmpty(env.MLFLOW_TRACKING_PASSWORD);
  if (!username || !password) {
    const file = readIni(path.join(src.home ?? os.homedir(), '.mlflow', 'credentials'))?.get('mlflow');
    username ??= nonEmpty(file?.get('mlflow_tracking_username'));
    password ??= nonEmpty(file?.get('mlflow_tracking_password'));
  }
  if (!username && !password && u.username) {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  }
  return {
    host,
    username,
    password,
    token: nonEmpty(env.MLFLOW_TRACKING_TOKEN),
    ignoreTlsVerification: envBool(env, 'MLFLOW_TRACKING_INSECURE_TLS', false),
    serverCertPath: nonEmpty(env.MLFLOW_TRACKING_SERVER_CERT_PATH),
    clientCertPath: nonEmpty(env.MLFLOW_TRACKING_CLIENT_CERT_PATH),
  };
}

/** One Databricks configuration (`DatabricksConfig` of the legacy Databricks CLI). */
export interface DatabricksConfig {
  host?: string;
  token?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  authType?: string;
  insecure?: string;
}

function isValid(c: DatabricksConfig | undefined): c is DatabricksConfig & { host: string } {
  if (!c?.host) return false;
  return !!(c.token || (c.username && c.password) || (c.clientId && c.clientSecret) || c.authType === 'databricks-cli');
}

function envConfig(env: NodeJS.ProcessEnv): DatabricksConfig {
  return {
    host: nonEmpty(env.DATABRICKS_HOST),
    token: nonEmpty(env.DATABRICKS_TOKEN),
    username: nonEmpty(env.DATABRICKS_USERNAME),
    password: nonEmpty(env.DATABRICKS_PASSWORD),
    clientId: nonEmpty(env.DATABRICKS_CLIENT_ID),
    clientSecret: nonEmpty(env.DATABRICKS_CLIENT_SECRET),
    insecure: nonEmpty(env.DATABRICKS_INSECURE),
  };
}

/** `~/.databrickscfg` (or `$DATABRICKS_CONFIG_FILE`), one profile section. */
function profileConfig(profile: string, src: CredentialSources): DatabricksConfig | undefined {
  const env = src.env ?? process.env;
  const file = nonEmpty(env.DATABRICKS_CONFIG_FILE) ?? path.join(src.home ?? os.homedir(), '.databrickscfg');
  const s = readIni(file)?.get(profile);
  if (!s) return undefined;
  return {
    host: nonEmpty(s.get('host')),
    token: nonEmpty(s.get('token')),
    username: nonEmpty(s.get('username')),
    password: nonEmpty(s.get('password')),
    clientId: nonEmpty(s.get('client_id')),
    clientSecret: nonEmpty(s.get('client_secret')),
    authType: nonEmpty(s.get('auth_type')),
    insecure: nonEmpty(s.get('insecure')),
  };
}

/** MLflow's `_fail_malformed_databricks_auth` (mlf names the URI where MLflow 2.17 prints the profile). */
function failMalformed(uri: string): MlfError {
  return new MlfError(
    `Reading databricks credential configuration failed with MLflow tracking URI '${uri}', Please ensure that you installed 'databricks-sdk' library, set correct tracking URI and set up databricks authentication configuration correctly. The available tracking URI can be either 'databricks' (using 'DEFAULT' authentication profile) or 'databricks://{profile}'. To set up databricks authentication configuration, you can set environmental variables DATABRICKS_HOST + DATABRICKS_TOKEN, or set environmental variables DATABRICKS_HOST + DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET, or you can edit '~/.databrickscfg' file to set host + token or host + client_id + client_secret for specific profile section, or you can log in by command 'databricks auth login' which configures an authentication profile in '~/.databrickscfg' with auth_type of 'databricks-cli'. For details of these authentication types, please refer to document 'https://docs.databricks.com/en/dev-tools/auth/index.html#unified-auth'.`,
    'INTERNAL_ERROR',
  );
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(true|1|yes|on)$/i.test(v.trim());
}

/**
 * The Databricks workspace and credentials for a `databricks` tracking URI: `databricks://<profile>`
 * reads only that profile; `databricks` reads `DATABRICKS_*` variables, then the profile named by
 * `DATABRICKS_CONFIG_PROFILE`, else `DEFAULT`.
 */
export function databricksHostCreds(parsed: DatabricksStoreUri, src: CredentialSources = {}): HostCreds {
  const env = src.env ?? process.env;
  if (parsed.scope !== undefined) {
    throw new MlfError(
      `The tracking URI '${parsed.uri}' reads the workspace host and token from Databricks secrets (scope '${parsed.scope}', keys '${parsed.keyPrefix}-host' and '${parsed.keyPrefix}-token'), which only exist inside a Databricks runtime. Outside Databricks use 'databricks://<profile>' with a profile in ~/.databrickscfg, or 'databricks' with DATABRICKS_HOST and DATABRICKS_TOKEN.`,
      'FEATURE_DISABLED',
    );
  }
  let config: DatabricksConfig | undefined;
  if (parsed.profile !== undefined) {
    config = profileConfig(parsed.profile, src);
  } else {
    const fromEnv = envConfig(env);
    // DATABRICKS_CONFIG_PROFILE is how the Databricks SDK (which MLflow tries first) picks a profile.
    config = isValid(fromEnv) ? fromEnv : profileConfig(nonEmpty(env.DATABRICKS_CONFIG_PROFILE) ?? 'DEFAULT', src);
  }
  if (!isValid(config)) throw failMalformed(parsed.uri);
  if (!config.token && !(config.username && config.password)) {
    // Valid for MLflow only through the Databricks SDK, which mlf does not have.
    const how =
      config.clientId && config.clientSecret
        ? 'OAuth machine-to-machine credentials (client_id/client_secret)'
        : "a 'databricks auth login' profile (auth_type = databricks-cli)";
    throw new MlfError(
      `The Databricks configuration for '${parsed.uri}' uses ${how}, which needs the Databricks SDK; mlf cannot use it. Configure a personal access token instead (DATABRICKS_HOST + DATABRICKS_TOKEN, or host + token in ~/.databrickscfg).`,
      'CUSTOMER_UNAUTHORIZED',
    );
  }
  // The SDK accepts a bare workspace name; requests need a scheme.
  const host = (/^https?:\/\//i.test(config.host) ? config.host : `https://${config.host}`).replace(/\/+$/, '');
  return {
    host,
    // Basic wins over the token when both are configured, as in MLflow's `http_request`.
    token: config.token,
    username: config.username,
    password: config.password,
    ignoreTlsVerification: truthy(config.insecure),
  };
}
