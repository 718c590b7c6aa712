/**
 * Helpers for the import tests that work on databases directly: scratch databases and folders dropped
 * once the file's tests end, a connection for the length of a callback, a table's row count, fresh
 * databases at head made quickly.
 */
import fs from 'node:fs';
import { afterAll } from 'vitest';
import { connectSql } from '../../src/stores/sql/connect.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import type { RowDataPacket } from 'mysql2/promise';
import { upgrade } from '../../src/stores/sql/migrate/index.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../support/databases.js';

/** Lists to push scratch databases and folders on; emptied (dropped, removed) after the file's tests. */
export function scratch(): { dbs: TestDatabase[]; dirs: string[] } {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop().catch(() => undefined);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return { dbs, dirs };
}

type Conn = Awaited<ReturnType<typeof connectSql>>;

export async function withDb<T>(uri: string, f: (c: Conn) => Promise<T>): Promise<T> {
  const conn = await connectSql(parseDbUri(uri));
  try {
    return await f(conn);
  } finally {
    await conn.close();
  }
}

export const count = (uri: string, table: string) =>
  withDb(uri, async ({ db }) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));

/**
 * Fresh databases already at mlf's head schema, for tests that need many. On MariaDB the migration
 * chain takes 20-70 s per database under load (about 70 steps of DDL, each rebuilding tables and
 * reading information_schema), so it runs once, into a template, and each fresh database is a copy of
 * the template (its tables as SHOW CREATE TABLE gives them, foreign keys and checks included, its
 * trigger and its rows: alembic_version and the default workspace), in a few seconds. SQLite and
 * PostgreSQL run the chain in seconds, so each database runs it.
 */
export function headDatabases(dialect: TestDialect, dbs: TestDatabase[]): () => Promise<TestDatabase> {
  let template: Promise<TestDatabase> | undefined;
  const migrated = async () => {
    const db = await createTestDatabase(dialect);
    dbs.push(db);
    await withDb(db.uri, (conn) => upgrade(conn, {}));
    return db;
  };
  if (dialect !== 'mysql') return migrated;
  return async () => {
    template ??= migrated();
    const from = new URL((await template).uri).pathname.slice(1);
    const db = await createTestDatabase(dialect);
    dbs.push(db);
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: new URL(db.uri).pathname.slice(1) });
    try {
      await c.query('set foreign_key_checks = 0');
      const [tables] = await c.query<RowDataPacket[]>(`select table_name as t from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'`, [from]);
      for (const { t } of tables) {
        const [[create]] = await c.query<RowDataPacket[]>(`show create table \`${from}\`.\`${t}\``);
        await c.query(create!['Create Table'] as string);
        const [cols] = await c.query<RowDataPacket[]>(`select column_name as c from information_schema.columns where table_schema = ? and table_name = ? and extra not like '%GENERATED%' order by ordinal_position`, [from, t]);
        const list = cols.map((x) => `\`${x.c}\``).join(', ');
        await c.query(`insert into \`${t}\` (${list}) select ${list} from \`${from}\`.\`${t}\``);
      }
      const [triggers] = await c.query<RowDataPacket[]>(`select trigger_name as t from information_schema.triggers where trigger_schema = ?`, [from]);
      for (const { t } of triggers) {
        const [[trigger]] = await c.query<RowDataPacket[]>(`show create trigger \`${from}\`.\`${t}\``);
        await c.query(trigger!['SQL Original Statement'] as string);
      }
    } finally {
      await c.end();
    }
    return db;
  };
}
