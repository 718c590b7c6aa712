/**
 * An upgrade killed half-way (SIGKILL between two steps, via the test-only MLF_TEST_MIGRATION_DELAY_MS)
 * is finished by the next upgrade, and two upgrades at once both succeed and leave head.
 */
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { HEAD_REVISION, currentRevision, upgrade } from '../../src/stores/sql/migrate/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase, type TestDialect } from '../support/databases.js';
import { ensureBuilt, runMlf, startMlf } from './cli.js';
import { mysqlSchema, postgresSchema, sqliteSchema } from './introspect.js';

const dbs: TestDatabase[] = [];
beforeAll(() => ensureBuilt(), 180_000);
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

async function fresh(dialect: TestDialect): Promise<string> {
  const db = await createTestDatabase(dialect);
  dbs.push(db);
  return db.uri;
}

async function withConn<T>(uri: string, fn: (c: SqlConnection) => Promise<T>): Promise<T> {
  const c = await connectSql(parseDbUri(uri));
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

async function snapshot(uri: string): Promise<unknown> {
  if (uri.startsWith('sqlite')) return sqliteSchema(parseDbUri(uri).sqlitePath!);
  return withConn(uri, (c) =>
    (c.dialect.name === 'postgresql' ? postgresSchema : mysqlSchema)(async (t) => (await sql.raw(t).execute(c.db)).rows as Record<string, unknown>[]),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`interrupted and concurrent upgrades on ${dialect}`, () => {
    it('finishes an upgrade that was SIGKILLed half-way, reaching the same schema as an uninterrupted one', async () => {
      const uri = dialect === 'sqlite' ? `sqlite:///${path.join(tempDir(), 'k.db')}` : await fresh(dialect);
      const { child, done } = startMlf(['db', 'upgrade', uri, '--yes'], { MLF_TEST_MIGRATION_DELAY_MS: '40' });
      // Wait until some migrations are recorded, then kill it mid-way.
      let seen: string | null = null;
      for (let i = 0; i < 400 && !seen; i++) {
        await sleep(25);
        seen = await withConn(uri, (c) => currentRevision(c.db)).catch(() => null);
      }
      await sleep(300);
      child.kill('SIGKILL');
      const killed = await done;
      expect(killed.signal).toBe('SIGKILL');
      const atKill = await withConn(uri, (c) => currentRevision(c.db));
      expect(atKill).not.toBe(HEAD_REVISION);
      const r = await withConn(uri, (c) => upgrade(c));
      expect(r.to).toBe(HEAD_REVISION);
      expect(r.applied.length).toBeGreaterThan(0);
      const clean = dialect === 'sqlite' ? `sqlite:///${path.join(tempDir(), 'c.db')}` : await fresh(dialect);
      await withConn(clean, (c) => upgrade(c));
      expect(await snapshot(uri)).toEqual(await snapshot(clean));
    });

    it('two upgrades at once on one empty database both exit 0 and leave head, each migration applied once', async () => {
      const uri = dialect === 'sqlite' ? `sqlite:///${path.join(tempDir(), 'two.db')}` : await fresh(dialect);
      const env = { MLF_TEST_MIGRATION_DELAY_MS: '5' };
      const [a, b] = await Promise.all([runMlf(['db', 'upgrade', uri, '--yes', '--json'], env), runMlf(['db', 'upgrade', uri, '--yes', '--json'], env)]);
      expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, expect.any(String)]);
      const applied = [...JSON.parse(a.stdout).applied, ...JSON.parse(b.stdout).applied];
      expect(applied).toHaveLength(MIGRATIONS.length);
      expect(new Set(applied).size).toBe(MIGRATIONS.length);
      expect(await withConn(uri, (c) => currentRevision(c.db))).toBe(HEAD_REVISION);
    });
  });
}
