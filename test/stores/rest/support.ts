/** A scripted HTTP server for the REST client tests: records every request, answers from a queue. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';

export interface Seen {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  /** TLS only: the client presented a certificate the server trusts. */
  authorized?: boolean;
}

export interface Answer {
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

export interface ScriptedServer {
  url: string;
  port: number;
  seen: Seen[];
  /** Connections accepted so far. */
  connections: () => number;
  /** Answers used in order; when empty, `fallback` answers. */
  queue: Answer[];
  fallback: (s: Seen) => Answer;
  close(): Promise<void>;
}

export async function scriptedServer(tls?: https.ServerOptions): Promise<ScriptedServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const hung: http.ServerResponse[] = [];
  const state: Pick<ScriptedServer, 'queue' | 'fallback'> = { queue: [], fallback: () => ({ body: {} }) };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const authorized = (req.socket as { authorized?: boolean }).authorized;
      const s: Seen = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body, json, authorized };
      seen.push(s);
      const a = state.queue.shift() ?? state.fallback(s);
      if (a.hang) {
        hung.push(res);
        return;
      }
      const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {});
      res.writeHead(a.status ?? 200, { 'Content-Type': typeof a.body === 'string' ? 'text/plain' : 'application/json', ...a.headers });
      res.end(text);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const out: ScriptedServer = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    connections: () => connections,
    get queue() {
      return state.queue;
    },
    set queue(q) {
      state.queue = q;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(f) {
      state.fallback = f;
    },
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return out;
}

/** A retry policy for tests: no waiting unless asked. */
export const FAST = { maxRetries: 5, backoffFactor: 0, backoffJitter: 0, timeout: 5, respectRetryAfter: true };

/** Forget what the server saw and was scripted to answer (between tests). */
export function resetScript(srv: ScriptedServer): void {
  srv.seen.length = 0;
  srv.queue = [];
  srv.fallback = () => ({ body: {} });
}

/** The last request, with the API prefix cut and the query as lists per key. */
export function lastRequest(srv: ScriptedServer) {
  const s = srv.seen.at(-1)!;
  return { method: s.method, path: s.path.replace('/api/2.0/mlflow', ''), query: Object.fromEntries([...s.query.keys()].map((k) => [k, s.query.getAll(k)])), json: s.json };
}

/** [name, the call, the answer to script, the request it must send (query for GET, json otherwise)]. */
export type RequestCase = [string, () => Promise<unknown>, object, { method: string; path: string; query?: object; json?: object }];

/** One test per case: the call sends the expected request. */
export function itSendsRequests(srv: () => ScriptedServer, cases: RequestCase[]): void {
  for (const [name, call, answer, expected] of cases) {
    it(`${name}: ${expected.method} ${expected.path}`, async () => {
      srv().queue = [{ body: answer }];
      await call();
      const got = lastRequest(srv());
      expect({ method: got.method, path: got.path }).toEqual({ method: expected.method, path: expected.path });
      if (expected.method === 'GET') expect(got.query).toEqual(expected.query);
      else expect(got.json).toEqual(expected.json);
    });
  }
}
