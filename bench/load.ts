/**
 * Many clients: 32 concurrent keep-alive clients (bench/load-client.ts, its own process) against
 * `mlf server --workers 1` and `--workers 2` on SQLite and PostgreSQL, each on a fresh store with a
 * 500-run experiment to search. Reports requests/s, p99 latency and the peak RSS of each process.
 * MLF_BENCH_LOAD_SECONDS (default 10), MLF_BENCH_LOAD_CLIENTS (32), MLF_BENCH_LOAD_STORES
 * (sqlite,postgresql) change it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeHttpClient } from './server.js';
import { startServerProcess } from './server-process.js';
import { freshStore } from './against.js';

export interface LoadRow {
  name: string;
  ms: number;
}

const CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function prepare(api: string): Promise<{ exp: string; searchExp: string }> {
  const c = nodeHttpClient(api);
  try {
    const exp = (await c.post('experiments/create', { name: 'load' })).experiment_id as string;
    const searchExp = (await c.post('experiments/create', { name: 'load-search' })).experiment_id as string;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < 500; i += 8) {
          const id = (await c.post('runs/create', { experiment_id: searchExp, start_time: i })).run.info.run_id;
          await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'loss', value: (i * 37 % 500) / 500, timestamp: 1, step: 0 }], params: [{ key: 'i', value: String(i) }] });
        }
      }),
    );
    return { exp, searchExp };
  } finally {
    c.close();
  }
}

function runClient(args: string[]): Promise<{ seconds: number; latencies: Record<string, number[]>; errors: number; firstError: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLIENT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load client exited ${code}`))));
  });
}

export async function benchLoad(): Promise<LoadRow[]> {
  const seconds = process.env.MLF_BENCH_LOAD_SECONDS ?? '10';
  const clients = process.env.MLF_BENCH_LOAD_CLIENTS ?? '32';
  const kinds = (process.env.MLF_BENCH_LOAD_STORES ?? 'sqlite,postgresql').split(',').map((s) => s.trim());
  const rows: LoadRow[] = [];
  for (const kind of kinds) {
    for (const workers of [1, 2]) {
      const store = await freshStore(kind);
      const srv = await startServerProcess(['--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'a'), '--workers', String(workers)]);
      try {
        const api = `${srv.url}/api/2.0/mlflow`;
        const { exp, searchExp } = await prepare(api);
        const r = await runClient([api, seconds, clients, exp, searchExp]);
        if (r.errors) throw new Error(`${r.errors} requests failed under load: ${r.firstError}`);
        const all = Object.values(r.latencies).flat();
        const label = `load: ${clients} clients, ${store.label}, --workers ${workers}`;
        rows.push({ name: `${label}: requests/s (create run 1/4, log-batch 100 metrics 2/4, search page of 100 1/4)`, ms: all.length / r.seconds });
        rows.push({ name: `${label}: p99 latency, all requests (ms)`, ms: percentile(all, 99) });
        for (const [k, v] of Object.entries(r.latencies)) rows.push({ name: `${label}: p99 latency, ${k} (ms)`, ms: percentile(v, 99) });
        const rss = srv.peakRssMb();
        rss.forEach((mb, i) => rows.push({ name: `${label}: peak RSS (MB), ${workers === 1 ? 'the server' : i === 0 ? 'primary' : `worker ${i}`}`, ms: mb }));
        if (process.env.MLF_BENCH_VERBOSE) console.error(label, all.length / r.seconds, srv.peakRssMb());
      } finally {
        await srv.stop();
        await store.drop();
      }
    }
  }
  return rows;
}
