/**
 * The same store work on a database at mlf's head (MLflow 3's schema: workspace columns, the metrics
 * (run_uuid, key, step) index, more tables for gc to look at) and on one at MLflow 2.17's head
 * (f5a4f2784254), on SQLite, PostgreSQL and MariaDB/MySQL (each server when reachable), in the same
 * run: create run, log-batch of 1000 metrics, a search over 1000 runs and gc of 200 deleted runs.
 *
 * The machine is shared, so the two databases take turns: every round measures each workload on
 * both (which goes first alternates), and a figure is the median of its rounds. The target is
 * "within 10%" (ratio ≥ 0.91). MLF_BENCH_SCHEMA_ROUNDS sets the rounds (default 7),
 * MLF_BENCH_SCHEMA_DIALECTS narrows the dialects (e.g. `postgresql,mysql`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openTrackingStore } from '../src/stores/open-store.js';
import { connectSql } from '../src/stores/sql/connect.js';
import { HEAD_REVISION, upgrade } from '../src/stores/sql/migrate/index.js';
import type { TrackingStore } from '../src/stores/tracking-store.js';
import { parseDbUri } from '../src/tracking/uri.js';
import type { Metric } from '../src/tracking/entities.js';
import { createBenchDatabase, type BenchDatabase } from './databases.js';
import type { BenchRow } from './sql-store.js';

const WORKLOADS = ['create', 'batch', 'search', 'gc'] as const;
type Workload = (typeof WORKLOADS)[number];

/** Runs created per `create` figure (the figure is per run). */
const CREATES = 50;
const GC_RUNS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** One database under measurement, with what its workloads need made beforehand. */
interface Side {
  store: TrackingStore;
  exp: string;
  run: string;
  step: number;
  searchExp: string;
  gcExp: string;
}

/** Open `uri` at `rev` (null: mlf's head) and make the experiments and the 1000 runs to search. */
async function prepare(uri: string, rev: string | null): Promise<Side> {
  if (rev) {
    const conn = await connectSql(parseDbUri(uri));
    await upgrade(conn, { to: rev });
    await conn.close();
  }
  const store = await openTrackingStore(uri);
  const exp = await store.createExperiment({ name: 'bench' });
  const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
  const searchExp = await store.createExperiment({ name: 'bench-search' });
  for (let i = 0; i < 1000; i++) {
    const r = await store.createRun({ experimentId: searchExp, startTime: 1_700_000_000_000 + i });
    await store.logBatch(r.info.runId, {
      params: [{ key: 'i', value: String(i % 7) }],
      metrics: [{ key: 'loss', value: (i * 31) % 1000, timestamp: 1, step: 0 }],
      tags: [{ key: 't', value: `v${i % 3}` }],
    });
  }
  const gcExp = await store.createExperiment({ name: 'bench-gc' });
  // Planner statistics, as autovacuum keeps them on a database in use: on tables just filled and
  // never analyzed, PostgreSQL plans the foreign-key checks of a purge blind (at MLflow 3's head it
  // then picked a path three times slower for metrics_run_uuid_fkey), which no real database shows.
  if (uri.startsWith('postgresql')) {
    const conn = await connectSql(parseDbUri(uri));
    await sql`analyze`.execute(conn.db);
    await conn.close();
  }
  return { store, exp, run, step: 0, searchExp, gcExp };
}

