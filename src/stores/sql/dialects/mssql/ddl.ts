/** How migrations change a SQL Server schema: the DDL traits of this dialect. */
import { canonType, pgStyleName, type DdlTraits } from '../schema.js';
import { mssqlCatalog } from './catalog.js';

export const mssqlDdl: DdlTraits = {
  catalog: mssqlCatalog,
  quote: (id) => `[${id}]`,
  autoIncrement: (t) => `${t.integer} IDENTITY(1,1)`,
  booleanCheck: false,
  uniqueSameAsPrimaryKey: false,
  autoName: pgStyleName,
  defaultClause: (t, c, v) => `CONSTRAINT [${t}_${c}_default] DEFAULT ${v}`,
  generatedColumn: (_type, expr) => `AS (${expr}) PERSISTED`,
  rebuildsTables: false,
  alterColumn(table, c, types, cur) {
    const type = c.type(types);
    if (canonType(type) === cur.type && c.nullable === cur.nullable) return [];
    return [`ALTER TABLE [${table}] ALTER COLUMN [${c.name}] ${type}${c.nullable ? ' NULL' : ' NOT NULL'}`];
  },
  dropPrimaryKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropForeignKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropCheck: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropUnique: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropIndex: (table, name) => `DROP INDEX [${name}] ON [${table}]`,
};
