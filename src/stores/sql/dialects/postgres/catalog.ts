/** How mlf reads the schema of a PostgreSQL database (tables, columns, keys, indexes, checks). */
import { sql } from 'kysely';
import { canonType, catalogRows, type Catalog, type CheckInfo, type ForeignKeyInfo } from '../schema.js';

const pgTableOid = (table: string) =>
  sql`(select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relname = ${table} and c.relkind = 'r')`;

const PG_RULE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export const postgresCatalog: Catalog = {
  async tables(db) {
    const r = await catalogRows<{ name: string }>(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    );
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await catalogRows<{ name: string; type: string; notnull: boolean; dflt: string | null }>(
      db,
      sql`select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
                 case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end as dflt
          from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = ${pgTableOid(table)} and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    );
    return r.map((c) => ({ name: c.name, type: canonType(c.type), nullable: !c.notnull, default: c.dflt }));
  },
  async primaryKey(db, table) {
    const r = await catalogRows<{ conname: string; name: string }>(
      db,
      sql`select c.conname, a.attname as name from pg_constraint c
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
          where c.contype = 'p' and c.conrelid = ${pgTableOid(table)} order by array_position(c.conkey, a.attnum)`,
    );
    return { name: r[0]?.conname ?? null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await catalogRows<{ name: string }>(
      db,
      sql`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`,
    );
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await catalogRows<{ name: string; def: string }>(
      db,
      sql`select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'c' and conrelid = ${pgTableOid(table)}`,
    );
    return r.map((x) => ({ name: x.name, clause: x.def }));
  },
  async foreignKeys(db, table) {
    const r = await catalogRows<{ name: string; reftable: string; cols: string[] | string; del: string; upd: string }>(
      db,
      sql`select c.conname as name, c.confrelid::regclass::text as reftable, c.confdeltype as del, c.confupdtype as upd,
                 array(select a.attname from unnest(c.conkey) with ordinality k(n, o)
                       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o)::text[] as cols
          from pg_constraint c where c.contype = 'f' and c.conrelid = ${pgTableOid(table)}`,
    );
    return r.map((x) => ({
      name: x.name,
      columns: Array.isArray(x.cols) ? x.cols : String(x.cols).replace(/[{}]/g, '').split(','),
      refTable: x.reftable.replace(/^.*\./, '').replace(/"/g, ''),
      onDelete: PG_RULE[x.del] ?? 'NO ACTION',
      onUpdate: PG_RULE[x.upd] ?? 'NO ACTION',
    }));
  },
  async uniques(db, table) {
    const r = await catalogRows<{ name: string; cons: string | null; cols: string[] | string }>(
      db,
      sql`select i.relname as name, c.conname as cons,
                 array(select a.attname from unnest(x.indkey) with ordinality k(n, o)
                       join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.n order by k.o)::text[] as cols
          from pg_index x join pg_class i on i.oid = x.indexrelid
          left join pg_constraint c on c.conindid = x.indexrelid and c.contype = 'u'
          where x.indrelid = ${pgTableOid(table)} and x.indisunique and not x.indisprimary`,
    );
    return r.map((x) => ({
      name: x.cons ?? x.name,
      columns: Array.isArray(x.cols) ? x.cols : String(x.cols).replace(/[{}]/g, '').split(','),
      index: x.cons === null,
    }));
  },
  async triggers(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select tgname as name from pg_trigger where not tgisinternal and tgrelid = ${pgTableOid(table)}`);
    return r.map((x) => x.name);
  },
};
