/**
 * The schema mlf's chain reaches past MLflow 2.17 equals MLflow's (test/fixtures/mlflow3-schema.ts),
 * on each dialect: a new database built by `upgrade`, and MLflow 2.17's own SQLite database upgraded.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { HEAD_REVISION, upgrade } from '../../src/stores/sql/migrate/index.js';
import { canonDefault } from '../../src/stores/sql/dialects/schema.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../support/databases.js';
import { expectedAfter2_17, type ExpectedTable } from '../fixtures/mlflow3-schema.js';

const after217 = MIGRATIONS.slice(MIGRATIONS.findIndex((m) => m.revision === 'f5a4f2784254') + 1).map((m) => m.revision!);
const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

/** Names of a table's indexes that refuse duplicates (UNIQUE indexes and UNIQUE constraints). */
async function uniqueIndexes(conn: SqlConnection, table: string): Promise<string[]> {
  const q = {
    sqlite: sql`select name from pragma_index_list(${table}) where "unique" = 1 and origin != 'pk'`,
    postgresql: sql`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table} and indexdef like 'CREATE UNIQUE%'`,
    mysql: sql`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${table} and non_unique = 0 and index_name != 'PRIMARY'`,
  }[conn.dialect.name as 'sqlite' | 'postgresql' | 'mysql'];
  const rows = (await q.execute(conn.db)).rows as Record<string, unknown>[];
  const names = rows.map((r) => String(r.name ?? r.NAME));
  if (conn.dialect.name === 'sqlite') {
    // SQLite's index for a named UNIQUE constraint is sqlite_autoindex_*: read the name from the DDL.
    const ddl = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(conn.db)).rows[0]?.sql ?? '';
    for (const m of ddl.matchAll(/CONSTRAINT\s+"?(\w+)"?\s+UNIQUE\b/gi)) names.push(m[1]!);
  }
  return names;
}

/** One table as the dialect's catalog reader sees it, in the shape of ExpectedTable. */
async function actualTable(conn: SqlConnection, table: string, expected: ExpectedTable) {
  const cat = conn.dialect.ddl.catalog;
  const cols = await cat.columns(conn.db, table);
  const fks = await cat.foreignKeys(conn.db, table);
  const checks = (await cat.checks(conn.db, table)).map((c) => c.name);
  const indexes = await cat.indexes(conn.db, table);
  const unique = expected.uniqueIndexes ? await uniqueIndexes(conn, table) : [];
  return {
    columns: cols.map((c, i) => {
      // Alternatives (`text|mediumtext`) accept the type this dialect gives; so does a per-dialect nullability.
      const [, want = '', nullable] = expected.columns[i] ?? [];
      const type = want.split('|').includes(c.type) ? want : c.type;
      const perDialect = nullable !== undefined && typeof nullable === 'object';
      const key = conn.dialect.name === 'mysql' ? 'mysql' : 'other';
      const got = perDialect && nullable[key] === c.nullable ? nullable : c.nullable;
      // PostgreSQL's SERIAL shows its sequence as a default: that is the auto-increment, not a server default.
      const dflt = /^nextval\(/.test(c.default ?? '') ? null : canonDefault(c.default);
      return [c.name, type, got, dflt];
    }),
    primaryKey: (await cat.primaryKey(conn.db, table)).columns,
    foreignKeys: fks
      .map((f) => ({ columns: f.columns, refTable: f.refTable, onDelete: f.onDelete, onUpdate: f.onUpdate }))
      .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    ...(expected.checks ? { checks: expected.checks.filter((n) => checks.includes(n)) } : {}),
    ...(expected.indexes ? { indexes: expected.indexes.filter((n) => indexes.includes(n)) } : {}),
    ...(expected.uniques ? { uniques: (await cat.uniques(conn.db, table)).map((u) => u.columns).sort() } : {}),
    ...(expected.uniqueIndexes ? { uniqueIndexes: expected.uniqueIndexes.filter((n) => unique.includes(n)) } : {}),
    ...(expected.absentIndexes ? { absentIndexes: expected.absentIndexes.filter((n) => !indexes.includes(n)) } : {}),
    ...(expected.triggers ? { triggers: (await cat.triggers(conn.db, table)).sort() } : {}),
  };
}

async function expectMlflowSchema(conn: SqlConnection): Promise<void> {
  const want = expectedAfter2_17(after217);
  expect(Object.keys(want).length).toBeGreaterThan(0);
  const tables = await conn.dialect.ddl.catalog.tables(conn.db);
  for (const [name, t] of Object.entries(want)) {
    expect(tables, name).toContain(name);
    const sorted = {
      ...t,
      foreignKeys: [...t.foreignKeys].sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
      ...(t.uniques ? { uniques: [...t.uniques].sort() } : {}),
    };
    expect(await actualTable(conn, name, t), name).toEqual(sorted);
  }
}

const skip = { postgresql: await skipUnlessAvailable('postgresql'), mysql: await skipUnlessAvailable('mysql') };

describe(`MLflow's schema past 2.17, up to ${HEAD_REVISION}`, () => {
  it('SQLite: a new database, where spans.duration_ns is computed', async () => {
    const conn = await connectSql(parseDbUri(`sqlite:///${tempDir()}/new.db`));
    try {
      await upgrade(conn);
      await expectMlflowSchema(conn);
      await conn.db.insertInto('experiments').values({ experiment_id: 1, name: 'e', lifecycle_stage: 'active' }).execute();
      await conn.db.insertInto('trace_info').values({ request_id: 't', experiment_id: 1, timestamp_ms: 1, status: 'OK' }).execute();
      await conn.db
        .insertInto('spans')
        .values({ trace_id: 't', experiment_id: 1, span_id: 's', status: 'OK', start_time_unix_nano: 100, end_time_unix_nano: 350, content: '{}' })
        .execute();
      expect(await conn.db.selectFrom('spans').select('duration_ns').executeTakeFirst()).toEqual({ duration_ns: 250 });
    } finally {
      await conn.close();
    }
  });

  it("SQLite: MLflow 2.17's own database, upgraded", async () => {
    const conn = await connectSql(parseDbUri(`sqlite:///${copyFixture('sqlite-head.db')}`));
    try {
      await upgrade(conn);
      await expectMlflowSchema(conn);
    } finally {
      await conn.close();
    }
  });

  for (const dialect of ['postgresql', 'mysql'] as const) {
    it.skipIf(skip[dialect])(`${dialect}: a new database`, async () => {
      const d = await createTestDatabase(dialect);
      dbs.push(d);
      const conn = await connectSql(parseDbUri(d.uri));
      try {
        await upgrade(conn);
        await expectMlflowSchema(conn);
      } finally {
        await conn.close();
      }
    });
  }
});
