/** How mlf reads the schema of a SQLite database (tables, columns, keys, indexes, checks). */
import { sql } from 'kysely';
import { canonType, catalogRows, rule, type Catalog, type CheckInfo, type ForeignKeyInfo } from '../schema.js';

export const sqliteCatalog: Catalog = {
  async tables(db) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`);
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await catalogRows<{ name: string; type: string; notnull: number; dflt_value: string | null }>(
      db,
      // table_xinfo also lists generated columns (hidden 2 or 3), which table_info leaves out.
      sql`select name, type, "notnull", dflt_value from pragma_table_xinfo(${table}) where hidden <> 1 order by cid`,
    );
    return r.map((c) => ({ name: c.name, type: canonType(c.type), nullable: !c.notnull, default: c.dflt_value }));
  },
  async primaryKey(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from pragma_table_info(${table}) where pk > 0 order by pk`);
    return { name: null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from sqlite_master where type = 'index' and tbl_name = ${table}`);
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await catalogRows<{ sql: string }>(db, sql`select sql from sqlite_master where type = 'table' and name = ${table}`);
    return parseSqliteChecks(r[0]?.sql ?? '');
  },
  async foreignKeys(db, table) {
    const r = await catalogRows<{ id: number; table: string; from: string; on_update: string; on_delete: string }>(
      db,
      sql`select id, "table", "from", on_update, on_delete from pragma_foreign_key_list(${table}) order by id, seq`,
    );
    const byId = new Map<number, ForeignKeyInfo>();
    for (const x of r) {
      const fk = byId.get(x.id) ?? { name: null, columns: [], refTable: x.table, onDelete: rule(x.on_delete), onUpdate: rule(x.on_update) };
      fk.columns.push(x.from);
      byId.set(x.id, fk);
    }
    return [...byId.values()];
  },
  async uniques(db, table) {
    // origin 'u': a UNIQUE in CREATE TABLE (an autoindex, no name kept); 'c': CREATE UNIQUE INDEX.
    const list = await catalogRows<{ name: string; origin: string }>(
      db,
      sql`select name, origin from pragma_index_list(${table}) where "unique" = 1 and origin in ('u', 'c')`,
    );
    const out = [];
    for (const ix of list) {
      const cols = await catalogRows<{ name: string }>(db, sql`select name from pragma_index_info(${ix.name}) order by seqno`);
      out.push({ name: ix.origin === 'u' ? null : ix.name, columns: cols.map((c) => c.name), index: ix.origin === 'c' });
    }
    return out;
  },
  async triggers(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from sqlite_master where type = 'trigger' and tbl_name = ${table}`);
    return r.map((x) => x.name);
  },
};

/** CHECK clauses of a SQLite CREATE TABLE statement (`CONSTRAINT name CHECK (...)` or bare `CHECK (...)`). */
export function parseSqliteChecks(createSql: string): CheckInfo[] {
  const out: CheckInfo[] = [];
  const re = /(?:CONSTRAINT\s+("?)(\w+)\1\s+)?CHECK\s*\(/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(createSql))) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < createSql.length && depth > 0; i++) {
      if (createSql[i] === '(') depth++;
      else if (createSql[i] === ')') depth--;
    }
    out.push({ name: m[2] ?? null, clause: createSql.slice(re.lastIndex, i - 1).trim() });
    re.lastIndex = i;
  }
  return out;
}
