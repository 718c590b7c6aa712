/**
 * `npm run bench -- --against <url>`: the same REST workloads against `mlf server` (started as its
 * own process on a fresh store: SQLite, or MLF_BENCH_STORE=postgresql|mysql) and against any MLflow-compatible
 * server the user started (for example MLflow's own on a fresh database of the same kind), one
 * keep-alive node:http client for each. Each workload is set up on both servers, then its timed calls
 * alternate between them (which goes first alternates too), so that both are measured in the same
 * seconds of a shared machine's load; each figure is the median of its calls.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess } from './server-process.js';
import { nodeHttpClient, type Client } from './server.js';
import { createBenchDatabase, type BenchDialect } from './databases.js';
import { median } from './sql-dialects.js';

export interface AgainstRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

/** One workload of issue 18: what it writes first on a server, and the call that is timed there. */
interface Workload {
  name: string;
  times: number;
  setup(c: Client, exp: string, tag: string): Promise<(i: number) => Promise<unknown>>;
}

const newRun = async (c: Client, exp: string) => (await c.post('runs/create', { experiment_id: exp, start_time: Date.now(), user_id: 'bench' })).run.info.run_id as string;

const WORKLOADS: Workload[] = [
  {
    name: 'create run',
    times: 300,
    async setup(c, exp) {
      for (let i = 0; i < 100; i++) await newRun(c, exp);
      return () => newRun(c, exp);
    },
  },
  {
    name: 'log-batch, 1000 metrics',
    times: 15,
    async setup(c, exp) {
      const run = await newRun(c, exp);
      let step = 0;
      const metrics = () => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i / 7, timestamp: 1_700_000_000_000 + step, step: step++ }));
      for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: run, metrics: metrics() });
      return () => c.post('runs/log-batch', { run_id: run, metrics: metrics() });
    },
  },
  {
    name: 'log-batch, 100 params',
    times: 15,
    async setup(c, exp) {
      const runs: string[] = [];
      for (let i = 0; i < 18; i++) runs.push(await newRun(c, exp));
      const params = Array.from({ length: 100 }, (_, k) => ({ key: `p${k}`, value: `v${k}` }));
      for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: runs[i], params });
      return (i) => c.post('runs/log-batch', { run_id: runs[i + 3], params });
    },
  },
  {
    name: 'search 2000 runs, filter + order',
    times: 9,
    async setup(c, _exp, tag) {
      // 2000 runs, each with a metric, a param and a tag, written by 8 concurrent clients.
      const sExp = (await c.post('experiments/create', { name: `bench-search-${tag}` })).experiment_id as string;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = w; i < 2000; i += 8) {
            const id = (await c.post('runs/create', { experiment_id: sExp, start_time: 1_700_000_000_000 + i })).run.info.run_id;
            await c.post('runs/log-batch', {
              run_id: id,
              metrics: [{ key: 'loss', value: (i * 31) % 1000, timestamp: 1, step: 0 }],
              params: [{ key: 'i', value: String(i % 7) }],
              tags: [{ key: 't', value: `v${i % 3}` }],
            });
          }
        }),
      );
      const search = { experiment_ids: [sExp], filter: "metrics.loss > 100 and params.i != '3'", order_by: ['metrics.loss DESC'], max_results: 1000 };
      const first = await c.post('runs/search', search);
      if (first.runs?.length !== 1000) throw new Error(`search returned ${first.runs?.length} runs`);
      return () => c.post('runs/search', search);
    },
  },
  {
    name: 'metric history, 10,000 points',
    times: 9,
    async setup(c, exp) {
      const run = await newRun(c, exp);
      for (let b = 0; b < 10; b++) {
        await c.post('runs/log-batch', {
          run_id: run,
          metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i / 3, timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i })),
        });
      }
      const hist = `metrics/get-history?run_id=${run}&metric_key=loss`;
      const h = await c.get(hist);
      if (h.metrics?.length !== 10_000) throw new Error(`history returned ${h.metrics?.length} points`);
      return () => c.get(hist);
    },
  },
];

/** Each workload on both servers, its timed calls alternating between them: [mine, theirs] medians. */
async function interleaved(apis: [string, string]): Promise<Record<string, [number, number]>> {
  const clients = apis.map(nodeHttpClient) as [Client, Client];
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  try {
    const exps = await Promise.all(clients.map(async (c) => (await c.post('experiments/create', { name: `bench-${tag}` })).experiment_id as string));
    const out: Record<string, [number, number]> = {};
    for (const w of WORKLOADS) {
      const calls = await Promise.all(clients.map((c, k) => w.setup(c, exps[k]!, tag)));
      const times: [number[], number[]] = [[], []];
      for (let i = 0; i < w.times; i++) {
        for (const k of i % 2 ? [1, 0] : [0, 1]) {
          const t = performance.now();
          await calls[k]!(i);
          times[k]!.push(performance.now() - t);
        }
      }
      out[w.name] = [median(times[0]), median(times[1])];
    }
    return out;
  } finally {
    for (const c of clients) c.close();
  }
}

/** A fresh store of the kind MLF_BENCH_STORE names, and how to remove it. */
export async function freshStore(kind: string): Promise<{ uri: string; label: string; dir: string; drop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-store-'));
  if (kind === 'sqlite') {
    return { uri: `sqlite:///${path.join(dir, 'mlflow.db')}`, label: 'SQLite', dir, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind !== 'postgresql' && kind !== 'mysql') throw new Error(`MLF_BENCH_STORE must be sqlite, postgresql or mysql, not ${kind}`);
  const db = await createBenchDatabase(kind as BenchDialect);
  return {
    uri: db.uri,
    label: kind === 'postgresql' ? 'PostgreSQL' : 'MySQL',
    dir,
    drop: async () => {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function benchAgainst(url: string): Promise<AgainstRow[]> {
  const store = await freshStore(process.env.MLF_BENCH_STORE ?? 'sqlite');
  // Its own process, like the server it is compared with: the client never shares its event loop.
  const srv = await startServerProcess(['--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'a')]);
  let figures: Record<string, [number, number]>;
  try {
    figures = await interleaved([`${srv.url}/api/2.0/mlflow`, `${url.replace(/\/+$/, '')}/api/2.0/mlflow`]);
  } finally {
    await srv.stop();
    await store.drop();
  }
  return Object.entries(figures).map(([k, [mine, theirs]]) => ({ name: `server on ${store.label}: ${k}`, ms: mine, baselineMs: theirs, baseline: url }));
}
