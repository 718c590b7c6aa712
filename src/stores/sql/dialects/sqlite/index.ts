/**
 * SQLite through better-sqlite3. One connection per store (SQLite has one writer at a time anyway),
 * MLflow's session pragmas (foreign_keys, busy_timeout, case_sensitive_like), and the journal mode
 * left as the user has it: the mode is written into the file, MLflow never changes it, and WAL does
 * not work on network file systems. A database mlf creates gets WAL (readers never wait for the
 * writer) unless MLF_SQLITE_JOURNAL_MODE names another mode, which is then applied to any database. Prepared statements are cached by SQL text: better-sqlite3 would otherwise
 * compile every statement on every call. With `writerThread` (the server) the writer connection
 * lives in a worker thread (writer-thread.ts) and only reads run on the calling thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect, SqliteDriver, CompiledQuery, sql, type Expression } from 'kysely';
import type { ConnectOptions, Db, SqlDialect, SyncRunner, Tx } from '../dialect.js';
import { noStoreError } from '../../../no-store.js';
import type { SqlStoreUri } from '../../../../tracking/uri.js';
import type { PoolOptions } from '../../pool-options.js';
import { echoLogger, jsonPackedRows, onConflictUpsert, plainEq } from '../common.js';
import { MlfError } from '../../../../lib/errors.js';
import { rawSqliteHandle, setRawSqliteHandle } from './handles.js';
import { statementCache } from './statement-cache.js';
import { sqliteDdl } from './ddl.js';
import { sqliteBackup } from './backup.js';
import { SqliteWriterThread, ThreadSqliteDialect, WRITER_THREAD_GONE } from './writer-thread.js';

/** How long a writer waits for another writer's lock, as MLflow sets it (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 20_000;

type BetterDb = import('better-sqlite3').Database;
type BetterStatement = import('better-sqlite3').Statement;

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

const JOURNAL_MODES = ['wal', 'delete', 'truncate', 'persist'];

/** MLF_SQLITE_JOURNAL_MODE: the journal mode the user asks for, or undefined to leave it as it is. */
export function journalModeFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.MLF_SQLITE_JOURNAL_MODE?.trim().toLowerCase();
  if (!raw) return undefined;
  if (!JOURNAL_MODES.includes(raw)) {
    throw new MlfError(`MLF_SQLITE_JOURNAL_MODE must be one of ${JOURNAL_MODES.join(', ')}, got '${env.MLF_SQLITE_JOURNAL_MODE}'`, 'INVALID_PARAMETER_VALUE');
  }
  return raw;
}

/** MLflow's session pragmas for a connection to `raw`'s file, as statements (also run by the writer thread). */
function sessionPragmas(raw: BetterDb): string[] {
  const synchronous = raw.name === ':memory:' ? [] : [`synchronous = ${synchronousFor(String(raw.pragma('journal_mode', { simple: true })))}`];
  return [`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`, ...synchronous, 'foreign_keys = ON', 'case_sensitive_like = true'];
}

function applyPragmas(raw: BetterDb): void {
  for (const p of sessionPragmas(raw)) raw.pragma(p);
}

/**
 * WAL + NORMAL: a crash of mlf never loses or corrupts a commit; only an OS crash may drop the last
 * ones. A rollback journal keeps SQLite's FULL, which NORMAL would make unsafe on power loss.
 */
function synchronousFor(journalMode: string): string {
  return journalMode.toLowerCase() === 'wal' ? 'NORMAL' : 'FULL';
}

/** The value of a one-value pragma, on the connection Kysely holds (this thread's or the writer thread's). */
async function pragmaValue(db: Db, text: string): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`${sql.raw(`pragma ${text}`)}`.execute(db);
  return String(Object.values(rows[0] ?? {})[0] ?? '');
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


const syncHandles = new WeakMap<Db, { writer?: SyncRunner; reader?: SyncRunner; threadWriter?: SqliteWriterThread }>();

/**
 * This thread's reader where the writer is a thread: it must not wait for the writer's lock (the
 * busy handler would sleep on the event loop), so during a commit (a rollback journal's exclusive
 * lock) it answers `undefined` and the read goes through the writer thread's queue instead.
 */
function nonWaitingReader(reader: SyncRunner): SyncRunner {
  const unlessBusy = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (e) {
      if ((e as { code?: string })?.code === 'SQLITE_BUSY') return undefined;
      throw e;
    }
  };
  return {
    all: (text, params) => unlessBusy(() => reader.all(text, params)),
    values: (text, params) => unlessBusy(() => reader.values(text, params)),
    run: reader.run,
  };
}

