/**
 * Everything that differs between SQLite, PostgreSQL, MySQL/MariaDB and SQL Server lives behind this
 * interface: connections and pools, column types for migrations, case-sensitive comparison, upsert
 * and insert-ignore, the migration lock, DDL and catalog reading, backups. Each dialect has a folder
 * here that implements it (index.ts: connection and capabilities; catalog.ts; ddl.ts; backup.ts), and
 * ./index.ts loads them. Shared code asks for a capability, never for a dialect name.
 */
import type { Kysely, RawBuilder, Transaction, Expression } from 'kysely';
import type { SqlDialectName, SqlStoreUri } from '../../../tracking/uri.js';
import type { PoolOptions } from '../pool-options.js';
import type { DdlTraits } from './schema.js';

// The SQL layer works on MLflow's tables through Kysely<any>: the schema is MLflow's, described in
// migrations/, and row shapes are mapped by hand in the store.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tx = Transaction<any>;

/** Column types as MLflow's SQLAlchemy models render them on each dialect. */
export interface TypeMap {
  integer: string;
  bigint: string;
  /** Float(53): a double. */
  float: string;
  boolean: string;
  varchar(n: number): string;
  text: string;
  /** MEDIUMTEXT on MySQL (migration 4465047574b1), TEXT elsewhere. */
  mediumText: string;
  /** LONGTEXT on MySQL (spans.content), TEXT elsewhere. */
  longText: string;
  /** SQLAlchemy's LargeBinary. */
  blob: string;
  /** Text that holds any character: MEDIUMTEXT on MySQL, NVARCHAR(max) on SQL Server (17e22815139b). */
  unicodeText: string;
  /** SQLAlchemy's JSON (NVARCHAR(max) on SQL Server, as `mssql.JSON`; MariaDB stores it as LONGTEXT). */
  json: string;
  /** A VARCHAR compared case-sensitively: a binary collation where the default one ignores case (7c4d9e2f1a86). */
  caseSensitiveVarchar(n: number): string;
}

export interface DialectCapabilities {
  /** DDL inside a transaction rolls back with it (not on MySQL, where DDL commits by itself). */
  transactionalDdl: boolean;
  /** `INSERT ... RETURNING` / `OUTPUT`. */
  returning: boolean;
  /** Largest number of bound parameters in one statement. */
  maxParameters: number;
  /** Paging is `OFFSET n ROWS FETCH NEXT m ROWS ONLY` (SQL Server) rather than `LIMIT m OFFSET n`. */
  offsetFetch: boolean;
  /**
   * Appended inside a search's correlated EXISTS so the planner keeps it a per-run index probe
   * instead of flattening it into a join whose order it guesses (PostgreSQL: `offset 0`). Without
   * planner statistics (a new or just-restored database) the flattened join can go quadratic.
   */
  existsFence?: string;
  /**
   * A search's ORDER BY on a metric, param or tag reads the child row through one LEFT JOIN on its
   * (key, run_uuid) primary key instead of a correlated subquery per sort term (MySQL/MariaDB: a
   * metric order's NaN rank and value were two probes per run, a third of the page query; SQLite:
   * a fifth; PostgreSQL: the extra probe was a fifth of the page query). Where `existsFence` is set
   * the join is a fenced LATERAL subquery (see joinOrderRows in search-sql.ts).
   */
  orderByJoin?: boolean;
  /** `bulkInsert` honours `newerBy`: keeping a maximum needs no read of the current row. */
  conditionalUpsert?: boolean;
}

/** What `bulkInsert` does with a row whose key exists. */
export interface BulkConflict {
  keys: string[];
  /** Columns overwritten; none: the row is left alone. */
  update: string[];
  /** Overwrite only when the new row is greater on these columns (see `conditionalUpsert`). */
  newerBy?: string[];
}

/** Backups before a one-way migration. */
export interface BackupTraits {
  /** The shell command that backs this database up, password masked as `***`. */
  command(uri: SqlStoreUri, revision: string | null): string;
  /** Whether mlf can write the backup itself (a SQLite file). */
  canWrite?(uri: SqlStoreUri): boolean;
  /** Write the backup and return its path (only where canWrite). */
  write?(db: Db, uri: SqlStoreUri, revision: string | null): Promise<string>;
}

export interface ConnectOptions {
  /** Only reads will follow: open the database read-only where the driver can, and never create it. */
  readOnly?: boolean;
  /**
   * Run writes off the calling thread where the driver is synchronous (SQLite: a worker thread owns
   * the writer connection), so a server's event loop never waits for a write or its commit.
   */
  writerThread?: boolean;
}

export interface SqlDialect {
  readonly name: SqlDialectName;
  readonly capabilities: DialectCapabilities;
  readonly types: TypeMap;
  /** How migrations read and change this dialect's schema. */
  readonly ddl: DdlTraits;
  readonly backup: BackupTraits;

  /** Open a Kysely instance (with its pool) for a parsed URI. */
  connect(uri: SqlStoreUri, pool: PoolOptions, opts?: ConnectOptions): Promise<Db>;

  /** Called once a store has checked (or created) the schema, before it is used. */
  onSchemaReady?(db: Db, info?: { created: boolean }): Promise<void>;

  /**
   * Run `fn` in a write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE) so two
   * writers wait for each other (busy timeout) instead of failing on a lock upgrade.
   */
  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T>;

