/**
 * The server's own limits on a real socket: what Node's HTTP parser refuses is answered with
 * MLflow's JSON error (400/431), deep JSON is a 400, the bytes-in-flight budget makes a request
 * wait or answers 503 with Retry-After, and slow clients are cut off by the header timeout.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings, startServer, type RunningServer } from '../../src/server/serve.js';
import { createLogger } from '../../src/server/logger.js';
import { BodyBudget, BudgetExceeded, budgetFromEnv } from '../../src/server/body-budget.js';
import { jsonDepth, jsonShape, MAX_JSON_VALUES, PARSED_BYTES_PER_VALUE } from '../../src/server/json-depth.js';
import { parseJsonBody, readParams } from '../../src/server/request.js';
import { nodeListener } from '../../src/server/http.js';
import { MlfError } from '../../src/lib/errors.js';
import { tempDir } from '../support/databases.js';

let srv: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = tempDir('mlf-hardening-limits-');
  srv = await startServer(resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'x.db')}`, port: 0, artifactsDestination: path.join(dir, 'a') }), createLogger('none'));
});
afterAll(async () => {
  await srv.close(1000);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes raw bytes and returns what the server answered before closing (or after `waitMs`). */
const raw = (data: string, waitMs = 3000) => rawTo(srv.port, data, waitMs);

function statusAndBody(answer: string): { status: number; body: { error_code?: string; message?: string } } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error_code?: string };
  return { status, body };
}

