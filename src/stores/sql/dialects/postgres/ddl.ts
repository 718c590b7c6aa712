/** How migrations change a PostgreSQL schema: the DDL traits of this dialect. */
import { canonType, canonDefault, pgStyleName, sqlLiteral, type DdlTraits } from '../schema.js';
import { postgresCatalog } from './catalog.js';

export const postgresDdl: DdlTraits = {
  catalog: postgresCatalog,
  quote: (id) => `"${id}"`,
  autoIncrement: () => 'SERIAL',
  booleanCheck: false,
  uniqueSameAsPrimaryKey: false,
  autoName: pgStyleName,
  defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
  generatedColumn: (type, expr) => `${type} GENERATED ALWAYS AS (${expr}) STORED`,
  rebuildsTables: false,
  alterColumn(table, c, types, cur) {
    const t = `ALTER TABLE "${table}" ALTER COLUMN "${c.name}"`;
    const out: string[] = [];
    const type = c.type(types);
    if (canonType(type) !== cur.type) out.push(`${t} TYPE ${type}`);
    if (c.nullable !== cur.nullable) out.push(`${t} ${c.nullable ? 'DROP' : 'SET'} NOT NULL`);
    if (c.default !== undefined && canonDefault(c.default) !== canonDefault(cur.default)) out.push(`${t} SET DEFAULT ${c.default}`);
    return out;
  },
  dropPrimaryKey: (table, name) => `ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`,
  dropForeignKey: (table, name) => `ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`,
  dropCheck: (table, name) => `ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`,
  dropUnique: (table, name) => `ALTER TABLE "${table}" DROP CONSTRAINT "${name}"`,
  dropIndex: (_table, name) => `DROP INDEX "${name}"`,
  renameColumn: (table, from, c) => [`ALTER TABLE "${table}" RENAME COLUMN "${from}" TO "${c.name}"`],
  // A trigger calls a function here: both carry the trigger's name, as in MLflow's database.
  immutableColumnsTrigger: (t) => [
    `CREATE OR REPLACE FUNCTION "${t.name}"() RETURNS TRIGGER AS $$\nBEGIN\n` +
      `  IF ${t.columns.map((c) => `OLD."${c}" != NEW."${c}"`).join(' OR ')} THEN\n` +
      `    RAISE EXCEPTION ${sqlLiteral(t.message)};\n  END IF;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql`,
    `CREATE TRIGGER "${t.name}" BEFORE UPDATE ON "${t.table}" FOR EACH ROW EXECUTE FUNCTION "${t.name}"()`,
  ],
};
