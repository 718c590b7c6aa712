/**
 * Tracking and database URIs, parsed once for every store, the server and the CLI.
 *
 * @example
 * parseStoreUri('postgresql+psycopg2://me:s%40cret@db:5432/mlflow?sslmode=require')
 * // { kind: 'sql', dialect: 'postgresql', driver: 'psycopg2', user: 'me', password: 's@cret', ... }
 * maskUri('mysql://root:hunter2@localhost/mlflow') // 'mysql://root:***@localhost/mlflow'
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlfError } from '../lib/errors.js';

export const DATABASE_ENGINES = ['postgresql', 'mysql', 'sqlite', 'mssql'] as const;
export type SqlDialectName = (typeof DATABASE_ENGINES)[number];

export const DEFAULT_TRACKING_URI = './mlruns';

export interface FileStoreUri {
  kind: 'file';
  /** Absolute path of the mlruns root. */
  root: string;
  uri: string;
}

export interface SqlStoreUri {
  kind: 'sql';
  dialect: SqlDialectName;
  /** The `+driver` suffix as written (`psycopg2`, `pymysql`, ...); mlf serves each dialect with one driver. */
  driver?: string;
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  database?: string;
  /** Query-string options (`sslmode`, `charset`, `host` for a unix socket, ...). */
  options: Record<string, string>;
  /** SQLite only: an absolute file path, or `:memory:`. */
  sqlitePath?: string;
  uri: string;
}

export interface RestStoreUri {
  kind: 'rest';
  /** `http(s)://host:port[/prefix]`, without a trailing slash. */
  baseUrl: string;
  uri: string;
}

export interface DatabricksStoreUri {
  kind: 'databricks';
  profile?: string;
  /** Legacy `databricks://<scope>:<key_prefix>` form. */
  scope?: string;
  keyPrefix?: string;
  uri: string;
}

export type StoreUri = FileStoreUri | SqlStoreUri | RestStoreUri | DatabricksStoreUri;

let globalTrackingUri: string | undefined;

/** Sets the tracking URI for this process and its children (as MLflow's `set_tracking_uri` does). */
export function setTrackingUri(uri: string | undefined): void {
  globalTrackingUri = uri || undefined;
  if (uri) process.env.MLFLOW_TRACKING_URI = uri;
  else delete process.env.MLFLOW_TRACKING_URI;
}

/**
 * The tracking URI in MLflow's order: an explicit value (a `--tracking-uri` flag), then
 * `setTrackingUri()`, then `MLFLOW_TRACKING_URI`, then `./mlruns`.
 */
export function getTrackingUri(explicit?: string): string {
  if (explicit) return explicit;
  if (globalTrackingUri) return globalTrackingUri;
  const env = process.env.MLFLOW_TRACKING_URI;
  if (env) return env;
  return DEFAULT_TRACKING_URI;
}

/** The scheme of a URI, or '' for a plain path (Windows drive letters count as paths). */
export function uriScheme(uri: string): string {
  if (uri === 'databricks' || uri === 'databricks-uc' || uri === 'uc') return uri;
  // RFC 3986 schemes have no `_`, but SQLAlchemy driver names may (`oracle+cx_oracle://`): such a
  // string is still meant as a URI, so it gets a URI's error rather than becoming a folder name.
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri) ?? /^([a-zA-Z][a-zA-Z0-9+._-]*):\/\//.exec(uri);
  if (!m) return '';
  if (m[1]!.length === 1) return ''; // C:\path
  return m[1]!.toLowerCase();
}

