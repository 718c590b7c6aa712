/**
 * Scale: search, log-batch and a run's metric history on tables of 10k and 100k runs (MLF_BENCH_SCALE_SIZES, e.g.
 * 10000,100000,1000000), SQLite and PostgreSQL (MLF_BENCH_SCALE_STORES), each run with 20 params, 20
 * metrics (one point each, and its latest_metrics row) and 10 tags, written with bulk SQL. Runs
 * sit in experiments of 1000, so the searched experiment and the batch stay the same size while the
 * tables grow: each figure should stay flat down the sizes. No ANALYZE (a just-loaded database).
 * PostgreSQL is loaded the way pg_restore does it: rows first, then the child tables' keys and every
 * secondary index built over them, foreign keys not re-checked (the rows are consistent by
 * construction). Inserting 70M rows into live indexes took 4x longer (100k runs: 93 s against 23 s).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { openTrackingStore } from '../src/stores/open-store.js';
import type { Metric } from '../src/tracking/entities.js';
import { freshStore } from './against.js';
import { timeMedian } from './sql-dialects.js';

export interface ScaleRow {
  name: string;
  ms: number;
}

const PER_EXPERIMENT = 1000;

/** SQL that fills the tables for runs [0, n): `series` yields i, `id` a 32-character run id. */
export function fillStatements(kind: string, n: number, firstExp: number): string[] {
  const pg = kind === 'postgresql';
  const series = (name: string, count: number) =>
    pg ? `generate_series(0, ${count - 1}) as ${name}(v)` : `(with recursive s(v) as (select 0 union all select v + 1 from s where v < ${count - 1}) select v from s) as ${name}`;
  const id = pg ? `lpad(r.v::text, 32, '0')` : `printf('%032d', r.v)`;
  const bool = (b: boolean) => (pg ? String(b) : b ? '1' : '0');
  const num = pg ? '::float8' : ' * 1.0';
  const txt = (e: string) => (pg ? `(${e})::text` : `cast(${e} as text)`);
  return [
    `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
     select ${id}, 'r', 'UNKNOWN', '', '', 'scale', 'FINISHED', 1700000000000 + r.v, 1700000000001 + r.v, null, '', 'active', '/a', ${firstExp} + r.v / ${PER_EXPERIMENT} from ${series('r', n)}`,
    `insert into params (key, value, run_uuid) select 'p' || ${txt('k.v')}, ${txt('(r.v + k.v) % 7')}, ${id} from ${series('r', n)}, ${series('k', 20)}`,
    `insert into tags (key, value, run_uuid) select 't' || ${txt('k.v')}, 'v', ${id} from ${series('r', n)}, ${series('k', 10)}`,
    ...['metrics', 'latest_metrics'].map(
      (t) => `insert into ${t} (key, value, timestamp, step, is_nan, run_uuid) select 'm' || ${txt('k.v')}, ((${pg ? 'r.v::int8' : 'r.v'} * 7919 + k.v * 104729) % 1000)${num} / 1000, 1700000000000, 0, ${bool(false)}, ${id} from ${series('r', n)}, ${series('k', 20)}`,
    ),
  ];
}

const FILLED = `'runs', 'params', 'tags', 'metrics', 'latest_metrics'`;

