/** How migrations change a MySQL/MariaDB schema: the DDL traits of this dialect. */
import { columnDef, sqlLiteral, type DdlTraits } from '../schema.js';
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
  dropIndex: (table, name) => `DROP INDEX \`${name}\` ON \`${table}\``,
  // CHANGE restates the column; alembic writes NULL there unless told the column's nullability, which
  // is how MLflow's 5d2d30f0abce left jobs.job_name nullable on MySQL only.
  renameColumn: (table, from, c, types, existingNullable) => [
    `ALTER TABLE \`${table}\` CHANGE COLUMN \`${from}\` ${columnDef(mysqlDdl, types, table, { ...c, nullable: existingNullable ?? true })}`,
  ],
  // One statement over the wire: no DELIMITER is needed outside the mysql shell.
  immutableColumnsTrigger: (t) => [
    `CREATE TRIGGER \`${t.name}\` BEFORE UPDATE ON \`${t.table}\` FOR EACH ROW BEGIN\n` +
      `  IF ${t.columns.map((c) => `OLD.\`${c}\` != NEW.\`${c}\``).join(' OR ')} THEN\n` +
      `    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${sqlLiteral(t.message)};\n  END IF;\nEND`,
  ],
};
