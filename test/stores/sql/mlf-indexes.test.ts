/**
 * mlf's own indexes (src/stores/sql/migrate/mlf-indexes.ts) land on the tables and columns a revision
 * has: a 2.17 database gets the runs and experiment_tags ones, the steps into MLflow 3 add those of
 * the tables referencing runs and experiments, so that a gc deleting runs or experiments finds the
 * referencing rows by index instead of reading each such table whole per row deleted. At the head,
 * every foreign key that a purge's deletes fire is backed by an index on every dialect (InnoDB makes
 * its own on MySQL).
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPERIMENT_TABLES, RUN_TABLES } from '../../../src/stores/sql/purge.js';
import { planFor } from '../../../src/stores/sql/purge-tables.js';
import { connectSql, type SqlConnection } from '../../../src/stores/sql/connect.js';
import { HEAD_REVISION, upgrade } from '../../../src/stores/sql/migrate/index.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, type TestDatabase } from '../../support/databases.js';

const rows = async <T>(conn: SqlConnection, text: string): Promise<T[]> => (await sql.raw(text).execute(conn.db)).rows as T[];

const indexNames = async (conn: SqlConnection): Promise<string[]> =>
  (
    await rows<{ name: string }>(
      conn,
      conn.dialect.name === 'sqlite'
        ? `select name from sqlite_master where type = 'index' and name like 'mlf\\_%' escape '\\' order by name`
        : `select indexname as name from pg_indexes where schemaname = current_schema() and indexname like 'mlf\\_%' order by indexname`,
    )
  ).map((r) => r.name);

interface Fk {
  table: string;
  columns: string[];
  ref: string;
}

/** Every foreign key with the column lists of its table's indexes (primary key included). */
async function foreignKeysAndIndexes(conn: SqlConnection): Promise<{ fks: Fk[]; indexes: Map<string, string[][]> }> {
  const fks: Fk[] = [];
  const indexes = new Map<string, string[][]>();
  const add = (table: string, cols: string[]) => indexes.set(table, [...(indexes.get(table) ?? []), cols]);
  if (conn.dialect.name === 'sqlite') {
    const tables = await rows<{ name: string }>(conn, `select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'`);
    for (const { name } of tables) {
      const byId = new Map<number, Fk>();
      for (const f of await rows<{ id: number; table: string; from: string }>(conn, `pragma foreign_key_list("${name}")`)) {
        const fk = byId.get(f.id) ?? { table: name, columns: [], ref: f.table };
        fk.columns.push(f.from);
        byId.set(f.id, fk);
      }
      fks.push(...byId.values());
      for (const ix of await rows<{ name: string }>(conn, `pragma index_list("${name}")`)) {
        add(name, (await rows<{ name: string }>(conn, `pragma index_info("${ix.name}")`)).map((c) => c.name));
      }
      // An INTEGER PRIMARY KEY is the rowid: indexed without an index of its own.
      const pk = (await rows<{ name: string; pk: number; type: string }>(conn, `pragma table_info("${name}")`)).filter((c) => c.pk > 0);
      if (pk.length === 1 && /^integer$/i.test(pk[0]!.type)) add(name, [pk[0]!.name]);
    }
  } else if (conn.dialect.name === 'postgresql') {
    const cols = `(select array_agg(a.attname::text order by k.i) from unnest(%s) with ordinality k(n, i) join pg_attribute a on a.attrelid = %r and a.attnum = k.n)`;
    for (const r of await rows<{ t: string; cols: string[]; ref: string }>(
      conn,
      `select c.conrelid::regclass::text as t, ${cols.replace('%s', 'c.conkey').replace('%r', 'c.conrelid')} as cols, c.confrelid::regclass::text as ref
       from pg_constraint c where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`,
    )) {
      fks.push({ table: r.t, columns: r.cols, ref: r.ref });
    }
    for (const r of await rows<{ t: string; cols: string[] }>(
      conn,
      `select i.indrelid::regclass::text as t, ${cols.replace('%s', 'i.indkey::int2[]').replace('%r', 'i.indrelid')} as cols
       from pg_index i join pg_class c on c.oid = i.indrelid where c.relnamespace = current_schema()::regnamespace`,
    )) {
      add(r.t, r.cols);
    }
  } else {
    const f = await rows<{ t: string; name: string; col: string; ref: string }>(
      conn,
      `select table_name as t, constraint_name as name, column_name as col, referenced_table_name as ref from information_schema.key_column_usage
       where table_schema = database() and referenced_table_name is not null order by table_name, constraint_name, ordinal_position`,
    );
    const byName = new Map<string, Fk>();
    for (const r of f) {
      const fk = byName.get(`${r.t}.${r.name}`) ?? { table: r.t, columns: [], ref: r.ref };
      fk.columns.push(r.col);
      byName.set(`${r.t}.${r.name}`, fk);
    }
    fks.push(...byName.values());
    const ix = await rows<{ t: string; name: string; col: string }>(
      conn,
      `select table_name as t, index_name as name, column_name as col from information_schema.statistics where table_schema = database() order by table_name, index_name, seq_in_index`,
    );
    const byIndex = new Map<string, { t: string; cols: string[] }>();
    for (const r of ix) byIndex.set(`${r.t}.${r.name}`, { t: r.t, cols: [...(byIndex.get(`${r.t}.${r.name}`)?.cols ?? []), r.col] });
    for (const { t, cols } of byIndex.values()) add(t, cols);
  }
  return { fks, indexes };
}

