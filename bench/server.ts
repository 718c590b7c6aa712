/**
 * `mlf server` speed through HTTP on a loopback port, SQLite store: create run, log-batch, search and
 * history, each beside the same store call in-process (no HTTP) measured in the same run, so the
 * ratio is what HTTP and JSON add. Each number is the median of several runs, over keep-alive
 * connections, as a client library would do it. MLflow's own server is measured beside mlf by
 * `npm run bench -- --against <url>`.
 *
 * The headline client is `node:http` with a keep-alive `http.Agent`, the analogue of the
 * `requests.Session` MLflow's Python client uses. `fetch` (undici) is measured too, because it alone
 * adds about a millisecond per request in Node. The same store calls without HTTP ("in-process") show
 * how much of each number is the store and how much the HTTP layer.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { resolveSettings, startServer } from '../src/server/serve.js';
import { createLogger } from '../src/server/logger.js';

export interface ServerBenchRow {
  name: string;
  ms: number;
  baselineMs?: number;
  baseline?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeIt(times: number, fn: () => Promise<void>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export interface Client {
  post(route: string, body: unknown): Promise<any>;
  get(routeAndQuery: string): Promise<any>;
  close(): void;
}

function fetchClient(api: string): Client {
  const check = async (route: string, r: Response) => {
    const j = await r.json();
    if (r.status !== 200) throw new Error(`${route}: ${JSON.stringify(j)}`);
    return j;
  };
  return {
    post: async (route, body) =>
      check(route, await fetch(`${api}/${route}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })),
    get: async (route) => check(route, await fetch(`${api}/${route}`)),
    close: () => undefined,
  };
}

/** `onText`: each successful response's text, with the URL path it came from (for a replay). */
export function nodeHttpClient(api: string, onText?: (path: string, text: string) => void): Client {
  const u = new URL(api);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const send = (method: string, route: string, body?: string) =>
    new Promise<any>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = http.request({ host: u.hostname, port: u.port, path: `${u.pathname}/${route}`, method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            const j = JSON.parse(text);
            if (res.statusCode !== 200) reject(new Error(`${route}: ${JSON.stringify(j)}`));
            else {
              onText?.(`${u.pathname}/${route}`.split('?')[0]!, text);
              resolve(j);
            }
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    post: (route, body) => send('POST', route, JSON.stringify(body)),
    get: (route) => send('GET', route),
    close: () => agent.destroy(),
  };
}

// Timestamps rise with the steps, as a training loop logs them: with the same timestamps in every
// batch each one landed all over MLflow's (key, timestamp, …) key, and the later measurements paid
// for the table the earlier ones had grown (in-process 22 ms against 8 ms through HTTP before it).
const metricsBatch = (base: number, n: number, keys: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `m${i % keys}`, value: i / 7, timestamp: 1_700_000_000_000 + base + i, step: base + i }));

/** The least a request can cost on this machine: a bare node:http server answering a tiny JSON body. */
async function httpFloor(): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = '{"run":{}}';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const c = nodeHttpClient(`http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/api`);
  try {
    for (let i = 0; i < 2000; i++) await c.post('x', { experiment_id: '1', start_time: 1 });
    return await timeIt(1000, async () => void (await c.post('x', { experiment_id: '1', start_time: 1 })));
  } finally {
    c.close();
    server.close();
  }
}

