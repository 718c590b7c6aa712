/**
 * The target's equality of names. MLflow's schema leaves its string keys (experiment and registered
 * model names, tag, param and metric keys, aliases) at the database's default collation, which on
 * MySQL/MariaDB ignores case, accents and trailing spaces (SQL Server's default: case and trailing
 * spaces): `Foo` and `foo` are one experiment name there, while SQLite, PostgreSQL and a file store
 * hold both, and MLflow's own store on MySQL refuses the second as already existing. The import finds
 * such pairs before writing (see case-clashes.ts and unique-keys.ts) instead of failing on a
 * duplicate key halfway.
 */
import type { SqlConnection } from '../stores/sql/connect.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';

/** Maps a name to what the target compares; null where the target compares exactly. */
export type Fold = ((s: string) => string) | null;

/** The fold of a column's collation (null: the dialect's default, as a table not created yet gets). */
export function collationFold(dialect: string, collation: string | null | undefined): Fold {
  if (dialect !== 'mysql' && dialect !== 'mssql') return null;
  const c = collation ?? (dialect === 'mysql' ? 'utf8mb4_general_ci' : 'SQL_Latin1_General_CP1_CI_AS');
  if (!/_ci(_|$)/i.test(c)) return null; // _bin, _cs: exact
  // MySQL's _ci collations ignore accents unless marked _as; SQL Server's only when marked _AI.
  const accents = /_ai(_|$)/i.test(c) || (dialect === 'mysql' && !/_as(_|$)/i.test(c));
  return (s) => {
    const t = accents ? s.normalize('NFD').replace(/\p{M}/gu, '') : s;
    return t.toLowerCase().trimEnd();
  };
}

/** The target's fold, read from the collation of `experiments.name` where the schema exists. */
export async function targetFold(conn: SqlConnection, hasSchema: boolean): Promise<Fold> {
  const dialect = conn.dialect.name;
  if (dialect !== 'mysql' && dialect !== 'mssql') return null;
  if (!hasSchema) return collationFold(dialect, null);
  const columns = await new Ddl(conn.db, conn.dialect).catalog.columns(conn.db, 'experiments');
  return collationFold(dialect, columns.find((c) => c.name === 'name')?.collation);
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** A row's key as the target compares it (exactly when `fold` is null). */
export function foldedKey(fold: Fold, row: Record<string, unknown>, cols: string[]): string {
  return cols.map((c) => (fold ? fold(text(row[c])) : text(row[c]))).join('\u0000');
}
