import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { HEAD_REVISION, MLFLOW_REVISIONS, currentRevision, ensureSchema, resolveTarget, upgrade } from '../../src/stores/sql/migrate/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { FIXTURES, copyFixture, tempDir } from '../support/databases.js';
import { sqliteSchema } from './introspect.js';

const open: SqlConnection[] = [];
async function connect(file: string): Promise<SqlConnection> {
  const c = await connectSql(parseDbUri(`sqlite:///${file}`));
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const MLFLOW_2_17 = 'f5a4f2784254';
const dump = (file: string, sqlText: string) => new Database(file, { readonly: true }).prepare(sqlText).all();

describe('migrations on SQLite', () => {
  it('lists one migration per MLflow revision, chained by down_revision, ending at head', () => {
    expect(MIGRATIONS[0]!.revision).toBeNull();
    // The chain is MLflow's, in MLflow's order, as far as mlf's migrations reach.
    expect(MIGRATIONS.slice(1).map((m) => m.revision)).toEqual(MLFLOW_REVISIONS.slice(0, MIGRATIONS.length - 1).map((r) => r.id));
    for (let i = 2; i < MIGRATIONS.length; i++) expect(MIGRATIONS[i]!.downRevision).toBe(MIGRATIONS[i - 1]!.revision);
    expect(MIGRATIONS.at(-1)!.revision).toBe(HEAD_REVISION);
    expect(MIGRATIONS[27]!.revision).toBe(MLFLOW_2_17);
  });

  it('creates on an empty file, --to 2.17, exactly the schema MLflow 2.17 has (tables, columns, types, defaults, keys, FKs, CHECKs, indexes)', async () => {
    const file = path.join(tempDir(), 'new.db');
    const conn = await connect(file);
    const r = await upgrade(conn, { to: resolveTarget('2.17') });
    expect(r.from).toBeNull();
    expect(r.to).toBe(MLFLOW_2_17);
    expect(r.applied).toHaveLength(28);
    await conn.close();
    expect(sqliteSchema(file)).toEqual(sqliteSchema(path.join(FIXTURES, 'sqlite-head.db')));
    expect(dump(file, 'select version_num from alembic_version')).toEqual([{ version_num: MLFLOW_2_17 }]);
  });

  it('creates on an empty file the same head schema as MLflow 2.17\'s database upgraded', async () => {
    const file = path.join(tempDir(), 'new.db');
    const conn = await connect(file);
    const r = await upgrade(conn);
    expect(r).toMatchObject({ from: null, to: HEAD_REVISION, oneWay: [] });
    expect(r.applied).toHaveLength(MIGRATIONS.length);
    await conn.close();
    const old = copyFixture('sqlite-head.db');
    const c2 = await connect(old);
    await upgrade(c2);
    await c2.close();
    expect(sqliteSchema(file)).toEqual(sqliteSchema(old));
  });

  it('upgrades MLflow\'s database at 7f2a7d5fae7d to head with every row intact and the head schema', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')).stores.sqlite_old;
    const tables = ['experiments', 'runs', 'params', 'tags', 'metrics', 'latest_metrics', 'experiment_tags', 'datasets', 'inputs', 'input_tags'];
    const before = Object.fromEntries(tables.map((t) => [t, dump(file, `select * from "${t}" order by 1, 2`)]));
    const conn = await connect(file);
    const r = await upgrade(conn, { to: MLFLOW_2_17 });
    expect(r.from).toBe('7f2a7d5fae7d');
    expect(r.applied.map((l) => l.split(' ')[0])).toEqual(ref.migrations_applied_by_mlflow_db_upgrade.map((l: string) => /-> (\w+)/.exec(l)![1]));
    await conn.close();
    for (const t of tables) expect(dump(file, `select * from "${t}" order by 1, 2`)).toEqual(before[t]);
    expect(sqliteSchema(file)).toEqual(sqliteSchema(path.join(FIXTURES, 'sqlite-head.db')));
    expect(dump(file, 'pragma foreign_key_check')).toEqual([]);
  });

  it('opens MLflow 2.17\'s database as it is (ensureSchema changes nothing)', async () => {
    const file = copyFixture('sqlite-head.db');
    const before = sqliteSchema(file);
    const conn = await connect(file);
    await ensureSchema(conn);
    expect(await currentRevision(conn.db)).toBe(MLFLOW_2_17);
    await conn.close();
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('says a database at head has nothing to do and changes nothing', async () => {
    const file = copyFixture('sqlite-head.db');
    const first = await connect(file);
    await upgrade(first);
    await first.close();
    const before = sqliteSchema(file);
    const conn = await connect(file);
    const r = await upgrade(conn);
    expect(r).toMatchObject({ from: HEAD_REVISION, to: HEAD_REVISION, applied: [], pending: [] });
    await ensureSchema(conn);
    await conn.close();
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('refuses an unknown revision, naming it, and changes nothing', async () => {
    const file = copyFixture('sqlite-head.db');
    const raw = new Database(file);
    raw.prepare('update alembic_version set version_num = ?').run('deadbeef1234');
    const schemaBefore = sqliteSchema(file);
    raw.close();
    const conn = await connect(file);
    await expect(upgrade(conn)).rejects.toThrow(/'deadbeef1234' is not one mlf knows/);
    await expect(ensureSchema(conn)).rejects.toThrow(/deadbeef1234/);
    expect(await currentRevision(conn.db)).toBe('deadbeef1234');
    await conn.close();
    expect(sqliteSchema(file)).toEqual(schemaBefore);
  });

  it('refuses a database at a known revision that lacks one of its tables, naming it, and changes nothing', async () => {
    const file = copyFixture('sqlite-head.db');
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF');
    raw.exec('drop table trace_request_metadata');
    raw.close();
    const before = sqliteSchema(file);
    const conn = await connect(file);
    await expect(ensureSchema(conn)).rejects.toThrow(/at revision f5a4f2784254 but lacks the table trace_request_metadata that revision has/);
    await expect(upgrade(conn, { onBeforeOneWay: async () => true })).rejects.toThrow(/lacks the table trace_request_metadata/);
    await conn.close();
    const { SqlStore } = await import('../../src/stores/sql/sql-store.js');
    await expect(SqlStore.open(parseDbUri(`sqlite:///${file}`))).rejects.toThrow(/lacks the table trace_request_metadata/);
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('dry run lists the pending migrations and changes nothing', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const before = sqliteSchema(file);
    const conn = await connect(file);
    const r = await upgrade(conn, { dryRun: true });
    expect(r.applied).toEqual([]);
    expect(r.pending.map((l) => l.split(' ')[0])).toEqual(MIGRATIONS.slice(MIGRATIONS.findIndex((m) => m.revision === '7f2a7d5fae7d') + 1).map((m) => m.revision));
    expect(r.oneWay.map((l) => l.split(' ')[0])).toEqual(['2d6e25af4d3e', '400f98739977']);
    expect(await currentRevision(conn.db)).toBe('7f2a7d5fae7d');
    await conn.close();
    expect(sqliteSchema(file)).toEqual(before);
  });

  it('ensureSchema creates an empty database at head and rejects an old one with MLflow\'s message', async () => {
    const fresh = await connect(path.join(tempDir(), 'e.db'));
    await ensureSchema(fresh);
    expect(await currentRevision(fresh.db)).toBe(HEAD_REVISION);
    const old = await connect(copyFixture('sqlite-old-7f2a7d5fae7d.db'));
    await expect(ensureSchema(old)).rejects.toThrow(
      /^Detected out-of-date database schema \(found version 7f2a7d5fae7d, but expected \w+\)\. Take a backup of your database, then run 'mlf db upgrade sqlite:\/\/\/.*' to migrate your database to the latest schema\. NOTE: schema migration may result in database downtime - please consult your database's documentation for more detail\.$/,
    );
    await expect(ensureSchema(old)).rejects.toThrow(`expected ${HEAD_REVISION})`);
  });

  it('asks before the one-way 2d6e25af4d3e and changes nothing when declined', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    const conn = await connect(file);
    const asked: string[] = [];
    await expect(
      upgrade(conn, {
        onBeforeOneWay: async (m) => {
          asked.push(m.revision!);
          return false;
        },
      }),
    ).rejects.toThrow(/cancelled/);
    expect(asked).toEqual(['2d6e25af4d3e']);
    expect(await currentRevision(conn.db)).toBe('7f2a7d5fae7d');
  });

  it('rolls a failing migration back to the previous revision', async () => {
    const file = copyFixture('sqlite-old-7f2a7d5fae7d.db');
    // A row that breaks the params rebuild's foreign_key_check: a param of a run that does not exist.
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF');
    raw.prepare(`insert into params (key, value, run_uuid) values ('k', 'v', 'no-such-run')`).run();
    raw.close();
    const conn = await connect(file);
    await expect(upgrade(conn)).rejects.toThrow(/foreign_key_check/);
    expect(await currentRevision(conn.db)).toBe('7f2a7d5fae7d');
    await conn.close();
    const cols = dump(file, `select type from pragma_table_info('params') where name = 'value'`);
    expect(cols).toEqual([{ type: 'VARCHAR(500)' }]);
  });
});