/** One measurement of `w` on `side`, in ms (create: per run). */
async function once(side: Side, w: Workload): Promise<number> {
  const { store } = side;
  if (w === 'create') {
    return (await ms(async () => {
      for (let i = 0; i < CREATES; i++) await store.createRun({ experimentId: side.exp, startTime: Date.now(), userId: 'bench' });
    })) / CREATES;
  }
  if (w === 'batch') {
    const metrics: Metric[] = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i, timestamp: 1_700_000_000_000 + side.step, step: side.step++ }));
    return ms(() => store.logBatch(side.run, { metrics }));
  }
  if (w === 'search') {
    return ms(() => store.searchRuns({ experimentIds: [side.searchExp], filter: "metrics.loss > 100 and params.i != '3'", orderBy: ['metrics.loss DESC'] }));
  }
  // gc: 200 deleted runs with 20 metric steps each, made outside the timing.
  const ids: string[] = [];
  for (let i = 0; i < GC_RUNS; i++) {
    const r = await store.createRun({ experimentId: side.gcExp, startTime: 1 });
    await store.logBatch(r.info.runId, { metrics: Array.from({ length: 20 }, (_, s) => ({ key: 'loss', value: s, timestamp: 1, step: s })) });
    await store.deleteRun(r.info.runId);
    ids.push(r.info.runId);
  }
  return ms(() => store.purgeRuns(ids));
}

const LABEL: Record<Workload, string> = {
  create: 'create run',
  batch: 'log-batch 1000 metrics',
  search: 'search 1000 runs, filter + order',
  gc: `gc ${GC_RUNS} deleted runs`,
};

/** Both sides on one dialect, rounds alternating which goes first; medians. */
async function compare(dialect: string, oldUri: string, headUri: string, rounds: number): Promise<BenchRow[]> {
  const old = await prepare(oldUri, 'f5a4f2784254');
  const head = await prepare(headUri, null);
  try {
    const t: Record<'old' | 'head', Record<Workload, number[]>> = {
      old: { create: [], batch: [], search: [], gc: [] },
      head: { create: [], batch: [], search: [], gc: [] },
    };
    for (let r = 0; r < rounds; r++) {
      for (const w of WORKLOADS) {
        const order: ('old' | 'head')[] = r % 2 ? ['head', 'old'] : ['old', 'head'];
        for (const k of order) t[k][w].push(await once(k === 'old' ? old : head, w));
      }
    }
    return WORKLOADS.map((w) => ({
      name: `${LABEL[w]}, ${dialect} at ${HEAD_REVISION} (median of ${rounds})`,
      ms: median(t.head[w]),
      baselineMs: median(t.old[w]),
      baseline: 'same at MLflow 2.17 (f5a4f2784254)',
    }));
  } finally {
    await old.store.close();
    await head.store.close();
  }
}

export async function benchSchema(): Promise<BenchRow[]> {
  const rounds = Number(process.env.MLF_BENCH_SCHEMA_ROUNDS ?? 7);
  const only = process.env.MLF_BENCH_SCHEMA_DIALECTS?.split(',').map((s) => s.trim());
  const wanted = (d: string) => !only || only.includes(d);
  const rows: BenchRow[] = [];
  if (wanted('sqlite')) rows.push(...(await onSqlite(rounds)));
  for (const [dialect, name] of [['postgresql', 'PostgreSQL'], ['mysql', 'MariaDB/MySQL']] as const) {
    if (!wanted(dialect)) continue;
    const dbs: BenchDatabase[] = [];
    try {
      dbs.push(await createBenchDatabase(dialect), await createBenchDatabase(dialect));
      rows.push(...(await compare(name, dbs[0]!.uri, dbs[1]!.uri, rounds)));
    } catch (e) {
      if (dbs.length === 2) throw e;
      rows.push({ name: `${name}: not measured (${(e as Error).message.split('\n')[0]})`, ms: 0 } as BenchRow);
    } finally {
      for (const d of dbs) await d.drop().catch(() => undefined);
    }
  }
  return rows;
}

async function onSqlite(rounds: number): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-schema-'));
  // The same journal mode on both: mlf makes a new database WAL but leaves an existing one's mode.
  const mode = process.env.MLF_SQLITE_JOURNAL_MODE;
  process.env.MLF_SQLITE_JOURNAL_MODE = 'wal';
  try {
    return await compare('SQLite', `sqlite:///${path.join(dir, 'old.db')}`, `sqlite:///${path.join(dir, 'head.db')}`, rounds);
  } finally {
    if (mode === undefined) delete process.env.MLF_SQLITE_JOURNAL_MODE;
    else process.env.MLF_SQLITE_JOURNAL_MODE = mode;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
