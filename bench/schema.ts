/**
 * The same store work on a database at mlf's head (MLflow 3's schema: workspace columns, the metrics
 * (run_uuid, key, step) index, more tables for gc to look at) and on one at MLflow 2.17's head
 * (f5a4f2784254), on SQLite, PostgreSQL and MariaDB/MySQL (each server when reachable), in the same
 * run: create run, log-batch of 1000 metrics, a search over 1000 runs and gc of 200 deleted runs.
 *
 * The machine is shared, so the two databases take turns: every round measures each workload on
 * both (which goes first alternates), and a figure is the median of its rounds. The target is
 * "within 10%" (ratio ≥ 0.91). MLF_BENCH_SCHEMA_ROUNDS sets the rounds (default 7),
 * MLF_BENCH_SCHEMA_DIALECTS narrows the dialects (e.g. `postgresql,mysql`), MLF_BENCH_SCHEMA_SAMPLES
 * names a file that gets every round's figures as JSON lines (to judge the spread on a busy machine).
 *
 * The floor: the raw driver (better-sqlite3, pg, mysql2) writing the same metric rows and deleting
 * the same purged runs' rows on both databases, in the same rounds. mlf issues the same statements
 * on both schemas (gc adds one emptiness probe at the head), so what the floor shows at the head is
 * the database's own cost of MLflow 3's schema: the extra metrics index every point goes into and
 * out of, and the two foreign keys (logged_model_metrics.run_id, issues.source_run_id) checked for
 * every run deleted.
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
import { createBenchDatabase, rawConnect, rawSqlite, type BenchDatabase, type RawConn } from './databases.js';
import type { BenchRow } from './sql-store.js';

const WORKLOADS = ['create', 'batch', 'batch-raw', 'search', 'gc', 'gc-raw'] as const;
type Workload = (typeof WORKLOADS)[number];

/** Runs created per `create` figure (the figure is per run). */
const CREATES = 50;
const GC_RUNS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * `MLF_BENCH_SCHEMA_CLOCK=cpu`: CPU time instead of wall time, for a machine so busy that waiting for
 * a core swamps a 10% difference. It is this process's CPU plus that of the database server's
 * threads serving this database (PostgreSQL's backends, MariaDB's connection threads, read from
 * /proc/<pid>/schedstat, so only for a server on this machine); SQLite runs in this process.
 */
const CPU_CLOCK = process.env.MLF_BENCH_SCHEMA_CLOCK === 'cpu';

/** Nanoseconds each task (a /proc/.../schedstat path) has spent on a CPU; a task gone is left out. */
function schedstat(paths: string[]): Map<string, number> {
  const ns = new Map<string, number>();
  for (const p of paths) {
    try {
      ns.set(p, Number(fs.readFileSync(p, 'utf8').split(' ')[0]));
    } catch {
      // The backend ended between the listing and the read.
    }
  }
  return ns;
}

/** The schedstat files of the server tasks serving `uri`'s database (none for SQLite). */
async function serverTasks(uri: string, raw: RawConn): Promise<() => Promise<string[]>> {
  if (uri.startsWith('sqlite')) return async () => [];
  if (uri.startsWith('postgresql')) {
    return async () => (await raw.query("select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'")).map((r) => `/proc/${r.pid}/schedstat`);
  }
  const [{ pid }] = (await raw.query('select @@pid_file as pid')) as { pid: string }[];
  const mysqld = fs.readFileSync(pid!, 'utf8').trim();
  return async () => (await raw.query('select tid from information_schema.processlist where db = database()')).map((r) => `/proc/${mysqld}/task/${r.tid}/schedstat`);
}

/** How long `fn` takes on `side`, in ms: wall time, or CPU time with {@link CPU_CLOCK}. */
async function ms(side: Side, fn: () => Promise<unknown>): Promise<number> {
  if (CPU_CLOCK) {
    const before = schedstat(await side.tasks());
    const own = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(own);
    let server = 0;
    // A connection opened during `fn` is left out (MariaDB may hand it a cached thread that has run
    // before); the warm-up round opens the pools' connections, so normally there is none.
    for (const [task, ns] of schedstat(await side.tasks())) server += ns - (before.get(task) ?? ns);
    return (c.user + c.system) / 1e3 + server / 1e6;
  }
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
  /** The raw driver on the same database, and the run its metric rows go to. */
  raw: RawConn;
  sqlite: boolean;
  rawRun: string;
  rawStep: number;
  /** The server tasks serving this database, for {@link CPU_CLOCK}. */
  tasks: () => Promise<string[]>;
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
  const rawRun = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
  const sqlite = uri.startsWith('sqlite');
  const raw = sqlite ? await rawSqlite(uri.slice('sqlite:///'.length)) : await rawConnect(uri.startsWith('postgresql') ? 'postgresql' : 'mysql', uri);
  // Planner statistics, as autovacuum keeps them on a database in use: on tables just filled and
  // never analyzed, PostgreSQL plans the foreign-key checks of a purge blind (at MLflow 3's head it
  // then picked a path three times slower for metrics_run_uuid_fkey), which no real database shows.
  if (uri.startsWith('postgresql')) {
    const conn = await connectSql(parseDbUri(uri));
    await sql`analyze`.execute(conn.db);
    await conn.close();
  }
  return { store, exp, run, step: 0, searchExp, gcExp, raw, sqlite, rawRun, rawStep: 0, tasks: await serverTasks(uri, raw) };
}

