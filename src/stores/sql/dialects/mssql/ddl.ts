/** How migrations change a SQL Server schema: the DDL traits of this dialect. */
import { canonType, pgStyleName, sqlLiteral, type DdlTraits } from '../schema.js';
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
  altersKeyColumns: false,
  alterColumn(table, c, types, cur) {
    const type = c.type(types);
    // canonType leaves the collation out: a column that differs only by it (7c4d9e2f1a86) still changes.
    const coll = /\scollate\s+(\S+)$/i.exec(type)?.[1];
    const collOk = !coll || cur.collation === undefined || cur.collation === coll;
    if (canonType(type) === cur.type && c.nullable === cur.nullable && collOk) return [];
    return [`ALTER TABLE [${table}] ALTER COLUMN [${c.name}] ${type}${c.nullable ? ' NULL' : ' NOT NULL'}`];
  },
  dropPrimaryKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropForeignKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropCheck: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropUnique: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  dropIndex: (table, name) => `DROP INDEX [${name}] ON [${table}]`,
  renameColumn: (table, from, c) => [`EXEC sp_rename ${sqlLiteral(`${table}.${from}`)}, ${sqlLiteral(c.name)}, 'COLUMN'`],
  // SQL Server has no BEFORE UPDATE: an AFTER trigger rolls the statement back. It pairs old and new
  // rows by the key, as MLflow's does, so there a changed key itself goes unnoticed.
  immutableColumnsTrigger: (t) => [
    `CREATE TRIGGER [${t.name}] ON [${t.table}] AFTER UPDATE AS\nBEGIN\n  SET NOCOUNT ON;\n` +
      `  IF EXISTS (SELECT 1 FROM inserted i INNER JOIN deleted d ON i.[${t.key}] = d.[${t.key}] WHERE ` +
      t.columns.map((c) => `i.[${c}] != d.[${c}]`).join(' OR ') +
      `)\n  BEGIN\n    RAISERROR(${sqlLiteral(t.message)}, 16, 1);\n    ROLLBACK TRANSACTION;\n  END\nEND`,
  ],
};
