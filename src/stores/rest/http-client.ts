/**
 * The HTTP side of MLflow's REST client (`mlflow/utils/rest_utils.py` + the urllib3 `Retry` it
 * configures), on node:http/https with one keep-alive agent per store. `fetch` was measured at about
 * a millisecond more per request here, which is most of a small request.
 *
 * What it keeps from MLflow:
 * - GET requests carry their fields as a query string (lists as repeated keys), everything else as
 *   a JSON body; paths are `/api/2.0/mlflow/...` under the host.
 * - Basic auth when a username and password are set, else a Bearer token.
 * - Retries on 408/429/500/502/503/504, on connection errors and on timeouts, at most
 *   `MLFLOW_HTTP_REQUEST_MAX_RETRIES` times, sleeping as urllib3 does: nothing before the first
 *   retry, then `factor * 2^(n-1)` plus up to `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER` seconds, capped at
 *   120 s; a `Retry-After` header on 413/429/503 replaces the back-off unless
 *   `MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER=false`.
 * - A JSON error body becomes an `MlfError` with the body's `error_code`; any other failure is
 *   MLflow's "API request to endpoint … failed with error code …" with the code mapped from the status.
 *
 * Where it differs on purpose:
 * - The error message is the server's message as it is; MLflow's Python `RestException` prefixes it
 *   with `"<ERROR_CODE>: "`. mlf prints the same line for a local and a remote store.
 * - A 500 whose JSON body names a definite MLflow error (e.g. `INVALID_STATE`, which MLflow's server
 *   sends as 500) is not retried, and when retries run out on a JSON error body that error is raised.
 *   MLflow retries both for a minute and then reports only "too many 500 error responses".
 * - A `Retry-After` longer than 120 s is cut to 120 s, so a misbehaving proxy cannot hang a client.
 * - Non-JSON response bodies in messages are cut to 1000 characters on one line.
 *
 * No password or token ever reaches a message: URLs are built from the host without user info, and
 * headers are never printed.
 *
 * The retry policy (environment, back-off) is in retry-policy.ts and the mapping of an answer to an
 * `MlfError` in http-errors.ts; both are re-exported here.
 *
 * @example
 * const client = new HttpClient({ host: 'http://127.0.0.1:5000' }, retryPolicyFromEnv());
 * const { experiment } = await client.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' });
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { MlfError, invalidParameter as invalid } from '../../lib/errors.js';
import type { Json } from '../../tracking/entities.js';
import { bodyForMessage, errorCodeForStatus, parseJsonObject, restError } from './http-errors.js';
import {
  BACKOFF_MAX_S,
  RETRY_AFTER_CODES,
  RETRY_CODES,
  TRANSIENT_500_CODES,
  backoffSeconds,
  parseRetryAfter,
  totalBackoffSeconds,
  type RetryPolicy,
} from './retry-policy.js';

export type { Json };

/** MLflow's `MlflowHostCreds`: where to send requests and how to authenticate. */
export interface HostCreds {
  /** `http(s)://host[:port][/prefix]`, no trailing slash, no user info. */
  host: string;
  username?: string;
  password?: string;
  token?: string;
  /** `MLFLOW_TRACKING_INSECURE_TLS`: do not verify the server's certificate. */
  ignoreTlsVerification?: boolean;
  /** `MLFLOW_TRACKING_SERVER_CERT_PATH`: a CA bundle (PEM) to verify the server with. */
  serverCertPath?: string;
  /** `MLFLOW_TRACKING_CLIENT_CERT_PATH`: a PEM file with the client certificate and its key. */
  clientCertPath?: string;
}

// The policy and error helpers live in their own files; callers keep importing them from here.
export { errorCodeForStatus } from './http-errors.js';
export { RETRY_CODES, backoffSeconds, envBool, parseRetryAfter, retryPolicyFromEnv, totalBackoffSeconds, type RetryPolicy } from './retry-policy.js';

