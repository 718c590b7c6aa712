/**
 * `npm run bench -- --against <url>`: the same REST workloads against `mlf server` (started as its
 * own process on a fresh store: SQLite, or MLF_BENCH_STORE=postgresql|mysql) and against any MLflow-compatible
 * server the user started (for example MLflow's own on a fresh database of the same kind), one
 * keep-alive node:http client for each. Each workload is set up on both servers, then its timed calls
 * alternate between them (which goes first rotates), so that both are measured in the same
 * seconds of a shared machine's load; each figure is the median of its calls.
 *
 * Beside each workload, the floor that bounds mlf's ratio, timed in the same turns: the raw driver
 * doing the same rows in one transaction on mlf's database, plus one bare HTTP round trip of the
 * same request and response (bench/bare-http.ts). The other server's time over the floor is the
 * best ratio any server could reach on this machine; mlf's time over it is mlf's own cost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess } from './server-process.js';
import { nodeHttpClient, type Client } from './server.js';
import { createBenchDatabase, rawConnect, rawSqlite, type BenchDialect, type RawConn } from './databases.js';
import { median, Raw } from './sql-dialects.js';
import { startBareHttp } from './bare-http.js';
import type { Metric } from '../src/tracking/entities.js';

export interface AgainstRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

/** A workload's timed call, given the client to make it with (a server, or the bare HTTP floor). */
type Call = (c: Client, i: number) => Promise<unknown>;

/** One workload of issue 18: what it writes first on a server, and the call that is timed there. */
interface Workload {
  name: string;
  times: number;
  /**
   * Untimed turns of all four calls first (the writes' own setup already warms theirs). A fresh mlf
   * server's first dozen searches ran at about twice its steady time while V8 compiled the read
   * path; a server answers thousands, so the median should not be its first nine.
   */
  warmup?: number;
  /** issue 18's target ratio to MLflow, by store kind. */
  target(kind: string): number;
  /**
   * Writes the workload's data through `c`; returns the timed call and, for mlf's database, the
   * floor: the raw driver doing the same rows in one transaction (made ready on `raw`).
   */
  setup(c: Client, exp: string, tag: string): Promise<{ call: Call; floor(raw: Raw): Promise<(i: number) => Promise<unknown>> }>;
}

const newRun = async (c: Client, exp: string) => (await c.post('runs/create', { experiment_id: exp, start_time: Date.now(), user_id: 'bench' })).run.info.run_id as string;

/** 1000 points over 20 keys with fresh steps each call, as the log-batch workload sends them. */
function metricBatches(): () => Metric[] {
  let step = 0;
  return () => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i / 7, timestamp: 1_700_000_000_000 + step, step: step++ }));
}

const WORKLOADS: Workload[] = [
  {
    name: 'create run',
    times: 300,
    target: (kind) => (kind === 'sqlite' ? 10 : 5),
    async setup(c, exp) {
      for (let i = 0; i < 100; i++) await newRun(c, exp);
      return { call: (c) => newRun(c, exp), floor: async (raw) => () => raw.createRun(Number(exp)) };
    },
  },
  {
    name: 'log-batch, 1000 metrics',
    times: 15,
    target: () => 10,
    async setup(c, exp) {
      const run = await newRun(c, exp);
      const metrics = metricBatches();
      for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: run, metrics: metrics() });
      return {
        call: (c) => c.post('runs/log-batch', { run_id: run, metrics: metrics() }),
        async floor(raw) {
          const rawRun = await raw.createRun(Number(exp));
          const rawMetrics = metricBatches();
          for (let i = 0; i < 3; i++) await raw.logMetrics(rawRun, rawMetrics());
          return () => raw.logMetrics(rawRun, rawMetrics());
        },
      };
    },
  },
  {
    name: 'log-batch, 100 params',
    times: 15,
    target: () => 10,
    async setup(c, exp) {
      const runs: string[] = [];
      for (let i = 0; i < 18; i++) runs.push(await newRun(c, exp));
      const params = Array.from({ length: 100 }, (_, k) => ({ key: `p${k}`, value: `v${k}` }));
      for (let i = 0; i < 3; i++) await c.post('runs/log-batch', { run_id: runs[i], params });
      return {
        call: (c, i) => c.post('runs/log-batch', { run_id: runs[i + 3], params }),
        async floor(raw) {
          const rawRuns: string[] = [];
          for (let i = 0; i < 18; i++) rawRuns.push(await raw.createRun(Number(exp)));
          for (let i = 0; i < 3; i++) await raw.logParams(rawRuns[i]!, params);
          return (i) => raw.logParams(rawRuns[i + 3]!, params);
        },
      };
    },
  },
  {
    name: 'search 2000 runs, filter + order',
    times: 15,
    warmup: 8,
    target: () => 20,
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
      return {
        call: (c) => c.post('runs/search', search),
        async floor(raw) {
          const n = await raw.search(Number(sExp));
          if (n !== 1000) throw new Error(`raw search returned ${n} runs`);
          return () => raw.search(Number(sExp));
        },
      };
    },
  },
  {
    name: 'metric history, 10,000 points',
    times: 15,
    warmup: 8,
    target: () => 20,
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
      return {
        call: (c) => c.get(hist),
        async floor(raw) {
          if ((await raw.history(run)) !== 10_000) throw new Error('raw history did not read 10,000 points');
          return () => raw.history(run);
        },
      };
    },
  },
];

