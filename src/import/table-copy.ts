/**
 * Copies rows of the tables in {@link COPIED_TABLES} into the target: rows whose primary key is
 * already there are left alone, experiment ids follow the id map, generated columns are left to the
 * target, and values one driver hands back in its own shape (JSON parsed by PostgreSQL) go in as text.
 */
import type { WriteContext } from './experiment-writer.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import { writeRows } from './write-rows.js';
import type { TableRows } from './model.js';
import { EXPERIMENT_ENTITY, copiedTable, type CopiedTable } from './tables.js';

type Row = Record<string, unknown>;

const keyOf = (row: Row, cols: string[]) => cols.map((c) => String(row[c])).join('\u0000');

/** What the copy needs to know of a target table; null when the target lacks it. */
export interface TargetTable {
  key: string[];
  columns: Set<string>;
}

/** Reads (once per import) the target's primary key and columns of each copied table. */
export class TargetTables {
  private readonly cache = new Map<string, TargetTable | null>();
  private tables: string[] | undefined;
  constructor(private readonly ctx: WriteContext) {}

  async get(table: string): Promise<TargetTable | null> {
    if (this.cache.has(table)) return this.cache.get(table)!;
    const { db, dialect } = this.ctx;
    const catalog = new Ddl(db, dialect).catalog;
    this.tables ??= await catalog.tables(db);
    let info: TargetTable | null = null;
    if (this.tables.includes(table)) {
      const pk = await catalog.primaryKey(db, table);
      info = { key: pk.columns, columns: new Set((await catalog.columns(db, table)).map((c) => c.name)) };
    }
    this.cache.set(table, info);
    return info;
  }
}

/** A source row as the target takes it: ids mapped, generated columns dropped, JSON as text. */
export function targetRow(spec: CopiedTable, row: Row, experimentIds: Map<string, number>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (spec.generated?.includes(k)) continue;
    // PostgreSQL hands back booleans and parsed JSON; 1/0 and JSON text go into every dialect (SQLite binds no booleans).
    if (typeof v === 'boolean') out[k] = v ? 1 : 0;
    else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Date)) out[k] = JSON.stringify(v);
    else out[k] = v;
  }
  const map = (v: unknown) => experimentIds.get(String(v));
  if (spec.experimentColumn && out[spec.experimentColumn] != null) {
    const id = map(out[spec.experimentColumn]);
    if (id !== undefined) out[spec.experimentColumn] = id;
  }
  for (const [typeCol, idCol] of spec.experimentEnds ?? []) {
    if (out[typeCol] !== EXPERIMENT_ENTITY) continue;
    const id = map(out[idCol]);
    if (id !== undefined) out[idCol] = String(id);
  }
  return out;
}

/**
 * Writes one batch (unless dryRun) and returns how many rows were new. A table the target lacks is
 * the caller's to refuse beforehand (see missingTargetTables); here its rows count as not written.
 */
export async function copyTableRows(ctx: WriteContext, targets: TargetTables, batch: TableRows, experimentIds: Map<string, number>): Promise<number> {
  const { db, dialect, dryRun } = ctx;
  const spec = copiedTable(batch.table);
  const target = await targets.get(spec.table);
  if (!target && !ctx.empty) return 0;
  let rows = batch.rows.map((r) => targetRow(spec, r, experimentIds));
  if (!target) return rows.length; // a dry run into a target with no schema yet: everything is new
  // Columns of a later revision than the target's hold only NULL or defaults (target-columns.ts): leave them out.
  if (rows.some((r) => Object.keys(r).some((k) => !target.columns.has(k)))) {
    rows = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => target.columns.has(k))));
  }
  // Which keys the target has already: filter on the first key column, compare whole keys.
  const key = target.key;
  const have = new Set<string>();
  const first = key[0]!;
  const firstValues = [...new Set(rows.map((r) => r[first]))];
  for (let i = 0; i < firstValues.length && !ctx.empty; i += 500) {
    const found = await db.selectFrom(spec.table).select(key).where(first, 'in', firstValues.slice(i, i + 500)).execute();
    for (const f of found) have.add(keyOf(f, key));
  }
  // New keys, each once (a source may repeat one, e.g. a metric point written twice to a file).
  const fresh = rows.filter((r) => {
    const k = keyOf(r, key);
    if (have.has(k)) return false;
    have.add(k);
    return true;
  });
  if (!dryRun && fresh.length) {
    await dialect.writeTransaction(db, (tx) => writeRows(db, tx, dialect, spec.table, fresh, { keys: key, update: [] }));
  }
  return fresh.length;
}
