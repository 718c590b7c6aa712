/** PostgreSQL through pg. BIGINT comes back as a JS number (pg's default would be a string). */
import { Kysely, PostgresDialect, sql, type Expression } from 'kysely';
import type { Db, SqlDialect, Tx } from './dialect.js';
import type { SqlStoreUri } from '../../../tracking/uri.js';
import { idleTimeoutMillis, maxConnections, type PoolOptions } from '../pool-options.js';
import { echoLogger, errorCode, NETWORK_ERROR_CODES, onConflictUpsert, plainEq } from './common.js';

/** libpq's sslmode → pg's `ssl` option. */
function sslFor(mode: string | undefined): boolean | { rejectUnauthorized: boolean } | undefined {
  switch (mode) {
    case undefined:
    case 'disable':
    case 'allow':
    case 'prefer':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    default: // verify-ca, verify-full
      return { rejectUnauthorized: true };
  }
}

const MIGRATION_LOCK_KEY = 0x6d6c66; // "mlf"

export const postgresDialect: SqlDialect = {
  name: 'postgresql',
  capabilities: { transactionalDdl: true, returning: true, maxParameters: 65_000, offsetFetch: false },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'DOUBLE PRECISION',
    boolean: 'BOOLEAN',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'TEXT',
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const pg = (await import('pg')).default;
    pg.types.setTypeParser(20, (v: string) => Number(v)); // int8
    const o = uri.options;
    const p = new pg.Pool({
      host: o.host ?? uri.host ?? 'localhost',
      port: uri.port ?? (o.port ? Number(o.port) : 5432),
      user: uri.user ?? o.user,
      password: uri.password ?? o.password,
      database: uri.database,
      ssl: sslFor(o.sslmode),
      application_name: o.application_name ?? 'mlf',
      connectionTimeoutMillis: o.connect_timeout ? Number(o.connect_timeout) * 1000 : 10_000,
      max: maxConnections(pool),
      idleTimeoutMillis: idleTimeoutMillis(pool),
      maxLifetimeSeconds: pool.recycleSeconds ?? 0,
    });
    // An idle connection dropped by the server is removed from the pool; never crash the process.
    p.on('error', () => undefined);
    return new Kysely<any>({ dialect: new PostgresDialect({ pool: p }), log: echoLogger(pool) });
  },

  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },

  eqCaseSensitive: plainEq,
  likeCaseSensitive: (column: Expression<unknown>, pattern: string) => sql<boolean>`${column} like ${pattern}`,
  ilike: (column: Expression<unknown>, pattern: string) => sql<boolean>`${column} ilike ${pattern}`,
  upsert: onConflictUpsert,

  async withMigrationLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn).catch(() => undefined);
      }
    });
  },

  isConnectionError(e: unknown): boolean {
    const code = errorCode(e);
    if (code && (NETWORK_ERROR_CODES.has(code) || code.startsWith('08') || code === '57P01')) return true;
    return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(String((e as Error)?.message));
  },
  isUniqueViolation(e: unknown): boolean {
    return errorCode(e) === '23505';
  },
};
