/**
 * SQL Server through tedious + tarn. No server runs in mlf's CI: this dialect is covered by
 * compiled-SQL tests, and by the full suites when MLF_TEST_MSSQL_URI points at a live server.
 */
import { Kysely, MssqlDialect, sql, type Expression } from 'kysely';
import type { Db, SqlDialect, Tx } from '../dialect.js';
import type { SqlStoreUri } from '../../../../tracking/uri.js';
import { idleTimeoutMillis, maxConnections, type PoolOptions } from '../../pool-options.js';
import { echoLogger, errorCode, NETWORK_ERROR_CODES } from '../common.js';
import { mssqlDdl } from './ddl.js';
import { mssqlBackup } from './backup.js';

/** The collation MLflow uses for case-sensitive comparisons on SQL Server. */
export const MSSQL_CS_COLLATION = 'Japanese_Bushu_Kakusu_100_CS_AS_KS_WS';

function escapeBrackets(pattern: string): string {
  return pattern.replace(/[[\]]/g, (c) => '\\' + c);
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return ['1', 'true', 'yes'].includes(v.toLowerCase());
}

/**
 * `pool_recycle` for tarn, which has no maximum lifetime. Kysely validates a connection with a
 * plain `select 1` each time tarn hands it out; once the connection is older than the limit, that
 * validation closes it first, so it fails, tarn destroys it and opens a fresh one. A connection
 * is thus only ever recycled at checkout, never while a transaction or session holds it.
 */
function recycle(conn: { execSql(req: { sqlTextOrProcedure?: string }): void; close(): void }, ms: number): void {
  const expires = Date.now() + ms;
  const execSql = conn.execSql.bind(conn);
  conn.execSql = (req) => {
    if (req.sqlTextOrProcedure === 'select 1' && Date.now() >= expires) conn.close();
    execSql(req);
  };
}

export const mssqlDialect: SqlDialect = {
  ddl: mssqlDdl,
  backup: mssqlBackup,
  name: 'mssql',
  capabilities: { transactionalDdl: true, returning: true, maxParameters: 2000, offsetFetch: true },
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'FLOAT(53)',
    boolean: 'BIT',
    varchar: (n) => `VARCHAR(${n})`,
    text: 'VARCHAR(max)',
    mediumText: 'VARCHAR(max)',
    longText: 'VARCHAR(max)',
    blob: 'VARBINARY(max)',
    unicodeText: 'NVARCHAR(max)',
    json: 'NVARCHAR(max)',
    caseSensitiveVarchar: (n) => `VARCHAR(${n}) COLLATE SQL_Latin1_General_CP1_CS_AS`,
  },

  async connect(uri: SqlStoreUri, pool: PoolOptions): Promise<Db> {
    const tedious = await import('tedious');
    const tarn = await import('tarn');
    const o = uri.options;
    // `host\INSTANCE` (written `host%5CINSTANCE` in a URI) names an instance; its port is looked up.
    const [server, instanceName] = (uri.host || 'localhost').split('\\', 2) as [string, string | undefined];
    const recycleMs = pool.recycleSeconds ? pool.recycleSeconds * 1000 : 0;
    const dialect = new MssqlDialect({
      // Kysely validates each connection with `select 1` when tarn hands it out: SQLAlchemy's
      // pre-ping. NullPool: tarn reaps a released connection on its next pass (about a second).
      tarn: { ...tarn, options: { min: 0, max: maxConnections(pool), idleTimeoutMillis: idleTimeoutMillis(pool) } },
      tedious: {
        ...tedious,
        connectionFactory: () => {
          const conn = new tedious.Connection({
            server,
            authentication: { type: 'default', options: { userName: uri.user ?? o.user ?? o.UID, password: uri.password ?? o.password ?? o.PWD } },
            options: {
              database: uri.database,
              ...(instanceName ? { instanceName } : { port: uri.port ?? 1433 }),
              encrypt: bool(o.encrypt ?? o.Encrypt, true),
              trustServerCertificate: bool(o.TrustServerCertificate ?? o.trustServerCertificate, true),
              connectTimeout: o.timeout || o.connect_timeout ? Number(o.timeout ?? o.connect_timeout) * 1000 : 15_000,
            },
          });
          conn.on('error', () => undefined);
          if (recycleMs) recycle(conn, recycleMs);
          return conn;
        },
      },
    });
    return new Kysely<any>({ dialect, log: echoLogger(pool) });
  },

  writeTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  },

  eqCaseSensitive: (column: Expression<unknown>, value: string) =>
    sql<boolean>`${column} collate ${sql.raw(MSSQL_CS_COLLATION)} = ${value}`,
  // SQL Server reads [ ] as a character class: escape them, and use backslash as the escape character.
  likeCaseSensitive: (column: Expression<unknown>, pattern: string) =>
    sql<boolean>`${column} collate ${sql.raw(MSSQL_CS_COLLATION)} like ${escapeBrackets(pattern)} escape '\\'`,
  ilike: (column: Expression<unknown>, pattern: string) =>
    sql<boolean>`lower(${column}) like lower(${escapeBrackets(pattern)}) escape '\\'`,

  async upsert(db, table, rows, keyColumns, updateColumns) {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0]!);
    const values = sql.join(rows.map((r) => sql`(${sql.join(cols.map((c) => r[c]))})`));
    const on = sql.join(
      keyColumns.map((k) => sql`t.${sql.ref(k)} = s.${sql.ref(k)}`),
      sql` and `,
    );
    const update =
      updateColumns.length === 0
        ? sql``
        : sql`when matched then update set ${sql.join(updateColumns.map((c) => sql`t.${sql.ref(c)} = s.${sql.ref(c)}`))} `;
    await sql`merge into ${sql.table(table)} with (holdlock) as t using (values ${values}) as s (${sql.join(cols.map((c) => sql.ref(c)))}) on ${on} ${update}when not matched then insert (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(cols.map((c) => sql`s.${sql.ref(c)}`))});`.execute(db);
  },

  explicitIdInsert: {
    async before(tx, table) {
      await sql`set identity_insert ${sql.table(table)} on`.execute(tx);
    },
    async after(tx, table) {
      await sql`set identity_insert ${sql.table(table)} off`.execute(tx);
    },
  },

  async withMigrationLock<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await sql`exec sp_getapplock @Resource = 'mlf_migrations', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 600000`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`exec sp_releaseapplock @Resource = 'mlf_migrations', @LockOwner = 'Session'`.execute(conn).catch(() => undefined);
      }
    });
  },

  isConnectionError(e: unknown): boolean {
    const code = errorCode(e);
    return !!code && NETWORK_ERROR_CODES.has(code);
  },
  isUniqueViolation(e: unknown): boolean {
    const n = (e as { number?: number })?.number;
    return n === 2627 || n === 2601;
  },
};
