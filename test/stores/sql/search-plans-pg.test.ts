/**
 * Search on PostgreSQL without planner statistics, on a live server (issue 18): the page's child
 * rows and the rows it is ordered by are read by index probes and the runs of one experiment through mlf's
 * runs.experiment_id index, so neither reads whole tables; `upgrade` adds that index, also to a
 * database already at its target. JIT is off on mlf's connections: with no statistics a big table's
 * estimates pass jit_above_cost and compiling cost more than the probes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { connectSql, type SqlConnection } from '../../../src/stores/sql/connect.js';
import { upgrade } from '../../../src/stores/sql/migrate/index.js';
import { postgresRowsByRunIds } from '../../../src/stores/sql/dialects/postgres/run-probe.js';
import { postgresDialect } from '../../../src/stores/sql/dialects/postgres/index.js';
import { joinOrderRows, runOrderBy } from '../../../src/stores/sql/search-sql.js';
import { parseRunOrderBy } from '../../../src/tracking/search/parse.js';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../../support/databases.js';

const RUNS = 20_000;

describe.skipIf(await skipUnlessAvailable('postgresql'))('PostgreSQL search plans without statistics', () => {
  let db: TestDatabase;
  let conn: SqlConnection;
  const plan = async (text: string, params: unknown[]) =>
    (await conn.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${text}`, params))).rows.map((r) => r['QUERY PLAN']).join('\n');

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    conn = await connectSql(parseDbUri(db.uri));
    await upgrade(conn);
    await sql`insert into experiments (name, lifecycle_stage) select 'e' || g, 'active' from generate_series(1, 20) g`.execute(conn.db);
    await sql`insert into runs (run_uuid, experiment_id, status, lifecycle_stage, start_time)
      select lpad(g::text, 32, '0'), (select min(experiment_id) from experiments) + g % 20, 'FINISHED', 'active', g from generate_series(1, ${RUNS}) g`.execute(conn.db);
    await sql`insert into params (key, value, run_uuid) select 'p' || k, 'v', lpad(g::text, 32, '0') from generate_series(1, ${RUNS}) g, generate_series(1, 5) k`.execute(conn.db);
  }, 60_000);
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('reads a page of 100 runs\' params by index probes, not a scan of the table', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => String(i * 7 + 1).padStart(32, '0'));
    const c = postgresRowsByRunIds((id) => sql`select * from params c where c.run_uuid = ${id}`, ['run_uuid', 'key', 'value'], ids).compile(conn.db);
    const text = await plan(c.sql, c.parameters as unknown[]);
    expect(text).not.toMatch(/Seq Scan on params/);
    expect(text).toMatch(/Index Scan (using|on) index_params_run_uuid/);
    // What a plain IN list gets on the same table: the scan the probe avoids.
    const list = ids.map((_, i) => `$${i + 1}`).join(', ');
    expect(await plan(`select run_uuid, key, value from params where run_uuid in (${list})`, ids)).toMatch(/Seq Scan on params/);
    const rows = (await conn.db.executeQuery<{ run_uuid: string }>(c)).rows;
    expect(rows).toHaveLength(500);
  });

  it('orders by a param through one probe of its primary key per run, not a scan of params', async () => {
    const exp = (await sql<{ id: number }>`select min(experiment_id) + 3 as id from experiments`.execute(conn.db)).rows[0]!.id;
    const orderBy = parseRunOrderBy(['params.p2 DESC']);
    const base = conn.db.selectFrom('runs').select(['runs.run_uuid']).where('runs.experiment_id', 'in', [exp]);
    const c = joinOrderRows(base, postgresDialect, orderBy).orderBy(sql.join(runOrderBy(postgresDialect, orderBy))).limit(10).compile();
    const text = await plan(c.sql, c.parameters as unknown[]);
    expect(text).not.toMatch(/Seq Scan on params/);
    expect(text).toMatch(/Index Scan using param_pk on params/);
  });

  it('finds one experiment\'s runs through mlf_runs_experiment_id, and the store hydrates them', async () => {
    const exp = (await sql<{ id: number }>`select min(experiment_id) + 3 as id from experiments`.execute(conn.db)).rows[0]!.id;
    expect(await plan(`select run_uuid from runs where experiment_id in ($1) and lifecycle_stage in ('active')`, [exp])).toMatch(/mlf_runs_experiment_id/);
    const store = await openTrackingStore(db.uri);
    try {
      const page = await store.searchRuns({ experimentIds: [String(exp)], filter: "params.p2 = 'v'", maxResults: 10 });
      expect(page.items).toHaveLength(10);
      for (const r of page.items) expect(r.data.params.map((p) => p.key)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    } finally {
      await store.close();
    }
  });

  it('upgrade at the target adds the index where it is missing (a database MLflow created)', async () => {
    await sql`drop index mlf_runs_experiment_id`.execute(conn.db);
    expect((await upgrade(conn)).applied).toEqual([]);
    const found = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'mlf_runs_experiment_id'`.execute(conn.db);
    expect(found.rows[0]!.n).toBe(1);
  });

  it('opens its connections with JIT off, unless the URI\'s options turn it on', async () => {
    const jit = async (uri: string) => {
      const c = await connectSql(parseDbUri(uri));
      try {
        return (await sql<{ jit: string }>`show jit`.execute(c.db)).rows[0]!.jit;
      } finally {
        await c.close();
      }
    };
    expect(await jit(db.uri)).toBe('off');
    expect(await jit(`${db.uri}?options=${encodeURIComponent('-c jit=on')}`)).toBe('on');
  });
});
