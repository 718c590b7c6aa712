/**
 * The vocabulary shared by the migrations and the dialects' DDL code: declarative table specs, what a
 * catalog reader returns, and the DDL traits each dialect folder implements. Shared code asks a trait,
 * never a dialect name.
 */
import { sql } from 'kysely';
import type { Db, TypeMap } from './dialect.js';

export interface ColumnSpec {
  name: string;
  type: (t: TypeMap) => string;
  /** Default true. */
  nullable: boolean;
  /** A server default as an SQL literal, e.g. `'0'` (MLflow's `server_default="0"`). */
  default?: string;
  autoIncrement?: boolean;
  /** SQLAlchemy `Boolean(create_constraint=True)`: a CHECK (col IN (0, 1)) where booleans are integers. */
  booleanCheck?: boolean;
  /** SQLAlchemy `Computed(expr, persisted=True)`: a stored generated column over bare column names. */
  generated?: string;
}

export interface ForeignKeySpec {
  /** MLflow's own name; unnamed FKs get the name the dialect itself would give (see autoName). */
  name?: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: 'CASCADE' | 'SET NULL';
  onUpdate?: 'CASCADE';
}

export interface CheckSpec {
  name?: string;
  column: string;
  values: readonly string[];
}

export interface IndexSpec {
  name: string;
  columns: string[];
  /** `create_index(..., unique=True)`: a UNIQUE index (not a constraint). */
  unique?: boolean;
}

/**
 * A trigger that refuses an UPDATE changing any of `columns` (MLflow's `prevent_secrets_aad_mutation`):
 * each dialect writes it in its own procedural SQL (see DdlTraits.immutableColumnsTrigger).
 */
export interface ImmutableColumnsTrigger {
  name: string;
  table: string;
  /** The row's key, to pair old and new rows where the trigger sees them as sets (SQL Server). */
  key: string;
  columns: string[];
  /** The error the refused UPDATE fails with. */
  message: string;
}

export interface UniqueSpec {
  name?: string;
  columns: string[];
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: { name: string; columns: string[] };
  foreignKeys?: ForeignKeySpec[];
  checks?: CheckSpec[];
  /** UNIQUE constraints (unnamed in MLflow's older tables, named in MLflow 3's). */
  unique?: UniqueSpec[];
  indexes?: IndexSpec[];
}

export interface ColumnInfo {
  name: string;
  /** Canonical type text (see canonType). */
  type: string;
  nullable: boolean;
  default: string | null;
  /** The column's collation, where the catalog reads it (MySQL, SQL Server) and it is a string column. */
  collation?: string | null;
}
export interface ForeignKeyInfo {
  name: string | null;
  columns: string[];
  refTable: string;
  onDelete: string;
  onUpdate: string;
}
/** A UNIQUE constraint, or a unique index that is not the primary key's. */
export interface UniqueInfo {
  /** Null where the dialect keeps no name (SQLite's inline UNIQUE). */
  name: string | null;
  columns: string[];
  /** A CREATE UNIQUE INDEX rather than a constraint (dropped with DROP INDEX). */
  index: boolean;
}
export interface CheckInfo {
  name: string | null;
  clause: string;
}

/** Types compared across catalogs: lower case, no spaces, synonyms folded. */
export function canonType(t: string): string {
  let s = t.toLowerCase().replace(/\s+/g, ' ').trim();
  // A collation is not part of the type (ColumnInfo.collation carries it where a catalog reads it).
  s = s.replace(/\s+collate\s+\S+$/, '');
  s = s.replace(/^character varying/, 'varchar').replace(/ /g, '');
  if (/^int(\(\d+\))?$/.test(s) || s === 'integer' || s === 'serial') return 'integer';
  if (/^bigint(\(\d+\))?$/.test(s)) return 'bigint';
  if (s === 'doubleprecision' || s === 'double' || s === 'float(53)') return 'double';
  if (s === 'tinyint(1)' || s === 'bool' || s === 'boolean' || s === 'bit') return 'boolean';
  if (s === 'varchar(max)' || s === 'varchar(-1)') return 'text';
  if (s === 'nvarchar(max)' || s === 'nvarchar(-1)') return 'nvarchar(max)';
  if (s === 'varbinary(-1)') return 'varbinary(max)';
  return s;
}

/** Default values compared across catalogs: `'0'::bigint`, `('0')`, `false`, `0` are all `0`. */
export function canonDefault(d: string | null | undefined): string | null {
  if (d === null || d === undefined || d.toUpperCase() === 'NULL') return null;
  let s = d.trim();
  for (;;) {
    const m = /^\((.*)\)$/s.exec(s);
    if (!m) break;
    s = m[1]!.trim();
  }
  s = s.replace(/::[a-z ]+$/i, '').replace(/^'(.*)'$/s, '$1');
  if (s === 'false') return '0';
  if (s === 'true') return '1';
  return s;
}

export interface Catalog {
  tables(db: Db): Promise<string[]>;
  columns(db: Db, table: string): Promise<ColumnInfo[]>;
  primaryKey(db: Db, table: string): Promise<{ name: string | null; columns: string[] }>;
  indexes(db: Db, table: string): Promise<string[]>;
  checks(db: Db, table: string): Promise<CheckInfo[]>;
  foreignKeys(db: Db, table: string): Promise<ForeignKeyInfo[]>;
  uniques(db: Db, table: string): Promise<UniqueInfo[]>;
  /** Names of the triggers on a table. */
  triggers(db: Db, table: string): Promise<string[]>;
}