/**
 * MLF_BENCH_AGAINST_WORKLOADS (comma-separated words, e.g. `search,history`) narrows the run to the
 * workloads whose names start with one of them; unset, all of them.
 */
function chosenWorkloads(): Workload[] {
  const words = process.env.MLF_BENCH_AGAINST_WORKLOADS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!words?.length) return WORKLOADS;
  const chosen = WORKLOADS.filter((w) => words.some((word) => w.name.startsWith(word)));
  if (chosen.length === 0) throw new Error(`MLF_BENCH_AGAINST_WORKLOADS=${words.join(',')} names none of: ${WORKLOADS.map((w) => w.name).join('; ')}`);
  return chosen;
}

/** The medians of one workload, ms: mlf, the other server, and the two parts of mlf's floor. */
interface Figures {
  mine: number;
  theirs: number;
  raw: number;
  http: number;
}

/**
 * Each workload on both servers, its timed calls taking turns with the floor's two parts: the raw
 * driver on mlf's database, and the same request to the bare HTTP server answering with mlf's last
 * response. Who goes first rotates, so all four are timed in the same moments of the machine's load.
 */
async function interleaved(apis: [string, string], raw: Raw): Promise<Record<string, Figures>> {
  const bare = await startBareHttp();
  const replies = new Map<string, string>();
  const clients = [nodeHttpClient(apis[0], (p, text) => replies.set(p, text)), nodeHttpClient(apis[1]), nodeHttpClient(`${bare.url}${new URL(apis[0]).pathname}`)];
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  const share = async () => {
    for (const [p, text] of replies) await bare.setReply(p, text);
    replies.clear();
  };
  try {
    const exps = await Promise.all(clients.slice(0, 2).map(async (c) => (await c.post('experiments/create', { name: `bench-${tag}` })).experiment_id as string));
    const out: Record<string, Figures> = {};
    for (const w of chosenWorkloads()) {
      const [mine, theirs] = await Promise.all([0, 1].map((k) => w.setup(clients[k]!, exps[k]!, tag)));
      const floor = await mine!.floor(raw);
      await share();
      const turns: ((i: number) => Promise<unknown>)[] = [(i) => mine!.call(clients[0]!, i), (i) => theirs!.call(clients[1]!, i), floor, (i) => mine!.call(clients[2]!, i)];
      const times: number[][] = turns.map(() => []);
      for (let i = -(w.warmup ?? 0); i < w.times; i++) {
        for (let j = 0; j < turns.length; j++) {
          const k = (((i + j) % turns.length) + turns.length) % turns.length;
          const t = performance.now();
          await turns[k]!(i);
          if (i >= 0) times[k]!.push(performance.now() - t);
          if (k === 0) await share();
        }
      }
      const [m, th, r, h] = times.map(median) as [number, number, number, number];
      out[w.name] = { mine: m, theirs: th, raw: r, http: h };
      if (process.env.MLF_BENCH_VERBOSE) console.error(`${w.name}: mlf ${m.toFixed(2)}, other ${th.toFixed(2)}, raw ${r.toFixed(2)} + HTTP ${h.toFixed(2)} ms`);
    }
    return out;
  } finally {
    for (const c of clients) c.close();
    bare.stop();
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
  const kind = process.env.MLF_BENCH_STORE ?? 'sqlite';
  const store = await freshStore(kind);
  // Its own process, like the server it is compared with: the client never shares its event loop.
  const srv = await startServerProcess(['--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'a')]);
  let figures: Record<string, Figures>;
  let conn: RawConn | undefined;
  try {
    // The raw driver on the database mlf's server uses (opened once mlf has made the schema).
    conn = kind === 'sqlite' ? await rawSqlite(store.uri.slice('sqlite:///'.length)) : await rawConnect(kind as BenchDialect, store.uri);
    figures = await interleaved([`${srv.url}/api/2.0/mlflow`, `${url.replace(/\/+$/, '')}/api/2.0/mlflow`], new Raw(conn, kind as BenchDialect | 'sqlite'));
  } finally {
    await conn?.close();
    await srv.stop();
    await store.drop();
  }
  const fmt = (ms: number) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
  return chosenWorkloads().flatMap((w) => {
    const f = figures[w.name]!;
    const floor = f.raw + f.http;
    return [
      { name: `server on ${store.label}: ${w.name}`, ms: f.mine, baselineMs: f.theirs, baseline: url },
      {
        // Against the other server, the floor's ratio is the best any server could reach here.
        name: `server on ${store.label}: ${w.name}, floor = raw driver ${fmt(f.raw)} + bare HTTP ${fmt(f.http)} ms (mlf at ${(f.mine / floor).toFixed(1)}x its floor; target ${w.target(kind)}x)`,
        ms: floor,
        baselineMs: f.theirs,
        baseline: url,
      },
    ];
  });
}
