/**
 * Schema snapshots for comparing an mlf-made database with MLflow's, per dialect. Indexes and
 * constraints are sorted so they compare as sets (MLflow's own databases differ in index order).
 */
import Database from 'better-sqlite3';
import { parseSqliteChecks } from '../../src/stores/sql/migrate/ddl.js';

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
