/**
 * SQL Server has no server on this machine: the SQL the store sends to it is compiled with Kysely's
 * mssql compiler over a recording driver and checked here. The same suites run live against
 * MLF_TEST_MSSQL_URI when it is set (test/contract, test/migrations).
 */
import { describe, expect, it } from 'vitest';
import { sql, type CompiledQuery } from 'kysely';
import { mssqlDialect, MSSQL_CS_COLLATION } from '../../../src/stores/sql/dialects/mssql/index.js';
import {
  experimentFilterConditions,
  experimentOrderBy,
  pagingClause,
  runFilterConditions,
  runOrderBy,
} from '../../../src/stores/sql/search-sql.js';
import { parseExperimentFilter, parseExperimentOrderBy, parseRunFilter, parseRunOrderBy } from '../../../src/tracking/search/parse.js';
import { SqlStore } from '../../../src/stores/sql/sql-store.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { poolOptionsFromEnv } from '../../../src/stores/sql/pool-options.js';
import type { SqlConnection } from '../../../src/stores/sql/connect.js';
import { RecordingDriver, mssqlDb, norm } from '../../support/mssql-recording.js';

describe('search SQL for SQL Server', () => {
  const { db } = mssqlDb();

  function runSearch(filter: string, orderBy: string[], limit: number, offset: number) {
    let q = db.selectFrom('runs').select(['runs.run_uuid']).where('runs.experiment_id', 'in', [1, 2]);
    for (const c of runFilterConditions(mssqlDialect, parseRunFilter(filter))) q = q.where(c as never);
    return q.orderBy(sql.join(runOrderBy(mssqlDialect, parseRunOrderBy(orderBy)))).modifyEnd(pagingClause(mssqlDialect, limit, offset)).compile();
  }

  it('pages with OFFSET … FETCH NEXT after ORDER BY, never LIMIT', () => {
    const c = runSearch("params.lr = '0.1'", ['metrics.loss ASC'], 11, 20);
    const text = norm(c.sql);
    expect(text).toMatch(/order by .* offset 20 rows fetch next 11 rows only$/);
    expect(text).not.toMatch(/\blimit\b/);
    // mssql placeholders are @1, @2, ...
    expect(text).toContain('[runs].[experiment_id] in (@1, @2)');
  });

  it('compares param, tag, metric keys and string values with the case-sensitive collation', () => {
    const c = runSearch("params.model = 'CNN' and tags.team != 'ML' and metrics.acc > 0.5 and attributes.status = 'FINISHED'", [], 10, 0);
    const text = norm(c.sql);
    const collate = `collate ${MSSQL_CS_COLLATION} =`;
    // params key + value, tags key + value (negated), metric key, status attribute
    expect(text.split(collate).length - 1).toBe(6);
    expect(text).toContain(`not ([kv].[value] ${collate} @`);
    expect(c.parameters).toEqual(expect.arrayContaining(['model', 'CNN', 'team', 'ML', 'acc', 0.5, 'FINISHED']));
  });

  it('LIKE is case-sensitive and escapes [ ]; ILIKE lowers both sides', () => {
    const like = norm(runSearch("tags.note LIKE '%[x]%'", [], 10, 0).sql);
    expect(like).toContain(`[kv].[value] collate ${MSSQL_CS_COLLATION} like @`);
    expect(like).toContain("escape '\\'");
    const c = runSearch("tags.note ILIKE '%[x]%'", [], 10, 0);
    expect(norm(c.sql)).toContain("lower([kv].[value]) like lower(@");
    expect(c.parameters).toContain('%\\[x\\]%');
  });

  it('matches run ids in IN (...) one by one, case-sensitively', () => {
    const c = runSearch("attributes.run_id IN ('abc', 'def')", [], 10, 0);
    const text = norm(c.sql);
    expect(text).toContain(`([runs].[run_uuid] collate ${MSSQL_CS_COLLATION} = @`);
    expect(text).toContain(' or ');
    expect(c.parameters).toEqual(expect.arrayContaining(['abc', 'def']));
  });

  it('orders with nulls last and the run_uuid tie-break', () => {
    const text = norm(runSearch('', ['params.lr DESC', 'start_time ASC'], 5, 0).sql);
    const order = text.slice(text.indexOf(' order by '));
    expect(order).toMatch(/^ order by case when \(select kv\.value from \[params\] kv where .*\) is null then 1 else 0 end, \(select kv\.value .*\) desc, /);
    expect(order).toMatch(/\[runs\]\.\[start_time\] asc, runs\.run_uuid asc offset 0 rows fetch next 5 rows only$/);
  });

  it('experiment search: name comparisons collated, default order, OFFSET … FETCH', () => {
    let q = db.selectFrom('experiments').select(['experiments.experiment_id']);
    for (const c of experimentFilterConditions(mssqlDialect, parseExperimentFilter("name = 'Exp' and tags.k LIKE 'v%'"))) q = q.where(c as never);
    const text = norm(q.orderBy(sql.join(experimentOrderBy(parseExperimentOrderBy([])))).modifyEnd(pagingClause(mssqlDialect, 3, 6)).compile().sql);
    expect(text).toContain(`[experiments].[name] collate ${MSSQL_CS_COLLATION} = @`);
    expect(text).toContain(`[et].[value] collate ${MSSQL_CS_COLLATION} like @`);
    expect(text).toMatch(/\[experiments\]\.\[creation_time\] desc, .*\[experiments\]\.\[experiment_id\] asc offset 6 rows fetch next 3 rows only$/);
  });
});

