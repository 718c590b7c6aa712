/**
 * e2c4a6b80d15 makes review queue names unique regardless of case: queue names that collide once
 * lower-cased are refused before anything changes, with the pairs named; otherwise name_key is filled
 * with each lower-cased name and becomes the unique key. On SQLite, PostgreSQL and MariaDB.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { currentRevision, upgrade } from '../../src/stores/sql/migrate/index.js';
import { migrationContext } from '../../src/stores/sql/migrate/ddl.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { nameKeyCollisions } from '../../migrations/0060-e2c4a6b80d15-add-name-key-to-review-queues.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../support/databases.js';

const BEFORE = 'c5d9e1f3a7b2';
const skip = { sqlite: false, postgresql: await skipUnlessAvailable('postgresql'), mysql: await skipUnlessAvailable('mysql') };
const open: SqlConnection[] = [];
const dbs: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

/** A database at c5d9e1f3a7b2 with two queues in experiment 1 named `a` and `b`. */
async function at(dialect: 'sqlite' | 'postgresql' | 'mysql', a: string, b: string): Promise<SqlConnection> {
  let uri = `sqlite:///${path.join(tempDir(), 'q.db')}`;
  if (dialect !== 'sqlite') {
    const d = await createTestDatabase(dialect);
    dbs.push(d);
    uri = d.uri;
  }
  const conn = await connectSql(parseDbUri(uri));
  open.push(conn);
  for (const m of MIGRATIONS.slice(0, MIGRATIONS.findIndex((x) => x.revision === BEFORE) + 1)) await m.up(migrationContext(conn.db, conn.dialect));
  await sql`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`.execute(conn.db);
  await sql`insert into alembic_version values (${BEFORE})`.execute(conn.db);
  await conn.db.insertInto('experiments').values({ experiment_id: 1, name: 'e', lifecycle_stage: 'active' }).execute();
  for (const [i, name] of [a, b].entries()) {
    await conn.db
      .insertInto('review_queues')
      .values({ queue_id: `q${i}`, experiment_id: 1, name, queue_type: 'CUSTOM', creation_time_ms: 1, last_update_time_ms: 1 })
      .execute();
  }
  return conn;
}

describe('review queue name keys', () => {
  it('names each pair that collides once lower-cased, per experiment', () => {
    expect(
      nameKeyCollisions([
        { experiment_id: 1, name: 'Foo' },
        { experiment_id: 1, name: 'foo' },
        { experiment_id: 2, name: 'FOO' },
        { experiment_id: 1, name: 'bar' },
      ]),
    ).toEqual(["experiment 1: 'Foo' vs 'foo'"]);
  });

  for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
    describe.skipIf(skip[dialect])(dialect, () => {
      // MariaDB compares names case-insensitively: its old UNIQUE already refuses 'Review' next to 'review'.
      if (dialect === 'mysql') {
        it('cannot hold names that differ only in case: the old UNIQUE refuses the second', async () => {
          await expect(at(dialect, 'Review', 'review')).rejects.toThrow(/Duplicate entry/i);
        });
      } else it('refuses names that differ only in case and changes nothing', async () => {
        const conn = await at(dialect, 'Review', 'review');
        await expect(upgrade(conn)).rejects.toThrow(/review_queues.*Nothing was changed\. Collisions: experiment 1: 'Review' vs 'review'/s);
        expect(await currentRevision(conn.db)).toBe(BEFORE);
        expect((await conn.dialect.ddl.catalog.columns(conn.db, 'review_queues')).map((c) => c.name)).not.toContain('name_key');
      });

      it('fills name_key with the lower-cased name and makes it the unique key', async () => {
        const conn = await at(dialect, 'Review Queue', 'Other');
        await upgrade(conn);
        const rows = await conn.db.selectFrom('review_queues').select(['name', 'name_key']).orderBy('queue_id').execute();
        expect(rows).toEqual([
          { name: 'Review Queue', name_key: 'review queue' },
          { name: 'Other', name_key: 'other' },
        ]);
        const uniques = (await conn.dialect.ddl.catalog.uniques(conn.db, 'review_queues')).map((u) => u.columns.join());
        expect(uniques).toEqual(['experiment_id,name_key']);
      });
    });
  }
});
