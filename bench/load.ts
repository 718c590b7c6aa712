/**
 * Many clients: 32 concurrent keep-alive clients (bench/load-client.ts, its own process) against
 * `mlf server --workers 1` and `--workers 2` on SQLite and PostgreSQL, each on a fresh store with a
 * 500-run experiment to search. Reports requests/s, p99 latency and the peak RSS of each process.
 * MLF_BENCH_LOAD_SECONDS (default 10), MLF_BENCH_LOAD_WARMUP (seconds of unmeasured load first,
 * default 3), MLF_BENCH_LOAD_CLIENTS (32), MLF_BENCH_LOAD_STORES (sqlite,postgresql),
 * MLF_BENCH_LOAD_WORKERS (1,2) change it. Without another server, PostgreSQL's requests/s are
 * shown beside SQLite's at the same --workers.
 *
 * With `--against <url>` the same load also runs against that MLflow-compatible server (started by
 * the user on a fresh database), in slices alternating with mlf's (see loadOn), and mlf is run on
 * the store kind MLF_BENCH_STORE names (as `--against` does), each of its figures beside the other
 * server's from the same minutes.
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
  baselineMs?: number;
  baseline?: string;
  /** requests/s: more is better, so the ratio is read the other way round. */
  higherIsBetter?: boolean;
}

interface LoadFigures {
  rps: number;
  /** p99 latency (ms) of all requests ('all') and of each operation. */
  p99: Record<string, number>;
}

const CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));
const MIX = 'create run 1/4, log-batch 100 metrics 2/4, search page of 100 1/4';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function prepare(api: string): Promise<{ exp: string; searchExp: string }> {
  const c = nodeHttpClient(api);
  // Unique names, so that a server someone else started may already hold experiments.
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  try {
    const exp = (await c.post('experiments/create', { name: `load-${tag}` })).experiment_id as string;
    const searchExp = (await c.post('experiments/create', { name: `load-search-${tag}` })).experiment_id as string;
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

type ClientRun = Awaited<ReturnType<typeof runClient>>;

function figures(runs: ClientRun[]): LoadFigures {
  const errors = runs.reduce((n, r) => n + r.errors, 0);
  if (errors) throw new Error(`${errors} requests failed under load: ${runs.find((r) => r.errors)!.firstError}`);
  const latencies: Record<string, number[]> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.latencies)) (latencies[k] ??= []).push(...v);
  const all = Object.values(latencies).flat();
  const p99: Record<string, number> = { all: percentile(all, 99) };
  for (const [k, v] of Object.entries(latencies)) p99[k] = percentile(v, 99);
  return { rps: all.length / runs.reduce((t, r) => t + r.seconds, 0), p99 };
}

/**
 * The load on mlf's server (and, with `theirs`, on the other server too): with two servers the
 * time is cut into MLF_BENCH_LOAD_SLICES slices (default 4) that alternate between them (who goes
 * first alternates too), as `--against` alternates its calls, so both take the same minutes of a
 * shared machine's load; each side's figures pool its slices.
 */
async function loadOn(mine: string, theirs: { api: string; exps: { exp: string; searchExp: string } } | undefined, seconds: string, clients: string): Promise<[LoadFigures, LoadFigures?]> {
  const exps = await prepare(mine);
  // A server runs warm (as bench/server.ts warms up): each worker compiles its request path under
  // the first seconds of load, unmeasured. Without it `--workers 2` paid two workers' warm-up inside
  // the window (node CPU per request 1.87 against 1.18 ms with one).
  const warmup = process.env.MLF_BENCH_LOAD_WARMUP ?? '3';
  if (Number(warmup) > 0) {
    figures([await runClient([mine, warmup, clients, exps.exp, exps.searchExp])]);
    if (theirs) figures([await runClient([theirs.api, warmup, clients, theirs.exps.exp, theirs.exps.searchExp])]);
  }
  if (!theirs) return [figures([await runClient([mine, seconds, clients, exps.exp, exps.searchExp])])];
  const slices = Number(process.env.MLF_BENCH_LOAD_SLICES ?? 4);
  const each = String(Number(seconds) / slices);
  const runs: [ClientRun[], ClientRun[]] = [[], []];
  const sides = [{ api: mine, exps }, theirs];
  for (let i = 0; i < slices; i++) {
    for (const k of i % 2 ? [1, 0] : [0, 1]) runs[k]!.push(await runClient([sides[k]!.api, each, clients, sides[k]!.exps.exp, sides[k]!.exps.searchExp]));
  }
  return [figures(runs[0]), figures(runs[1])];
}

export async function benchLoad(against?: string): Promise<LoadRow[]> {
  const seconds = process.env.MLF_BENCH_LOAD_SECONDS ?? '10';
  const clients = process.env.MLF_BENCH_LOAD_CLIENTS ?? '32';
  const list = (v: string) => v.split(',').map((s) => s.trim());
  const kinds = against ? [process.env.MLF_BENCH_STORE ?? 'sqlite'] : list(process.env.MLF_BENCH_LOAD_STORES ?? 'sqlite,postgresql');
  const workerCounts = list(process.env.MLF_BENCH_LOAD_WORKERS ?? '1,2');
  // The other server's experiments are made once; its load is measured again beside each of mlf's configurations.
  const otherApi = against ? `${against.replace(/\/+$/, '')}/api/2.0/mlflow` : undefined;
  const other = otherApi ? { api: otherApi, exps: await prepare(otherApi) } : undefined;
  const rows: LoadRow[] = [];
  const sqliteRps = new Map<string, number>();
  for (const kind of kinds) {
    for (const workers of workerCounts) {
      const store = await freshStore(kind);
      const srv = await startServerProcess(['--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'a'), '--workers', workers]);
      try {
        const [mine, theirs] = await loadOn(`${srv.url}/api/2.0/mlflow`, other, seconds, clients);
        const label = `load: ${clients} clients, ${store.label}, --workers ${workers}`;
        const vs = (ms: number, base: number | undefined, higherIsBetter?: boolean): Omit<LoadRow, 'name'> =>
          base === undefined ? { ms } : { ms, baselineMs: base, baseline: against, higherIsBetter };
        // Without another server, PostgreSQL's requests/s beside SQLite's at the same --workers (issue 18: within 2x).
        if (kind === 'sqlite') sqliteRps.set(workers, mine.rps);
        const beside = theirs ? vs(mine.rps, theirs.rps, true) : kind !== 'sqlite' && sqliteRps.has(workers) ? { ms: mine.rps, baselineMs: sqliteRps.get(workers)!, baseline: `SQLite, --workers ${workers} (requests/s)`, higherIsBetter: true } : { ms: mine.rps };
        rows.push({ name: `${label}: requests/s (${MIX})`, ...beside });
        for (const [k, v] of Object.entries(mine.p99)) rows.push({ name: `${label}: p99 latency, ${k === 'all' ? 'all requests' : k} (ms)`, ...vs(v, theirs?.p99[k]) });
        const rss = srv.peakRssMb();
        rss.forEach((mb, i) => rows.push({ name: `${label}: peak RSS (MB), ${workers === '1' ? 'the server' : i === 0 ? 'primary' : `worker ${i}`}`, ms: mb }));
        if (process.env.MLF_BENCH_VERBOSE) console.error(label, mine.rps, rss);
      } finally {
        await srv.stop();
        await store.drop();
      }
    }
  }
  return rows;
}
