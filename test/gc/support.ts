/**
 * Databases at MLflow's head schema for the gc tests, filled with raw multi-row inserts (fast, and
 * independent of the store implementations), plus row counts to compare before and after.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import path from 'node:path';
import crypto from 'node:crypto';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { parseStoreUri, type SqlStoreUri } from '../../src/tracking/uri.js';
import { rawSqliteHandle } from '../../src/stores/sql/dialects/sqlite/handles.js';
import { createTestDatabase, FIXTURES, skipUnlessAvailable, testDialects, type TestDatabase, type TestDialect } from '../support/databases.js';
import { ensureSchema } from '../../src/stores/sql/migrate/index.js';
import type { Db } from '../../src/stores/sql/dialects/dialect.js';

export const ALL_TABLES = [
  'experiments',
  'experiment_tags',
  'runs',
  'tags',
  'params',
  'metrics',
  'latest_metrics',
  'datasets',
  'inputs',
  'input_tags',
  'trace_info',
  'trace_tags',
  'trace_request_metadata',
] as const;

/** Load MLflow's head schema (from MLflow's own dump) into an empty database. */
export async function loadHeadSchema(t: TestDatabase): Promise<void> {
  if (t.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const file = (parseStoreUri(t.uri) as SqlStoreUri).sqlitePath!;
    const raw = new Database(file);
    raw.exec(fs.readFileSync(path.join(FIXTURES, 'schema-sqlite.sql'), 'utf8'));
    raw.exec(`insert into alembic_version values ('f5a4f2784254')`);
    raw.exec(`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (0, 'Default', '/tmp/mlruns/0', 'active', 0, 0)`);
    raw.close();
    return;
  }
  if (t.dialect === 'postgresql') {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: t.uri });
    await c.connect();
    await c.query(fs.readFileSync(path.join(FIXTURES, 'schema-postgresql.sql'), 'utf8'));
    await c.query(`set search_path = public`);
    await c.query(`insert into alembic_version values ('f5a4f2784254')`);
    await c.query(`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (0, 'Default', '/tmp/mlruns/0', 'active', 0, 0)`);
    // The dump leaves the sequence at 1; MLflow's own inserts start after Default.
    await c.query(`select setval('experiments_experiment_id_seq', 1, false)`);
    await c.end();
    return;
  }
  if (t.dialect === 'mysql') {
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ uri: t.uri, multipleStatements: true });
    await c.query(fs.readFileSync(path.join(FIXTURES, 'schema-mysql.sql'), 'utf8'));
    await c.query(`set session sql_mode = 'NO_AUTO_VALUE_ON_ZERO'`);
    await c.query(`insert into alembic_version values ('f5a4f2784254')`);
    await c.query(`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) values (0, 'Default', '/tmp/mlruns/0', 'active', 0, 0)`);
    await c.end();
    return;
  }
  throw new Error(`no head schema fixture for ${t.dialect}`);
}

export interface HeadDb {
  test: TestDatabase;
  conn: SqlConnection;
  db: Db;
  close(): Promise<void>;
}

export async function headDatabase(dialect: TestDialect): Promise<HeadDb> {
  const test = await createTestDatabase(dialect);
  await loadHeadSchema(test);
  const conn = await connectSql(parseStoreUri(test.uri) as SqlStoreUri);
  return {
    test,
    conn,
    db: conn.db,
    close: async () => {
      await conn.close();
      await test.drop();
    },
  };
}

export const runId = () => crypto.randomUUID().replace(/-/g, '');

let nextExp = 1000;
export interface SeedExperiment {
  id: number;
  name: string;
}

export async function addExperiment(
  db: Db,
  opts: { stage?: 'active' | 'deleted'; lastUpdateTime?: number | null; artifactLocation?: string } = {},
): Promise<SeedExperiment> {
  const id = nextExp++;
  const name = `exp-${id}-${crypto.randomBytes(3).toString('hex')}`;
  await db
    .insertInto('experiments')
    .values({
      experiment_id: id,
      name,
      artifact_location: opts.artifactLocation ?? `/tmp/mlruns/${id}`,
      lifecycle_stage: opts.stage ?? 'active',
      creation_time: 1,
      last_update_time: opts.lastUpdateTime === undefined ? Date.now() : opts.lastUpdateTime,
    })
    .execute();
  return { id, name };
}

