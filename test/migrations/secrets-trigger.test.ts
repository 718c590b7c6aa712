/**
 * MLflow's prevent_secrets_aad_mutation trigger (1bd49d398cd23), as each dialect writes it: an UPDATE
 * changing a secret's id or name fails with MLflow's message and changes nothing; other columns (and
 * an UPDATE restating the same id and name) go through. A SQLite batch rebuild of the table keeps it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../src/stores/sql/connect.js';
import { upgrade } from '../../src/stores/sql/migrate/index.js';
import { col, migrationContext, T } from '../../src/stores/sql/migrate/ddl.js';
import { secrets49 } from '../../migrations/0049-1b5f0d9ad7c1-add-workspace-columns-and-catalog.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, type TestDatabase } from '../support/databases.js';

const MESSAGE = 'secret_id and secret_name are immutable (used as AAD in encryption)';
const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
});

async function openAtHead(dialect: 'sqlite' | 'postgresql' | 'mysql'): Promise<SqlConnection> {
  let uri = `sqlite:///${tempDir()}/secrets.db`;
  if (dialect !== 'sqlite') {
    const d = await createTestDatabase(dialect);
    dbs.push(d);
    uri = d.uri;
  }
  const conn = await connectSql(parseDbUri(uri));
  await upgrade(conn);
  return conn;
}

const skip = { sqlite: false, postgresql: await skipUnlessAvailable('postgresql'), mysql: await skipUnlessAvailable('mysql') };

for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
  describe.skipIf(skip[dialect])(`the secrets trigger on ${dialect}`, () => {
    it('refuses a changed secret_id or secret_name and allows every other update', async () => {
      const conn = await openAtHead(dialect);
      try {
        const db = conn.db;
        await db
          .insertInto('secrets')
          .values({
            secret_id: 's1',
            secret_name: 'openai',
            encrypted_value: Buffer.from([1, 2, 3]),
            wrapped_dek: Buffer.from([4, 5]),
            kek_version: 1,
            masked_value: 'sk-...abc',
            created_at: 1,
            last_updated_at: 1,
          })
          .execute();
        await expect(db.updateTable('secrets').set({ secret_name: 'renamed' }).where('secret_id', '=', 's1').execute()).rejects.toThrow(MESSAGE);
        await expect(db.updateTable('secrets').set({ secret_id: 's2' }).where('secret_id', '=', 's1').execute()).rejects.toThrow(MESSAGE);
        await db.updateTable('secrets').set({ masked_value: 'sk-...xyz', last_updated_at: 2, secret_name: 'openai' }).where('secret_id', '=', 's1').execute();
        expect(await db.selectFrom('secrets').select(['secret_id', 'secret_name', 'masked_value', 'last_updated_at']).execute()).toEqual([
          { secret_id: 's1', secret_name: 'openai', masked_value: 'sk-...xyz', last_updated_at: 2 },
        ]);
      } finally {
        await conn.close();
      }
    });
  });
}

describe('the secrets trigger across a SQLite batch rebuild', () => {
  it('is re-created with the table, as MLflow re-creates it after 1b5f0d9ad7c1 rebuilds secrets (at head: secrets with its workspace column)', async () => {
    const conn = await openAtHead('sqlite');
    try {
      const ctx = migrationContext(conn.db, conn.dialect);
      const wider = { ...secrets49, columns: [...secrets49.columns, col('extra', T.varchar(10))] };
      await ctx.ddl.alterTable(wider, [{ column: 'extra' }]);
      expect((await conn.dialect.ddl.catalog.columns(conn.db, 'secrets')).map((c) => c.name)).toContain('extra');
      expect(await conn.dialect.ddl.catalog.triggers(conn.db, 'secrets')).toEqual(['prevent_secrets_aad_mutation']);
      const values = { secret_id: 's1', secret_name: 'n', encrypted_value: Buffer.from([1]), wrapped_dek: Buffer.from([2]), kek_version: 1 };
      await conn.db.insertInto('secrets').values({ ...values, masked_value: 'm', created_at: 1, last_updated_at: 1 }).execute();
      await expect(conn.db.updateTable('secrets').set({ secret_name: 'other' }).execute()).rejects.toThrow(MESSAGE);
    } finally {
      await conn.close();
    }
  });
});
