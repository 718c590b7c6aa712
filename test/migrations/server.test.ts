/**
 * PostgreSQL and MariaDB: an mlf-made database against one made by loading MLflow's own schema dump
 * (schema-postgresql.sql / schema-mysql.sql) into another fresh database, compared by catalog.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { HEAD_REVISION, currentRevision, ensureSchema, upgrade } from '../../src/stores/sql/migrate/index.js';
import { FIXTURES, createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../support/databases.js';
import { mysqlSchema, postgresSchema } from './introspect.js';

const dbs: TestDatabase[] = [];
const conns: SqlConnection[] = [];
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

async function fresh(dialect: 'postgresql' | 'mysql'): Promise<{ db: TestDatabase; conn: SqlConnection }> {
  const db = await createTestDatabase(dialect);
  dbs.push(db);
  const conn = await connectSql(parseDbUri(db.uri));
  conns.push(conn);
  return { db, conn };
}

/** Load MLflow's schema dump with the server's own client. */
function loadDump(dialect: 'postgresql' | 'mysql', uri: string): void {
  const file = path.join(FIXTURES, dialect === 'postgresql' ? 'schema-postgresql.sql' : 'schema-mysql.sql');
  if (dialect === 'postgresql') execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', file, uri], { stdio: 'pipe' });
  else execFileSync('sh', ['-c', `mysql -h127.0.0.1 -uroot ${new URL(uri).pathname.slice(1)} < "${file}"`], { stdio: 'pipe' });
}

const snapshot = (conn: SqlConnection) =>
  (conn.dialect.name === 'postgresql' ? postgresSchema : mysqlSchema)(async (text) => (await sql.raw(text).execute(conn.db)).rows as Record<string, unknown>[]);

for (const dialect of ['postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`migrations on ${dialect}`, () => {
    it('creates on an empty database, --to 2.17, the same catalog as MLflow 2.17\'s schema dump', async () => {
      const mine = await fresh(dialect);
      const r = await upgrade(mine.conn, { to: 'f5a4f2784254' });
      expect(r).toMatchObject({ from: null, to: 'f5a4f2784254' });
      expect(r.applied).toHaveLength(28);
      const theirs = await fresh(dialect);
      loadDump(dialect, theirs.db.uri);
      const [a, b] = [await snapshot(mine.conn), await snapshot(theirs.conn)];
      // MLflow's dumps hold no rows: compare alembic_version's shape, not its row.
      expect(a).toEqual(b);
      expect(await currentRevision(mine.conn.db)).toBe('f5a4f2784254');
    });

    it('re-running the upgrade at head changes nothing, and ensureSchema accepts it', async () => {
      const { conn } = await fresh(dialect);
      await ensureSchema(conn);
      const before = await snapshot(conn);
      expect((await upgrade(conn)).applied).toEqual([]);
      expect(await snapshot(conn)).toEqual(before);
    });

    it('upgrades a database left at 7f2a7d5fae7d to head with its rows intact', async () => {
      const { conn } = await fresh(dialect);
      // Bring it to 7f2a7d5fae7d with mlf, add rows, then finish.
      const { MIGRATIONS } = await import('../../migrations/index.js');
      const { migrationContext } = await import('../../src/stores/sql/migrate/ddl.js');
      const stop = MIGRATIONS.findIndex((m) => m.revision === '7f2a7d5fae7d');
      for (const m of MIGRATIONS.slice(0, stop + 1)) await m.up(migrationContext(conn.db, conn.dialect));
      await sql`create table alembic_version (version_num varchar(32) not null, constraint alembic_version_pkc primary key (version_num))`.execute(conn.db);
      await sql`insert into alembic_version values ('7f2a7d5fae7d')`.execute(conn.db);
      await conn.db.insertInto('experiments').values({ name: 'e', lifecycle_stage: 'active' }).execute();
      const exp = (await conn.db.selectFrom('experiments').select('experiment_id').executeTakeFirstOrThrow()).experiment_id;
      await conn.db.insertInto('runs').values({ run_uuid: 'r1', experiment_id: exp, status: 'KILLED', lifecycle_stage: 'active' }).execute();
      await conn.db.insertInto('params').values({ key: 'p', value: 'x'.repeat(500), run_uuid: 'r1' }).execute();
      await conn.db.insertInto('tags').values({ key: 't', value: 'y'.repeat(5000), run_uuid: 'r1' }).execute();
      const r = await upgrade(conn);
      expect(r.applied.map((l) => l.split(' ')[0])).toEqual(MIGRATIONS.slice(MIGRATIONS.findIndex((m) => m.revision === '7f2a7d5fae7d') + 1).map((m) => m.revision));
      expect(await currentRevision(conn.db)).toBe(HEAD_REVISION);
      await conn.db.insertInto('params').values({ key: 'long', value: 'z'.repeat(8000), run_uuid: 'r1' }).execute();
      const params = await conn.db.selectFrom('params').select(['key', 'value']).orderBy('key').execute();
      expect(params.map((p) => [p.key, p.value.length])).toEqual([['long', 8000], ['p', 500]]);
      expect((await conn.db.selectFrom('tags').select('value').executeTakeFirstOrThrow()).value).toHaveLength(5000);
    });
  });
}
