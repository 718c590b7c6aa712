/**
 * gc speed: purging 10,000 deleted runs (100 metric points, 10 params, 10 tags each) with mlf's
 * set-based purge, against the same purge done one run at a time, one transaction per run (how
 * `mlflow gc` works), on an identical copy of the database, in the same run of the benchmark.
 * SQLite always; PostgreSQL when it answers at $MLF_BENCH_PG_URI (default the local server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { openTrackingStore } from '../src/stores/open-store.js';
import { connectSql, type SqlConnection } from '../src/stores/sql/connect.js';
import { purgeRunsSql } from '../src/stores/sql/purge.js';
import { rawSqliteHandle } from '../src/stores/sql/dialects/sqlite/handles.js';
import { parseStoreUri, type SqlStoreUri } from '../src/tracking/uri.js';

export interface GcBenchRow {
  name: string;
  ms: number;
  baselineMs: number;
  baseline: string;
}

const RUNS = Number(process.env.MLF_BENCH_GC_RUNS ?? 10_000);
const POINTS = 100;
const PARAMS = 10;
const TAGS = 10;
const LATEST = 10;
const runUuid = (i: number) => i.toString(16).padStart(32, '0');

async function connect(uri: string): Promise<SqlConnection> {
  return connectSql(parseStoreUri(uri) as SqlStoreUri);
}

/** A store at head (created by mlf itself) with one experiment; returns its id. */
async function initStore(uri: string): Promise<number> {
  const store = await openTrackingStore(uri);
  try {
    return Number(await store.createExperiment({ name: 'gc-bench' }));
  } finally {
    await store.close();
  }
}

async function fillSqlite(file: string, expId: number): Promise<void> {
  const conn = await connect(`sqlite:///${file}`);
  try {
    const raw = rawSqliteHandle(conn.db)!;
    const insRun = raw.prepare(
      `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, 'r', 'LOCAL', '', '', 'bench', 'FINISHED', 1, 2, 1, '', 'deleted', ?, ?)`,
    );
    const insMetric = raw.prepare(`insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, ?, 0, ?)`);
    const insLatest = raw.prepare(`insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, ?, 0, ?)`);
    const insParam = raw.prepare(`insert into params (key, value, run_uuid) values (?, ?, ?)`);
    const insTag = raw.prepare(`insert into tags (key, value, run_uuid) values (?, ?, ?)`);
    raw.transaction(() => {
      for (let i = 0; i < RUNS; i++) {
        const id = runUuid(i);
        insRun.run(id, `/nonexistent/${expId}/${id}/artifacts`, expId);
        for (let j = 0; j < POINTS; j++) insMetric.run(`m${j % LATEST}`, j, 1000 + j, j, id);
        for (let k = 0; k < LATEST; k++) insLatest.run(`m${k}`, 90 + k, 1090 + k, 90 + k, id);
        for (let k = 0; k < PARAMS; k++) insParam.run(`p${k}`, String(k), id);
        for (let k = 0; k < TAGS; k++) insTag.run(`t${k}`, String(k), id);
      }
    })();
    raw.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    await conn.close();
  }
}

/** Server-side generation: the fastest way to get a million rows into PostgreSQL. */
async function fillPostgres(uri: string, expId: number): Promise<void> {
  const conn = await connect(uri);
  try {
    const db = conn.db;
    await sql`insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
      select lpad(to_hex(i), 32, '0'), 'r', 'LOCAL', '', '', 'bench', 'FINISHED', 1, 2, 1, '', 'deleted', '/nonexistent/' || lpad(to_hex(i), 32, '0'), ${expId}
      from generate_series(0, ${RUNS - 1}) i`.execute(db);
    await sql`insert into metrics (key, value, timestamp, step, is_nan, run_uuid)
      select 'm' || (j % ${LATEST}), j, 1000 + j, j, false, r.run_uuid from runs r cross join generate_series(0, ${POINTS - 1}) j`.execute(db);
    await sql`insert into latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
      select 'm' || k, 90 + k, 1090 + k, 90 + k, false, r.run_uuid from runs r cross join generate_series(0, ${LATEST - 1}) k`.execute(db);
    await sql`insert into params (key, value, run_uuid) select 'p' || k, k::text, r.run_uuid from runs r cross join generate_series(0, ${PARAMS - 1}) k`.execute(db);
    await sql`insert into tags (key, value, run_uuid) select 't' || k, k::text, r.run_uuid from runs r cross join generate_series(0, ${TAGS - 1}) k`.execute(db);
    await sql`analyze`.execute(db);
  } finally {
    await conn.close();
  }
}