describe('writes for SQL Server', () => {
  it('upserts with one MERGE … WITH (HOLDLOCK)', async () => {
    const { db, driver } = mssqlDb();
    await mssqlDialect.upsert(db, 'latest_metrics', [
      { key: 'loss', value: 0.5, timestamp: 1, step: 0, is_nan: false, run_uuid: 'r1' },
      { key: 'acc', value: 0.9, timestamp: 1, step: 0, is_nan: false, run_uuid: 'r1' },
    ], ['key', 'run_uuid'], ['value', 'timestamp', 'step', 'is_nan']);
    expect(driver.log).toHaveLength(1);
    const q = driver.log[0]!;
    expect(norm(q.sql)).toBe(
      norm(`merge into [latest_metrics] with (holdlock) as t using (values (@1, @2, @3, @4, @5, @6), (@7, @8, @9, @10, @11, @12))
       as s ([key], [value], [timestamp], [step], [is_nan], [run_uuid]) on t.[key] = s.[key] and t.[run_uuid] = s.[run_uuid]
       when matched then update set t.[value] = s.[value], t.[timestamp] = s.[timestamp], t.[step] = s.[step], t.[is_nan] = s.[is_nan]
       when not matched then insert ([key], [value], [timestamp], [step], [is_nan], [run_uuid]) values (s.[key], s.[value], s.[timestamp], s.[step], s.[is_nan], s.[run_uuid]);`),
    );
    expect(q.parameters).toHaveLength(12);
  });

  it('insert-ignore is a MERGE without WHEN MATCHED', async () => {
    const { db, driver } = mssqlDb();
    await mssqlDialect.upsert(db, 'params', [{ key: 'a', value: '1', run_uuid: 'r' }], ['key', 'run_uuid'], []);
    const text = norm(driver.log[0]!.sql);
    expect(text).not.toContain('when matched');
    expect(text).toContain('when not matched then insert');
  });

  it('inserts experiment 0 between IDENTITY_INSERT on and off', async () => {
    const { db, driver } = mssqlDb();
    await db.transaction().execute(async (tx) => {
      await mssqlDialect.explicitIdInsert!.before(tx, 'experiments');
      await tx.insertInto('experiments').values({ experiment_id: 0, name: 'Default' }).execute();
      await mssqlDialect.explicitIdInsert!.after(tx, 'experiments');
    });
    expect(driver.log.map((q) => norm(q.sql))).toEqual([
      'begin transaction',
      'set identity_insert [experiments] on',
      'insert into [experiments] ([experiment_id], [name]) values (@1, @2)',
      'set identity_insert [experiments] off',
      'commit',
    ]);
  });

  it('types: BIGINT timestamps, FLOAT(53) values, BIT booleans, VARCHAR(max) text', () => {
    expect(mssqlDialect.types).toMatchObject({ bigint: 'BIGINT', float: 'FLOAT(53)', boolean: 'BIT', text: 'VARCHAR(max)' });
    expect(mssqlDialect.capabilities.offsetFetch).toBe(true);
    expect(mssqlDialect.capabilities.maxParameters).toBeLessThanOrEqual(2100); // SQL Server's limit
  });
});