  /** `column = value`, case-sensitive on every dialect (MySQL `BINARY`, SQL Server a _CS_ collation). */
  eqCaseSensitive(column: Expression<unknown>, value: string): RawBuilder<boolean>;
  /**
   * True where `eqCaseSensitive` matches only the very same text (SQLite, PostgreSQL), so a row it
   * selects holds exactly the value asked for and a large read need not fetch that column. Not
   * SQL Server, whose `=` ignores trailing spaces, nor MySQL's padded collations.
   */
  readonly eqIsExact?: boolean;
  /** `column LIKE pattern`, case-sensitive on every dialect. */
  likeCaseSensitive(column: Expression<unknown>, pattern: string): RawBuilder<boolean>;
  /** `column ILIKE pattern`: case-insensitive on every dialect. */
  ilike(column: Expression<unknown>, pattern: string): RawBuilder<boolean>;

  /**
   * Insert rows; rows whose primary key exists get `update` columns overwritten (upsert), or are
   * left alone when `update` is empty (insert-ignore).
   */
  upsert(
    db: Db | Tx,
    table: string,
    rows: Record<string, unknown>[],
    keyColumns: string[],
    updateColumns: string[],
  ): Promise<void>;

  /**
   * Insert many rows in fewer, cheaper statements than `upsert`'s where the dialect has a way
   * (PostgreSQL: one array per column). Resolves false when it cannot take these rows, and the
   * caller uses `upsert` or a plain insert. `conflict.newerBy`: an existing row is only updated when
   * the new one is greater on these columns, taken in order (only where `conditionalUpsert`).
   */
  bulkInsert?(db: Db | Tx, table: string, rows: Record<string, unknown>[], conflict?: BulkConflict): Promise<boolean>;

  /**
   * The rows of these run ids, `columns` of `perRun` (the query of one run's rows, given its run id
   * as an expression), where a plain `run_uuid in (...)` would get a plan that reads the whole table
   * (PostgreSQL without statistics); one parameter, `ids`.
   */
  rowsByRunIds?(perRun: (id: RawBuilder<unknown>) => RawBuilder<unknown>, columns: readonly string[], ids: readonly string[]): RawBuilder<unknown>;

  /**
   * Many small rows read as one text (`columns` of the query `inner`, in `orderBy`'s order): the
   * driver hands over one string instead of building each row (a page's tags, a 10,000-point
   * history). See PackRows.
   */
  packRows?: PackRows;

  /**
   * Refresh the planner's statistics after a bulk load (PostgreSQL: `ANALYZE`; InnoDB recomputes its
   * own once a tenth of a table changed, SQLite plans well without them).
   */
  gatherStatistics?(db: Db): Promise<void>;

  /**
   * Hold the migration lock for the duration of `fn` so two `mlf db upgrade` processes never apply
   * the same migration twice. `fn` gets the connection that holds the lock.
   */
  withMigrationLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T>;

  /**
   * Statements to run around an insert that sets an identity/autoincrement column explicitly
   * (experiment 0): MySQL needs NO_AUTO_VALUE_ON_ZERO, SQL Server IDENTITY_INSERT.
   */
  explicitIdInsert?: { before(tx: Tx, table: string): Promise<void>; after(tx: Tx, table: string): Promise<void> };

  /**
   * Synchronous statement runners, where the driver has them (SQLite): `writer` runs on the
   * connection Kysely holds, so it may only be used while a transaction holds that connection;
   * `reader` is a second connection that sees only committed data, safe to use at any time
   * (absent for in-memory databases). Queries are still written once, with Kysely, and compiled.
   * With `writerThread` there is no `writer`: `threadWriter` runs a prepared insert per row on the
   * writer thread, under the same rule.
   */
  syncAccess?(db: Db): { writer?: SyncRunner; reader?: SyncRunner; threadWriter?: ThreadWriter } | undefined;

  /** True if an error means a lost or refused connection (worth a retry on a fresh connection). */
  isConnectionError(e: unknown): boolean;
  /** True if an error is a unique/primary-key violation. */
  isUniqueViolation(e: unknown): boolean;
}

/** How a dialect packs many rows into one text value (SqlDialect.packRows). */
export interface PackRows {
  /**
   * One JSON text of arrays (`[[c1, c2, …], …]`). `exactFloats`: the dialect's JSON prints doubles
   * exactly (PostgreSQL's does; SQLite's keeps 15 digits, so there only reads with no double column
   * are packed). `refuses(e)`: the error a value JSON cannot hold raised (read those rows unpacked).
   */
  json: { exactFloats: boolean; sql: PackSql; refuses?(e: unknown): boolean };
  /**
   * Rows of numbers and booleans only, as `c1,c2;c1,c2` (NULL empty, booleans `t`/`f`, doubles
   * printed exactly): cheaper for the server to print and for V8 to read than JSON.
   */
  numbers?: PackSql;
}

export type PackSql = (inner: string, columns: readonly string[], orderBy: readonly string[]) => string;

/**
 * Runs compiled SQL synchronously (better-sqlite3), with cached prepared statements. A reader that
 * must not wait for a lock answers `undefined` instead: run the statement through Kysely then.
 */
export interface SyncRunner {
  all(sqlText: string, params: readonly unknown[]): Record<string, any>[] | undefined;
  /** Rows as arrays of column values (no per-row objects: faster for large reads). */
  values(sqlText: string, params: readonly unknown[]): unknown[][] | undefined;
  run(sqlText: string, params: readonly unknown[]): number;
}

/** A writer connection in another thread: one prepared statement run once per row of parameters. */
export interface ThreadWriter {
  runMany(sqlText: string, rows: unknown[][]): Promise<void>;
}

/** Split rows into chunks that stay under a dialect's bound-parameter limit. */
export function chunkRows<T extends Record<string, unknown>>(rows: T[], maxParameters: number): T[][] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0]!).length || 1;
  const per = Math.max(1, Math.floor(maxParameters / cols));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += per) out.push(rows.slice(i, i + per));
  return out;
}
