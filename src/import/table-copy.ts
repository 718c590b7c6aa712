/**
 * Copies rows of the tables in {@link COPIED_TABLES} into the target: rows whose primary key is
 * already there are left alone, experiment ids follow the id map.
 */
import type { WriteContext } from './experiment-writer.js';
import { writeRows } from './write-rows.js';
import type { TableRows } from './model.js';
import { COPIED_TABLES } from './tables.js';

const keyOf = (row: Record<string, unknown>, cols: string[]) => cols.map((c) => String(row[c])).join('\u0000');

/** Writes one batch (unless dryRun) and returns how many rows were new. */
export async function copyTableRows(ctx: WriteContext, batch: TableRows, experimentIds: Map<string, number>): Promise<number> {
  const { db, dialect, dryRun } = ctx;
  const spec = COPIED_TABLES.find((t) => t.table === batch.table)!;
  const rows = batch.rows.map((r) => {
    if (!spec.experimentColumn) return r;
    const id = experimentIds.get(String(r[spec.experimentColumn]));
    return id === undefined ? r : { ...r, [spec.experimentColumn]: id };
  });
  // Which keys the target has already: filter on the first key column, compare whole keys.
  const first = spec.key[0]!;
  const have = new Set<string>();
  const firstValues = [...new Set(rows.map((r) => r[first]))];
  for (let i = 0; i < firstValues.length && !ctx.empty; i += 500) {
    const found = await db.selectFrom(spec.table).select(spec.key).where(first, 'in', firstValues.slice(i, i + 500)).execute();
    for (const f of found) have.add(keyOf(f, spec.key));
  }
  const fresh = rows.filter((r) => !have.has(keyOf(r, spec.key)));
  if (!dryRun && fresh.length) {
    await dialect.writeTransaction(db, (tx) => writeRows(db, tx, dialect, spec.table, fresh, spec.key));
  }
  return fresh.length;
}
