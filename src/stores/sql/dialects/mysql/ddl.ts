/** How migrations change a MySQL/MariaDB schema: the DDL traits of this dialect. */
import { columnDef, type DdlTraits } from '../schema.js';
import { mysqlCatalog } from './catalog.js';

export const mysqlDdl: DdlTraits = {
  catalog: mysqlCatalog,
  quote: (id) => `\`${id}\``,
  autoIncrement: (t) => `${t.integer} AUTO_INCREMENT`,
  booleanCheck: true,
  uniqueSameAsPrimaryKey: true,
  autoName: () => undefined,
  defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
  generatedColumn: (type, expr) => `${type} GENERATED ALWAYS AS (${expr}) STORED`,
  rebuildsTables: false,
  // MODIFY restates the whole column, so the default is kept (MLflow's 39d1c3be5f05 lost it here and
  // c48cb773bb87 put it back; mlf never loses it).
  alterColumn: (table, c, types) => [`ALTER TABLE \`${table}\` MODIFY COLUMN ${columnDef(mysqlDdl, types, table, c)}`],
  dropPrimaryKey: (table) => `ALTER TABLE \`${table}\` DROP PRIMARY KEY`,
  dropForeignKey: (table, name) => `ALTER TABLE \`${table}\` DROP FOREIGN KEY \`${name}\``,
  dropCheck: (table, name) => `ALTER TABLE \`${table}\` DROP CONSTRAINT \`${name}\``,
  dropUnique: (table, name) => `ALTER TABLE \`${table}\` DROP INDEX \`${name}\``,
  dropIndex: (table, name) => `ALTER TABLE \`${table}\` DROP INDEX \`${name}\``,
};