async function deletedRunIds(conn: SqlConnection): Promise<string[]> {
  const rows = await conn.db.selectFrom('runs').select('run_uuid').where('lifecycle_stage', '=', 'deleted').execute();
  return rows.map((r) => r.run_uuid as string);
}

/** MLflow's way: one transaction per run, children then the run. */
async function purgeOneByOne(conn: SqlConnection, ids: string[]): Promise<void> {
  for (const id of ids) {
    await conn.dialect.writeTransaction(conn.db, async (tx) => {
      for (const t of ['latest_metrics', 'metrics', 'params', 'tags', 'runs']) await tx.deleteFrom(t).where('run_uuid', '=', id).execute();
    });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function assertEmpty(conn: SqlConnection, label: string): Promise<void> {
  for (const t of ['runs', 'metrics', 'latest_metrics', 'params', 'tags']) {
    const r = await conn.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    if (Number(r.n) !== 0) throw new Error(`${label}: ${r.n} rows left in ${t}`);
  }
}

/** Time both purges on two identical databases. */
async function race(setBUri: string, setAUri: string, label: string): Promise<GcBenchRow> {
  const a = await connect(setAUri);
  const b = await connect(setBUri);
  try {
    const idsA = await deletedRunIds(a);
    const idsB = await deletedRunIds(b);
    if (idsA.length !== RUNS || idsB.length !== RUNS) throw new Error(`${label}: expected ${RUNS} deleted runs`);
    const ms = await timed(() => purgeRunsSql(a.db, a.dialect, idsA));
    const baselineMs = await timed(() => purgeOneByOne(b, idsB));
    await assertEmpty(a, `${label} set-based`);
    await assertEmpty(b, `${label} one-by-one`);
    return {
      name: `gc purge ${RUNS} deleted runs x (${POINTS} metric points, ${PARAMS} params, ${TAGS} tags) (${label})`,
      ms,
      baselineMs,
      baseline: 'one run per transaction (mlflow gc)',
    };
  } finally {
    await a.close();
    await b.close();
  }
}

async function benchSqlite(): Promise<GcBenchRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-gc-'));
  try {
    const a = path.join(dir, 'a.db');
    const b = path.join(dir, 'b.db');
    const expId = await initStore(`sqlite:///${a}`);
    await fillSqlite(a, expId);
    fs.copyFileSync(a, b);
    return await race(`sqlite:///${b}`, `sqlite:///${a}`, 'SQLite');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(adminUri: string): Promise<GcBenchRow> {
  const pg = (await import('pg')).default;
  const suffix = crypto.randomBytes(4).toString('hex');
  const names = [`mlf_bench_gc_a_${suffix}`, `mlf_bench_gc_b_${suffix}`];
  const uriOf = (name: string) => {
    const u = new URL(adminUri);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: adminUri });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  try {
    await admin(`create database ${names[0]}`);
    const expId = await initStore(uriOf(names[0]!));
    await fillPostgres(uriOf(names[0]!), expId);
    // An identical copy for the baseline (the template must have no other connections).
    await admin(`create database ${names[1]} template ${names[0]}`);
    return await race(uriOf(names[1]!), uriOf(names[0]!), 'PostgreSQL');
  } finally {
    for (const n of names) await admin(`drop database if exists ${n} with (force)`).catch(() => undefined);
  }
}

async function postgresReachable(uri: string): Promise<boolean> {
  try {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export async function benchGc(): Promise<GcBenchRow[]> {
  const rows: GcBenchRow[] = [await benchSqlite()];
  const pgUri = process.env.MLF_BENCH_PG_URI ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (await postgresReachable(pgUri)) rows.push(await benchPostgres(pgUri));
  else process.stderr.write(`[bench gc] PostgreSQL not reachable at the bench URI: PostgreSQL row skipped\n`);
  return rows;
}
