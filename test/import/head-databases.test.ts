/**
 * The MariaDB databases headDatabases (db-helpers.ts) copies from a migrated template hold the same
 * schema as the template: every column, index, foreign key, check, trigger and table option, so the
 * tests importing into them (resume.test.ts) import into what the migration chain makes.
 */
import { expect, it } from 'vitest';
import { headDatabases, scratch } from './db-helpers.js';
import { skipUnlessAvailable } from '../support/databases.js';

const { dbs } = scratch();

const CATALOG = {
  tables: `select table_name, engine, table_collation from information_schema.tables where table_schema = ? order by 1`,
  columns: `select table_name, column_name, ordinal_position, column_type, is_nullable, column_default, collation_name, extra, generation_expression from information_schema.columns where table_schema = ? order by 1, 2`,
  indexes: `select table_name, index_name, seq_in_index, column_name, non_unique from information_schema.statistics where table_schema = ? order by 1, 2, 3`,
  foreignKeys: `select constraint_name, table_name, referenced_table_name, update_rule, delete_rule from information_schema.referential_constraints where constraint_schema = ? order by 1, 2`,
  keyColumns: `select constraint_name, table_name, column_name, ordinal_position, referenced_table_name, referenced_column_name from information_schema.key_column_usage where table_schema = ? order by 1, 2, 4`,
  checks: `select table_name, constraint_name, check_clause from information_schema.check_constraints where constraint_schema = ? order by 1, 2`,
  triggers: `select trigger_name, event_object_table, action_timing, event_manipulation, action_statement from information_schema.triggers where trigger_schema = ? order by 1`,
};

it('a MariaDB database copied from the migrated template has its schema and rows', async (ctx) => {
  if (await skipUnlessAvailable('mysql')) ctx.skip();
  const fresh = headDatabases('mysql', dbs);
  const copy = await fresh();
  const template = dbs[0]!;
  expect(copy).not.toBe(template);
  const mysql = await import('mysql2/promise');
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const catalog = async (uri: string) => {
      const db = new URL(uri).pathname.slice(1);
      const out: Record<string, unknown> = {};
      for (const [k, sql] of Object.entries(CATALOG)) out[k] = (await c.query(sql, [db]))[0];
      const [rows] = await c.query(`select (select group_concat(version_num) from \`${db}\`.alembic_version) v, (select group_concat(name) from \`${db}\`.workspaces) w`);
      out.rows = rows;
      return out;
    };
    const want = await catalog(template.uri);
    expect((want.foreignKeys as unknown[]).length).toBeGreaterThan(10);
    expect((want.triggers as unknown[]).length).toBeGreaterThan(0);
    expect(await catalog(copy.uri)).toEqual(want);
  } finally {
    await c.end();
  }
}, 300_000);
