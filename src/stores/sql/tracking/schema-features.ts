/**
 * What the SQL tracking store adapts to at the database's revision (experiment tag limit, the
 * workspace experiments live in), read once per connection and shared by every role file.
 */
import type { Db } from '../dialects/dialect.js';
import type { SchemaFeatures } from '../migrate/head.js';
import type { SqlConnection } from '../connect.js';
import type { SqlExecutor } from './executor.js';

const FEATURES = new WeakMap<SqlConnection, Promise<SchemaFeatures>>();

/**
 * The features of this connection's database. Read on the executor's own handle: inside an atomic
 * view on SQLite's single connection, a read on the pool would wait for the view's own transaction.
 */
export function schemaFeaturesOf(x: SqlExecutor): Promise<SchemaFeatures> {
  let known = FEATURES.get(x.conn);
  if (!known) {
    known = import('../migrate/head.js')
      .then(async (h) => h.schemaFeatures(await h.currentRevision(x.exec as Db)))
      .catch((e: unknown) => {
        FEATURES.delete(x.conn);
        throw e;
      });
    FEATURES.set(x.conn, known);
  }
  return known;
}
