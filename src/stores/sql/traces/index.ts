/**
 * The trace capability of a tracking store: the SQL store's database holds traces; other stores
 * have none (undefined), and the server answers their trace endpoints with a clear 4xx.
 */
import type { TraceStore } from '../../trace-store.js';
import type { TrackingStore } from '../../tracking-store.js';
import type { SqlConnection } from '../connect.js';
import { SqlTraceStoreV3 } from './v3.js';

export { SqlTraceStore } from './sql-trace-store.js';
export { SqlTraceStoreV3 } from './v3.js';

/** A trace store sharing the SQL tracking store's pool; undefined for file and REST stores. */
export function traceStoreOver(store: TrackingStore): TraceStore | undefined {
  const conn = (store as { conn?: SqlConnection }).conn;
  if (!conn?.db || !conn.dialect) return undefined;
  return new SqlTraceStoreV3(conn, store);
}