/**
 * Everything that differs between dialects in DDL. Each dialect folder has one (its `ddl.ts`); the
 * migration toolkit (migrate/ddl.ts) works only through it.
 */
export interface DdlTraits {
  catalog: Catalog;
  quote(id: string): string;
  /** Column type text for an auto-increment integer key. */
  autoIncrement(types: TypeMap): string;
  /** Booleans are integers here, so SQLAlchemy adds CHECK (col IN (0, 1)). */
  booleanCheck: boolean;
  /**
   * Whether MLflow's `unique=True` on a primary-key column shows up as its own UNIQUE constraint
   * (registered_models.name). It does on SQLite and MySQL; MLflow's PostgreSQL and SQL Server
   * databases have only the primary key.
   */
  uniqueSameAsPrimaryKey: boolean;
  /**
   * The name of a constraint MLflow leaves unnamed, as this dialect would name it itself. SQL Server's
   * own names are random (FK__runs__experim__3A81B327), so mlf names everything there. On MySQL the
   * names InnoDB/MariaDB pick (`runs_ibfk_1`, `CONSTRAINT_1`) are deterministic, and leaving the FK
   * unnamed is what gives its supporting index MLflow's name (`KEY experiment_id`); undefined = unnamed.
   */
  autoName(kind: 'fk' | 'check' | 'unique', table: string, columns: string[]): string | undefined;
  /** `DEFAULT x` in a column definition (SQL Server: a named default constraint). */
  defaultClause(table: string, column: string, value: string): string;
  /** A stored generated column's definition after its name (SQL Server: no type, `AS (...) PERSISTED`). */
  generatedColumn(type: string, expression: string): string;
  /** SQLite cannot ALTER constraints or column types: batch changes rebuild the table. */
  rebuildsTables: boolean;
  /**
   * False where ALTER COLUMN refuses a column that a primary key or an index covers (SQL Server, error
   * 5074): Ddl.alterKeyColumn then drops the key and the indexes around the change, as MLflow does.
   */
  altersKeyColumns?: boolean;
  /** Statements that bring a column to its spec (not on SQLite). */
  alterColumn(table: string, c: ColumnSpec, types: TypeMap, current: ColumnInfo): string[];
  dropPrimaryKey(table: string, name: string | null): string;
  dropForeignKey(table: string, name: string): string;
  dropCheck(table: string, name: string): string;
  /** Drop a UNIQUE constraint by name. */
  dropUnique(table: string, name: string): string;
  dropIndex(table: string, name: string): string;
  /**
   * alembic's `alter_column(..., new_column_name=...)`, as it renders on this dialect. `c` is the
   * column under its new name; `existingNullable` is alembic's argument of that name (MySQL restates
   * the column and, without it, makes it nullable; the others keep the column as it is).
   */
  renameColumn(table: string, from: string, c: ColumnSpec, types: TypeMap, existingNullable?: boolean): string[];
  /** The statements that create an {@link ImmutableColumnsTrigger} (a function and a trigger on PostgreSQL). */
  immutableColumnsTrigger(t: ImmutableColumnsTrigger): string[];
  /** Before a migration's transaction (SQLite: `foreign_keys` can only change outside one). */
  beforeTransaction?(db: Db): Promise<void>;
  /** Inside the transaction, after the steps: fail (and roll back) if the data no longer holds. */
  afterSteps?(db: Db): Promise<void>;
  afterTransaction?(db: Db): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Helpers for the dialects' catalog readers and traits

/** Rows of a raw query. */
export async function catalogRows<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  return (await q.execute(db)).rows as T[];
}

/** A referential action as the catalogs spell it, normalised (`NO_ACTION` → `NO ACTION`). */
export const rule = (r: string | null | undefined) => (r ?? 'NO ACTION').toUpperCase().replace(/_/g, ' ');

/** information_schema column names come back upper- or lower-case depending on server and driver. */
export function lc<T>(r: Record<string, unknown>): T {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) o[k.toLowerCase()] = v;
  return o as T;
}

/** Constraint names as PostgreSQL gives unnamed ones (SQL Server uses the same scheme in mlf). */
export const pgStyleName = (kind: 'fk' | 'check' | 'unique', table: string, columns: string[]) =>
  `${table}_${columns.join('_')}_${kind === 'fk' ? 'fkey' : kind === 'check' ? 'check' : 'key'}`;

/** A string as an SQL literal (single quotes doubled). */
export const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A column's definition in CREATE TABLE / ADD / MODIFY. */
export function columnDef(tr: DdlTraits, types: TypeMap, table: string, c: ColumnSpec): string {
  if (c.generated) return `${tr.quote(c.name)} ${tr.generatedColumn(c.type(types), c.generated)}${c.nullable ? '' : ' NOT NULL'}`;
  const type = c.autoIncrement ? tr.autoIncrement(types) : c.type(types);
  const dflt = c.default !== undefined ? ` ${tr.defaultClause(table, c.name, c.default)}` : '';
  return `${tr.quote(c.name)} ${type}${dflt}${c.nullable ? '' : ' NOT NULL'}`;
}