describe('the SQL store on SQL Server (recording driver)', () => {
  /** Opens a SqlStore over the recording driver; `respond` plays the database. */
  function store(respond: (q: CompiledQuery) => unknown[]) {
    const { db, driver } = mssqlDb(new RecordingDriver(respond));
    const conn: SqlConnection = {
      db,
      dialect: mssqlDialect,
      uri: parseDbUri('mssql+pyodbc://sa:s3cret@h:1433/mlflow'),
      pool: poolOptionsFromEnv({}),
      close: async () => undefined,
    };
    // The constructor is private: SqlStore.open() would connect to a server first.
    const Ctor = SqlStore as unknown as new (c: SqlConnection, root: string, exec: unknown, inTx: boolean) => SqlStore;
    return { store: new Ctor(conn, '/tmp/mlruns', db, false), log: driver.log };
  }

  it('searchRuns sends one collated, OFFSET … FETCH paged query (no LIMIT) and masks the password in displayUri', async () => {
    const { store: s, log } = store(() => []);
    expect(s.displayUri).toBe('mssql+pyodbc://sa:***@h:1433/mlflow');
    const page = await s.searchRuns({ experimentIds: ['1'], filter: "params.lr = '0.1'", orderBy: ['metrics.loss'], maxResults: 10 });
    expect(page.items).toEqual([]);
    const text = log.map((q) => norm(q.sql)).join('\n');
    expect(text).toContain(`collate ${MSSQL_CS_COLLATION}`);
    expect(text).toMatch(/offset 0 rows fetch next 11 rows only/);
    expect(text).not.toMatch(/\blimit\b/);
  });

  it('searchExperiments pages with OFFSET … FETCH (page token honoured)', async () => {
    const { store: s, log } = store(() => []);
    await s.searchExperiments({ maxResults: 5, filter: "name LIKE 'a%'" });
    const text = log.map((q) => norm(q.sql)).join('\n');
    expect(text).toMatch(/offset 0 rows fetch next 6 rows only/);
    expect(text).toContain(`[experiments].[name] collate ${MSSQL_CS_COLLATION} like @`);
  });

  it('every statement the store compiles for a run lifecycle is valid mssql syntax (no LIMIT, no RETURNING, no ON CONFLICT)', async () => {
    const { store: s, log } = store((q) => (/from "experiments"/.test(q.sql) ? [{ experiment_id: 1, name: 'e', artifact_location: '/a/1', lifecycle_stage: 'active', creation_time: 1, last_update_time: 1 }] : []));
    // The recording driver returns no row after the insert, so reading the new run back fails; the
    // statements up to and including the insert are what is checked.
    await s.createRun({ experimentId: '1', startTime: 1, runName: 'r' }).catch(() => undefined);
    await s.searchExperiments({});
    expect(log.some((q) => /^insert into "runs"/.test(q.sql))).toBe(true);
    expect(log.some((q) => /^insert into "tags"|^merge into "tags"/.test(q.sql))).toBe(true);
    for (const q of log) {
      expect(q.sql).not.toMatch(/\blimit\b|\breturning\b|on conflict|on duplicate key/i);
    }
  });

  it('creates the Default experiment with IDENTITY_INSERT and no LIMIT (first open of an empty database)', async () => {
    const { store: s, log } = store(() => []);
    await (s as unknown as { ensureDefaultExperiment(): Promise<void> }).ensureDefaultExperiment();
    const texts = log.map((q) => norm(q.sql));
    for (const t of texts) expect(t).not.toMatch(/\blimit\b/);
    const on = texts.indexOf('set identity_insert [experiments] on');
    expect(on).toBeGreaterThan(0);
    expect(texts[on + 1]).toMatch(/^insert into \[experiments\] \(\[experiment_id\], /);
    expect(texts[on + 2]).toBe('set identity_insert [experiments] off');
  });
});
