/**
 * mlf's own indexes (src/stores/sql/migrate/mlf-indexes.ts) land on the tables a revision has: a 2.17
 * database gets the runs index only, the step into MLflow 3 adds the logged_model_metrics one, so a
 * gc deleting a run finds that table's rows by index instead of reading it whole per run.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectSql, type SqlConnection } from '../../../src/stores/sql/connect.js';
import { upgrade } from '../../../src/stores/sql/migrate/index.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../../support/databases.js';

const indexNames = async (conn: SqlConnection): Promise<string[]> => {
  const text =
    conn.dialect.name === 'sqlite'
      ? `select name from sqlite_master where type = 'index' and name like 'mlf\\_%' escape '\\' order by name`
      : `select indexname as name from pg_indexes where schemaname = current_schema() and indexname like 'mlf\\_%' order by indexname`;
  return ((await sql.raw(text).execute(conn.db)).rows as { name: string }[]).map((r) => r.name);
};

for (const dialect of ['sqlite', 'postgresql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`mlf indexes on ${dialect}`, () => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const d of dbs) await d.drop();
    });

    it('2.17 gets the runs index only; the upgrade into MLflow 3 adds logged_model_metrics.run_id', async () => {
      const db = await createTestDatabase(dialect);
      dbs.push(db);
      const conn = await connectSql(parseDbUri(db.uri));
      try {
        await upgrade(conn, { to: 'f5a4f2784254' });
        expect(await indexNames(conn)).toEqual(['mlf_runs_experiment_id']);
        await upgrade(conn);
        expect(await indexNames(conn)).toEqual(['mlf_logged_model_metrics_run_id', 'mlf_runs_experiment_id']);
        if (dialect === 'sqlite') {
          const plan = (await sql.raw(`explain query plan delete from logged_model_metrics where run_id = 'x'`).execute(conn.db)).rows as { detail: string }[];
          expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX mlf_logged_model_metrics_run_id/);
        }
      } finally {
        await conn.close();
      }
    });
  });
}