export interface SeedRunOptions {
  experimentId: number;
  stage?: 'active' | 'deleted';
  deletedTime?: number | null;
  metrics?: number;
  params?: number;
  tags?: number;
  datasets?: boolean;
  artifactUri?: string;
}

/** Insert runs with children in multi-row statements. Returns their ids. */
export async function addRuns(db: Db, n: number, o: SeedRunOptions, maxParams = 2000): Promise<string[]> {
  const ids = Array.from({ length: n }, runId);
  const stage = o.stage ?? 'deleted';
  const runs = ids.map((id) => ({
    run_uuid: id,
    name: `r-${id.slice(0, 6)}`,
    source_type: 'LOCAL',
    source_name: '',
    entry_point_name: '',
    user_id: 'u',
    status: 'FINISHED',
    start_time: 1,
    end_time: 2,
    source_version: '',
    lifecycle_stage: stage,
    artifact_uri: o.artifactUri?.replace('{id}', id) ?? `/tmp/nowhere/${o.experimentId}/${id}/artifacts`,
    experiment_id: o.experimentId,
    deleted_time: stage === 'deleted' ? (o.deletedTime === undefined ? Date.now() - 1000 : o.deletedTime) : null,
  }));
  await insertMany(db, 'runs', runs, maxParams);
  const metrics: Record<string, unknown>[] = [];
  const latest: Record<string, unknown>[] = [];
  const params: Record<string, unknown>[] = [];
  const tags: Record<string, unknown>[] = [];
  for (const id of ids) {
    for (let i = 0; i < (o.metrics ?? 3); i++) {
      metrics.push({ key: `m${i % 10}`, value: i, timestamp: 1000 + i, step: i, is_nan: 0, run_uuid: id });
    }
    for (let k = 0; k < Math.min(10, o.metrics ?? 3); k++) {
      latest.push({ key: `m${k}`, value: 1, timestamp: 1, step: 1, is_nan: 0, run_uuid: id });
    }
    for (let i = 0; i < (o.params ?? 2); i++) params.push({ key: `p${i}`, value: String(i), run_uuid: id });
    for (let i = 0; i < (o.tags ?? 2); i++) tags.push({ key: `t${i}`, value: String(i), run_uuid: id });
  }
  await insertMany(db, 'metrics', metrics, maxParams);
  await insertMany(db, 'latest_metrics', latest, maxParams);
  await insertMany(db, 'params', params, maxParams);
  await insertMany(db, 'tags', tags, maxParams);
  if (o.datasets) {
    for (const id of ids) {
      const ds = crypto.randomUUID().replace(/-/g, '');
      const input = crypto.randomUUID().replace(/-/g, '');
      await db
        .insertInto('datasets')
        .values({
          dataset_uuid: ds,
          experiment_id: o.experimentId,
          name: `ds-${id}`,
          digest: id.slice(0, 8),
          dataset_source_type: 'local',
          dataset_source: '{}',
        })
        .execute();
      await db
        .insertInto('inputs')
        .values({ input_uuid: input, source_type: 'DATASET', source_id: ds, destination_type: 'RUN', destination_id: id })
        .execute();
      await db.insertInto('input_tags').values({ input_uuid: input, name: 'mlflow.data.context', value: 'train' }).execute();
    }
  }
  return ids;
}

export async function addTrace(db: Db, experimentId: number): Promise<string> {
  const id = `tr-${crypto.randomBytes(8).toString('hex')}`;
  await db.insertInto('trace_info').values({ request_id: id, experiment_id: experimentId, timestamp_ms: 1, execution_time_ms: 1, status: 'OK' }).execute();
  await db.insertInto('trace_tags').values({ key: 'k', value: 'v', request_id: id }).execute();
  await db.insertInto('trace_request_metadata').values({ key: 'k', value: 'v', request_id: id }).execute();
  await db.insertInto('experiment_tags').values({ key: `k-${id}`, value: 'v', experiment_id: experimentId }).execute();
  return id;
}

export async function insertMany(db: Db, table: string, rows: Record<string, unknown>[], maxParams = 2000): Promise<void> {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(maxParams / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += per) await db.insertInto(table).values(rows.slice(i, i + per)).execute();
}

export async function countAll(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ALL_TABLES) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

