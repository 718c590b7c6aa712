/**
 * Before anything is written: Model Registry rows the target holds under the source's keys with
 * other content (another model under the name, another version 3, a tag or alias of another value,
 * a description changed on one side) are not the source's, and the import is refused naming them,
 * as for runs (conflicts.ts): the copy would otherwise keep the target's silently. Rows equal in
 * every column both sides have are left alone, so a repeated import adds nothing.
 */
import type { SqlConnection } from '../stores/sql/connect.js';
import { canonDefault } from '../stores/sql/dialects/schema.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import type { ImportSource, TableCount } from './model.js';
import { targetRow } from './table-copy.js';
import { copiedTable } from './tables.js';

type Row = Record<string, unknown>;

/** How each registry table's row is named in a refusal. */
const NAMES: Record<string, (r: Row) => string> = {
  registered_models: (r) => `registered model ${q(r.name)}`,
  registered_model_tags: (r) => `tag ${q(r.key)} of registered model ${q(r.name)}`,
  model_versions: (r) => `model version ${q(r.name)} v${text(r.version)}`,
  model_version_tags: (r) => `tag ${q(r.key)} of model version ${q(r.name)} v${text(r.version)}`,
  registered_model_aliases: (r) => `alias ${q(r.alias)} of registered model ${q(r.name)}`,
};
const CHUNK = 500;

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const q = (v: unknown) => JSON.stringify(text(v));
const keyOf = (r: Row, cols: string[]) => cols.map((c) => text(r[c])).join('\u0000');

/** A value as both drivers' shapes compare: numbers (PostgreSQL's bigint strings too), bytes, JSON. */
function norm(v: unknown): string {
  if (v === null || v === undefined) return '\u0000null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Date) return String(v.getTime());
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) return String(Number(v));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** One line per registry row of the source the target holds with other content, naming the columns. */
export async function findRegistryConflicts(conn: SqlConnection, source: ImportSource, counts: Map<string, TableCount>): Promise<string[]> {
  const catalog = new Ddl(conn.db, conn.dialect).catalog;
  const present = new Set(await catalog.tables(conn.db));
  const tables = Object.keys(NAMES).filter((t) => present.has(t) && (counts.get(t)?.total ?? 0) > 0);
  if (!tables.length) return [];
  const specs = new Map<string, { key: string[]; defaults: Map<string, string | null> }>();
  for (const t of tables) {
    const columns = await catalog.columns(conn.db, t);
    specs.set(t, { key: (await catalog.primaryKey(conn.db, t)).columns, defaults: new Map(columns.map((c) => [c.name, canonDefault(c.default)])) });
  }
  const out: string[] = [];
  for await (const batch of source.extraTables(1000, new Set(tables))) {
    const { key, defaults } = specs.get(batch.table)!;
    const rows = batch.rows.map((r) => {
      const row = targetRow(copiedTable(batch.table), r, new Map());
      for (const c of key) if (!(c in row)) row[c] = defaults.get(c) ?? null; // `workspace` of an older source
      return row;
    });
    const first = key[0]!;
    const values = [...new Set(rows.map((r) => r[first]))];
    const held = new Map<string, Row>();
    for (let i = 0; i < values.length; i += CHUNK) {
      const found = await conn.db.selectFrom(batch.table).selectAll().where(first, 'in', values.slice(i, i + CHUNK) as never[]).execute();
      for (const f of found) held.set(keyOf(f, key), f);
    }
    for (const r of rows) {
      const t = held.get(keyOf(r, key));
      if (!t) continue;
      const differ = Object.keys(r).filter((c) => c in t && norm(r[c]) !== norm(t[c]));
      if (differ.length) out.push(`${NAMES[batch.table]!(r)} (${differ.join(', ')} differ)`);
    }
  }
  return out;
}
