/**
 * Host and origin checks, as MLflow 3's security middleware (mlflow/server/security.py,
 * security_utils.py):
 * - `Host` must match an allowed pattern (DNS-rebinding protection), else 403 "Invalid Host header -
 *   possible DNS rebinding attack detected"; `/health` and `/version` are exempt; `*` allows all.
 *   Default: localhost forms (any port), the private address ranges, and the address the server is
 *   bound to.
 * - On the API, a state-changing request (POST, PUT, DELETE, PATCH) from an Origin that is neither
 *   localhost nor allowed is refused (403 "Cross-origin request blocked"); allowed origins (and
 *   localhost) get CORS headers with credentials, and a preflight (OPTIONS) is answered 204.
 * Patterns use fnmatch's `*` and `?`. Env: MLFLOW_SERVER_ALLOWED_HOSTS, MLFLOW_SERVER_CORS_ALLOWED_ORIGINS,
 * MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE, MLFLOW_SERVER_X_FRAME_OPTIONS.
 *
 * @example
 * const layer = securityLayer({ allowedHosts: ['mlflow.example.com'], corsAllowedOrigins: ['https://app.example.com'] }, logger);
 */
import type { Middleware } from '../app.js';
import type { Reply, Req } from '../http.js';
import type { Logger } from '../logger.js';

export const INVALID_HOST_MESSAGE = 'Invalid Host header - possible DNS rebinding attack detected';
export const CORS_BLOCKED_MESSAGE = 'Cross-origin request blocked';

const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const HEALTH = new Set(['/health', '/version']);
const LOCALHOSTS = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'];
const CORS_LOCALHOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const LOCALHOST_ORIGIN = [/^http:\/\/localhost(:[0-9]+)?$/, /^http:\/\/127\.0\.0\.1(:[0-9]+)?$/, /^http:\/\/\[::1\](:[0-9]+)?$/];
const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS, PATCH';

export interface SecurityOptions {
  /** Host patterns; undefined: the defaults (plus `boundHost`). */
  allowedHosts?: string[];
  /** Allowed CORS origins (patterns); undefined or empty: same-origin and localhost only. */
  corsAllowedOrigins?: string[];
  /** The address the server listens on, allowed as a Host by default. */
  boundHost?: string;
  /** `X-Frame-Options` value; default SAMEORIGIN; NONE sends none. */
  xFrameOptions?: string;
}

/** A comma-separated list as MLflow splits it (blank items dropped). */
export function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Each pattern's expression, made once: every request's Host is checked against the list. */
const patternCache = new Map<string, RegExp>();

/** Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*`, `?` and `[...]` classes. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = patternRegExp(pattern);
    if (patternCache.size < 1000) patternCache.set(pattern, re);
  }
  return re.test(name);
}

function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function matches(value: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.includes('*') ? fnmatch(value, p) : value === p));
}

/** MLflow's default host patterns, plus the bound address (unless it is a wildcard address). */
export function defaultAllowedHosts(boundHost?: string): string[] {
  const out: string[] = [];
  for (const h of LOCALHOSTS) out.push(h, `${h.startsWith('[') ? h.replace('[', '[[]') : h}:*`);
  out.push('192.168.*', '10.*');
  for (let i = 16; i < 32; i++) out.push(`172.${i}.*`);
  out.push('fc00:*', 'fd00:*');
  if (boundHost && boundHost !== '0.0.0.0' && boundHost !== '::' && !LOCALHOSTS.includes(boundHost)) {
    const h = boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
    out.push(h, `${h.replace('[', '[[]')}:*`);
  }
  return out;
}

function isLocalhostOrigin(origin: string): boolean {
  try {
    const host = new URL(origin).hostname;
    return CORS_LOCALHOSTS.has(host);
  } catch {
    return false;
  }
}

const isApi = (path: string) => path.startsWith('/api/') || path.startsWith('/ajax-api/');

function text(status: number, body: string): Reply {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body };
}

export function securityLayer(opts: SecurityOptions, logger: Logger): Middleware {
  const hosts = opts.allowedHosts?.length ? opts.allowedHosts : defaultAllowedHosts(opts.boundHost);
  const checkHosts = !hosts.includes('*');
  const origins = opts.corsAllowedOrigins ?? [];
  const anyOrigin = origins.includes('*');
  const xfo = (opts.xFrameOptions ?? 'SAMEORIGIN').toUpperCase();
  const corsAllowed = (origin: string) => anyOrigin || matches(origin, origins) || LOCALHOST_ORIGIN.some((r) => r.test(origin));

  const fixed: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
  if (xfo !== 'NONE') fixed['X-Frame-Options'] = xfo;
  // Replies mostly share a few frozen header objects (JSON, text): their decorated copies are made once.
  const decorated = new WeakMap<object, Record<string, string>>();
  const NO_HEADERS = Object.freeze({});

  const decorate = (req: Req, reply: Reply, origin: string | undefined): Reply => {
    const base = reply.headers ?? NO_HEADERS;
    const cors = origin !== undefined && corsAllowed(origin);
    if (!cors && Object.isFrozen(base)) {
      let h = decorated.get(base);
      if (!h) decorated.set(base, (h = Object.freeze({ ...base, ...fixed }) as Record<string, string>));
      return { ...reply, headers: h };
    }
    const headers: Record<string, string> = { ...base, ...fixed };
    if (cors && origin) {
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Allow-Credentials'] = 'true';
      headers.Vary = headers.Vary ? `${headers.Vary}, Origin` : 'Origin';
      if (req.method === 'OPTIONS') {
        headers['Access-Control-Allow-Methods'] = CORS_METHODS;
        const asked = req.header('access-control-request-headers');
        if (asked) headers['Access-Control-Allow-Headers'] = asked;
      }
    }
    return { ...reply, headers };
  };

  return async (req, next) => {
    if (checkHosts && !HEALTH.has(req.path)) {
      const host = req.header('host');
      if (!host || !matches(host, hosts)) {
        logger.warning(`Rejected request with invalid Host header: ${JSON.stringify(host ?? '')}`);
        return decorate(req, text(403, INVALID_HOST_MESSAGE), undefined);
      }
    }
    const origin = req.header('origin');
    if (isApi(req.path)) {
      if (origin && !anyOrigin && STATE_CHANGING.has(req.method) && !isLocalhostOrigin(origin) && !matches(origin, origins)) {
        logger.warning(`Blocked cross-origin request from ${origin}`);
        return decorate(req, text(403, CORS_BLOCKED_MESSAGE), undefined);
      }
      // A preflight carries no credentials: answer it here, before sign-in.
      if (req.method === 'OPTIONS') return decorate(req, { status: 204 }, origin);
    }
    return decorate(req, await next(req), origin);
  };
}
