/**
 * SQLite through better-sqlite3. One connection per store (SQLite has one writer at a time anyway),
 * WAL so readers never block the writer, and MLflow's session pragmas (foreign_keys, busy_timeout,
 * case_sensitive_like). Prepared statements are cached by SQL text: better-sqlite3 would otherwise
 * compile every statement on every call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect, SqliteDriver, CompiledQuery, sql, type Expression } from 'kysely';
import type { Db, SqlDialect, SyncRunner, Tx } from '../dialect.js';
import type { SqlStoreUri } from '../../../../tracking/uri.js';
import type { PoolOptions } from '../../pool-options.js';
import { echoLogger, onConflictUpsert, plainEq } from '../common.js';
import { MlfError } from '../../../../lib/errors.js';
import { rawSqliteHandle, setRawSqliteHandle } from './handles.js';
import { sqliteDdl } from './ddl.js';
import { sqliteBackup } from './backup.js';

/** How long a writer waits for another writer's lock, as MLflow sets it (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 20_000;

type BetterDb = import('better-sqlite3').Database;
type BetterStatement = import('better-sqlite3').Statement;

/** A bounded prepared-statement cache over one better-sqlite3 connection. */
function statementCache(db: BetterDb): (text: string) => BetterStatement {
  const cache = new Map<string, BetterStatement>();
  return (text: string) => {
    let stmt = cache.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      if (cache.size > 500) cache.delete(cache.keys().next().value as string);
      cache.set(text, stmt);
    }
    return stmt;
  };
}

function syncRunner(prepare: (text: string) => BetterStatement): SyncRunner {
  return {
    all: (text, params) => {
      const stmt = prepare(text);
      if (stmt.reader) return stmt.all(...(params as unknown[])) as Record<string, unknown>[];
      stmt.run(...(params as unknown[]));
      return [];
    },
    values: (text, params) => {
      const stmt = prepare(text);
      stmt.raw(true);
      try {
        return stmt.all(...(params as unknown[])) as unknown[][];
      } finally {
        stmt.raw(false);
      }
    },
    run: (text, params) => prepare(text).run(...(params as unknown[])).changes,
  };
}

function applyPragmas(raw: BetterDb, file: string): void {
  raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  if (file !== ':memory:') {
    // WAL + NORMAL: a crash of mlf never loses or corrupts a commit; only an OS crash may drop the
    // last ones. (WAL itself is switched on in onSchemaReady: it is written into the file.)
    raw.pragma('synchronous = NORMAL');
  }
  raw.pragma('foreign_keys = ON');
  raw.pragma('case_sensitive_like = true');
}

/** Transactions take the write lock at BEGIN, so a second writer waits on busy_timeout. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: Parameters<SqliteDriver['beginTransaction']>[0]) {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}


const syncHandles = new WeakMap<Db, { writer: SyncRunner; reader?: SyncRunner }>();

export { rawSqliteHandle };

export const sqliteDialect: SqlDialect = {
  ddl: sqliteDdl,
  backup: sqliteBackup,
  syncAccess: (db: Db) => syncHandles.get(db),

  name: 'sqlite',
  capabilities: { transactionalDdl: true, returning: true, maxParameters: 32_000, offsetFetch: false },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'FLOAT',
    boolean: 'BOOLEAN',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'TEXT',
    longText: 'TEXT',
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const { default: Database } = await import('better-sqlite3');
    const file = uri.sqlitePath ?? ':memory:';
    if (file !== ':memory:') {
      const dir = path.dirname(file);
      if (!fs.existsSync(dir)) {
        throw new MlfError(`Cannot open SQLite database ${file}: folder ${dir} does not exist`, 'INVALID_PARAMETER_VALUE');
      }
    }
    let raw: BetterDb;
    try {
      raw = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    } catch (e) {
      throw new MlfError(`Cannot open SQLite database ${file}: ${(e as Error).message}`, 'TEMPORARILY_UNAVAILABLE');
    }
    applyPragmas(raw, file);
    // A second connection for reads outside transactions: in WAL mode it sees every committed
    // write and never a transaction in progress, and being synchronous it cannot interleave.
    let reader: BetterDb | undefined;
    if (file !== ':memory:') {
      reader = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
      applyPragmas(reader, file);
    }
    const prepareWriter = statementCache(raw);
    const db = new Kysely<any>({
      dialect: new ImmediateSqliteDialect({
        database: {
          close: () => {
            reader?.close();
            raw.close();
          },
          prepare: prepareWriter,
        } as never,
      }),
      log: echoLogger(pool),
    });
    setRawSqliteHandle(db, raw);
    // With MLFLOW_SQLALCHEMYSTORE_ECHO every statement goes through Kysely, so each one is logged.
    if (!pool.echo) syncHandles.set(db, { writer: syncRunner(prepareWriter), reader: reader ? syncRunner(statementCache(reader)) : undefined });
    return db;
  },

  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },

  async onSchemaReady(db: Db): Promise<void> {
    // WAL is recorded in the database file, so it is switched on only once the schema check has
    // passed: a database mlf refuses is left byte for byte as it was. MLflow reads WAL files fine.
    const raw = rawSqliteHandle(db);
    if (raw && raw.name !== ':memory:' && String(raw.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') {
      raw.pragma('journal_mode = WAL');
    }
  },

  eqCaseSensitive: plainEq,
  // Backslash escapes % and _ (PostgreSQL's and MySQL's default), so every store reads a pattern alike.
  likeCaseSensitive: (column: Expression<unknown>, pattern: string) => sql<boolean>`${column} like ${pattern} escape '\\'`,
  ilike: (column: Expression<unknown>, pattern: string) => sql<boolean>`lower(${column}) like lower(${pattern}) escape '\\'`,
  upsert: onConflictUpsert,

  async withMigrationLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
    // SQLite has one writer at a time: each migration runs in a BEGIN IMMEDIATE transaction and
    // re-reads alembic_version inside it, so a second upgrader waits and then finds nothing to do.
    return fn(db);
  },

  isConnectionError(e: unknown): boolean {
    const code = (e as { code?: string })?.code;
    return code === 'SQLITE_BUSY' || code === 'SQLITE_CANTOPEN';
  },
  isUniqueViolation(e: unknown): boolean {
    const code = (e as { code?: string })?.code ?? '';
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
};