describe("what Node's parser refuses gets MLflow's JSON error", () => {
  it.each([
    ['a bad method token', 'G@T /health HTTP/1.1\r\nHost: localhost\r\n\r\n', 400],
    ['a control character in a header', 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0001b\r\n\r\n', 400],
    ['a 100 kB query string', `GET /api/2.0/mlflow/runs/search?filter=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431],
    ['garbage', '\u0000\u0001\u0002 nonsense\r\n\r\n', 400],
  ])('%s', async (_name, request, status) => {
    const answer = await raw(request);
    const r = statusAndBody(answer);
    expect(r.status).toBe(status);
    expect(r.body.error_code).toBe('BAD_REQUEST');
    expect(answer).toMatch(/Content-Type: application\/json/);
  });
});

/** What `fn` throws or rejects with, or undefined. */
const thrown = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('JSON depth', () => {
  it('measures nesting outside strings', () => {
    expect(jsonDepth('{"a": [1, {"b": "[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
  });

  it('refuses a body of more than 200,000 values with a 400 before parsing it; a full log-batch and commas in strings pass', async () => {
    expect(jsonShape('[1, {"a": "x,y,[z"}, [2]]').values).toBe(6);
    const many = `{"experiment_ids": [${'1,'.repeat(MAX_JSON_VALUES)}1]}`;
    const e = await thrown(() => parseJsonBody(many));
    expect(e).toBeInstanceOf(MlfError);
    expect((e as MlfError).errorCode).toBe('BAD_REQUEST');
    expect((e as MlfError).message).toBe('Bad Request. The request body holds more than 200000 JSON values.');
    const metric = (i: number) => ({ key: `m${i}`, value: i + 0.5, timestamp: 1, step: i });
    const kv = (i: number) => ({ key: `k${i}`, value: 'a,b,c,'.repeat(1000) });
    const batch = { run_id: 'r', metrics: Array.from({ length: 1000 }, (_, i) => metric(i)), params: Array.from({ length: 100 }, (_, i) => kv(i)), tags: Array.from({ length: 100 }, (_, i) => kv(i)) };
    expect(await parseJsonBody(JSON.stringify(batch))).toHaveProperty('metrics');
  });

  it('refuses a body nested deeper than 100 levels with a 400, also double-encoded', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const text of [deep, JSON.stringify(deep), `{"a": ${'{"a": '.repeat(100)}1${'}'.repeat(100)}}`]) {
      const e = await thrown(() => parseJsonBody(text));
      expect(e).toBeInstanceOf(MlfError);
      expect((e as MlfError).errorCode).toBe('BAD_REQUEST');
    }
    expect(await parseJsonBody(`{"a": ${'['.repeat(98)}${']'.repeat(98)}}`)).toHaveProperty('a');
    const body = `{"experiment_ids": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const answer = await raw(
      `POST /api/2.0/mlflow/runs/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    const r = statusAndBody(answer);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/nested more than 100 levels/);
  });
});

describe('bytes in flight', () => {
  it('lets a request wait for room, then gives it', async () => {
    const b = new BodyBudget(100, 5000);
    const r1 = await b.reserve(80);
    let granted = false;
    const p = b.reserve(50).then((r) => {
      granted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(granted).toBe(false);
    r1();
    r1(); // twice gives back once
    const r2 = await p;
    expect(b.inFlight).toBe(50);
    r2();
    expect(b.inFlight).toBe(0);
  });

  it('answers 503 with Retry-After once the wait is over', async () => {
    const b = new BodyBudget(100, 50);
    const r1 = await b.reserve(100);
    const e = await b.reserve(1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BudgetExceeded);
    expect((e as BudgetExceeded).errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect((e as BudgetExceeded).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    r1();
    expect(b.inFlight).toBe(0);
  });

  it("serves a request's growth (its parsed body) before new bodies, one request at a time overdrawing the limit", async () => {
    const b = new BodyBudget(100, 5000);
    const [a, c] = [{}, {}];
    const bodyA = await b.reserve(80);
    let newBody = false;
    const waitingBody = b.reserve(50).then((r) => ((newBody = true), r));
    // A's growth does not fit: A may overdraw (else requests holding the whole budget would wait for each other).
    const growA = await b.reserve(30, a);
    expect(b.inFlight).toBe(110);
    // C's growth waits for room, ahead of the new body; A's own second growth does not wait.
    let grewC = false;
    const growC = b.reserve(10, c).then((r) => ((grewC = true), r));
    const growA2 = await b.reserve(5, a);
    await new Promise((r) => setTimeout(r, 20));
    expect([grewC, newBody, b.inFlight]).toEqual([false, false, 115]);
    growA();
    growA2();
    const releaseC = await growC;
    expect([newBody, b.inFlight]).toEqual([false, 90]);
    bodyA();
    const releaseNew = await waitingBody;
    expect(b.inFlight).toBe(60);
    releaseC();
    releaseNew();
    expect(b.inFlight).toBe(0);
  });

  it('counts what parsing a body holds (values × PARSED_BYTES_PER_VALUE) into the budget until the reply is done', async () => {
    const budget = new BodyBudget(1024 * 1024 * 1024);
    let held = 0;
    const server = http.createServer(
      nodeListener(async (req) => {
        await readParams(req);
        held = budget.inFlight;
        return { status: 200, body: '{}' };
      }, budget),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // 99,999 empty objects (200,000 values, the most a body may hold): 300 kB of text that
      // JSON.parse turns into about 6 MB; nearly 20 MB are held for it.
      const body = `{"x": [${'{},'.repeat(99_998)}{}]}`;
      expect(jsonShape(body).values).toBe(MAX_JSON_VALUES);
      const port = (server.address() as net.AddressInfo).port;
      const answer = await rawTo(port, `POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, 10_000);
      expect(statusAndBody(answer).status).toBe(200);
      expect(held).toBe(body.length + jsonShape(body).values * PARSED_BYTES_PER_VALUE);
      expect(held).toBeGreaterThan(19 * 1000 * 1000);
      expect(budget.inFlight).toBe(0);
    } finally {
      server.close();
    }
  });

  it('reads MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT, refusing a bad value', () => {
    expect(budgetFromEnv({}).limit).toBe(256 * 1024 * 1024);
    expect(budgetFromEnv({ MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT: '1000' }).limit).toBe(1000);
    expect(() => budgetFromEnv({ MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT: 'lots' })).toThrow(/Invalid MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT 'lots'/);
  });

  it('over a real socket: a body that cannot get room in time gets 503 and Retry-After', async () => {
    const s = await withBudget('64', async (port) => {
      // A first body holds 60 of the 64 bytes: its Content-Length promises more than it sends.
      const hold = net.connect(port, '127.0.0.1');
      hold.write('POST /api/2.0/mlflow/runs/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{');
      await new Promise((r) => setTimeout(r, 100));
      const body = '{"experiment_ids": ["0"]}';
      const answer = await rawTo(port, `POST /api/2.0/mlflow/runs/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, 15_000);
      hold.destroy();
      return answer;
    });
    expect(statusAndBody(s).status).toBe(503);
    expect(s).toMatch(/Retry-After: 10/);
    expect(statusAndBody(s).body.error_code).toBe('TEMPORARILY_UNAVAILABLE');
  }, 30_000);
});

describe('slow clients', () => {
  it('closes a connection whose headers never finish (header timeout, 408 in JSON)', async () => {
    const t0 = Date.now();
    const answer = await raw('GET /health HTTP/1.1\r\nHost: localhost\r\n', 20_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const r = statusAndBody(answer);
    expect(r.status).toBe(408);
    expect(r.body.error_code).toBe('BAD_REQUEST');
  }, 30_000);
});

describe('a body refused before it is read', () => {
  /** A client that writes its whole body before it looks at the answer, on a connection it asked to close. */
  const postWhole = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/2.0/mlflow/runs/search', headers: { 'Content-Type': 'application/json' }, agent: false },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('still reaches a client that keeps writing: the answer is not lost to a reset connection', async () => {
    // Before the answer waited for the rest of the body, about a third of these ended in EPIPE.
    const big = Buffer.alloc(65 * 1024 * 1024, 0x20);
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 4 }, () => postWhole(big)));
      for (const a of answers) {
        expect(a.status).toBe(400);
        expect(JSON.parse(a.text)).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Request body is too large: 68157440 bytes (at most 67108864).' });
      }
    }
  }, 60_000);

  it('answers at once a request whose declared body never comes', async () => {
    const t0 = Date.now();
    const answer = await raw('POST /api/2.0/mlflow/runs/search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{}', 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // the connection stays open for the rest of the body...
    expect(statusAndBody(answer).status).toBe(400); // ...but the whole answer came first
  });
});

async function withBudget<T>(bytes: string, fn: (port: number) => Promise<T>): Promise<T> {
  const old = process.env.MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT;
  process.env.MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT = bytes;
  const s = await startServer(resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'y.db')}`, port: 0, artifactsDestination: path.join(dir, 'a') }), createLogger('none'));
  if (old === undefined) delete process.env.MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT;
  else process.env.MLF_SERVER_MAX_BODY_BYTES_IN_FLIGHT = old;
  try {
    return await fn(s.port);
  } finally {
    await s.close(500);
  }
}

function rawTo(port: number, data: string, waitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, waitMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.write(data);
  });
}
