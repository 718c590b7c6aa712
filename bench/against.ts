/**
 * `npm run bench -- --against <url>`: the same REST workloads against `mlf server` (started as its
 * own process on a fresh store: SQLite, or MLF_BENCH_STORE=postgresql|mysql) and against any MLflow-compatible
 * server the user started (for example MLflow's own on a fresh database of the same kind), one
 * keep-alive node:http client for both, each figure the median of several calls.
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

type Figures = Record<string, number>;

async function timed(times: number, fn: (i: number) => Promise<void>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return median(out);
}

/** The workloads of issue 18 through REST; names are the table's row names. */
export async function restWorkloads(api: string): Promise<Figures> {
  const c: Client = nodeHttpClient(api);
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  try {
    const out: Figures = {};
    const exp = (await c.post('experiments/create', { name: `bench-${tag}` })).experiment_id as string;
    const newRun = async () => (await c.post('runs/create', { experiment_id: exp, start_time: Date.now(), user_id: 'bench' })).run.info.run_id as string;

    for (let i = 0; i < 100; i++) await newRun();
    out['create run'] = await timed(300, async () => void (await newRun()));

    const bRun = await newRun();
    let step = 0;
    const metrics = () => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i / 7, timestamp: 1_700_000_000_000 + step, step: step++ }));
    for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: bRun, metrics: metrics() });
    out['log-batch, 1000 metrics'] = await timed(15, async () => void (await c.post('runs/log-batch', { run_id: bRun, metrics: metrics() })));

    const pRuns: string[] = [];
    for (let i = 0; i < 18; i++) pRuns.push(await newRun());
    const params = Array.from({ length: 100 }, (_, k) => ({ key: `p${k}`, value: `v${k}` }));
    for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: pRuns[i], params });
    out['log-batch, 100 params'] = await timed(15, async (i) => void (await c.post('runs/log-batch', { run_id: pRuns[i + 3], params })));

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
    out['search 2000 runs, filter + order'] = await timed(9, async () => void (await c.post('runs/search', search)));

    const hRun = await newRun();
    for (let b = 0; b < 10; b++) {
      await c.post('runs/log-batch', {
        run_id: hRun,
        metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i / 3, timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i })),
      });
    }
    const hist = `metrics/get-history?run_id=${hRun}&metric_key=loss`;
    const h = await c.get(hist);
    if (h.metrics?.length !== 10_000) throw new Error(`history returned ${h.metrics?.length} points`);
    out['metric history, 10,000 points'] = await timed(9, async () => void (await c.get(hist)));
    return out;
  } finally {
    c.close();
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
  let mine: Figures;
  try {
    mine = await restWorkloads(`${srv.url}/api/2.0/mlflow`);
  } finally {
    await srv.stop();
    await store.drop();
  }
  const theirs = await restWorkloads(`${url.replace(/\/+$/, '')}/api/2.0/mlflow`);
  return Object.keys(mine).map((k) => ({ name: `server on ${store.label}: ${k}`, ms: mine[k]!, baselineMs: theirs[k]!, baseline: url }));
}
