/** How mlf reads the schema of a MySQL/MariaDB database (tables, columns, keys, indexes, checks). */
import { sql } from 'kysely';
import { canonType, catalogRows, rule, lc, type Catalog, type CheckInfo, type ForeignKeyInfo } from '../schema.js';

/** InnoDB treats RESTRICT and NO ACTION alike, and MariaDB reports an unspecified action as RESTRICT. */
const innodbRule = (r: string | null | undefined) => (rule(r) === 'RESTRICT' ? 'NO ACTION' : rule(r));

export const mysqlCatalog: Catalog = {
  async tables(db) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'`,
    );
    return r.map((x) => lc<{ name: string }>(x).name);
  },
  async columns(db, table) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select column_name as name, column_type as type, is_nullable as nullable, column_default as dflt, collation_name as coll
          from information_schema.columns where table_schema = database() and table_name = ${table} order by ordinal_position`,
    );
    return r.map((x) => {
      const c = lc<{ name: string; type: string; nullable: string; dflt: string | null; coll: string | null }>(x);
      return { name: c.name, type: canonType(c.type), nullable: c.nullable === 'YES', default: c.dflt, collation: c.coll };
    });
  },
  async primaryKey(db, table) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select column_name as name from information_schema.statistics
          where table_schema = database() and table_name = ${table} and index_name = 'PRIMARY' order by seq_in_index`,
    );
    return { name: r.length ? 'PRIMARY' : null, columns: r.map((x) => lc<{ name: string }>(x).name) };
  },
  async indexes(db, table) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${table}`,
    );
    return r.map((x) => lc<{ name: string }>(x).name);
  },
  async checks(db, table) {
    // MariaDB keeps check names per table (CONSTRAINT_1 in many tables) and has a table_name column;
    // MySQL 8 names them per schema and needs table_constraints for the table.
    try {
      const r = await catalogRows<Record<string, unknown>>(
        db,
        sql`select constraint_name as name, check_clause as clause from information_schema.check_constraints
            where constraint_schema = database() and table_name = ${table}`,
      );
      return r.map((x) => lc<CheckInfo>(x));
    } catch {
      const r = await catalogRows<Record<string, unknown>>(
        db,
        sql`select cc.constraint_name as name, cc.check_clause as clause from information_schema.check_constraints cc
            join information_schema.table_constraints tc on tc.constraint_schema = cc.constraint_schema
              and tc.constraint_name = cc.constraint_name and tc.constraint_type = 'CHECK'
            where cc.constraint_schema = database() and tc.table_name = ${table}`,
      );
      return r.map((x) => lc<CheckInfo>(x));
    }
  },
  async foreignKeys(db, table) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select rc.constraint_name as name, rc.referenced_table_name as reftable, rc.delete_rule as del, rc.update_rule as upd,
                 k.column_name as col
          from information_schema.referential_constraints rc
          join information_schema.key_column_usage k on k.constraint_schema = rc.constraint_schema
            and k.constraint_name = rc.constraint_name and k.table_name = rc.table_name
          where rc.constraint_schema = database() and rc.table_name = ${table} order by rc.constraint_name, k.ordinal_position`,
    );
    const by = new Map<string, ForeignKeyInfo>();
    for (const raw of r) {
      const x = lc<{ name: string; reftable: string; del: string; upd: string; col: string }>(raw);
      const fk = by.get(x.name) ?? { name: x.name, columns: [], refTable: x.reftable, onDelete: innodbRule(x.del), onUpdate: innodbRule(x.upd) };
      fk.columns.push(x.col);
      by.set(x.name, fk);
    }
    return [...by.values()];
  },
  async uniques(db, table) {
    // A UNIQUE constraint is a unique index here; both go with DROP INDEX.
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select index_name as name, column_name as col from information_schema.statistics
          where table_schema = database() and table_name = ${table} and non_unique = 0 and index_name <> 'PRIMARY'
          order by index_name, seq_in_index`,
    );
    const by = new Map<string, string[]>();
    for (const raw of r) {
      const x = lc<{ name: string; col: string }>(raw);
      by.set(x.name, [...(by.get(x.name) ?? []), x.col]);
    }
    return [...by].map(([name, columns]) => ({ name, columns, index: true }));
  },
  async triggers(db, table) {
    const r = await catalogRows<Record<string, unknown>>(
      db,
      sql`select trigger_name as name from information_schema.triggers where trigger_schema = database() and event_object_table = ${table}`,
    );
    return r.map((x) => lc<{ name: string }>(x).name);
  },
};