function decode(s: string | undefined): string | undefined {
  if (s === undefined || s === '') return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parse any tracking/backend-store URI. Relative paths are resolved against `cwd`. */
export function parseStoreUri(uri: string, cwd: string = process.cwd()): StoreUri {
  const scheme = uriScheme(uri);
  if (scheme === '') return { kind: 'file', root: path.resolve(cwd, uri), uri };
  if (scheme === 'file') return { kind: 'file', root: fileUriToPath(uri, cwd), uri };
  if (scheme === 'http' || scheme === 'https') {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new MlfError(`Invalid tracking URI: '${maskUri(uri)}'`, 'INVALID_PARAMETER_VALUE');
    }
    const base = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    return { kind: 'rest', baseUrl: base, uri };
  }
  if (scheme === 'databricks') return parseDatabricksUri(uri);
  if (scheme === 'databricks-uc' || scheme === 'uc') {
    throw new MlfError(
      'Setting the tracking URI to a Unity Catalog backend is not supported in the current version of the MLflow client. Please specify a different tracking URI.',
      'INVALID_PARAMETER_VALUE',
    );
  }
  const dbType = scheme.split('+')[0]!;
  if ((DATABASE_ENGINES as readonly string[]).some((e) => dbType.startsWith(e)) || scheme.includes('+')) {
    return parseDbUri(uri, cwd);
  }
  throw new MlfError(
    `Unexpected URI scheme '${scheme}' for tracking URI '${maskUri(uri)}'. Supported schemes: file (or a plain path), sqlite, postgresql, mysql, mssql, http, https, databricks.`,
    'INVALID_PARAMETER_VALUE',
  );
}