export async function benchServer(): Promise<ServerBenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-server-'));
  const srv = await startServer(
    resolveSettings({ backendStoreUri: `sqlite:///${path.join(dir, 'mlflow.db')}`, port: 0, artifactsDestination: path.join(dir, 'a') }),
    createLogger('none'),
  );
  const api = `${srv.url}/api/2.0/mlflow`;
  const clients: [string, Client][] = [
    ['node:http', nodeHttpClient(api)],
    ['fetch', fetchClient(api)],
  ];
  const { post, get } = clients[0]![1];
  const store = srv.store;
  try {
    const rows: ServerBenchRow[] = [];
    const { experiment_id } = await post('experiments/create', { name: 'bench' });

    // ---- create run ----
    for (const [label, c] of clients) {
      const newRun = async (i: number) => (await c.post('runs/create', { experiment_id, start_time: i, user_id: 'bench' })).run.info.run_id as string;
      // A server runs warm: the first ~2000 requests are the JIT compiling the request path.
      for (let i = 0; i < 2000; i++) await newRun(i);
      rows.push({ name: `server: create run (${label})`, ms: await timeIt(1000, async () => void (await newRun(1))) });
    }
    rows.push({ name: 'floor: bare node:http server, same client, tiny JSON reply', ms: await httpFloor() });
    rows.push({
      name: 'in-process: store.createRun (no HTTP)',
      ms: await timeIt(1000, async () => void (await store.createRun({ experimentId: experiment_id, userId: 'bench', startTime: 1, tags: [] }))),
    });
    const newRun = async (i: number) => (await post('runs/create', { experiment_id, start_time: i, user_id: 'bench' })).run.info.run_id as string;

    // ---- log-batch of 1000 metrics ----
    for (const [label, c] of clients) {
      const batchRun = await newRun(2);
      let step = 0;
      for (let w = 1; w <= 5; w++) await c.post('runs/log-batch', { run_id: batchRun, metrics: metricsBatch(-1000 * w, 1000, 10) });
      rows.push({
        name: `server: log-batch 1000 metrics (${label})`,
        ms: await timeIt(30, async () => {
          const base = step;
          step += 1000;
          await c.post('runs/log-batch', { run_id: batchRun, metrics: metricsBatch(base, 1000, 10) });
        }),
      });
    }
    {
      const batchRun = await newRun(2);
      let step = 0;
      for (let w = 1; w <= 5; w++) await store.logBatch(batchRun, { metrics: metricsBatch(-1000 * w, 1000, 10), params: [], tags: [] });
      rows.push({
        name: 'in-process: store.logBatch 1000 metrics (no HTTP)',
        ms: await timeIt(30, async () => {
          const base = step;
          step += 1000;
          await store.logBatch(batchRun, { metrics: metricsBatch(base, 1000, 10), params: [], tags: [] });
        }),
      });
    }

    // ---- search: 2000 runs in a fresh experiment, each with a metric, a param and a tag ----
    const { experiment_id: searchExp } = await post('experiments/create', { name: 'bench-search' });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 2000; i += 8) {
          const id = (await post('runs/create', { experiment_id: searchExp, start_time: i })).run.info.run_id;
          await post('runs/log-batch', {
            run_id: id,
            metrics: [{ key: 'loss', value: i / 2000, timestamp: i, step: 0 }],
            params: [{ key: 'i', value: String(i) }],
            tags: [{ key: 't', value: 'x' }],
          });
        }
      }),
    );
    for (const [label, c] of clients) {
      await c.post('runs/search', { experiment_ids: [searchExp], max_results: 2000 });
      rows.push({
        name: `server: search 2000 runs, all returned (${label})`,
        ms: await timeIt(9, async () => {
          const r = await c.post('runs/search', { experiment_ids: [searchExp], max_results: 2000 });
          if (r.runs.length !== 2000) throw new Error(`search returned ${r.runs.length} runs`);
        }),
      });
    }
    rows.push({
      name: 'in-process: store.searchRuns 2000 runs (no HTTP)',
      ms: await timeIt(9, async () => {
        const page = await store.searchRuns({ experimentIds: [searchExp], viewType: 'ACTIVE_ONLY', maxResults: 2000, orderBy: [] });
        if (page.items.length !== 2000) throw new Error(`search returned ${page.items.length} runs`);
      }),
    });

    // ---- metric history of 10,000 points ----
    const histRun = await newRun(3);
    for (let b = 0; b < 10; b++) {
      await post('runs/log-batch', {
        run_id: histRun,
        metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i })),
      });
    }
    for (const [label, c] of clients) {
      await c.get(`metrics/get-history?run_id=${histRun}&metric_key=loss`);
      rows.push({
        name: `server: metric history 10k points (${label})`,
        ms: await timeIt(9, async () => {
          const j = await c.get(`metrics/get-history?run_id=${histRun}&metric_key=loss`);
          if (j.metrics.length !== 10_000) throw new Error(`history returned ${j.metrics.length} points`);
        }),
      });
    }
    rows.push({
      name: 'in-process: store.getMetricHistory 10k points (no HTTP)',
      ms: await timeIt(9, async () => {
        const h = await store.getMetricHistory(histRun, 'loss');
        if (h.length !== 10_000) throw new Error(`history returned ${h.length} points`);
      }),
    });
    // Each server row beside its store call in-process, measured above.
    const inProcess = (op: string) => rows.find((r) => r.name.startsWith(`in-process: ${op}`))!.ms;
    const ops: [string, string][] = [['server: create run', 'store.createRun'], ['server: log-batch', 'store.logBatch'], ['server: search', 'store.searchRuns'], ['server: metric history', 'store.getMetricHistory']];
    for (const r of rows) {
      const op = ops.find(([prefix]) => r.name.startsWith(prefix));
      if (op) Object.assign(r, { baselineMs: inProcess(op[1]), baseline: 'the same store call in-process' });
    }
    return rows;
  } finally {
    for (const [, c] of clients) c.close();
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