/** The foreign keys whose columns lead no index of their table, among those referencing `parents`. */
async function unindexed(conn: SqlConnection, parents: Set<string>): Promise<string[]> {
  const { fks, indexes } = await foreignKeysAndIndexes(conn);
  return fks
    .filter((fk) => parents.has(fk.ref))
    .filter((fk) => !(indexes.get(fk.table) ?? []).some((ix) => fk.columns.every((c) => ix.slice(0, fk.columns.length).includes(c))))
    .map((fk) => `${fk.table}(${fk.columns.join(', ')}) -> ${fk.ref}`)
    .sort();
}

/** The tables a purge at the head deletes from: a foreign key to any of them is checked per row deleted. */
const PURGED = new Set([...planFor(HEAD_REVISION).tables, ...RUN_TABLES, ...EXPERIMENT_TABLES, 'scorers']);

for (const dialect of ['sqlite', 'postgresql', 'mysql'] as const) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`mlf indexes on ${dialect}`, () => {
    const dbs: TestDatabase[] = [];
    afterAll(async () => {
      for (const d of dbs) await d.drop();
    });

    const withDb = async (fn: (conn: SqlConnection) => Promise<void>) => {
      const db = await createTestDatabase(dialect);
      dbs.push(db);
      const conn = await connectSql(parseDbUri(db.uri));
      try {
        await fn(conn);
      } finally {
        await conn.close();
      }
    };

    it('backs every foreign key a purge fires with an index at the head', async () => {
      await withDb(async (conn) => {
        await upgrade(conn);
        expect(PURGED.has('logged_models') && PURGED.has('experiments')).toBe(true);
        expect(await unindexed(conn, PURGED)).toEqual([]);
      });
    });

    if (dialect === 'mysql') return;

    it('2.17 gets the runs, experiment_tags (and on SQLite metrics) indexes; the upgrade into MLflow 3 adds the rest', async () => {
      await withDb(async (conn) => {
        await upgrade(conn, { to: 'f5a4f2784254' });
        // SQLite's alone: a run's metric history led by run and key (see search-plans-sqlite.test.ts).
        const history = dialect === 'sqlite' ? ['mlf_metrics_history'] : [];
        expect(await indexNames(conn)).toEqual(['mlf_experiment_tags_experiment_id', ...history, 'mlf_runs_experiment_id']);
        // Before endpoints.experiment_id (d0e1f2a3b4c5) the table is there without the column.
        await upgrade(conn, { to: '1bd49d398cd23' });
        expect(await indexNames(conn)).not.toContain('mlf_endpoints_experiment_id');
        await upgrade(conn);
        expect(await indexNames(conn)).toEqual([
          'mlf_endpoints_experiment_id',
          'mlf_experiment_tags_experiment_id',
          'mlf_logged_model_metrics_experiment_id',
          'mlf_logged_model_metrics_run_id',
          'mlf_logged_model_params_experiment_id',
          'mlf_logged_model_tags_experiment_id',
          'mlf_logged_models_experiment_id',
          ...history,
          'mlf_online_scoring_configs_experiment_id',
          'mlf_online_scoring_configs_scorer_id',
          'mlf_runs_experiment_id',
        ]);
        if (dialect === 'sqlite') {
          const plan = (await sql.raw(`explain query plan delete from logged_model_metrics where run_id = 'x'`).execute(conn.db)).rows as { detail: string }[];
          expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX mlf_logged_model_metrics_run_id/);
        }
      });
    });
  });
}
