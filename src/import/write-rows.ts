/**
 * Set-based inserts for the import: rows whose key exists are left alone (`update` empty) or get the
 * `update` columns overwritten; with no conflict given (rows the caller knows are new) a plain insert.
 * Where the driver runs statements synchronously (SQLite) one prepared statement runs per row, which
 * is several times faster there than compiling large multi-row statements; where the dialect has a
 * bulk form (PostgreSQL: one array per column, the path log-batch takes) rows go in that, BULK_ROWS
 * a statement; elsewhere in multi-row statements under the parameter limit.
 */
import { sql } from 'kysely';
import type { BulkConflict, Db, SqlDialect, Tx } from '../stores/sql/dialects/dialect.js';
import { chunkRows } from '../stores/sql/dialects/dialect.js';

type Row = Record<string, unknown>;

/**
 * Rows per bulk statement. PostgreSQL parses a VALUES list of 65,000 parameters slowly (10,900
 * metric points a statement: 240 ms, against 350 ms for 20,000 in arrays); the cap bounds the
 * arrays' text in memory, and larger parts measured no faster.
 */
export const BULK_ROWS = 20_000;

/** Must run inside `dialect.writeTransaction(root, ...)`: the synchronous writer shares its connection. */
export async function writeRows(root: Db, tx: Tx, dialect: SqlDialect, table: string, rows: Row[], conflict: BulkConflict | null): Promise<void> {
  if (!rows.length) return;
  const writer = dialect.syncAccess?.(root)?.writer;
  if (writer) {
    const cols = Object.keys(rows[0]!);
    const insert = tx.insertInto(table).values(rows[0]!);
    const compiled = (
      conflict
        ? insert.onConflict((oc) => {
            const c = oc.columns(conflict.keys as never);
            if (!conflict.update.length) return c.doNothing();
            return c.doUpdateSet(Object.fromEntries(conflict.update.map((u) => [u, sql.ref(`excluded.${u}`)])) as never);
          })
        : insert
    ).compile();
    for (const r of rows) writer.run(compiled.sql, cols.map((c) => r[c]));
    return;
  }
  if (dialect.bulkInsert) {
    // The rows of one call share their columns: a table the bulk form cannot take is refused at the first part.
    let done = 0;
    while (done < rows.length && (await dialect.bulkInsert(tx, table, rows.slice(done, done + BULK_ROWS), conflict ?? undefined))) done += BULK_ROWS;
    if (done >= rows.length) return;
    if (done) throw new Error(`writeRows: the bulk insert into ${table} took part of the rows`);
  }
  for (const part of chunkRows(rows, dialect.capabilities.maxParameters)) {
    if (conflict) await dialect.upsert(tx, table, part, conflict.keys, conflict.update);
    else await tx.insertInto(table).values(part).execute();
  }
}