/** `fields` as MLflow's `requests` call sends GET params: lists repeated, unset fields left out. */
export function toQueryString(fields: Json | undefined): string {
  if (!fields) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
    else if (typeof v === 'boolean') q.append(k, v ? 'True' : 'False');
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

class TimeoutError extends Error {}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HttpClientOptions {
  /** Extra headers sent with every request (never printed). */
  headers?: Record<string, string>;
  /** Random source for jitter (tests). */
  random?: () => number;
  /**
   * Told once per client, at the first failure that will be retried, so a user is not left in a
   * minute of silence (default: a `Warning:` line on stderr).
   */
  onRetrying?: (message: string) => void;
}


/**
 * One store's HTTP connection: a keep-alive agent, the auth header, the retry policy.
 * `call` returns the parsed JSON object of a 200 answer or throws an `MlfError`.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private toldRetrying = false;

  constructor(
    readonly creds: HostCreds,
    readonly policy: RetryPolicy,
    private readonly opts: HttpClientOptions = {},
  ) {
    if (!creds.host) throw invalid('host is a required parameter for MlflowHostCreds');
    if (creds.ignoreTlsVerification && creds.serverCertPath !== undefined) {
      throw invalid(
        "When 'ignore_tls_verification' is true then 'server_cert_path' must not be set! This error may have occurred because the 'MLFLOW_TRACKING_INSECURE_TLS' and 'MLFLOW_TRACKING_SERVER_CERT_PATH' environment variables are both set - only one of these environment variables may be set.",
      );
    }
    this.base = new URL(creds.host);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    const isHttps = this.base.protocol === 'https:';
    this.mod = isHttps ? https : http;
    if (isHttps) {
      const tls: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !creds.ignoreTlsVerification };
      if (creds.serverCertPath) tls.ca = readPem(creds.serverCertPath, 'MLFLOW_TRACKING_SERVER_CERT_PATH');
      if (creds.clientCertPath) {
        // requests' `cert=<path>`: one PEM file holding the certificate and its private key.
        const pem = readPem(creds.clientCertPath, 'MLFLOW_TRACKING_CLIENT_CERT_PATH');
        tls.cert = pem;
        tls.key = pem;
      }
      this.agent = new https.Agent(tls);
    } else {
      this.agent = new http.Agent({ keepAlive: true });
    }
    this.headers = { 'User-Agent': 'mlf', Accept: 'application/json', ...opts.headers };
    const auth = authorizationHeader(creds);
    if (auth) this.headers.Authorization = auth;
  }

  /** `host + endpoint`, as MLflow prints it in messages (no query string, no credentials). */
  urlFor(endpoint: string): string {
    return `${this.base.origin}${this.basePath}${endpoint}`;
  }

  /** MLflow's `call_endpoint` + `verify_rest_response`. */
  async call(method: string, endpoint: string, fields?: Json): Promise<Json> {
    const res = await this.request(method, endpoint, fields);
    if (res.status !== 200) {
      const body = parseJsonObject(res.text);
      if (body) throw restError(body);
      throw new MlfError(
        `API request to endpoint ${endpoint} failed with error code ${res.status} != 200. Response body: '${bodyForMessage(res.text)}'`,
        errorCodeForStatus(res.status),
      );
    }
    const body = parseJsonObject(res.text);
    if (!body) {
      throw new MlfError(
        `API request to endpoint was successful but the response body was not in a valid JSON format. Response body: '${bodyForMessage(res.text)}'`,
        'INTERNAL_ERROR',
      );
    }
    return body;
  }

  /** MLflow's `http_request`: the request with retries; answers outside RETRY_CODES come back as they are. */
  async request(method: string, endpoint: string, fields?: Json): Promise<RawResponse> {
    const isGet = method === 'GET';
    const path = this.basePath + endpoint + (isGet ? toQueryString(fields) : '');
    const payload = isGet ? undefined : Buffer.from(JSON.stringify(fields ?? {}), 'utf8');
    const headers: Record<string, string | number> = { ...this.headers };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const url = this.urlFor(endpoint);
    const { policy } = this;
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = policy.maxRetries - attempt;
      let res: RawResponse;
      try {
        res = await this.once(method, path, headers, payload);
      } catch (e) {
        if (retriesLeft > 0) {
          this.tellRetrying(`does not answer (${(e as Error).message || String(e)})`, retriesLeft);
          await sleep(backoffSeconds(policy, attempt + 1, this.opts.random) * 1000);
          continue;
        }
        if (e instanceof TimeoutError) {
          throw new MlfError(
            `API request to ${url} failed with timeout exception ${e.message}. To increase the timeout, set the environment variable MLFLOW_HTTP_REQUEST_TIMEOUT to a larger value.`,
            'INTERNAL_ERROR',
          );
        }
        const why = (e as Error).message || String(e);
        const tries = policy.maxRetries ? ` after ${policy.maxRetries} retries` : '';
        throw new MlfError(`API request to ${url} failed with exception ${why}${tries}`, 'INTERNAL_ERROR');
      }
      const retryAfter = policy.respectRetryAfter && RETRY_AFTER_CODES.has(res.status) ? parseRetryAfter(headerOf(res, 'retry-after')) : undefined;
      const retryable = RETRY_CODES.has(res.status) || (retryAfter !== undefined && policy.maxRetries > 0);
      if (!retryable) return res;
      const body = parseJsonObject(res.text);
      if (res.status === 500 && body && typeof body.error_code === 'string' && !TRANSIENT_500_CODES.has(body.error_code)) return res;
      if (retriesLeft <= 0) {
        // Out of retries: a server that explained itself is heard; otherwise MLflow's wording.
        if (body && body.error_code !== undefined) return res;
        throw new MlfError(
          `API request to ${url} failed with exception Max retries exceeded with url: ${endpoint} (Caused by ResponseError('too many ${res.status} error responses'))`,
          errorCodeForStatus(res.status),
        );
      }
      const wait = retryAfter !== undefined ? Math.min(retryAfter, BACKOFF_MAX_S) : backoffSeconds(policy, attempt + 1, this.opts.random);
      this.tellRetrying(`answers HTTP ${res.status}`, retriesLeft);
      await sleep(wait * 1000);
    }
  }

  /** MLflow retries a refused connection as it retries a 5xx (urllib3's `connect` count): mlf says so once. */
  private tellRetrying(what: string, retriesLeft: number): void {
    if (this.toldRetrying) return;
    this.toldRetrying = true;
    const secs = Math.round(totalBackoffSeconds(this.policy, retriesLeft));
    const message =
      `The tracking server ${this.base.origin}${this.basePath} ${what}; retrying ${retriesLeft} time${retriesLeft === 1 ? '' : 's'} ` +
      `over about ${secs} s (MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR).`;
    if (this.opts.onRetrying) this.opts.onRetrying(message);
    else process.stderr.write(`Warning: ${message}\n`);
  }

  /** Where and how every request goes: the server's host (IPv6 brackets removed), the keep-alive agent, the timeout. */
  private requestOptions(method: string, path: string, headers: Record<string, string | number>): http.RequestOptions {
    return {
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || undefined,
      path,
      method,
      headers,
      agent: this.agent,
      timeout: this.policy.timeout * 1000,
    };
  }

  private once(method: string, path: string, headers: Record<string, string | number>, payload?: Buffer): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const req = this.mod.request(
        this.requestOptions(method, path, headers),
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('the connection was closed before the whole answer arrived')));
        },
      );
      req.on('timeout', () => req.destroy(new TimeoutError(`no answer within ${this.policy.timeout} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * A request whose body or answer is a stream (artifact upload and download through the
   * `mlflow-artifacts` proxy), so a file of any size passes without being held in memory.
   * `body` is a factory because a retry needs the bytes again. Retried like {@link request}; an
   * answer other than 200 is read and thrown as an `MlfError`. The caller must consume the
   * returned answer.
   */
  async stream(
    method: string,
    endpoint: string,
    opts: { query?: Json; body?: () => { stream: Readable; size: number } } = {},
  ): Promise<http.IncomingMessage> {
    const path = this.basePath + endpoint + toQueryString(opts.query);
    const url = this.urlFor(endpoint);
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = this.policy.maxRetries - attempt;
      let res: http.IncomingMessage;
      try {
        res = await this.streamOnce(method, path, opts.body?.());
      } catch (e) {
        if (retriesLeft > 0) {
          await sleep(backoffSeconds(this.policy, attempt + 1, this.opts.random) * 1000);
          continue;
        }
        throw new MlfError(`API request to ${url} failed with exception ${(e as Error).message || String(e)}`, 'INTERNAL_ERROR');
      }
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      const text = await readText(res);
      if (RETRY_CODES.has(status) && retriesLeft > 0) {
        await sleep(backoffSeconds(this.policy, attempt + 1, this.opts.random) * 1000);
        continue;
      }
      const body = parseJsonObject(text);
      if (body && body.error_code !== undefined) throw restError(body);
      throw new MlfError(
        `API request to endpoint ${endpoint} failed with error code ${status} != 200. Response body: '${bodyForMessage(text)}'`,
        errorCodeForStatus(status),
      );
    }
  }

  private streamOnce(method: string, path: string, body?: { stream: Readable; size: number }): Promise<http.IncomingMessage> {
    const headers: Record<string, string | number> = { ...this.headers, Accept: '*/*' };
    if (body) {
      headers['Content-Type'] = 'application/octet-stream';
      headers['Content-Length'] = body.size;
    }
    return new Promise((resolve, reject) => {
      const req = this.mod.request(this.requestOptions(method, path, headers), resolve);
      req.on('timeout', () => req.destroy(new TimeoutError(`no answer within ${this.policy.timeout} s`)));
      req.on('error', reject);
      if (!body) req.end();
      else {
        body.stream.on('error', (e) => req.destroy(e));
        body.stream.pipe(req);
      }
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function headerOf(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Basic when both username and password are set, else Bearer (MLflow's order). */
export function authorizationHeader(creds: Pick<HostCreds, 'username' | 'password' | 'token'>): string | undefined {
  if (creds.username && creds.password) {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
  }
  if (creds.token) return `Bearer ${creds.token}`;
  return undefined;
}

function readPem(file: string, envName: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new MlfError(`Cannot read ${envName} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'INVALID_PARAMETER_VALUE');
  }
}
