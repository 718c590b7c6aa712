/**
 * The node:http adapter (src/server/http.ts) on a real socket: what in-process `app.request` tests
 * cannot see, because a web `Request` normalises the URL and buffers the body. Raw `..` paths,
 * bodies that are too large, cut off, chunked or not JSON, keep-alive with multi-byte answers, HEAD.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings, startServer, type RunningServer } from '../../src/server/serve.js';
import { createLogger } from '../../src/server/logger.js';
import { tempDir } from '../support/databases.js';

let srv: RunningServer;
let dir: string;
let port: number;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

beforeAll(async () => {
  dir = tempDir('mlf-node-http-');
  fs.mkdirSync(path.join(dir, 'a'));
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'top secret');
  srv = await startServer(
    resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'x.db')}`, port: 0, artifactsDestination: path.join(dir, 'a') }),
    createLogger('none'),
  );
  port = srv.port;
});
afterAll(async () => {
  agent.destroy();
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request with the path sent byte for byte as given (node:http does not normalise it). */
function send(method: string, rawPath: string, body?: string | Buffer, headers: http.OutgoingHttpHeaders = {}, a: http.Agent | false = agent): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, agent: a, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const jsonHeaders = (body: string) => ({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
const post = (route: string, body: unknown) => {
  const text = JSON.stringify(body);
  return send('POST', `/api/2.0/mlflow/${route}`, text, jsonHeaders(text));
};

describe('node:http adapter', () => {
  it('answers multi-byte JSON with the right Content-Length, so the next request on the connection still works', async () => {
    const name = 'ünïcödé 🚀 experiment';
    const created = await post('experiments/create', { name });
    expect(created.status).toBe(200);
    const id = JSON.parse(created.text).experiment_id;
    const got = await send('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
    expect(got.headers['content-type']).toBe('application/json');
    expect(Number(got.headers['content-length'])).toBe(Buffer.byteLength(got.text));
    expect(JSON.parse(got.text).experiment.name).toBe(name);
    expect((await send('GET', '/health')).text).toBe('OK');
  });

  it('sends a long answer in pieces with the Content-Length of the whole, multi-byte text on a piece boundary included', async () => {
    const exp = JSON.parse((await post('experiments/create', { name: 'pieces' })).text).experiment_id;
    const run = JSON.parse((await post('runs/create', { experiment_id: exp, start_time: 1 })).text).run.info.run_id;
    // 3000 points whose JSON holds 3- and 4-byte characters in every item, so that pieces split between them.
    const key = 'lößß 损失 𝑥';
    const all = Array.from({ length: 3000 }, (_, i) => ({ key, value: i / 3, timestamp: i, step: i }));
    for (let b = 0; b < 3; b++) expect((await post('runs/log-batch', { run_id: run, metrics: all.slice(b * 1000, b * 1000 + 1000) })).status).toBe(200);
    const got = await send('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${run}&metric_key=${encodeURIComponent(key)}`);
    expect(got.status).toBe(200);
    expect(Number(got.headers['content-length'])).toBe(Buffer.byteLength(got.text));
    expect(got.text.length).toBeGreaterThan(3 * 16 * 1024);
    // The points in MLflow's field order: the text is exactly one JSON.stringify of them.
    expect(got.text).toBe(JSON.stringify({ metrics: all }));
    expect((await send('GET', '/health')).text).toBe('OK');
  });

  it('refuses raw ../ and encoded traversal in artifact paths, which no client-side URL normalisation removed', async () => {
    for (const p of ['../secret.txt', '../../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', '%252e%252e/secret.txt', 'x/../../secret.txt']) {
      const get = await send('GET', `/api/2.0/mlflow-artifacts/artifacts/${p}`);
      expect(get.status, p).toBe(400);
      expect(JSON.parse(get.text), p).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      const put = await send('PUT', `/api/2.0/mlflow-artifacts/artifacts/${p}`, 'pwned');
      expect(put.status, p).toBe(400);
    }
    expect(fs.readFileSync(path.join(dir, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(fs.readdirSync(path.join(dir, 'a'))).toEqual([]);
  });

  it('streams an upload and a download through the socket', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'abc');
    expect((await send('PUT', '/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/big.bin', big)).status).toBe(200);
    const got = await send('GET', '/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/big.bin');
    expect(got.status).toBe(200);
    expect(Number(got.headers['content-length'])).toBe(big.length);
    expect(got.text.length).toBe(big.length);
  });

  it('refuses a log-batch body over 1 MB with 400 and keeps the connection usable', async () => {
    const run = JSON.parse((await post('runs/create', { experiment_id: '0' })).text).run.info.run_id;
    const huge = JSON.stringify({ run_id: run, params: [{ key: 'k', value: 'x'.repeat(1_100_000) }] });
    const r = await send('POST', '/api/2.0/mlflow/runs/log-batch', huge, jsonHeaders(huge));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).message).toMatch(/^Batched logging API requests must be at most 1000000 bytes, got a request of size \d+\.$/);
    // Chunked (no Content-Length): the limit is enforced on the bytes read.
    const chunked = await send('POST', '/api/2.0/mlflow/runs/log-batch', huge, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(400);
    expect((await send('GET', '/health')).status).toBe(200);
  });

  it('answers malformed bodies with 400, never 500', async () => {
    for (const body of ['{', 'null x', '[1,2]', '"just a string"', '\u0000\u0001', '{"name": 5}']) {
      const r = await send('POST', '/api/2.0/mlflow/experiments/create', body, jsonHeaders(body));
      expect(r.status, body).toBe(400);
      expect(JSON.parse(r.text).error_code, body).toMatch(/^(BAD_REQUEST|INVALID_PARAMETER_VALUE)$/);
    }
  });

  it('survives a client that hangs up half-way through a body', async () => {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('POST /api/2.0/mlflow/runs/log-batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"run_id": "');
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 50);
      });
      s.on('error', reject);
    });
    expect((await send('GET', '/health', undefined, {}, false)).text).toBe('OK');
  });

  it('answers HEAD like GET without a body', async () => {
    const h = await send('HEAD', '/health');
    expect(h.status).toBe(200);
    expect(h.text).toBe('');
    const e = await send('HEAD', '/api/2.0/mlflow/experiments/get?experiment_id=0');
    expect(e.status).toBe(200);
    expect(e.text).toBe('');
  });

  it('answers an unknown path with ENDPOINT_NOT_FOUND naming the raw path', async () => {
    const r = await send('GET', '/api/2.0/mlflow/no/such?x=1');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toEqual({ error_code: 'ENDPOINT_NOT_FOUND', message: "No API found for 'GET /api/2.0/mlflow/no/such'" });
  });
});
