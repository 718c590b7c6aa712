/**
 * Before anything is written: Model Registry rows the target holds under the source's keys that are
 * other entities, as run ids with another experiment or start time are (conflicts.ts): a model
 * deleted and registered again under the name, a version 3 made elsewhere, told apart by the
 * identity columns of tables.ts (`updateExcept`: the creation time). The import is refused naming
 * them; the copy would otherwise graft the source's history onto another model. Rows that are the
 * same entity take the source's changes (description, stage, tag values, aliases) in table-copy.ts.
 */
import type { SqlConnection } from '../stores/sql/connect.js';
import type { ImportSource, TableCount } from './model.js';
import { TargetTables, differingColumns, heldRows, keyOf, targetRows } from './table-copy.js';
import { COPIED_TABLES, copiedTable } from './tables.js';

type Row = Record<string, unknown>;

/** How each registry table with identity columns names its row in a refusal. */
const NAMES: Record<string, (r: Row) => string> = {
  registered_models: (r) => `registered model ${q(r.name)}`,
  model_versions: (r) => `model version ${q(r.name)} v${text(r.version)}`,
};

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const q = (v: unknown) => JSON.stringify(text(v));

/** One line per registry row of the source the target holds as another entity, naming the columns. */
export async function findRegistryConflicts(conn: SqlConnection, source: ImportSource, counts: Map<string, TableCount>): Promise<string[]> {
  const targets = new TargetTables({ db: conn.db, dialect: conn.dialect, dryRun: true, empty: false });
  const tables = new Set<string>();
  for (const t of COPIED_TABLES) {
    if (!t.updateExcept?.length || !NAMES[t.table] || !(counts.get(t.table)?.total ?? 0)) continue;
    if (await targets.get(t.table)) tables.add(t.table);
  }
  if (!tables.size) return [];
  const out: string[] = [];
  for await (const batch of source.extraTables(1000, tables)) {
    const spec = copiedTable(batch.table);
    const target = (await targets.get(batch.table))!;
    const rows = targetRows(target, spec, batch, new Map());
    const held = await heldRows(conn.db, batch.table, target.key, rows, [...target.key, ...spec.updateExcept!]);
    for (const r of rows) {
      const t = held.get(keyOf(r, target.key));
      const differ = t ? differingColumns(r, t, spec.updateExcept) : [];
      if (differ.length) out.push(`${NAMES[batch.table]!(r)} (${differ.join(', ')} differ)`);
    }
  }
  return out;
}