/** One measurement of `w` on `side`, in ms (create: per run). */
async function once(side: Side, w: Workload): Promise<number> {
  const { store } = side;
  if (w === 'create') {
    return (await ms(side, async () => {
      for (let i = 0; i < CREATES; i++) await store.createRun({ experimentId: side.exp, startTime: Date.now(), userId: 'bench' });
    })) / CREATES;
  }
  if (w === 'batch') {
    const metrics: Metric[] = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i, timestamp: 1_700_000_000_000 + side.step, step: side.step++ }));
    return ms(side, () => store.logBatch(side.run, { metrics }));
  }
  if (w === 'batch-raw') {
    // The same 1000 points as `batch`, on a run of their own: one multi-row insert (SQLite: one
    // prepared insert per row, as better-sqlite3 is used) in one transaction, latest_metrics aside.
    const rows = Array.from({ length: 1000 }, (_, i) => [`m${i % 20}`, i, 1_700_000_000_000 + side.rawStep, side.rawStep++, 0, side.rawRun]);
    const { raw } = side;
    const insert = 'insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values ';
    return ms(side, async () => {
      await raw.query('begin');
      if (side.sqlite) for (const r of rows) await raw.query(`${insert}(?, ?, ?, ?, ?, ?)`, r);
      else await raw.query(insert + rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', '), rows.flat());
      await raw.query('commit');
    });
  }
  if (w === 'search') {
    return ms(side, () => store.searchRuns({ experimentIds: [side.searchExp], filter: "metrics.loss > 100 and params.i != '3'", orderBy: ['metrics.loss DESC'] }));
  }
  const ids = await deletedRuns(side);
  if (w === 'gc') return ms(side, () => store.purgeRuns(ids));
  // gc-raw: the run tables' deletes that purge issues for these runs (none of the runs has inputs).
  const inList = `(${ids.map(() => '?').join(', ')})`;
  return ms(side, async () => {
    await side.raw.query('begin');
    for (const t of ['latest_metrics', 'metrics', 'params', 'tags', 'runs']) await side.raw.query(`delete from ${t} where run_uuid in ${inList}`, ids);
    await side.raw.query('commit');
  });
}

/** GC_RUNS deleted runs with 20 metric steps each, made outside the timing. */
async function deletedRuns(side: Side): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < GC_RUNS; i++) {
    const r = await side.store.createRun({ experimentId: side.gcExp, startTime: 1 });
    await side.store.logBatch(r.info.runId, { metrics: Array.from({ length: 20 }, (_, s) => ({ key: 'loss', value: s, timestamp: 1, step: s })) });
    await side.store.deleteRun(r.info.runId);
    ids.push(r.info.runId);
  }
  return ids;
}

const LABEL: Record<Workload, string> = {
  create: 'create run',
  batch: 'log-batch 1000 metrics',
  search: 'search 1000 runs, filter + order',
  'batch-raw': 'floor: the raw driver inserting the same 1000 metric rows',
  gc: `gc ${GC_RUNS} deleted runs`,
  'gc-raw': `floor: the raw driver deleting the ${GC_RUNS} runs' rows (metrics, tags, runs)`,
};

/** Both sides on one dialect, rounds alternating which goes first; medians. */
async function compare(dialect: string, oldUri: string, headUri: string, rounds: number): Promise<BenchRow[]> {
  const old = await prepare(oldUri, 'f5a4f2784254');
  const head = await prepare(headUri, null);
  try {
    const empty = () => Object.fromEntries(WORKLOADS.map((w) => [w, []])) as unknown as Record<Workload, number[]>;
    const t = { old: empty(), head: empty() };
    // Round -1 warms up (pool connections, JIT, caches) and is not counted.
    for (let r = -1; r < rounds; r++) {
      for (const w of WORKLOADS) {
        const order: ('old' | 'head')[] = r % 2 ? ['head', 'old'] : ['old', 'head'];
        for (const k of order) {
          const v = await once(k === 'old' ? old : head, w);
          if (r >= 0) t[k][w].push(v);
        }
      }
    }
    const samples = process.env.MLF_BENCH_SCHEMA_SAMPLES;
    if (samples) fs.appendFileSync(samples, JSON.stringify({ dialect, ...t }) + '\n');
    return WORKLOADS.map((w) => ({
      name: `${LABEL[w]}, ${dialect} at ${HEAD_REVISION} (median of ${rounds}${CPU_CLOCK ? ', CPU ms' : ''})`,
      ms: median(t.head[w]),
      baselineMs: median(t.old[w]),
      baseline: 'same at MLflow 2.17 (f5a4f2784254)',
    }));
  } finally {
    for (const side of [old, head]) {
      await side.raw.close();
      await side.store.close();
    }
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
