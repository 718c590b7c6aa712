/**
 * Opening the Model Registry store. A database URI gets a {@link SqlRegistryStore} (the schema is
 * checked, or created on an empty database, as the tracking store does); a file store is refused
 * with FEATURE_DISABLED (mlf has no file-based registry); a tracking SQL store can lend its own
 * connection, so one server process keeps one pool.
 *
 * @example
 * const reg = await openRegistryStore('postgresql://mlflow@db/mlflow');
 * const reg2 = registryStoreOver(trackingStore); // shares the tracking store's pool; undefined on a file store
 */
import { MlfError } from '../../../lib/errors.js';
import { registryNeedsDatabase } from '../../../tracking/messages.js';
import { maskUri, parseStoreUri } from '../../../tracking/uri.js';
import type { RegistryStore } from '../../registry-store.js';
import type { TrackingStore } from '../../tracking-store.js';
import type { SqlConnection } from '../connect.js';
import { SqlRegistryStore } from './sql-registry-store.js';

export { SqlRegistryStore } from './sql-registry-store.js';

export async function openRegistryStore(uri: string, opts: { cwd?: string } = {}): Promise<RegistryStore> {
  const parsed = parseStoreUri(uri, opts.cwd);
  if (parsed.kind === 'file') throw registryNeedsDatabase();
  if (parsed.kind !== 'sql') {
    throw new MlfError(
      `The Model Registry over HTTP is not available in this version of mlf (registry URI '${maskUri(parsed.uri)}'). Use a database URI.`,
      'FEATURE_DISABLED',
    );
  }
  const { connectSql } = await import('../connect.js');
  const conn = await connectSql(parsed);
  try {
    const { ensureSchema } = await import('../migrate/index.js');
    await ensureSchema(conn);
    await conn.dialect.onSchemaReady?.(conn.db);
    return new SqlRegistryStore(conn, true);
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}

/**
 * A registry store on a SQL tracking store's connection (its schema was checked when it opened);
 * closing it leaves the connection to the tracking store. Undefined for any other store.
 */
export function registryStoreOver(store: TrackingStore): RegistryStore | undefined {
  const conn = (store as { conn?: SqlConnection }).conn;
  if (!conn?.db || !conn.dialect) return undefined;
  return new SqlRegistryStore(conn, false);
}
