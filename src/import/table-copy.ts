/**
 * Copies rows of the tables in {@link COPIED_TABLES} into the target: rows whose primary key is
 * already there are left alone (the registry's take the source's changes: `updateExcept`),
 * experiment ids follow the id map, generated columns are left to the target, and values one driver
 * hands back in its own shape (JSON parsed by PostgreSQL) go in as text.
 */
import type { WriteContext } from './experiment-writer.js';
import { canonDefault } from '../stores/sql/dialects/schema.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import { writeRows } from './write-rows.js';
import type { TableRows } from './model.js';
import { EXPERIMENT_ENTITY, copiedTable, type CopiedTable } from './tables.js';

type Row = Record<string, unknown>;

export const keyOf = (row: Row, cols: string[]) => cols.map((c) => String(row[c])).join('\u0000');

/** A value as both drivers' shapes compare: numbers (PostgreSQL's bigint strings too), bytes, dates, JSON. */
export function norm(v: unknown): string {
  if (v === null || v === undefined) return '\u0000null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Date) return String(v.getTime());
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) return String(Number(v));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Columns both rows have whose values differ (of `only`, when given). */
export function differingColumns(source: Row, target: Row, only?: string[]): string[] {
  return (only ?? Object.keys(source)).filter((c) => c in source && c in target && norm(source[c]) !== norm(target[c]));
}

/** What the copy needs to know of a target table; null when the target lacks it. */
export interface TargetTable {
  key: string[];
  columns: Set<string>;
  /** The key columns' defaults: a source of an older revision has no `workspace` column. */
  keyDefaults: Map<string, string | null>;
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
      const columns = await catalog.columns(db, table);
      const keyDefaults = new Map(columns.filter((c) => pk.columns.includes(c.name)).map((c) => [c.name, canonDefault(c.default)]));
      info = { key: pk.columns, columns: new Set(columns.map((c) => c.name)), keyDefaults };
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
 * A batch as the target takes it: rows mapped by targetRow, columns the target lacks left out (of a
 * later revision, they hold only NULL or defaults: target-columns.ts). Rows compared with the
 * target's (`updateExcept`) get the key columns the target adds (`workspace`) at their default;
 * others leave them to the database.
 */
export function targetRows(target: TargetTable, spec: CopiedTable, batch: TableRows, experimentIds: Map<string, number>): Row[] {
  return batch.rows.map((r) => {
    let row = targetRow(spec, r, experimentIds);
    if (Object.keys(row).some((k) => !target.columns.has(k))) row = Object.fromEntries(Object.entries(row).filter(([k]) => target.columns.has(k)));
    if (spec.updateExcept) for (const [c, d] of target.keyDefaults) if (!(c in row)) row[c] = d;
    return row;
  });
}

/** Target rows under the rows' keys (filtered on the first key column), by whole key. */
export async function heldRows(db: WriteContext['db'], table: string, key: string[], rows: Row[], columns: string[] | 'all'): Promise<Map<string, Row>> {
  const held = new Map<string, Row>();
  const first = key[0]!;
  const values = [...new Set(rows.map((r) => r[first]))];
  for (let i = 0; i < values.length; i += 500) {
    const q = db.selectFrom(table).where(first, 'in', values.slice(i, i + 500) as never[]);
    const found = await (columns === 'all' ? q.selectAll() : q.select(columns)).execute();
    for (const f of found) held.set(keyOf(f, key), f);
  }
  return held;
}

/**
 * Writes one batch (unless dryRun) and returns how many rows were new and how many taken the
 * source's changes. A table the target lacks is the caller's to refuse beforehand (see
 * missingTargetTables); here its rows count as not written.
 */
export async function copyTableRows(
  ctx: WriteContext,
  targets: TargetTables,
  batch: TableRows,
  experimentIds: Map<string, number>,
): Promise<{ created: number; updated: number }> {
  const { db, dialect, dryRun } = ctx;
  const spec = copiedTable(batch.table);
  const target = await targets.get(spec.table);
  if (!target && !ctx.empty) return { created: 0, updated: 0 };
  if (!target) return { created: batch.rows.length, updated: 0 }; // a dry run into a target with no schema yet: everything is new
  const rows = targetRows(target, spec, batch, experimentIds);
  const key = target.key;
  const held = ctx.empty ? new Map<string, Row>() : await heldRows(db, spec.table, key, rows, spec.updateExcept ? 'all' : key);
  // New keys, each once (a source may repeat one, e.g. a metric point written twice to a file).
  const fresh: Row[] = [];
  const changed: Row[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const k = keyOf(r, key);
    if (seen.has(k)) continue;
    seen.add(k);
    const t = held.get(k);
    if (!t) fresh.push(r);
    else if (spec.updateExcept && differingColumns(r, t).length) changed.push(r);
  }
  if (!dryRun && (fresh.length || changed.length)) {
    await dialect.writeTransaction(db, async (tx) => {
      await writeRows(db, tx, dialect, spec.table, fresh, { keys: key, update: [] });
      // The identity columns matched (registry-conflicts.ts): the rest is the source's now.
      const skip = new Set([...key, ...(spec.updateExcept ?? [])]);
      for (const r of changed) {
        const set = Object.fromEntries(Object.entries(r).filter(([c]) => !skip.has(c)));
        await tx.updateTable(spec.table).set(set).where((eb) => eb.and(key.map((c) => eb(c, '=', r[c] as never)))).execute();
      }
    });
  }
  return { created: fresh.length, updated: changed.length };
}
