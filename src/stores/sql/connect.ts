/**
 * Open a database for a parsed URI: the dialect, its pool from MLflow's env variables, and a first
 * round trip with back-off, so a database that is still starting is waited for (as MLflow's
 * `create_sqlalchemy_engine_with_retry` does) while a wrong password fails at once.
 */
import { sql } from 'kysely';
import { MlfError } from '../../lib/errors.js';
import { maskUri, type SqlStoreUri } from '../../tracking/uri.js';
import { loadDialect, type Db, type SqlDialect } from './dialects/dialect.js';
import { poolOptionsFromEnv, type PoolOptions } from './pool-options.js';

export interface SqlConnection {
  db: Db;
  dialect: SqlDialect;
  uri: SqlStoreUri;
  pool: PoolOptions;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Attempts and the first back-off (ms); doubled each time. Overridable for tests and CI. */
function retryPlan(): { attempts: number; firstDelayMs: number } {
  const attempts = Number(process.env.MLF_CONNECT_RETRIES ?? 6);
  return { attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 6, firstDelayMs: 100 };
}

export async function connectSql(uri: SqlStoreUri, pool: PoolOptions = poolOptionsFromEnv()): Promise<SqlConnection> {
  const dialect = await loadDialect(uri.dialect);
  const db = await dialect.connect(uri, pool);
  const { attempts, firstDelayMs } = retryPlan();
  let delay = firstDelayMs;
  for (let i = 1; ; i++) {
    try {
      await sql`select 1`.execute(db);
      break;
    } catch (e) {
      if (dialect.isConnectionError(e) && i < attempts) {
        await sleep(delay);
        delay *= 2;
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
