/**
 * The import's set-based writer on every dialect: plain inserts when the caller knows the rows are
 * new (a key already there fails, and the transaction leaves nothing), keyed inserts that leave or
 * update existing rows, and more rows than one bulk statement takes (PostgreSQL's array form).
 */
import { describe, expect, it } from 'vitest';
import { BULK_ROWS, writeRows } from '../../src/import/write-rows.js';
import { createTestDatabase, skipUnlessAvailable, testDialects } from '../support/databases.js';
import { scratch, withDb } from './db-helpers.js';

const { dbs } = scratch();

for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
  describe(`import writeRows on ${dialect}`, async () => {
    const skip = await skipUnlessAvailable(dialect);
    it.skipIf(skip)('inserts new rows plainly, refuses a present key whole, and upserts when keyed', async () => {
      const target = await createTestDatabase(dialect);
      dbs.push(target);
      await withDb(target.uri, async ({ db, dialect: d }) => {
        // `params` is a table PostgreSQL's bulk form knows; no runs table, so no foreign key here.
        await db.schema.createTable('params').addColumn('key', 'varchar(250)', (c) => c.notNull()).addColumn('value', 'varchar(500)').addColumn('run_uuid', 'varchar(32)', (c) => c.notNull()).addPrimaryKeyConstraint('param_pk', ['key', 'run_uuid']).execute();
        const row = (key: string, value: string) => ({ key, value, run_uuid: 'r1' });
        const write = (rows: ReturnType<typeof row>[], conflict: { keys: string[]; update: string[] } | null) => d.writeTransaction(db, (tx) => writeRows(db, tx, d, 'params', rows, conflict));
        const all = async () => Object.fromEntries((await db.selectFrom('params').select(['key', 'value']).execute()).map((r) => [r.key, r.value]));

        await write([row('a', '1'), row('b', '2')], null);
        await expect(write([row('c', '3'), row('a', '9')], null)).rejects.toThrow();
        expect(await all()).toEqual({ a: '1', b: '2' });

        await write([row('a', '9'), row('c', '3')], { keys: ['key', 'run_uuid'], update: [] });
        expect(await all()).toEqual({ a: '1', b: '2', c: '3' });
        await write([row('a', '9')], { keys: ['key', 'run_uuid'], update: ['value'] });
        expect((await all()).a).toBe('9');

        const many = Array.from({ length: BULK_ROWS + 1 }, (_, i) => row(`k${i}`, String(i)));
        await write(many, null);
        await write([...many.slice(0, 2), row('last', 'x')], { keys: ['key', 'run_uuid'], update: [] });
        const n = await db.selectFrom('params').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(BULK_ROWS + 1 + 4);
      });
    });
  });
}
