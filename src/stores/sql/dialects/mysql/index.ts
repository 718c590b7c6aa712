/**
 * MySQL and MariaDB through mysql2. Comparisons are made case-sensitive with BINARY, as MLflow does,
 * because the default collations compare case-insensitively. DDL commits by itself here, so the
 * migrations are written to be re-runnable step by step.
 */
import fs from 'node:fs';
import { Kysely, MysqlDialect, sql, type Expression, type MysqlPool, type MysqlPoolConnection } from 'kysely';
import type { SslOptions } from 'mysql2';
import type { Db, SqlDialect, Tx } from '../dialect.js';
import type { SqlStoreUri } from '../../../../tracking/uri.js';
import { keepIdle, maxConnections, type PoolOptions } from '../../pool-options.js';
import { echoLogger, errorCode, lowerLike, NETWORK_ERROR_CODES, isPlainRollback, replayableFirstStatement, replayLimit } from '../common.js';
import { mysqlDdl } from './ddl.js';
import { mysqlBackup } from './backup.js';

/** SQLAlchemy's MySQL SSL options (`ssl_ca`, `ssl_cert`, `ssl_key` are file paths) → mysql2's `ssl`. */
function sslFor(o: Record<string, string>): SslOptions | undefined {
  const file = (p: string | undefined) => (p ? fs.readFileSync(p, 'utf8') : undefined);
  const mode = o.ssl_mode?.toUpperCase();
  if (!o.ssl_ca && !o.ssl_cert && !o.ssl_key && o.ssl !== 'true' && (!mode || mode === 'DISABLED' || mode === 'PREFERRED')) {
    return undefined;
  }
  return {
    ca: file(o.ssl_ca),
    cert: file(o.ssl_cert),
    key: file(o.ssl_key),
    // REQUIRED encrypts without verifying, as the MySQL clients do; VERIFY_* and a CA verify.
    rejectUnauthorized: mode === 'VERIFY_CA' || mode === 'VERIFY_IDENTITY' || (!!o.ssl_ca && mode !== 'REQUIRED'),
  };
}

interface RawConnection {
  query(sql: string, params: unknown[], cb?: (err: unknown, result: unknown) => void): unknown;
  release(): void;
  destroy(): void;
}
interface RawPool {
  getConnection(cb: (err: unknown, conn: RawConnection) => void): void;
  end(cb: (err: unknown) => void): void;
}

/**
 * mysql2's pool as Kysely's, plus what SQLAlchemy's engine adds: `pool_recycle` (mysql2 has no
 * maximum lifetime, so a connection older than the limit is closed when it is checked out, as
 * SQLAlchemy does), pre-ping (a dead connection found on the first statement of a checkout is
 * replaced), and NullPool closing each connection when it is released.
 */
function resilientPool(
  p: RawPool,
  pool: PoolOptions,
  born: WeakMap<object, number>,
  isConnectionError: (e: unknown) => boolean,
): MysqlPool {
  const recycleMs = pool.recycleSeconds ? pool.recycleSeconds * 1000 : 0;
  const limit = replayLimit(maxConnections(pool));
  const checkout = (cb: (err: unknown, conn?: RawConnection) => void) =>
    p.getConnection((err, c) => {
      if (err) return cb(err);
      if (recycleMs && Date.now() - (born.get(c) ?? Date.now()) >= recycleMs) {
        c.destroy();
        return checkout(cb);
      }
      cb(null, c);
    });
  return {
    getConnection(cb) {
      checkout((err, c) => {
        if (err) return cb(err, undefined as never);
        let inner = c!;
        let first = true;
        const run = (sqlText: string, params: unknown[], done: (err: unknown, result: unknown) => void, attempt: number) => {
          inner.query(sqlText, params, (e, result) => {
            if (e && attempt < limit && isConnectionError(e)) {
              inner.destroy();
              return checkout((e2, fresh) => {
                if (e2) return done(e, undefined);
                inner = fresh!;
                run(sqlText, params, done, attempt + 1);
              });
            }
            done(e, result);
          });
        };
        const conn = {
          query(sqlText: string, params: unknown[], done?: (err: unknown, result: unknown) => void) {
            const replay = first && replayableFirstStatement(sqlText);
            first = false;
            if (!done) return inner.query(sqlText, params); // streaming
            if (!replay) {
              const rollback = isPlainRollback(sqlText);
              return inner.query(sqlText, params, (e, result) => done(rollback && e && isConnectionError(e) ? null : e, e ? [] : result));
            }
            run(sqlText, params, done, 1);
          },
          release() {
            if (pool.poolClass === 'NullPool') inner.destroy();
            else inner.release();
          },
        };
        cb(null, conn as unknown as MysqlPoolConnection);
      });
    },
    end: (cb) => p.end(cb),
  };
}

