/**
 * MySQL and MariaDB through mysql2. Comparisons are made case-sensitive with BINARY, as MLflow does,
 * because the default collations compare case-insensitively. DDL commits by itself here, so the
 * migrations are written to be re-runnable step by step.
 */
import { Kysely, MysqlDialect, sql, type Expression } from 'kysely';
import type { Db, SqlDialect, Tx } from './dialect.js';
import type { SqlStoreUri } from '../../../tracking/uri.js';
import { idleTimeoutMillis, maxConnections, type PoolOptions } from '../pool-options.js';
import { echoLogger, errorCode, lowerLike, NETWORK_ERROR_CODES } from './common.js';

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  capabilities: { transactionalDdl: false, returning: false, maxParameters: 60_000, offsetFetch: false },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'DOUBLE',
    boolean: 'BOOL',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'MEDIUMTEXT',
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const mysql = await import('mysql2');
    const o = uri.options;
    const p = mysql.createPool({
      host: uri.host || 'localhost',
      port: uri.port ?? 3306,
      user: uri.user,
      password: uri.password,
      database: uri.database,
      socketPath: o.unix_socket,
      charset: o.charset ?? 'utf8mb4',
      ssl: o.ssl_ca ? { ca: o.ssl_ca } : o.ssl === 'true' || o.ssl_mode === 'REQUIRED' ? {} : undefined,
      connectionLimit: maxConnections(pool),
      maxIdle: pool.poolClass === 'NullPool' ? 0 : pool.poolSize,
      idleTimeout: idleTimeoutMillis(pool),
      enableKeepAlive: true,
      connectTimeout: o.connect_timeout ? Number(o.connect_timeout) * 1000 : 10_000,
      supportBigNumbers: true,
      bigNumberStrings: false,
      multipleStatements: false,
    });
    p.on('connection', (conn) => {
      conn.on('error', () => undefined);
    });
    return new Kysely<any>({ dialect: new MysqlDialect({ pool: p as never }), log: echoLogger(pool) });
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
    return !!code && (NETWORK_ERROR_CODES.has(code) || code === 'ER_CON_COUNT_ERROR' || code === 'PROTOCOL_SEQUENCE_TIMEOUT');
  },
  isUniqueViolation(e: unknown): boolean {
    return errorCode(e) === 'ER_DUP_ENTRY';
  },
};