/** Drops the filled tables' secondary indexes and the child tables' keys, fills, then builds them again. */
async function loadLikeRestore(sql: <R>(s: string) => Promise<R[]>, fills: string[]): Promise<void> {
  // Superuser only (the default bench URI); elsewhere the foreign keys are checked row by row.
  await sql('set session_replication_role = replica').catch(() => undefined);
  await sql(`set maintenance_work_mem = '512MB'`);
  const keys = await sql<{ t: string; name: string; def: string }>(
    `select conrelid::regclass::text as t, conname as name, pg_get_constraintdef(oid) as def from pg_constraint
     where contype = 'p' and conrelid::regclass::text in (${FILLED}) and conrelid::regclass::text <> 'runs'`,
  );
  const indexes = await sql<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes i where schemaname = current_schema() and tablename in (${FILLED})
     and not exists (select 1 from pg_constraint k where k.conname = i.indexname)`,
  );
  for (const k of keys) await sql(`alter table ${k.t} drop constraint ${k.name}`);
  for (const i of indexes) await sql(`drop index ${i.name}`);
  for (const s of fills) await sql(s);
  for (const k of keys) await sql(`alter table ${k.t} add constraint ${k.name} ${k.def}`);
  for (const i of indexes) await sql(i.def);
  await sql('reset session_replication_role').catch(() => undefined);
}

async function benchOne(kind: string, n: number): Promise<ScaleRow[]> {
  const fresh = await freshStore(kind);
  const store = await openTrackingStore(fresh.uri);
  try {
    const exps: number[] = [];
    for (let e = 0; e < Math.ceil(n / PER_EXPERIMENT); e++) exps.push(Number(await store.createExperiment({ name: `scale-${e}` })));
    if (exps.some((e, i) => e !== exps[0]! + i)) throw new Error('experiment ids are not consecutive');
    const t0 = performance.now();
    const db = (store as unknown as { conn: { db: Kysely<unknown> } }).conn.db;
    // One connection throughout: the load's session settings must hold for all its statements.
    await db.connection().execute(async (c) => {
      const sql = async <R>(s: string) => (await c.executeQuery(CompiledQuery.raw(s, []))).rows as R[];
      if (kind === 'postgresql') await loadLikeRestore(sql, fillStatements(kind, n, exps[0]!));
      else for (const s of fillStatements(kind, n, exps[0]!)) await sql(s);
    });
    const loadS = (performance.now() - t0) / 1000;
    const label = `scale: ${kind === 'postgresql' ? 'PostgreSQL' : 'SQLite'}, ${n.toLocaleString('en-US')} runs`;
    const exp = String(exps[Math.floor(exps.length / 2)]);
    const search = await timeMedian(7, async () => {
      const page = await store.searchRuns({ experimentIds: [exp], filter: "metrics.m1 > 0.5 and params.p2 != '3'", orderBy: ['metrics.m0 DESC'], maxResults: 100 });
      if (page.items.length !== 100 || page.items[0]!.data.params.length !== 20) throw new Error('scale search: wrong page');
    });
    let step = 0;
    const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
    const batch = (): Metric[] => Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i / 3, timestamp: 1_700_000_000_000 + step, step: step++ }));
    await store.logBatch(run, { metrics: batch() });
    const logBatch = await timeMedian(7, () => store.logBatch(run, { metrics: batch() }));
    // The run's m0 now has 400 points; every other run has one of its own, so the table's m0 grows with n.
    const history = await timeMedian(7, async () => {
      if ((await store.getMetricHistory(run, 'm0')).length !== 400) throw new Error('scale history: wrong points');
    });
    if (process.env.MLF_BENCH_VERBOSE) console.error(`${label}: loaded in ${loadS.toFixed(1)} s, search ${search.toFixed(1)} ms, log-batch ${logBatch.toFixed(1)} ms, history ${history.toFixed(1)} ms`);
    return [
      { name: `${label}: search one 1000-run experiment, filter + order, page of 100 (ms)`, ms: search },
      { name: `${label}: log-batch 1000 metrics (ms)`, ms: logBatch },
      { name: `${label}: one run's metric history, 400 points among the table's (ms)`, ms: history },
      { name: `${label}: bulk load of the tables (s)`, ms: loadS },
    ];
  } finally {
    await store.close();
    await fresh.drop();
  }
}

export async function benchScale(): Promise<ScaleRow[]> {
  const sizes = (process.env.MLF_BENCH_SCALE_SIZES ?? '10000,100000').split(',').map(Number);
  const kinds = (process.env.MLF_BENCH_SCALE_STORES ?? 'sqlite,postgresql').split(',').map((s) => s.trim());
  const rows: ScaleRow[] = [];
  for (const kind of kinds) for (const n of sizes) rows.push(...(await benchOne(kind, n)));
  return rows;
}