/** `file:` URI → absolute path. `file:///abs`, `file:/abs`, `file://localhost/abs` and relative `file:rel`. */
export function fileUriToPath(uri: string, cwd: string = process.cwd()): string {
  const rest = uri.slice('file:'.length);
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    if (host && host !== '.' && !host.startsWith('localhost') && !host.startsWith('127.0.0.1')) {
      throw new MlfError(
        `${uri} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    if (host === '.') return path.resolve(cwd, decodeURIComponent(slash === -1 ? '' : rest.slice(slash + 1)));
    return fileURLToPath('file://' + (slash === -1 ? '/' : rest.slice(slash)));
  }
  return path.resolve(cwd, decodeURIComponent(rest));
}

/** Absolute path → `file://` URI (as MLflow's `path_to_local_file_uri`). */
export function pathToFileUri(p: string): string {
  return 'file://' + encodeURI(path.resolve(p)).replace(/[?#]/g, encodeURIComponent);
}

function parseDatabricksUri(uri: string): DatabricksStoreUri {
  if (uri === 'databricks') return { kind: 'databricks', uri };
  const m = /^databricks:\/\/([^/]*)\/?$/.exec(uri);
  if (!m || !m[1]) throw new MlfError('URI is formatted incorrectly: no netloc in URI', 'INVALID_PARAMETER_VALUE');
  const netloc = m[1];
  const bad = (s: string) => /[/: ]/.test(s);
  if (netloc.includes(':')) {
    const [scope, prefix] = netloc.split(':', 2) as [string, string];
    if (!scope || !prefix || bad(scope) || bad(prefix)) {
      throw new MlfError(`Unsupported Databricks profile name or key prefix: '${netloc}'.`, 'INVALID_PARAMETER_VALUE');
    }
    return { kind: 'databricks', scope, keyPrefix: prefix, uri };
  }
  if (bad(netloc)) throw new MlfError(`Unsupported Databricks profile name: '${netloc}'.`, 'INVALID_PARAMETER_VALUE');
  return { kind: 'databricks', profile: netloc, uri };
}

const INVALID_DB_URI = (uri: string) =>
  new MlfError(
    `Invalid database URI: '${maskUri(uri)}'. Please refer to https://mlflow.org/docs/latest/tracking.html#storage for format specifications.`,
    'INVALID_PARAMETER_VALUE',
  );

/** Parse a SQLAlchemy-style database URI: `<dialect>[+<driver>]://user:pass@host:port/db?opts`. */
export function parseDbUri(uri: string, cwd: string = process.cwd()): SqlStoreUri {
  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon).toLowerCase();
  const parts = scheme.split('+');
  if (parts.length > 2) throw INVALID_DB_URI(uri);
  const dialect = parts[0]!;
  if (!(DATABASE_ENGINES as readonly string[]).includes(dialect)) {
    throw new MlfError(
      `Invalid database engine: '${dialect}'. 'Supported database engines are {postgresql, mysql, sqlite, mssql}'`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  const driver = parts[1] || undefined;
  const after = uri.slice(colon + 1);
  if (!after.startsWith('//')) throw INVALID_DB_URI(uri);
  const body = after.slice(2);
  const q = body.indexOf('?');
  const main = q === -1 ? body : body.slice(0, q);
  const options: Record<string, string> = {};
  if (q !== -1) {
    for (const [k, v] of new URLSearchParams(body.slice(q + 1))) options[k] = v;
  }
  if (dialect === 'sqlite') {
    // SQLAlchemy: sqlite:// is in memory, sqlite:///rel.db is relative, sqlite:////abs.db is absolute.
    const slash = main.indexOf('/');
    // SQLAlchemy refuses a host: sqlite://relative.db would otherwise be an in-memory database.
    if ((slash === -1 ? main : main.slice(0, slash)) !== '') {
      throw new MlfError(
        `Invalid SQLite URL: ${maskUri(uri)}. Valid SQLite URL forms are: sqlite:///:memory: (or, sqlite://), sqlite:///relative/path/to/file.db, sqlite:////absolute/path/to/file.db`,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const p = slash === -1 ? '' : decodeURIComponent(main.slice(slash + 1));
    const sqlitePath = p === '' || p === ':memory:' ? ':memory:' : path.resolve(cwd, p);
    return { kind: 'sql', dialect: 'sqlite', driver, options, sqlitePath, uri };
  }
  const slash = main.indexOf('/');
  const authority = slash === -1 ? main : main.slice(0, slash);
  const database = decode(slash === -1 ? undefined : main.slice(slash + 1));
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at);
  const hostport = at === -1 ? authority : authority.slice(at + 1);
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo) {
    const c = userinfo.indexOf(':');
    user = decode(c === -1 ? userinfo : userinfo.slice(0, c));
    password = c === -1 ? undefined : (decode(userinfo.slice(c + 1)) ?? '');
  }
  let host: string | undefined = hostport;
  let port: number | undefined;
  const pm = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!pm) throw INVALID_DB_URI(uri);
  host = decode(pm[1]!.replace(/^\[|\]$/g, ''));
  if (pm[2]) port = Number(pm[2]);
  return { kind: 'sql', dialect: dialect as SqlDialectName, driver, user, password, host, port, database, options, uri };
}

/**
 * The URI with its password (and any `password=`/`pwd=` option) replaced by `***`, safe to print.
 * Works on any string that may hold URIs, e.g. an error message from a driver.
 */
export function maskUri(text: string): string {
  return maskUserinfoPasswords(text).replace(/([?&;](?:password|pwd|token)=)[^&;\s]*/gi, '$1***');
}

const isSchemeChar = (c: string) => /[a-zA-Z0-9+.-]/.test(c);

/**
 * `scheme://user:password@` → `scheme://user:***@`, in one pass: each `://` is looked at once and
 * every scan stops at the next delimiter. (A regex with the scheme pattern in front retried from
 * every character, which took tens of seconds on a 100 kB message without any URI in it.)
 */
function maskUserinfoPasswords(text: string): string {
  let out = '';
  let copied = 0;
  let from = 0;
  for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', from)) {
    from = i + 3;
    // The scheme: scheme characters right before `://`, at least one a letter (where it starts).
    let b = i;
    let letter = false;
    while (b > 0 && isSchemeChar(text[b - 1]!)) {
      b--;
      if (/[a-zA-Z]/.test(text[b]!)) letter = true;
    }
    if (!letter) continue;
    let colon = from;
    while (colon < text.length && !/[:/?#@\s]/.test(text[colon]!)) colon++;
    if (text[colon] !== ':') continue;
    let at = colon + 1;
    while (at < text.length && !/[@/\s]/.test(text[at]!)) at++;
    if (text[at] !== '@') continue;
    out += text.slice(copied, colon + 1) + '***@';
    copied = from = at + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