export { rawSqliteHandle };

export const sqliteDialect: SqlDialect = {
  ddl: sqliteDdl,
  backup: sqliteBackup,
  syncAccess: (db: Db) => syncHandles.get(db),
  // REAL prints with 15 significant digits in SQLite's JSON: only reads without doubles are packed.
  packRows: {
    json: {
      exactFloats: false,
      sql: jsonPackedRows('json_group_array', 'json_array'),
      refuses: (e) => /JSON cannot hold BLOB values/.test(String((e as Error)?.message)),
    },
  },

  name: 'sqlite',
  capabilities: { transactionalDdl: true, returning: true, maxParameters: 32_000, offsetFetch: false, orderByJoin: true },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'FLOAT',
    boolean: 'BOOLEAN',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'TEXT',
    longText: 'TEXT',
    blob: 'BLOB',
    unicodeText: 'TEXT',
    json: 'JSON',
    caseSensitiveVarchar: (n) => `VARCHAR(${n})`,
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions, opts: ConnectOptions = {}): Promise<Db> {
    const { default: Database } = await import('better-sqlite3');
    const file = uri.sqlitePath ?? ':memory:';
    const readOnly = opts.readOnly === true && file !== ':memory:';
    if (readOnly && !fs.existsSync(file)) throw noStoreError(uri.uri);
    if (file !== ':memory:') {
      const dir = path.dirname(file);
      if (!fs.existsSync(dir)) {
        throw new MlfError(`Cannot open SQLite database ${file}: folder ${dir} does not exist`, 'INVALID_PARAMETER_VALUE');
      }
    }
    if (opts.writerThread && file !== ':memory:' && !readOnly) return connectWithWriterThread(Database, file, pool);
    let raw: BetterDb;
    try {
      // Read-only: a pure read leaves the file as it was, and a read-only file can be read.
      raw = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS, readonly: readOnly, fileMustExist: readOnly });
    } catch (e) {
      throw new MlfError(`Cannot open SQLite database ${file}: ${(e as Error).message}`, 'TEMPORARILY_UNAVAILABLE');
    }
    applyPragmas(raw);
    // A second connection for reads outside transactions: it sees every committed write and never
    // a transaction in progress, and being synchronous it cannot interleave.
    let reader: BetterDb | undefined;
    if (file !== ':memory:' && !readOnly) {
      reader = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
      applyPragmas(reader);
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

  async onSchemaReady(db: Db, info?: { created: boolean }): Promise<void> {
    // Only once the schema check has passed: a database mlf refuses is left byte for byte as it was.
    if (rawSqliteHandle(db)?.name === ':memory:') return;
    const wanted = journalModeFromEnv() ?? (info?.created ? 'wal' : undefined);
    if (!wanted || (await pragmaValue(db, 'journal_mode')).toLowerCase() === wanted) return;
    const mode = await pragmaValue(db, `journal_mode = ${wanted}`);
    await pragmaValue(db, `synchronous = ${synchronousFor(mode)}`);
  },

  eqCaseSensitive: plainEq,
  eqIsExact: true,
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
    return code === 'SQLITE_BUSY' || code === 'SQLITE_CANTOPEN' || code === WRITER_THREAD_GONE;
  },
  isUniqueViolation(e: unknown): boolean {
    const code = (e as { code?: string })?.code ?? '';
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
};

/**
 * The server's connection: the reader on this thread (it creates the file if need be), the writer
 * in a worker thread with the same session pragmas.
 */
function connectWithWriterThread(Database: typeof import('better-sqlite3'), file: string, pool: PoolOptions): Db {
  let reader: BetterDb;
  try {
    reader = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (e) {
    throw new MlfError(`Cannot open SQLite database ${file}: ${(e as Error).message}`, 'TEMPORARILY_UNAVAILABLE');
  }
  const pragmas = sessionPragmas(reader);
  applyPragmas(reader);
  reader.pragma('busy_timeout = 0');
  const thread = new SqliteWriterThread(file, SQLITE_BUSY_TIMEOUT_MS, pragmas);
  const db = new Kysely<any>({ dialect: new ThreadSqliteDialect(thread, () => reader.close()), log: echoLogger(pool) });
  if (!pool.echo) syncHandles.set(db, { reader: nonWaitingReader(syncRunner(statementCache(reader))), threadWriter: thread });
  return db;
}
