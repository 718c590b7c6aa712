/**
 * Open a database for a parsed URI: the dialect, its pool from MLflow's env variables, and a first
 * round trip with back-off, so a database that is still starting is waited for (as MLflow's
 * `create_sqlalchemy_engine_with_retry` does) while a wrong password fails at once.
 */
import { sql } from 'kysely';
import { MlfError } from '../../lib/errors.js';
import { maskUri, type SqlStoreUri } from '../../tracking/uri.js';
import type { ConnectOptions, Db, SqlDialect } from './dialects/dialect.js';
import { loadDialect } from './dialects/index.js';
import { connectBackoffMs, poolOptionsFromEnv, type PoolOptions } from './pool-options.js';

export interface SqlConnection {
  db: Db;
  dialect: SqlDialect;
  uri: SqlStoreUri;
  pool: PoolOptions;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connection attempts before giving up. MLflow makes 10 (about 100 s of back-off in all); mlf
 * makes 6 (about 5.7 s) so a typo in a host name does not hang a CLI call for minutes.
 * `MLF_CONNECT_RETRIES=10` gives MLflow's behaviour.
 */
export function connectAttempts(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.MLF_CONNECT_RETRIES ?? 6);
  return Number.isInteger(n) && n > 0 ? n : 6;
}

export async function connectSql(uri: SqlStoreUri, pool: PoolOptions = poolOptionsFromEnv(), opts: ConnectOptions = {}): Promise<SqlConnection> {
  const dialect = await loadDialect(uri.dialect);
  const db = await dialect.connect(uri, pool, opts);
  const attempts = connectAttempts();
  for (let i = 1; ; i++) {
    try {
      await sql`select 1`.execute(db);
      break;
    } catch (e) {
      // Only a refused or lost connection is worth waiting for (a database still starting); a
      // wrong password or a missing database fails at once, where MLflow would retry it 10 times.
      if (dialect.isConnectionError(e) && i < attempts) {
        await sleep(connectBackoffMs(i));
        continue;
      }
      await db.destroy().catch(() => undefined);
      throw new MlfError(
        `Cannot connect to ${maskUri(uri.uri)}: ${maskUri(String((e as Error)?.message ?? e)).split('\n')[0]}`,
        'TEMPORARILY_UNAVAILABLE',
      );
    }
  }
  return { db, dialect, uri, pool, close: () => db.destroy() };
}
