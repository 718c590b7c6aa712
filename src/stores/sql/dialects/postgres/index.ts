/** PostgreSQL through pg. BIGINT comes back as a JS number (pg's default would be a string). */
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kysely, PostgresDialect, sql, type Expression, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import type { Db, SqlDialect, Tx } from '../dialect.js';
import type { SqlStoreUri } from '../../../../tracking/uri.js';
import { keepIdle, maxConnections, OVERFLOW_LINGER_MS, type PoolOptions } from '../../pool-options.js';
import { concatPackedNumbers, echoLogger, errorCode, jsonPackedRows, NETWORK_ERROR_CODES, onConflictUpsert, plainEq, isPlainRollback, replayableFirstStatement, replayLimit } from '../common.js';
import { postgresDdl } from './ddl.js';
import { postgresBackup } from './backup.js';
import { postgresBulkInsert } from './bulk.js';
import { postgresRowsByRunIds } from './run-probe.js';

/**
 * libpq's `sslmode` (and `sslrootcert`/`sslcert`/`sslkey` file paths) → pg's `ssl` option.
 * `prefer`/`allow` connect without TLS: pg cannot fall back from one to the other.
 */
function sslFor(o: Record<string, string>): false | ConnectionOptions | undefined {
  const mode = o.sslmode;
  if (mode === undefined || mode === 'disable' || mode === 'allow' || mode === 'prefer') return undefined;
  const file = (p: string | undefined) => (p ? fs.readFileSync(p) : undefined);
  const ssl: ConnectionOptions = { ca: file(o.sslrootcert), cert: file(o.sslcert), key: file(o.sslkey) };
  if (mode === 'require') ssl.rejectUnauthorized = false;
  else {
    ssl.rejectUnauthorized = true; // verify-ca, verify-full
    if (mode === 'verify-ca') ssl.checkServerIdentity = () => undefined;
  }
  return ssl;
}

/**
 * pg.Pool as Kysely's pool, plus what SQLAlchemy's engine adds: a connection found dead on its
 * first statement is replaced (pre-ping), NullPool closes on release, QueuePool closes overflow
 * connections on release, and a checked-out client that the server drops never crashes the
 * process (pg-pool only listens for errors on idle clients).
 */
function resilientPool(p: Pool, pool: PoolOptions, isConnectionError: (e: unknown) => boolean): PostgresPool {
  const listened = new WeakSet<PoolClient>();
  const checkout = async () => {
    const c = await p.connect();
    if (!listened.has(c)) {
      c.on('error', () => undefined);
      listened.add(c);
    }
    return c;
  };
  const keep = keepIdle(pool);
  const limit = replayLimit(maxConnections(pool));
  return {
    async connect() {
      let inner = await checkout();
      let first = true;
      const client = {
        async query(text: unknown, params?: unknown[]) {
          if (typeof text !== 'string') return inner.query(text as never);
          if (!first || !replayableFirstStatement(text)) {
            first = false;
            try {
              return await inner.query(text, params);
            } catch (e) {
              if (isPlainRollback(text) && isConnectionError(e)) return { command: 'ROLLBACK', rows: [], rowCount: 0 };
              throw e;
            }
          }
          first = false;
          for (let attempt = 1; ; attempt++) {
            try {
              return await inner.query(text, params);
            } catch (e) {
              if (!isConnectionError(e) || attempt >= limit) throw e;
              inner.release(e as Error); // pg-pool destroys a client released with an error
              inner = await checkout();
            }
          }
        },
        release() {
          // NullPool closes at once; QueuePool's overflow closes once idle (the pool's min and idleTimeoutMillis).
          inner.release(keep === 0 ? true : undefined);
        },
      };
      return client as unknown as PostgresPoolClient;
    },
    end: () => p.end(),
  };
}

const MIGRATION_LOCK_KEY = 0x6d6c66; // "mlf"

export const postgresDialect: SqlDialect = {
  ddl: postgresDdl,
  backup: postgresBackup,
  name: 'postgresql',
  capabilities: { transactionalDdl: true, returning: true, maxParameters: 65_000, offsetFetch: false, existsFence: 'offset 0', orderByJoin: true, conditionalUpsert: true },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'DOUBLE PRECISION',
    boolean: 'BOOLEAN',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'TEXT',
    mediumText: 'TEXT',
    longText: 'TEXT',
    blob: 'BYTEA',
    unicodeText: 'TEXT',
    json: 'JSON',
    caseSensitiveVarchar: (n) => `VARCHAR(${n})`,
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const pg = (await import('pg')).default;
    pg.types.setTypeParser(20, (v: string) => Number(v)); // int8
    const o = uri.options;
    const p = new pg.Pool({
      // libpq reads a unix-socket directory from `?host=/var/run/postgresql`, as psycopg2 does.
      host: o.host ?? uri.host ?? 'localhost',
      port: uri.port ?? (o.port ? Number(o.port) : 5432),
      user: uri.user ?? o.user,
      password: uri.password ?? o.password,
      database: uri.database ?? o.dbname,
      ssl: sslFor(o),
      application_name: o.application_name ?? 'mlf',
      // No JIT: without planner statistics a big table's estimates pass jit_above_cost, and
      // compiling then costs more than a page's index probes (100k runs: 17 ms of emission per
      // read, a search 23 → 130 ms). `?options=-c jit=on` in the URI still turns it back on.
      options: ['-c jit=off', o.options].filter(Boolean).join(' '),
      connectionTimeoutMillis: o.connect_timeout ? Number(o.connect_timeout) * 1000 : 10_000,
      max: maxConnections(pool),
      // keepIdle() connections stay until recycled; those over it close after OVERFLOW_LINGER_MS
      // idle. A CLI process may still exit while they sit idle.
      min: keepIdle(pool),
      idleTimeoutMillis: OVERFLOW_LINGER_MS,
      allowExitOnIdle: true,
      keepAlive: true,
      maxLifetimeSeconds: pool.recycleSeconds ?? 0,
    });
    // An idle connection dropped by the server is removed from the pool; never crash the process.
    p.on('error', () => undefined);
    return new Kysely<any>({
      dialect: new PostgresDialect({ pool: resilientPool(p, pool, (e) => postgresDialect.isConnectionError(e)) }),
      log: echoLogger(pool),
    });
  },

  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },

  eqCaseSensitive: plainEq,
  eqIsExact: true,
  likeCaseSensitive: (column: Expression<unknown>, pattern: string) => sql<boolean>`${column} like ${pattern}`,
  ilike: (column: Expression<unknown>, pattern: string) => sql<boolean>`${column} ilike ${pattern}`,
  upsert: onConflictUpsert,
  bulkInsert: postgresBulkInsert,
  rowsByRunIds: postgresRowsByRunIds,
  // float8 prints its shortest exact digits, as text and in JSON (NaN and ±Infinity as strings
  // there, which the metric decoder reads); JSON as text, so the driver hands it over unparsed.
  packRows: { json: { exactFloats: true, sql: jsonPackedRows('json_agg', 'json_build_array', '::text') }, numbers: concatPackedNumbers() },
  async gatherStatistics(db: Db): Promise<void> {
    await sql`analyze`.execute(db);
  },

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
    // 08xxx connection exceptions; 57P01-57P03: the backend was terminated, crashed, or is starting.
    if (code && (NETWORK_ERROR_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
    return /Connection terminated|connection is closed|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i.test(
      String((e as Error)?.message),
    );
  },
  isUniqueViolation(e: unknown): boolean {
    return errorCode(e) === '23505';
  },
};