export const mysqlDialect: SqlDialect = {
  ddl: mysqlDdl,
  backup: mysqlBackup,
  name: 'mysql',
  capabilities: { transactionalDdl: false, returning: false, maxParameters: 60_000, offsetFetch: false, orderByJoin: true },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'DOUBLE',
    boolean: 'BOOL',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'MEDIUMTEXT',
    longText: 'LONGTEXT',
    blob: 'BLOB',
    unicodeText: 'MEDIUMTEXT',
    json: 'JSON',
    caseSensitiveVarchar: (n) => `VARCHAR(${n}) COLLATE utf8mb4_bin`,
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const mysql = await import('mysql2');
    const o = uri.options;
    const keep = keepIdle(pool);
    const p = mysql.createPool({
      host: uri.host || 'localhost',
      port: uri.port ?? 3306,
      user: uri.user ?? o.user,
      password: uri.password ?? o.password,
      database: uri.database,
      // PyMySQL/mysqlclient take the socket as `?unix_socket=/run/mysqld/mysqld.sock`.
      socketPath: o.unix_socket,
      charset: o.charset ?? 'utf8mb4',
      ssl: sslFor(o),
      connectionLimit: maxConnections(pool),
      // mysql2 closes free connections over maxIdle (QueuePool's overflow) and any free
      // connection idle longer than idleTimeout, on a one-second timer.
      maxIdle: keep,
      idleTimeout: keep === 0 ? 1 : 3_600_000,
      enableKeepAlive: true,
      connectTimeout: o.connect_timeout ? Number(o.connect_timeout) * 1000 : 10_000,
      supportBigNumbers: true,
      bigNumberStrings: false,
      multipleStatements: false,
    });
    const born = new WeakMap<object, number>();
    p.on('connection', (conn) => {
      born.set(conn, Date.now());
      conn.on('error', () => undefined);
    });
    const wrapped = resilientPool(p as unknown as RawPool, pool, born, (e) => mysqlDialect.isConnectionError(e));
    return new Kysely<any>({ dialect: new MysqlDialect({ pool: wrapped }), log: echoLogger(pool) });
  },

  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },

  eqCaseSensitive: (column: Expression<unknown>, value: string) => sql<boolean>`binary ${column} = ${value}`,
  likeCaseSensitive: (column: Expression<unknown>, pattern: string) => sql<boolean>`binary ${column} like ${pattern}`,
  ilike: lowerLike,

  async upsert(db, table, rows, keyColumns, updateColumns) {
    if (rows.length === 0) return;
    const q = db.insertInto(table).values(rows);
    if (updateColumns.length === 0) {
      await q.ignore().execute();
      return;
    }
    const set: Record<string, unknown> = {};
    for (const col of updateColumns) set[col] = sql`values(${sql.ref(col)})`;
    void keyColumns;
    await q.onDuplicateKeyUpdate(set as never).execute();
  },

  explicitIdInsert: {
    async before(tx) {
      await sql`set @@session.sql_mode = concat(@@session.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')`.execute(tx);
    },
    async after(tx) {
      await sql`set @@session.sql_mode = replace(@@session.sql_mode, 'NO_AUTO_VALUE_ON_ZERO', '')`.execute(tx);
    },
  },

  async withMigrationLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      const r = await sql<{ l: number | null }>`select get_lock('mlf_migrations', 600) as l`.execute(conn);
      if (r.rows[0]?.l !== 1) throw new Error('could not take the migration lock (another upgrade is running)');
      try {
        return await fn(conn);
      } finally {
        await sql`select release_lock('mlf_migrations')`.execute(conn).catch(() => undefined);
      }
    });
  },

  isConnectionError(e: unknown): boolean {
    const code = errorCode(e);
    // ER_CONNECTION_KILLED (1927, MariaDB's KILL), ER_SERVER_SHUTDOWN (1053), "gone away" (2006/2013).
    if (!code) return /Can't add new command when connection is in closed state|connection is in closed state/i.test(String((e as Error)?.message));
    return (
      NETWORK_ERROR_CODES.has(code) ||
      code === 'ER_CON_COUNT_ERROR' ||
      code === 'PROTOCOL_SEQUENCE_TIMEOUT' ||
      code === 'ER_CONNECTION_KILLED' ||
      code === 'ER_SERVER_SHUTDOWN' ||
      code === 'CR_SERVER_GONE_ERROR' ||
      code === 'CR_SERVER_LOST' ||
      code === 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR'
    );
  },
  isUniqueViolation(e: unknown): boolean {
    return errorCode(e) === 'ER_DUP_ENTRY';
  },
};