/** Rows that refer to a run, per table. */
export async function rowsOfRun(db: Db, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['runs', 'tags', 'params', 'metrics', 'latest_metrics']) {
    const r = await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).where('run_uuid', '=', id).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  const r = await db.selectFrom('inputs').select((eb) => eb.fn.countAll().as('n')).where('destination_id', '=', id).executeTakeFirstOrThrow();
  out.inputs = Number(r.n);
  return out;
}

export { rawSqliteHandle };

/**
 * Fill a head database fast with `n` deleted runs (metrics/params/tags each), server-side where the
 * dialect allows: raw prepared statements on SQLite, generate_series on PostgreSQL.
 */
export async function fillDeletedRuns(h: HeadDb, experimentId: number, n: number, perRun = { metrics: 100, params: 10, tags: 10 }): Promise<void> {
  const { sql } = await import('kysely');
  const prefix = crypto.randomBytes(4).toString('hex');
  if (h.test.dialect === 'sqlite') {
    const raw = rawSqliteHandle(h.db)!;
    const insRun = raw.prepare(
      `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) values (?, 'r', 'LOCAL', '', '', 'u', 'FINISHED', 1, 2, 1, '', 'deleted', ?, ?)`,
    );
    const insMetric = raw.prepare(`insert into metrics (key, value, timestamp, step, is_nan, run_uuid) values (?, ?, ?, ?, 0, ?)`);
    const insParam = raw.prepare(`insert into params (key, value, run_uuid) values (?, ?, ?)`);
    const insTag = raw.prepare(`insert into tags (key, value, run_uuid) values (?, ?, ?)`);
    raw.transaction(() => {
      for (let i = 0; i < n; i++) {
        const id = prefix + i.toString(16).padStart(24, '0');
        insRun.run(id, `/nonexistent/${experimentId}/${id}/artifacts`, experimentId);
        for (let j = 0; j < perRun.metrics; j++) insMetric.run(`m${j % 10}`, j, 1000 + j, j, id);
        for (let k = 0; k < perRun.params; k++) insParam.run(`p${k}`, String(k), id);
        for (let k = 0; k < perRun.tags; k++) insTag.run(`t${k}`, String(k), id);
      }
    })();
    return;
  }
  if (h.test.dialect !== 'postgresql') throw new Error('fillDeletedRuns: sqlite or postgresql');
  await sql`insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
    select ${prefix} || lpad(to_hex(i), 24, '0'), 'r', 'LOCAL', '', '', 'u', 'FINISHED', 1, 2, 1, '', 'deleted', '/nonexistent/x', ${experimentId}
    from generate_series(0, ${n - 1}) i`.execute(h.db);
  const mine = sql`(select run_uuid from runs where run_uuid like ${prefix + '%'})`;
  await sql`insert into metrics (key, value, timestamp, step, is_nan, run_uuid)
    select 'm' || (j % 10), j, 1000 + j, j, false, r.run_uuid from ${mine} r cross join generate_series(0, ${perRun.metrics - 1}) j`.execute(h.db);
  await sql`insert into params (key, value, run_uuid) select 'p' || k, k::text, r.run_uuid from ${mine} r cross join generate_series(0, ${perRun.params - 1}) k`.execute(h.db);
  await sql`insert into tags (key, value, run_uuid) select 't' || k, k::text, r.run_uuid from ${mine} r cross join generate_series(0, ${perRun.tags - 1}) k`.execute(h.db);
}

/** A live database upgraded to mlf's head, filled in by {@link describeAtHead}'s `beforeAll`. */
export interface LiveHead {
  conn: SqlConnection;
}

/**
 * One describe per live dialect (SQL Server is compiled only) on a fresh database upgraded to mlf's
 * head; `body` reads the connection from `live.conn` inside its tests (`dialect` names the database it runs on).
 */
export async function describeAtHead(title: (dialect: TestDialect) => string, body: (live: LiveHead, dialect: TestDialect) => void, setupMs = 180_000): Promise<void> {
  for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
    describe.skipIf(await skipUnlessAvailable(dialect))(title(dialect), () => {
      let test: TestDatabase | undefined;
      const live = {} as LiveHead;
      beforeAll(async () => {
        test = await createTestDatabase(dialect);
        live.conn = await connectSql(parseStoreUri(test.uri) as SqlStoreUri);
        await ensureSchema(live.conn);
      }, setupMs);
      afterAll(async () => {
        await live.conn?.close();
        await test?.drop();
      });
      body(live, dialect);
    });
  }
}
