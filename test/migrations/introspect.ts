/**
 * Schema snapshots for comparing an mlf-made database with MLflow's, per dialect. Indexes and
 * constraints are sorted so they compare as sets (MLflow's own databases differ in index order).
 * mlf's own indexes (src/stores/sql/migrate/mlf-indexes.ts) are left out: MLflow's schema is what is compared.
 */
import Database from 'better-sqlite3';
import { parseSqliteChecks } from '../../src/stores/sql/dialects/sqlite/catalog.js';
import { isMlfIndex } from '../../src/stores/sql/migrate/mlf-indexes.js';

const norm = (s: string) => s.replace(/[\s"`]+/g, ' ').trim().toLowerCase();

/** SQLite: PRAGMA table_info / foreign_key_list / index_list + CHECK clauses from sqlite_master. */
export function sqliteSchema(file: string): Record<string, unknown> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown> = {};
    const tables = db.prepare(`select name, sql from sqlite_master where type='table' and name not like 'sqlite_%' order by name`).all() as {
      name: string;
      sql: string;
    }[];
    for (const t of tables) {
      const columns = db.pragma(`table_info("${t.name}")`) as Record<string, unknown>[];
      const fks = (db.pragma(`foreign_key_list("${t.name}")`) as Record<string, unknown>[]).map((f) => ({
        table: f.table,
        from: f.from,
        to: f.to,
        seq: f.seq,
        on_update: f.on_update,
        on_delete: f.on_delete,
      }));
      const indexes = (db.pragma(`index_list("${t.name}")`) as { name: string; unique: number; origin: string; partial: number }[])
        .filter((i) => !isMlfIndex(i.name))
        .map((i) => ({
          // sqlite_autoindex_* names follow declaration order; compare them by what they index.
          name: i.origin === 'c' ? i.name : `(${i.origin})`,
          unique: i.unique,
          origin: i.origin,
          columns: (db.pragma(`index_info("${i.name}")`) as { name: string }[]).map((c) => c.name),
        }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const checks = parseSqliteChecks(t.sql)
        .map((c) => `${c.name ?? ''}:${norm(c.clause)}`)
        .sort();
      out[t.name] = { columns, fks: fks.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), indexes, checks };
    }
    return out;
  } finally {
    db.close();
  }
}

type Q = (text: string) => Promise<Record<string, unknown>[]>;
const sortJson = <T>(xs: T[]) => xs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** PostgreSQL catalog of the current schema: columns, constraints (named, with definitions), indexes, sequences. */
export async function postgresSchema(q: Q): Promise<Record<string, unknown>> {
  const columns = await q(`select c.relname as t, a.attnum as n, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
      a.attnotnull as notnull, pg_get_expr(d.adbin, d.adrelid) as dflt
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace s on s.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where s.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped order by 1, 2`);
  const constraints = await q(`select c.relname as t, k.conname as name, k.contype as type, pg_get_constraintdef(k.oid) as def
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace s on s.oid = c.relnamespace
    where s.nspname = current_schema()`);
  // A CHECK re-loaded from pg_dump renders its casts differently (`ARRAY[('a'::varchar)::text]` versus
  // `(ARRAY['a'::varchar])::text[]`) for the same constraint: compare CHECKs without casts and brackets.
  for (const c of constraints) {
    if (c.type === 'c') c.def = String(c.def).replace(/::(character varying|text)(\[\])?/g, '').replace(/[()\s]/g, '');
  }
  const indexes = (await q(`select tablename as t, indexname as name, indexdef as def from pg_indexes where schemaname = current_schema()`)).filter(
    (i) => !isMlfIndex(String(i.name)),
  );
  const sequences = await q(`select sequence_name as name, data_type as type from information_schema.sequences where sequence_schema = current_schema()`);
  return { columns, constraints: sortJson(constraints), indexes: sortJson(indexes), sequences: sortJson(sequences) };
}

/**
 * MariaDB/MySQL catalog of the current database. CHECKs compare as a set of (table, clause): MLflow's
 * MariaDB has two identical is_nan CHECKs on metrics (CONSTRAINT_1, CONSTRAINT_2) where mlf has one.
 */
export async function mysqlSchema(q: Q): Promise<Record<string, unknown>> {
  const lower = (rs: Record<string, unknown>[]) =>
    rs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));
  const columns = lower(
    await q(`select table_name as t, ordinal_position as n, column_name as name, column_type as type, is_nullable as nullable,
        column_default as dflt, extra from information_schema.columns where table_schema = database() order by 1, 2`),
  );
  const indexes = sortJson(
    lower(
      await q(`select table_name as t, index_name as name, non_unique as nu, group_concat(column_name order by seq_in_index) as cols
        from information_schema.statistics where table_schema = database() group by table_name, index_name, non_unique`),
    ),
  );
  const fks = sortJson(
    lower(
      await q(`select rc.table_name as t, rc.constraint_name as name, rc.referenced_table_name as ref, rc.update_rule as upd, rc.delete_rule as del,
          group_concat(k.column_name order by k.ordinal_position) as cols
        from information_schema.referential_constraints rc join information_schema.key_column_usage k
          on k.constraint_schema = rc.constraint_schema and k.constraint_name = rc.constraint_name and k.table_name = rc.table_name
        where rc.constraint_schema = database() group by rc.table_name, rc.constraint_name, rc.referenced_table_name, rc.update_rule, rc.delete_rule`),
    ),
  );
  const checkRows = lower(
    await q(`select table_name as t, constraint_name as name, check_clause as clause from information_schema.check_constraints where constraint_schema = database()`),
  );
  const checks = [...new Set(checkRows.map((c) => `${c.t}:${/^CONSTRAINT_\d+$/.test(String(c.name)) ? '' : c.name}:${c.clause}`))].sort();
  const tables = lower(await q(`select table_name as t, engine, table_collation as coll from information_schema.tables where table_schema = database() order by 1`));
  return { tables, columns, indexes, fks, checks };
}
