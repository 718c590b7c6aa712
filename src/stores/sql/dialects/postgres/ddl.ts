/** How migrations change a PostgreSQL schema: the DDL traits of this dialect. */
import { canonType, canonDefault, pgStyleName, type DdlTraits } from '../schema.js';
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
};
