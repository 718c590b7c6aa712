/** How migrations change a SQLite schema: the DDL traits of this dialect. */
import { sql } from 'kysely';
import { sqlLiteral, type DdlTraits } from '../schema.js';
import { sqliteCatalog } from './catalog.js';

export const sqliteDdl: DdlTraits = {
  catalog: sqliteCatalog,
  quote: (id) => `"${id}"`,
  // A single-column INTEGER primary key is SQLite's rowid: it auto-increments as MLflow's does.
  autoIncrement: (t) => t.integer,
  booleanCheck: true,
  uniqueSameAsPrimaryKey: true,
  autoName: () => undefined,
  defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
  generatedColumn: (type, expr) => `${type} GENERATED ALWAYS AS (${expr}) STORED`,
  rebuildsTables: true,
  alterColumn: () => {
    throw new Error('SQLite alters columns by rebuilding the table');
  },
  dropPrimaryKey: () => {
    throw new Error('SQLite alters keys by rebuilding the table');
  },
  dropForeignKey: () => {
    throw new Error('SQLite alters keys by rebuilding the table');
  },
  dropCheck: () => {
    throw new Error('SQLite alters constraints by rebuilding the table');
  },
  dropUnique: () => {
    throw new Error('SQLite alters constraints by rebuilding the table');
  },
  dropIndex: (_table, name) => `DROP INDEX "${name}"`,
  // alembic rebuilds the table for a rename; RENAME COLUMN (SQLite 3.25+) gives the same table and
  // indexes without copying the rows.
  renameColumn: (table, from, c) => [`ALTER TABLE "${table}" RENAME COLUMN "${from}" TO "${c.name}"`],
  immutableColumnsTrigger: (t) => [
    `CREATE TRIGGER "${t.name}" BEFORE UPDATE ON "${t.table}" FOR EACH ROW WHEN ` +
      t.columns.map((c) => `OLD."${c}" != NEW."${c}"`).join(' OR ') +
      ` BEGIN SELECT RAISE(ABORT, ${sqlLiteral(t.message)}); END`,
  ],
  // Rebuilds drop and rename tables that others reference: FKs off for the migration (as alembic's
  // batch mode needs), then foreign_key_check before commit so a broken reference rolls it back.
  async beforeTransaction(db) {
    await sql`PRAGMA foreign_keys = OFF`.execute(db);
  },
  async afterSteps(db) {
    const bad = (await sql<{ table: string; parent: string }>`PRAGMA foreign_key_check`.execute(db)).rows;
    if (bad.length) {
      const t = bad[0]!;
      throw new Error(`foreign_key_check found ${bad.length} broken reference(s), e.g. ${t.table} → ${t.parent}`);
    }
  },
  async afterTransaction(db) {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  },
};
