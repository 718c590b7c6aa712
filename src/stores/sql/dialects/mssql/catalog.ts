/** How mlf reads the schema of a SQL Server database (tables, columns, keys, indexes, checks). */
import { sql } from 'kysely';
import { canonType, catalogRows, rule, type Catalog, type CheckInfo, type ForeignKeyInfo } from '../schema.js';

export const mssqlCatalog: Catalog = {
  async tables(db) {
    const r = await catalogRows<{ name: string }>(
      db,
      sql`select TABLE_NAME as name from INFORMATION_SCHEMA.TABLES where TABLE_SCHEMA = schema_name() and TABLE_TYPE = 'BASE TABLE'`,
    );
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await catalogRows<{ name: string; type: string; len: number | null; nullable: string; dflt: string | null; coll: string | null }>(
      db,
      sql`select COLUMN_NAME as name, DATA_TYPE as type, CHARACTER_MAXIMUM_LENGTH as len, IS_NULLABLE as nullable, COLUMN_DEFAULT as dflt,
                 COLLATION_NAME as coll
          from INFORMATION_SCHEMA.COLUMNS where TABLE_SCHEMA = schema_name() and TABLE_NAME = ${table} order by ORDINAL_POSITION`,
    );
    return r.map((c) => ({
      name: c.name,
      type: canonType(c.type === 'float' ? 'float(53)' : c.len ? `${c.type}(${c.len})` : c.type),
      nullable: c.nullable === 'YES',
      default: c.dflt,
      collation: c.coll,
    }));
  },
  async primaryKey(db, table) {
    const r = await catalogRows<{ cname: string; name: string }>(
      db,
      sql`select tc.CONSTRAINT_NAME as cname, k.COLUMN_NAME as name from INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
          join INFORMATION_SCHEMA.KEY_COLUMN_USAGE k on k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME and k.TABLE_NAME = tc.TABLE_NAME
          where tc.TABLE_NAME = ${table} and tc.CONSTRAINT_TYPE = 'PRIMARY KEY' order by k.ORDINAL_POSITION`,
    );
    return { name: r[0]?.cname ?? null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from sys.indexes where object_id = object_id(${table}) and name is not null`);
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await catalogRows<{ name: string; clause: string }>(
      db,
      sql`select name, definition as clause from sys.check_constraints where parent_object_id = object_id(${table})`,
    );
    return r;
  },
  async foreignKeys(db, table) {
    const r = await catalogRows<{ name: string; reftable: string; del: string; upd: string; col: string }>(
      db,
      sql`select fk.name, object_name(fk.referenced_object_id) as reftable, fk.delete_referential_action_desc as del,
                 fk.update_referential_action_desc as upd, col_name(c.parent_object_id, c.parent_column_id) as col
          from sys.foreign_keys fk join sys.foreign_key_columns c on c.constraint_object_id = fk.object_id
          where fk.parent_object_id = object_id(${table}) order by fk.name, c.constraint_column_id`,
    );
    const by = new Map<string, ForeignKeyInfo>();
    for (const x of r) {
      const fk = by.get(x.name) ?? { name: x.name, columns: [], refTable: x.reftable, onDelete: rule(x.del), onUpdate: rule(x.upd) };
      fk.columns.push(x.col);
      by.set(x.name, fk);
    }
    return [...by.values()];
  },
  async uniques(db, table) {
    const r = await catalogRows<{ name: string; cons: boolean | number; col: string }>(
      db,
      sql`select i.name, i.is_unique_constraint as cons, col_name(c.object_id, c.column_id) as col
          from sys.indexes i join sys.index_columns c on c.object_id = i.object_id and c.index_id = i.index_id
          where i.object_id = object_id(${table}) and i.is_unique = 1 and i.is_primary_key = 0 and c.is_included_column = 0
          order by i.name, c.key_ordinal`,
    );
    const by = new Map<string, { name: string; columns: string[]; index: boolean }>();
    for (const x of r) {
      const u = by.get(x.name) ?? { name: x.name, columns: [], index: !x.cons };
      u.columns.push(x.col);
      by.set(x.name, u);
    }
    return [...by.values()];
  },
  async triggers(db, table) {
    const r = await catalogRows<{ name: string }>(db, sql`select name from sys.triggers where parent_id = object_id(${table})`);
    return r.map((x) => x.name);
  },
};
