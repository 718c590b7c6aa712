/**
 * Set-based inserts for the import: rows whose key exists are left alone (`update` empty) or get the
 * `update` columns overwritten. Where the driver runs statements synchronously (SQLite) one
 * prepared statement runs per row, which is several times faster there than compiling large
 * multi-row statements; elsewhere rows go in multi-row statements under the parameter limit.
 */
import { sql } from 'kysely';
import type { Db, SqlDialect, Tx } from '../stores/sql/dialects/dialect.js';
import { chunkRows } from '../stores/sql/dialects/dialect.js';

type Row = Record<string, unknown>;

/** Must run inside `dialect.writeTransaction(root, ...)`: the synchronous writer shares its connection. */
export async function writeRows(root: Db, tx: Tx, dialect: SqlDialect, table: string, rows: Row[], key: string[], update: string[] = []): Promise<void> {
  if (!rows.length) return;
  const writer = dialect.syncAccess?.(root)?.writer;
  if (writer) {
    const cols = Object.keys(rows[0]!);
    const compiled = tx
      .insertInto(table)
      .values(rows[0]!)
      .onConflict((oc) => {
        const c = oc.columns(key as never);
        if (!update.length) return c.doNothing();
        return c.doUpdateSet(Object.fromEntries(update.map((u) => [u, sql.ref(`excluded.${u}`)])) as never);
      })
      .compile();
    for (const r of rows) writer.run(compiled.sql, cols.map((c) => r[c]));
    return;
  }
  for (const part of chunkRows(rows, dialect.capabilities.maxParameters)) await dialect.upsert(tx, table, part, key, update);
}
