/**
 * The REST client's transport against scripted local servers: retries and back-off, Retry-After,
 * timeouts, keep-alive, auth headers, TLS settings, MLflow's error mapping, and that no password
 * or token ever shows in an error.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MlfError } from '../../../src/lib/errors.js';
import { defaultHostCreds } from '../../../src/stores/rest/credentials.js';
import {
  authorizationHeader,
  backoffSeconds,
  errorCodeForStatus,
  HttpClient,
  parseRetryAfter,
  retryPolicyFromEnv,
  toQueryString,
  type RetryPolicy,
} from '../../../src/stores/rest/http-client.js';
import { RestStore } from '../../../src/stores/rest/rest-store.js';
import { tempDir } from '../../support/databases.js';
import { FAST, resetScript, scriptedServer, type ScriptedServer } from './support.js';

async function failure(p: Promise<unknown>): Promise<MlfError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected the call to fail').toBeInstanceOf(MlfError);
  return e as MlfError;
}

let srv: ScriptedServer;
const clients: HttpClient[] = [];
const client = (policy: Partial<RetryPolicy> = {}, creds: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) => {
  const c = new HttpClient({ host: srv.url, ...creds }, { ...FAST, ...policy });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  srv = await scriptedServer();
});
afterEach(() => {
  resetScript(srv);
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await srv.close();
});

describe('requests', () => {
  it('sends GET fields as a query string with lists as repeated keys, and nothing unset', async () => {
    await client().call('GET', '/api/2.0/mlflow/metrics/get-history-bulk-interval', { run_ids: ['a', 'b'], metric_key: 'm k', start_step: 0, end_step: undefined });
    const s = srv.seen[0]!;
    expect(s.method).toBe('GET');
    expect(s.path).toBe('/api/2.0/mlflow/metrics/get-history-bulk-interval');
    expect(s.query.getAll('run_ids')).toEqual(['a', 'b']);
    expect(s.query.get('metric_key')).toBe('m k');
    expect(s.query.get('start_step')).toBe('0');
    expect(s.query.has('end_step')).toBe(false);
    expect(s.body).toBe('');
  });

  it('sends POST fields as a JSON body with Content-Type application/json', async () => {
    await client().call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: 'r', metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] });
    const s = srv.seen[0]!;
    expect(s.method).toBe('POST');
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.json).toEqual({ run_id: 'r', metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] });
  });

  it('keeps a path prefix of the tracking URI in front of /api/2.0', async () => {
    const c = client({}, { host: `${srv.url}/mlflow-prefix` });
    await c.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' });
    expect(srv.seen[0]!.path).toBe('/mlflow-prefix/api/2.0/mlflow/experiments/get');
  });

  it('reuses one keep-alive connection for consecutive requests', async () => {
    const before = srv.connections();
    const c = client();
    for (let i = 0; i < 5; i++) await c.call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '0' });
    expect(srv.connections() - before).toBe(1);
  });

  it('encodes booleans as Python does (True/False) and skips null', () => {
    expect(toQueryString({ a: true, b: false, c: null, d: 'x y' })).toBe('?a=True&b=False&d=x+y');
    expect(toQueryString({})).toBe('');
  });
});

describe('auth headers', () => {
  it('sends Basic auth when a username and password are set', async () => {
    await client({}, { username: 'me', password: 'pa:ss' }).call('GET', '/x', {});
    expect(srv.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('me:pa:ss').toString('base64')}`);
  });

  it('sends a Bearer token when only a token is set', async () => {
    await client({}, { token: 'tok-123' }).call('GET', '/x', {});
    expect(srv.seen[0]!.headers.authorization).toBe('Bearer tok-123');
  });

  it('prefers Basic over the token when both are set, as MLflow does, and sends nothing without credentials', async () => {
    expect(authorizationHeader({ username: 'u', password: 'p', token: 't' })).toMatch(/^Basic /);
    expect(authorizationHeader({ username: 'u', token: 't' })).toBe('Bearer t');
    await client().call('GET', '/x', {});
    expect(srv.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('reads MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN, then ~/.mlflow/credentials, then user info in the URI', () => {
    const home = tempDir('mlf-home-');
    expect(defaultHostCreds('http://h:5000/', { env: { MLFLOW_TRACKING_TOKEN: 't' }, home })).toMatchObject({ host: 'http://h:5000', token: 't' });
    fs.mkdirSync(path.join(home, '.mlflow'));
    fs.writeFileSync(path.join(home, '.mlflow', 'credentials'), '[mlflow]\nmlflow_tracking_username = fileuser\nmlflow_tracking_password = filepw\n');
    expect(defaultHostCreds('http://h', { env: {}, home })).toMatchObject({ username: 'fileuser', password: 'filepw' });
    expect(defaultHostCreds('http://h', { env: { MLFLOW_TRACKING_USERNAME: 'envuser' }, home })).toMatchObject({ username: 'envuser', password: 'filepw' });
    const bare = tempDir('mlf-home-');
    const fromUri = defaultHostCreds('http://ann:s%40cret@h:1/p/', { env: {}, home: bare });
    expect(fromUri).toMatchObject({ host: 'http://h:1/p', username: 'ann', password: 's@cret' });
  });

  it('refuses AWS SigV4 and auth plugins instead of sending unauthenticated requests', () => {
    expect(() => defaultHostCreds('http://h', { env: { MLFLOW_TRACKING_AWS_SIGV4: 'true' } })).toThrow(/MLFLOW_TRACKING_AWS_SIGV4 is not supported/);
    expect(() => defaultHostCreds('http://h', { env: { MLFLOW_TRACKING_AUTH: 'my_plugin' } })).toThrow(/MLFLOW_TRACKING_AUTH='my_plugin' is not supported/);
  });
});

describe('retries', () => {
  it('retries a 503 and returns the answer that follows', async () => {
    srv.queue = [{ status: 503, body: 'busy' }, { status: 503, body: 'busy' }, { body: { ok: 1 } }];
    expect(await client().call('GET', '/x', {})).toEqual({ ok: 1 });
    expect(srv.seen).toHaveLength(3);
  });

  it('retries every transient status (408, 429, 500, 502, 503, 504) and no other', async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      srv.seen.length = 0;
      srv.queue = [{ status, body: 'x' }, { body: {} }];
      await client().call('POST', '/x', {});
      expect(srv.seen, `status ${status}`).toHaveLength(2);
    }
    for (const status of [400, 401, 403, 404, 409, 501]) {
      srv.seen.length = 0;
      srv.queue = [{ status, body: 'x' }, { body: {} }];
      await failure(client().call('POST', '/x', {}));
      expect(srv.seen, `status ${status}`).toHaveLength(1);
    }
  });

  it('gives up after MLFLOW_HTTP_REQUEST_MAX_RETRIES retries with MLflow\'s "too many error responses" message', async () => {
    srv.fallback = () => ({ status: 502, body: '<html>bad gateway</html>' });
    const e = await failure(client({ maxRetries: 2 }).call('GET', '/api/2.0/mlflow/runs/get', { run_id: 'r' }));
    expect(srv.seen).toHaveLength(3);
    expect(e.message).toBe(
      `API request to ${srv.url}/api/2.0/mlflow/runs/get failed with exception Max retries exceeded with url: /api/2.0/mlflow/runs/get (Caused by ResponseError('too many 502 error responses'))`,
    );
  });

  it('waits 0, then factor*2^(n-1) seconds between retries (urllib3 back-off)', async () => {
    srv.fallback = () => ({ status: 503, body: 'busy' });
    const t0 = Date.now();
    await failure(client({ maxRetries: 3, backoffFactor: 0.05 }).call('GET', '/x', {}));
    const elapsed = Date.now() - t0;
    // 0 + 0.1 + 0.2 seconds
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(srv.seen).toHaveLength(4);
  });

  it('computes the back-off with jitter and the 120 s cap', () => {
    const p = { ...FAST, backoffFactor: 2, backoffJitter: 1 };
    expect(backoffSeconds(p, 1, () => 0.5)).toBe(0);
    expect(backoffSeconds(p, 2, () => 0)).toBe(4);
    expect(backoffSeconds(p, 3, () => 0.5)).toBe(8.5);
    expect(backoffSeconds({ ...p, backoffFactor: 100 }, 5, () => 0)).toBe(120);
  });

  it('sleeps for Retry-After on a 429/503 instead of the back-off', async () => {
    srv.queue = [{ status: 429, body: 'slow down', headers: { 'Retry-After': '1' } }, { body: { ok: true } }];
    const t0 = Date.now();
    expect(await client({ backoffFactor: 0 }).call('GET', '/x', {})).toEqual({ ok: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('ignores Retry-After when MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER is false', async () => {
    srv.queue = [{ status: 503, body: 'x', headers: { 'Retry-After': '30' } }, { body: {} }];
    const t0 = Date.now();
    await client({ respectRetryAfter: false }).call('GET', '/x', {});
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('does not retry a 500 that carries a definite MLflow error, and raises it', async () => {
    srv.fallback = () => ({ status: 500, body: { error_code: 'INVALID_STATE', message: 'Cannot rename a non-active experiment.' } });
    const e = await failure(client().call('POST', '/x', {}));
    expect(srv.seen).toHaveLength(1);
    expect(e.errorCode).toBe('INVALID_STATE');
    expect(e.message).toBe('Cannot rename a non-active experiment.');
  });

  it('retries a 500 INTERNAL_ERROR and reports its body when retries run out', async () => {
    srv.fallback = () => ({ status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'database is locked' } });
    const e = await failure(client({ maxRetries: 2 }).call('POST', '/x', {}));
    expect(srv.seen).toHaveLength(3);
    expect(e.errorCode).toBe('INTERNAL_ERROR');
    expect(e.message).toBe('database is locked');
  });

  it('retries after a timeout and then fails with MLflow\'s timeout message', async () => {
    srv.fallback = () => ({ hang: true });
    const t0 = Date.now();
    const e = await failure(client({ maxRetries: 1, timeout: 0.2 }).call('GET', '/api/2.0/mlflow/experiments/get', { experiment_id: '1' }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(srv.seen).toHaveLength(2);
    expect(e.message).toBe(
      `API request to ${srv.url}/api/2.0/mlflow/experiments/get failed with timeout exception no answer within 0.2 s. To increase the timeout, set the environment variable MLFLOW_HTTP_REQUEST_TIMEOUT to a larger value.`,
    );
  });

  it('retries a refused connection and then fails naming the URL', async () => {
    const dead = await scriptedServer();
    const port = dead.port;
    await dead.close();
    const c = new HttpClient({ host: `http://127.0.0.1:${port}` }, { ...FAST, maxRetries: 2, backoffFactor: 0.01 });
    const e = await failure(c.call('GET', '/api/2.0/mlflow/runs/get', { run_id: 'r' }));
    c.close();
    expect(e.message).toMatch(new RegExp(`^API request to http://127\\.0\\.0\\.1:${port}/api/2\\.0/mlflow/runs/get failed with exception .*ECONNREFUSED.* after 2 retries$`));
    expect(e.errorCode).toBe('INTERNAL_ERROR');
  });
});

describe('error mapping', () => {
  it('turns a JSON error body into MlfError with its code and message', async () => {
    srv.queue = [{ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=abc not found' } }];
    const e = await failure(client().call('GET', '/x', {}));
    expect(e.errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(e.message).toBe('Run with id=abc not found');
    expect(e.exitCode).toBe(1);
  });

  it('maps a numeric or unknown error_code through the HTTP status table', async () => {
    srv.queue = [{ status: 400, body: { error_code: '403', message: 'no' } }];
    expect((await failure(client().call('GET', '/x', {}))).errorCode).toBe('PERMISSION_DENIED');
    srv.queue = [{ status: 400, body: { error_code: 'SOMETHING_NEW', message: 'hm' } }];
    expect((await failure(client().call('GET', '/x', {}))).errorCode).toBe('INTERNAL_ERROR');
  });

  it('reports a non-JSON error body with MLflow\'s message and the code of the status', async () => {
    const cases: Array<[number, string]> = [
      [400, 'BAD_REQUEST'],
      [401, 'UNAUTHENTICATED'],
      [403, 'PERMISSION_DENIED'],
      [404, 'ENDPOINT_NOT_FOUND'],
      [409, 'ALREADY_EXISTS'],
      [501, 'NOT_IMPLEMENTED'],
      [418, 'INTERNAL_ERROR'],
    ];
    for (const [status, code] of cases) {
      srv.queue = [{ status, body: 'Not\nhere' }];
      const e = await failure(client().call('GET', '/api/2.0/mlflow/nope', {}));
      expect(e.errorCode, `status ${status}`).toBe(code);
      expect(e.message).toBe(`API request to endpoint /api/2.0/mlflow/nope failed with error code ${status} != 200. Response body: 'Not here'`);
    }
    expect(errorCodeForStatus(429)).toBe('RESOURCE_EXHAUSTED');
    expect(errorCodeForStatus(503)).toBe('TEMPORARILY_UNAVAILABLE');
  });

  it('refuses a 200 answer that is not a JSON object', async () => {
    srv.queue = [{ status: 200, body: '<html>login</html>' }];
    const e = await failure(client().call('GET', '/x', {}));
    expect(e.message).toBe("API request to endpoint was successful but the response body was not in a valid JSON format. Response body: '<html>login</html>'");
  });
});

describe('settings from the environment', () => {
  it('defaults to 5 retries, factor 2, jitter 1, 120 s timeout, Retry-After respected', () => {
    expect(retryPolicyFromEnv({})).toEqual({ maxRetries: 5, backoffFactor: 2, backoffJitter: 1, timeout: 120, respectRetryAfter: true });
    expect(
      retryPolicyFromEnv({
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.5',
        MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '3',
        MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER: 'False',
      }),
    ).toEqual({ maxRetries: 0, backoffFactor: 0.5, backoffJitter: 0, timeout: 3, respectRetryAfter: false });
  });

  it('refuses retries and back-off factors at or over MLflow\'s limits with MLflow\'s messages', () => {
    expect(() => retryPolicyFromEnv({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '10' })).toThrow(
      'The configured max_retries value (10) is in excess of the maximum allowable retries (10)',
    );
    expect(() => retryPolicyFromEnv({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '-1' })).toThrow('The max_retries value must be either 0 a positive integer. Got -1');
    expect(() => retryPolicyFromEnv({ MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '120' })).toThrow(
      'The configured backoff_factor value (120) is in excess of the maximum allowable backoff_factor limit (120)',
    );
    expect(() => retryPolicyFromEnv({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'many' })).toThrow(/MLFLOW_HTTP_REQUEST_MAX_RETRIES/);
    expect(() => retryPolicyFromEnv({ MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER: 'yes' })).toThrow(
      "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got yes",
    );
  });

  it('refuses MLFLOW_TRACKING_INSECURE_TLS together with MLFLOW_TRACKING_SERVER_CERT_PATH with MLflow\'s message', () => {
    const env = { MLFLOW_TRACKING_INSECURE_TLS: 'true', MLFLOW_TRACKING_SERVER_CERT_PATH: '/tmp/ca.pem' };
    expect(() => RestStore.open({ kind: 'rest', baseUrl: 'https://h', uri: 'https://h' }, { env })).toThrow(
      "When 'ignore_tls_verification' is true then 'server_cert_path' must not be set! This error may have occurred because the 'MLFLOW_TRACKING_INSECURE_TLS' and 'MLFLOW_TRACKING_SERVER_CERT_PATH' environment variables are both set - only one of these environment variables may be set.",
    );
  });
});

describe('no secret in any error', () => {
  it('keeps passwords and tokens out of every message and of displayUri', async () => {
    const secrets = ['hunter2-pw', 'tok-SECRET-9'];
    const dead = await scriptedServer();
    const port = dead.port;
    await dead.close();
    const messages: string[] = [];
    const stores = [
      RestStore.open(
        { kind: 'rest', baseUrl: srv.url, uri: `http://me:hunter2-pw@127.0.0.1:${srv.port}` },
        { env: { MLFLOW_TRACKING_TOKEN: 'tok-SECRET-9' }, home: tempDir('mlf-home-'), retry: { ...FAST, maxRetries: 0, timeout: 0.2 } },
      ),
      RestStore.open(
        { kind: 'rest', baseUrl: `http://127.0.0.1:${port}`, uri: `http://me:hunter2-pw@127.0.0.1:${port}` },
        { env: { MLFLOW_TRACKING_TOKEN: 'tok-SECRET-9' }, home: tempDir('mlf-home-'), retry: { ...FAST, maxRetries: 0 } },
      ),
    ];
    for (const store of stores) expect(store.displayUri).not.toMatch(/hunter2/);
    srv.queue = [
      { status: 401, body: 'Unauthorized' },
      { status: 500, body: 'boom' },
      { status: 200, body: 'not json' },
      { hang: true },
    ];
    for (let i = 0; i < 4; i++) messages.push((await failure(stores[0]!.getRun('r'))).message);
    messages.push((await failure(stores[1]!.getRun('r'))).message);
    messages.push((await failure(stores[0]!.purgeRuns())).message);
    for (const s of stores) await s.close();
    expect(srv.seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('me:hunter2-pw').toString('base64')}`);
    for (const m of messages) for (const s of secrets) expect(m).not.toContain(s);
    expect(messages).toHaveLength(6);
  });
});

describe('TLS', () => {
  let dir: string;
  let tlsSrv: ScriptedServer;
  const pem = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = tempDir('mlf-tls-');
    const mk = (name: string) => {
      const r = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', pem(`${name}-key.pem`), '-out', pem(`${name}-cert.pem`), '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      ]);
      if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    };
    mk('server');
    mk('client');
    fs.writeFileSync(pem('client-both.pem'), fs.readFileSync(pem('client-cert.pem'), 'utf8') + fs.readFileSync(pem('client-key.pem'), 'utf8'));
    tlsSrv = await scriptedServer({
      key: fs.readFileSync(pem('server-key.pem')),
      cert: fs.readFileSync(pem('server-cert.pem')),
      ca: fs.readFileSync(pem('client-cert.pem')),
      requestCert: true,
      rejectUnauthorized: false,
    });
    tlsSrv.fallback = () => ({ body: { ok: 1 } });
  });
  afterAll(async () => {
    await tlsSrv.close();
  });

  const store = (env: Record<string, string>) =>
    RestStore.open({ kind: 'rest', baseUrl: tlsSrv.url, uri: tlsSrv.url }, { env, home: dir, retry: { ...FAST, maxRetries: 0 } });

  it('refuses a self-signed server certificate by default', async () => {
    const s = store({});
    const e = await failure(s.client.call('GET', '/x'));
    await s.close();
    expect(e.message).toMatch(/self[- ]signed certificate/i);
  });

  it('accepts it with MLFLOW_TRACKING_INSECURE_TLS=true', async () => {
    const s = store({ MLFLOW_TRACKING_INSECURE_TLS: 'true' });
    expect(await s.client.call('GET', '/x')).toEqual({ ok: 1 });
    await s.close();
    expect(tlsSrv.seen.at(-1)!.authorized).toBe(false);
  });

  it('verifies it against MLFLOW_TRACKING_SERVER_CERT_PATH and presents MLFLOW_TRACKING_CLIENT_CERT_PATH', async () => {
    const before = tlsSrv.seen.length;
    const s = store({ MLFLOW_TRACKING_SERVER_CERT_PATH: pem('server-cert.pem'), MLFLOW_TRACKING_CLIENT_CERT_PATH: pem('client-both.pem') });
    expect(await s.client.call('GET', '/x')).toEqual({ ok: 1 });
    await s.close();
    expect(tlsSrv.seen.length).toBe(before + 1);
    expect(tlsSrv.seen.at(-1)!.authorized).toBe(true);
  });

  it('names the variable when a certificate file cannot be read', () => {
    expect(() => store({ MLFLOW_TRACKING_SERVER_CERT_PATH: pem('missing.pem') })).toThrow(/Cannot read MLFLOW_TRACKING_SERVER_CERT_PATH '.*missing\.pem': ENOENT/);
  });
});
