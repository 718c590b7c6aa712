/**
 * The schema toolkit the migrations are written in: declarative table specs, a catalog reader and a
 * handful of idempotent operations (create table/index, add column, alter table).
 *
 * Every operation reads the catalog first and does nothing when its change is already there. That is
 * what makes MySQL/MariaDB upgrades crash-safe (DDL commits by itself there, so an upgrade killed
 * half-way is finished by re-running the same migration), and it costs nothing elsewhere, where each
 * migration runs in one transaction anyway.
 *
 * Everything that differs between dialects in DDL sits in {@link TRAITS}, the one place that knows a
 * dialect by name; migrations only ever see `MigrationContext`.
 *
 * @example
 * await ctx.ddl.createTable({
 *   name: 'experiment_tags',
 *   columns: [col('key', (t) => t.varchar(250), { nullable: false }), ...],
 *   primaryKey: { name: 'experiment_tag_pk', columns: ['key', 'experiment_id'] },
 * });
 */
import { sql } from 'kysely';
import type { SqlDialectName } from '../../../tracking/uri.js';
import type { Db, SqlDialect, TypeMap } from '../dialects/dialect.js';

export interface ColumnSpec {
  name: string;
  type: (t: TypeMap) => string;
  /** Default true. */
  nullable: boolean;
  /** A server default as an SQL literal, e.g. `'0'` (MLflow's `server_default="0"`). */
  default?: string;
  autoIncrement?: boolean;
  /** SQLAlchemy `Boolean(create_constraint=True)`: a CHECK (col IN (0, 1)) where booleans are integers. */
  booleanCheck?: boolean;
}

export interface ForeignKeySpec {
  /** MLflow's own name; unnamed FKs get the name the dialect itself would give (see autoName). */
  name?: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: 'CASCADE';
  onUpdate?: 'CASCADE';
}

export interface CheckSpec {
  name?: string;
  column: string;
  values: readonly string[];
}

export interface IndexSpec {
  name: string;
  columns: string[];
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  primaryKey: { name: string; columns: string[] };
  foreignKeys?: ForeignKeySpec[];
  checks?: CheckSpec[];
  /** UNIQUE constraints (unnamed in MLflow). */
  unique?: { columns: string[] }[];
  indexes?: IndexSpec[];
}

/** Shorthand for a column spec. */
export function col(
  name: string,
  type: (t: TypeMap) => string,
  opts: { nullable?: boolean; default?: string; autoIncrement?: boolean; booleanCheck?: boolean } = {},
): ColumnSpec {
  return { name, type, nullable: opts.nullable ?? true, ...opts } as ColumnSpec;
}

/** One change inside {@link Ddl.alterTable}; each is checked against the catalog before it is applied. */
export type AlterChange =
  /** Bring a column to its type/nullability/default in the target spec. */
  | { column: string }
  /** Make the primary key the target spec's. */
  | { primaryKey: true }
  /** Add a CHECK from the target spec (by column). */
  | { check: string }
  /** Add the boolean CHECK of a column, where the dialect has one. */
  | { booleanCheck: string }
  /** Drop a CHECK by name, if present. */
  | { dropCheck: string }
  /** Re-create the target spec's FK on these columns (e.g. to add ON DELETE CASCADE). */
  | { foreignKey: string[] };

// ---------------------------------------------------------------------------------------------
// Catalog

export interface ColumnInfo {
  name: string;
  /** Canonical type text (see canonType). */
  type: string;
  nullable: boolean;
  default: string | null;
}
export interface ForeignKeyInfo {
  name: string | null;
  columns: string[];
  refTable: string;
  onDelete: string;
  onUpdate: string;
}
export interface CheckInfo {
  name: string | null;
  clause: string;
}

/** Types compared across catalogs: lower case, no spaces, synonyms folded. */
export function canonType(t: string): string {
  let s = t.toLowerCase().replace(/\s+/g, ' ').trim();
  s = s.replace(/^character varying/, 'varchar').replace(/ /g, '');
  if (/^int(\(\d+\))?$/.test(s) || s === 'integer' || s === 'serial') return 'integer';
  if (/^bigint(\(\d+\))?$/.test(s)) return 'bigint';
  if (s === 'doubleprecision' || s === 'double' || s === 'float(53)') return 'double';
  if (s === 'tinyint(1)' || s === 'bool' || s === 'boolean' || s === 'bit') return 'boolean';
  if (s === 'varchar(max)' || s === 'varchar(-1)') return 'text';
  return s;
}

/** Default values compared across catalogs: `'0'::bigint`, `('0')`, `false`, `0` are all `0`. */
export function canonDefault(d: string | null | undefined): string | null {
  if (d === null || d === undefined || d.toUpperCase() === 'NULL') return null;
  let s = d.trim();
  for (;;) {
    const m = /^\((.*)\)$/s.exec(s);
    if (!m) break;
    s = m[1]!.trim();
  }
  s = s.replace(/::[a-z ]+$/i, '').replace(/^'(.*)'$/s, '$1');
  if (s === 'false') return '0';
  if (s === 'true') return '1';
  return s;
}

interface Catalog {
  tables(db: Db): Promise<string[]>;
  columns(db: Db, table: string): Promise<ColumnInfo[]>;
  primaryKey(db: Db, table: string): Promise<{ name: string | null; columns: string[] }>;
  indexes(db: Db, table: string): Promise<string[]>;
  checks(db: Db, table: string): Promise<CheckInfo[]>;
  foreignKeys(db: Db, table: string): Promise<ForeignKeyInfo[]>;
}

async function rows<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  return (await q.execute(db)).rows as T[];
}

const rule = (r: string | null | undefined) => (r ?? 'NO ACTION').toUpperCase().replace(/_/g, ' ');

const sqliteCatalog: Catalog = {
  async tables(db) {
    const r = await rows<{ name: string }>(db, sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`);
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await rows<{ name: string; type: string; notnull: number; dflt_value: string | null }>(
      db,
      sql`select name, type, "notnull", dflt_value from pragma_table_info(${table}) order by cid`,
    );
    return r.map((c) => ({ name: c.name, type: canonType(c.type), nullable: !c.notnull, default: c.dflt_value }));
  },
  async primaryKey(db, table) {
    const r = await rows<{ name: string }>(db, sql`select name from pragma_table_info(${table}) where pk > 0 order by pk`);
    return { name: null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await rows<{ name: string }>(db, sql`select name from sqlite_master where type = 'index' and tbl_name = ${table}`);
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await rows<{ sql: string }>(db, sql`select sql from sqlite_master where type = 'table' and name = ${table}`);
    return parseSqliteChecks(r[0]?.sql ?? '');
  },
  async foreignKeys(db, table) {
    const r = await rows<{ id: number; table: string; from: string; on_update: string; on_delete: string }>(
      db,
      sql`select id, "table", "from", on_update, on_delete from pragma_foreign_key_list(${table}) order by id, seq`,
    );
    const byId = new Map<number, ForeignKeyInfo>();
    for (const x of r) {
      const fk = byId.get(x.id) ?? { name: null, columns: [], refTable: x.table, onDelete: rule(x.on_delete), onUpdate: rule(x.on_update) };
      fk.columns.push(x.from);
      byId.set(x.id, fk);
    }
    return [...byId.values()];
  },
};

/** CHECK clauses of a SQLite CREATE TABLE statement (`CONSTRAINT name CHECK (...)` or bare `CHECK (...)`). */
export function parseSqliteChecks(createSql: string): CheckInfo[] {
  const out: CheckInfo[] = [];
  const re = /(?:CONSTRAINT\s+("?)(\w+)\1\s+)?CHECK\s*\(/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(createSql))) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < createSql.length && depth > 0; i++) {
      if (createSql[i] === '(') depth++;
      else if (createSql[i] === ')') depth--;
    }
    out.push({ name: m[2] ?? null, clause: createSql.slice(re.lastIndex, i - 1).trim() });
    re.lastIndex = i;
  }
  return out;
}

const pgTableOid = (table: string) =>
  sql`(select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relname = ${table} and c.relkind = 'r')`;

const PG_RULE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

const postgresCatalog: Catalog = {
  async tables(db) {
    const r = await rows<{ name: string }>(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    );
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await rows<{ name: string; type: string; notnull: boolean; dflt: string | null }>(
      db,
      sql`select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull,
                 pg_get_expr(d.adbin, d.adrelid) as dflt
          from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = ${pgTableOid(table)} and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    );
    return r.map((c) => ({ name: c.name, type: canonType(c.type), nullable: !c.notnull, default: c.dflt }));
  },
  async primaryKey(db, table) {
    const r = await rows<{ conname: string; name: string }>(
      db,
      sql`select c.conname, a.attname as name from pg_constraint c
          join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
          where c.contype = 'p' and c.conrelid = ${pgTableOid(table)} order by array_position(c.conkey, a.attnum)`,
    );
    return { name: r[0]?.conname ?? null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await rows<{ name: string }>(
      db,
      sql`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`,
    );
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await rows<{ name: string; def: string }>(
      db,
      sql`select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where contype = 'c' and conrelid = ${pgTableOid(table)}`,
    );
    return r.map((x) => ({ name: x.name, clause: x.def }));
  },
  async foreignKeys(db, table) {
    const r = await rows<{ name: string; reftable: string; cols: string[] | string; del: string; upd: string }>(
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
};

/** information_schema column names come back upper- or lower-case depending on server and driver. */
function lc<T>(r: Record<string, unknown>): T {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) o[k.toLowerCase()] = v;
  return o as T;
}

const mysqlCatalog: Catalog = {
  async tables(db) {
    const r = await rows<Record<string, unknown>>(
      db,
      sql`select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'`,
    );
    return r.map((x) => lc<{ name: string }>(x).name);
  },
  async columns(db, table) {
    const r = await rows<Record<string, unknown>>(
      db,
      sql`select column_name as name, column_type as type, is_nullable as nullable, column_default as dflt
          from information_schema.columns where table_schema = database() and table_name = ${table} order by ordinal_position`,
    );
    return r.map((x) => {
      const c = lc<{ name: string; type: string; nullable: string; dflt: string | null }>(x);
      return { name: c.name, type: canonType(c.type), nullable: c.nullable === 'YES', default: c.dflt };
    });
  },
  async primaryKey(db, table) {
    const r = await rows<Record<string, unknown>>(
      db,
      sql`select column_name as name from information_schema.statistics
          where table_schema = database() and table_name = ${table} and index_name = 'PRIMARY' order by seq_in_index`,
    );
    return { name: r.length ? 'PRIMARY' : null, columns: r.map((x) => lc<{ name: string }>(x).name) };
  },
  async indexes(db, table) {
    const r = await rows<Record<string, unknown>>(
      db,
      sql`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${table}`,
    );
    return r.map((x) => lc<{ name: string }>(x).name);
  },
  async checks(db, table) {
    // MariaDB keeps check names per table (CONSTRAINT_1 in many tables) and has a table_name column;
    // MySQL 8 names them per schema and needs table_constraints for the table.
    try {
      const r = await rows<Record<string, unknown>>(
        db,
        sql`select constraint_name as name, check_clause as clause from information_schema.check_constraints
            where constraint_schema = database() and table_name = ${table}`,
      );
      return r.map((x) => lc<CheckInfo>(x));
    } catch {
      const r = await rows<Record<string, unknown>>(
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
    const r = await rows<Record<string, unknown>>(
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
      const fk = by.get(x.name) ?? { name: x.name, columns: [], refTable: x.reftable, onDelete: rule(x.del), onUpdate: rule(x.upd) };
      fk.columns.push(x.col);
      by.set(x.name, fk);
    }
    return [...by.values()];
  },
};

const mssqlCatalog: Catalog = {
  async tables(db) {
    const r = await rows<{ name: string }>(
      db,
      sql`select TABLE_NAME as name from INFORMATION_SCHEMA.TABLES where TABLE_SCHEMA = schema_name() and TABLE_TYPE = 'BASE TABLE'`,
    );
    return r.map((x) => x.name);
  },
  async columns(db, table) {
    const r = await rows<{ name: string; type: string; len: number | null; nullable: string; dflt: string | null }>(
      db,
      sql`select COLUMN_NAME as name, DATA_TYPE as type, CHARACTER_MAXIMUM_LENGTH as len, IS_NULLABLE as nullable, COLUMN_DEFAULT as dflt
          from INFORMATION_SCHEMA.COLUMNS where TABLE_SCHEMA = schema_name() and TABLE_NAME = ${table} order by ORDINAL_POSITION`,
    );
    return r.map((c) => ({
      name: c.name,
      type: canonType(c.type === 'float' ? 'float(53)' : c.len ? `${c.type}(${c.len})` : c.type),
      nullable: c.nullable === 'YES',
      default: c.dflt,
    }));
  },
  async primaryKey(db, table) {
    const r = await rows<{ cname: string; name: string }>(
      db,
      sql`select tc.CONSTRAINT_NAME as cname, k.COLUMN_NAME as name from INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
          join INFORMATION_SCHEMA.KEY_COLUMN_USAGE k on k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME and k.TABLE_NAME = tc.TABLE_NAME
          where tc.TABLE_NAME = ${table} and tc.CONSTRAINT_TYPE = 'PRIMARY KEY' order by k.ORDINAL_POSITION`,
    );
    return { name: r[0]?.cname ?? null, columns: r.map((x) => x.name) };
  },
  async indexes(db, table) {
    const r = await rows<{ name: string }>(db, sql`select name from sys.indexes where object_id = object_id(${table}) and name is not null`);
    return r.map((x) => x.name);
  },
  async checks(db, table) {
    const r = await rows<{ name: string; clause: string }>(
      db,
      sql`select name, definition as clause from sys.check_constraints where parent_object_id = object_id(${table})`,
    );
    return r;
  },
  async foreignKeys(db, table) {
    const r = await rows<{ name: string; reftable: string; del: string; upd: string; col: string }>(
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
};

// ---------------------------------------------------------------------------------------------
// Dialect traits: the only place in the migration code that knows dialects by name.

interface DdlTraits {
  catalog: Catalog;
  quote(id: string): string;
  /** Column type text for an auto-increment integer key. */
  autoIncrement(types: TypeMap): string;
  /** Booleans are integers here, so SQLAlchemy adds CHECK (col IN (0, 1)). */
  booleanCheck: boolean;
  /**
   * Whether MLflow's `unique=True` on a primary-key column shows up as its own UNIQUE constraint
   * (registered_models.name). It does on SQLite and MySQL; MLflow's PostgreSQL and SQL Server
   * databases have only the primary key.
   */
  uniqueSameAsPrimaryKey: boolean;
  /**
   * The name of a constraint MLflow leaves unnamed, as this dialect would name it itself. SQL Server's
   * own names are random (FK__runs__experim__3A81B327), so mlf names everything there. On MySQL the
   * names InnoDB/MariaDB pick (`runs_ibfk_1`, `CONSTRAINT_1`) are deterministic, and leaving the FK
   * unnamed is what gives its supporting index MLflow's name (`KEY experiment_id`); undefined = unnamed.
   */
  autoName(kind: 'fk' | 'check' | 'unique', table: string, columns: string[]): string | undefined;
  /** `DEFAULT x` in a column definition (SQL Server: a named default constraint). */
  defaultClause(table: string, column: string, value: string): string;
  /** SQLite cannot ALTER constraints or column types: batch changes rebuild the table. */
  rebuildsTables: boolean;
  /** Statements that bring a column to its spec (not on SQLite). */
  alterColumn(table: string, c: ColumnSpec, types: TypeMap, current: ColumnInfo): string[];
  dropPrimaryKey(table: string, name: string | null): string;
  dropForeignKey(table: string, name: string): string;
  dropCheck(table: string, name: string): string;
  /** Before a migration's transaction (SQLite: `foreign_keys` can only change outside one). */
  beforeTransaction?(db: Db): Promise<void>;
  /** Inside the transaction, after the steps: fail (and roll back) if the data no longer holds. */
  afterSteps?(db: Db): Promise<void>;
  afterTransaction?(db: Db): Promise<void>;
}

const pgStyleName = (kind: 'fk' | 'check' | 'unique', table: string, columns: string[]) =>
  `${table}_${columns.join('_')}_${kind === 'fk' ? 'fkey' : kind === 'check' ? 'check' : 'key'}`;

function columnDef(tr: DdlTraits, types: TypeMap, table: string, c: ColumnSpec): string {
  const type = c.autoIncrement ? tr.autoIncrement(types) : c.type(types);
  const dflt = c.default !== undefined ? ` ${tr.defaultClause(table, c.name, c.default)}` : '';
  return `${tr.quote(c.name)} ${type}${dflt}${c.nullable ? '' : ' NOT NULL'}`;
}

const TRAITS: Record<SqlDialectName, DdlTraits> = {
  sqlite: {
    catalog: sqliteCatalog,
    quote: (id) => `"${id}"`,
    // A single-column INTEGER primary key is SQLite's rowid: it auto-increments as MLflow's does.
    autoIncrement: (t) => t.integer,
    booleanCheck: true,
    uniqueSameAsPrimaryKey: true,
    autoName: () => undefined,
    defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
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
  },
  postgresql: {
    catalog: postgresCatalog,
    quote: (id) => `"${id}"`,
    autoIncrement: () => 'SERIAL',
    booleanCheck: false,
    uniqueSameAsPrimaryKey: false,
    autoName: pgStyleName,
    defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
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
  },
  mysql: {
    catalog: mysqlCatalog,
    quote: (id) => `\`${id}\``,
    autoIncrement: (t) => `${t.integer} AUTO_INCREMENT`,
    booleanCheck: true,
    uniqueSameAsPrimaryKey: true,
    autoName: () => undefined,
    defaultClause: (_t, _c, v) => `DEFAULT ${v}`,
    rebuildsTables: false,
    // MODIFY restates the whole column, so the default is kept (MLflow's 39d1c3be5f05 lost it here and
    // c48cb773bb87 put it back; mlf never loses it).
    alterColumn: (table, c, types) => [`ALTER TABLE \`${table}\` MODIFY COLUMN ${columnDef(TRAITS.mysql, types, table, c)}`],
    dropPrimaryKey: (table) => `ALTER TABLE \`${table}\` DROP PRIMARY KEY`,
    dropForeignKey: (table, name) => `ALTER TABLE \`${table}\` DROP FOREIGN KEY \`${name}\``,
    dropCheck: (table, name) => `ALTER TABLE \`${table}\` DROP CONSTRAINT \`${name}\``,
  },
  mssql: {
    catalog: mssqlCatalog,
    quote: (id) => `[${id}]`,
    autoIncrement: (t) => `${t.integer} IDENTITY(1,1)`,
    booleanCheck: false,
    uniqueSameAsPrimaryKey: false,
    autoName: pgStyleName,
    defaultClause: (t, c, v) => `CONSTRAINT [${t}_${c}_default] DEFAULT ${v}`,
    rebuildsTables: false,
    alterColumn(table, c, types, cur) {
      const type = c.type(types);
      if (canonType(type) === cur.type && c.nullable === cur.nullable) return [];
      return [`ALTER TABLE [${table}] ALTER COLUMN [${c.name}] ${type}${c.nullable ? ' NULL' : ' NOT NULL'}`];
    },
    dropPrimaryKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
    dropForeignKey: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
    dropCheck: (table, name) => `ALTER TABLE [${table}] DROP CONSTRAINT [${name}]`,
  },
};

// ---------------------------------------------------------------------------------------------
// Operations

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * TEST-ONLY: `MLF_TEST_MIGRATION_DELAY_MS` makes every DDL step wait that long first, so the crash
 * tests can SIGKILL an upgrade between two steps. Never set it in real use.
 */
function testDelayMs(): number {
  const v = Number(process.env.MLF_TEST_MIGRATION_DELAY_MS ?? 0);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

export class Ddl {
  readonly traits: DdlTraits;
  constructor(
    readonly db: Db,
    readonly dialect: SqlDialect,
  ) {
    this.traits = TRAITS[dialect.name];
  }

  get catalog(): Catalog {
    return this.traits.catalog;
  }

  /** Run one DDL/DML statement (after the test-only delay). */
  async exec(text: string): Promise<void> {
    const d = testDelayMs();
    if (d) await sleep(d);
    await sql.raw(text).execute(this.db);
  }

  async tableExists(table: string): Promise<boolean> {
    return (await this.catalog.tables(this.db)).includes(table);
  }

  /** CREATE TABLE with every constraint named as MLflow names it, then its indexes; skipped if present. */
  async createTable(spec: TableSpec): Promise<void> {
    if (!(await this.tableExists(spec.name))) await this.exec(this.createTableSql(spec, spec.name));
    for (const ix of spec.indexes ?? []) await this.createIndex(spec.name, ix);
  }

  createTableSql(spec: TableSpec, as: string): string {
    const tr = this.traits;
    const q = tr.quote;
    const types = this.dialect.types;
    const parts = spec.columns.map((c) => columnDef(tr, types, spec.name, c));
    parts.push(`CONSTRAINT ${q(spec.primaryKey.name)} PRIMARY KEY (${spec.primaryKey.columns.map(q).join(', ')})`);
    for (const ch of this.allChecks(spec)) parts.push(this.checkSql(spec.name, ch));
    for (const u of spec.unique ?? []) {
      const samePk = u.columns.join() === spec.primaryKey.columns.join();
      if (samePk && !tr.uniqueSameAsPrimaryKey) continue;
      const n = tr.autoName('unique', spec.name, u.columns);
      parts.push(`${n ? `CONSTRAINT ${q(n)} ` : ''}UNIQUE (${u.columns.map(q).join(', ')})`);
    }
    for (const fk of spec.foreignKeys ?? []) parts.push(this.foreignKeySql(spec.name, fk));
    return `CREATE TABLE ${q(as)} (\n\t${parts.join(',\n\t')}\n)`;
  }

  /** The spec's CHECKs plus the boolean ones this dialect needs. */
  private allChecks(spec: TableSpec): CheckSpec[] {
    const out = [...(spec.checks ?? [])];
    if (this.traits.booleanCheck) {
      for (const c of spec.columns) if (c.booleanCheck) out.push({ column: c.name, values: ['0', '1'] });
    }
    return out;
  }

  private checkSql(table: string, ch: CheckSpec): string {
    const q = this.traits.quote;
    const name = ch.name ?? this.traits.autoName('check', table, [ch.column]);
    const isBool = ch.values.length === 2 && ch.values[0] === '0' && ch.values[1] === '1';
    const list = isBool ? '0, 1' : ch.values.map((v) => `'${v}'`).join(', ');
    return `${name ? `CONSTRAINT ${q(name)} ` : ''}CHECK (${q(ch.column)} IN (${list}))`;
  }

  private foreignKeySql(table: string, fk: ForeignKeySpec): string {
    const q = this.traits.quote;
    const name = fk.name ?? this.traits.autoName('fk', table, fk.columns);
    return (
      `${name ? `CONSTRAINT ${q(name)} ` : ''}FOREIGN KEY (${fk.columns.map(q).join(', ')}) ` +
      `REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})` +
      (fk.onDelete ? ` ON DELETE ${fk.onDelete}` : '') +
      (fk.onUpdate ? ` ON UPDATE ${fk.onUpdate}` : '')
    );
  }

  async createIndex(table: string, ix: IndexSpec): Promise<void> {
    if ((await this.catalog.indexes(this.db, table)).includes(ix.name)) return;
    const q = this.traits.quote;
    await this.exec(`CREATE INDEX ${q(ix.name)} ON ${q(table)} (${ix.columns.map(q).join(', ')})`);
  }

  /** `op.add_column`: a plain ALTER TABLE ADD on every dialect (SQLite included, as alembic does). */
  async addColumn(table: string, c: ColumnSpec): Promise<void> {
    const cols = await this.catalog.columns(this.db, table);
    if (cols.some((x) => x.name === c.name)) return;
    const tr = this.traits;
    await this.exec(`ALTER TABLE ${tr.quote(table)} ADD ${columnDef(tr, this.dialect.types, table, c)}`);
  }

  /**
   * alembic's `batch_alter_table`: bring `target.name` to `target` through `changes`. SQLite rebuilds
   * the table (create new, copy, drop, rename, re-create its indexes) when any change is pending;
   * the other dialects apply each pending change with ALTER statements.
   */
  async alterTable(target: TableSpec, changes: AlterChange[]): Promise<void> {
    const pending: AlterChange[] = [];
    for (const ch of changes) if (!(await this.satisfied(target, ch))) pending.push(ch);
    if (pending.length === 0) return;
    if (this.traits.rebuildsTables) return this.rebuild(target);
    const tr = this.traits;
    // A primary key goes first and comes back last: SQL Server cannot alter a key column, and MySQL
    // cannot drop a key column's NOT NULL while it is in the key.
    const pk = pending.some((c) => 'primaryKey' in c);
    if (pk) {
      const cur = await this.catalog.primaryKey(this.db, target.name);
      if (cur.columns.length) await this.exec(tr.dropPrimaryKey(target.name, cur.name));
    }
    for (const ch of pending) {
      if ('column' in ch) {
        const spec = target.columns.find((c) => c.name === ch.column)!;
        const cur = (await this.catalog.columns(this.db, target.name)).find((c) => c.name === ch.column);
        if (!cur) {
          await this.addColumn(target.name, spec);
        } else {
          for (const s of tr.alterColumn(target.name, spec, this.dialect.types, cur)) await this.exec(s);
        }
      } else if ('dropCheck' in ch) {
        await this.exec(tr.dropCheck(target.name, ch.dropCheck));
      } else if ('check' in ch) {
        const spec = target.checks!.find((c) => c.column === ch.check)!;
        await this.exec(`ALTER TABLE ${tr.quote(target.name)} ADD ${this.checkSql(target.name, spec)}`);
      } else if ('booleanCheck' in ch) {
        await this.exec(`ALTER TABLE ${tr.quote(target.name)} ADD ${this.checkSql(target.name, { column: ch.booleanCheck, values: ['0', '1'] })}`);
      } else if ('foreignKey' in ch) {
        const spec = target.foreignKeys!.find((f) => f.columns.join() === ch.foreignKey.join())!;
        const name = spec.name ?? tr.autoName('fk', target.name, spec.columns);
        const existing = (await this.catalog.foreignKeys(this.db, target.name)).filter(
          (f) => f.columns.join() === spec.columns.join() || (name && f.name === name),
        );
        for (const f of existing) if (f.name) await this.exec(tr.dropForeignKey(target.name, f.name));
        await this.exec(`ALTER TABLE ${tr.quote(target.name)} ADD ${this.foreignKeySql(target.name, spec)}`);
      }
    }
    if (pk) {
      const q = tr.quote;
      await this.exec(
        `ALTER TABLE ${q(target.name)} ADD CONSTRAINT ${q(target.primaryKey.name)} PRIMARY KEY (${target.primaryKey.columns.map(q).join(', ')})`,
      );
    }
  }

  /** Whether the catalog already shows a change (so a re-run skips it). */
  private async satisfied(target: TableSpec, ch: AlterChange): Promise<boolean> {
    const t = target.name;
    const cat = this.catalog;
    if ('column' in ch) {
      const spec = target.columns.find((c) => c.name === ch.column);
      if (!spec) throw new Error(`migration bug: column ${ch.column} is not in the spec of ${t}`);
      const cur = (await cat.columns(this.db, t)).find((c) => c.name === ch.column);
      if (!cur) return false;
      const typeOk = canonType(spec.type(this.dialect.types)) === cur.type;
      const defOk = spec.default === undefined || canonDefault(spec.default) === canonDefault(cur.default);
      return typeOk && spec.nullable === cur.nullable && defOk;
    }
    if ('primaryKey' in ch) {
      return (await cat.primaryKey(this.db, t)).columns.join() === target.primaryKey.columns.join();
    }
    if ('dropCheck' in ch) {
      return !(await cat.checks(this.db, t)).some((c) => c.name === ch.dropCheck);
    }
    if ('check' in ch || 'booleanCheck' in ch) {
      const column = 'check' in ch ? ch.check : ch.booleanCheck;
      if ('booleanCheck' in ch && !this.traits.booleanCheck) return true;
      const spec = 'check' in ch ? target.checks?.find((c) => c.column === column) : undefined;
      if ('check' in ch && !spec) throw new Error(`migration bug: no check on ${column} in the spec of ${t}`);
      const name = spec?.name ?? this.traits.autoName('check', t, [column]);
      const checks = await cat.checks(this.db, t);
      // Unnamed (MySQL, SQLite): any check on the column that lists its values counts.
      const values = spec ? spec.values : ['0', '1'];
      return checks.some((c) =>
        name && c.name !== null && !/^CONSTRAINT_\d+$/.test(c.name)
          ? c.name === name
          : new RegExp(`\\b${column}\\b`).test(c.clause) && values.every((v) => c.clause.includes(v)),
      );
    }
    const spec = target.foreignKeys!.find((f) => f.columns.join() === ch.foreignKey.join());
    if (!spec) throw new Error(`migration bug: no FK on ${ch.foreignKey.join()} in the spec of ${t}`);
    const fks = await cat.foreignKeys(this.db, t);
    return fks.some(
      (f) =>
        f.columns.join() === spec.columns.join() &&
        f.refTable === spec.refTable &&
        f.onDelete === (spec.onDelete ?? 'NO ACTION') &&
        f.onUpdate === (spec.onUpdate ?? 'NO ACTION'),
    );
  }

  /**
   * SQLite batch mode, as alembic does it: new table under a temporary name, copy the rows of the
   * columns both share, drop the old table, rename, re-create the old table's indexes. The runner
   * turns `foreign_keys` off around the migration's transaction and runs `foreign_key_check` before
   * committing.
   */
  private async rebuild(target: TableSpec): Promise<void> {
    const q = this.traits.quote;
    const tmp = `_mlf_tmp_${target.name}`;
    const old = await this.catalog.columns(this.db, target.name);
    const indexSql = (
      await rows<{ sql: string }>(this.db, sql`select sql from sqlite_master where type = 'index' and tbl_name = ${target.name} and sql is not null`)
    ).map((r) => r.sql);
    await this.exec(`DROP TABLE IF EXISTS ${q(tmp)}`);
    await this.exec(this.createTableSql(target, tmp));
    const shared = target.columns.filter((c) => old.some((o) => o.name === c.name)).map((c) => q(c.name));
    await this.exec(`INSERT INTO ${q(tmp)} (${shared.join(', ')}) SELECT ${shared.join(', ')} FROM ${q(target.name)}`);
    await this.exec(`DROP TABLE ${q(target.name)}`);
    await this.exec(`ALTER TABLE ${q(tmp)} RENAME TO ${q(target.name)}`);
    for (const s of indexSql) await this.exec(s);
    for (const ix of target.indexes ?? []) await this.createIndex(target.name, ix);
  }
}

/** What a migration gets: the connection (a transaction where DDL is transactional) and the toolkit. */
export interface MigrationContext {
  db: Db;
  dialect: SqlDialect;
  ddl: Ddl;
  log(line: string): void;
}

export function migrationContext(db: Db, dialect: SqlDialect, log: (line: string) => void = () => undefined): MigrationContext {
  return { db, dialect, ddl: new Ddl(db, dialect), log };
}

export interface Migration {
  /** MLflow's alembic revision id; `null` for the initial tables (before alembic's first revision). */
  revision: string | null;
  downRevision: string | null;
  slug: string;
  /** Cannot be undone: `db upgrade` asks about a backup first. */
  oneWay?: string;
  up(ctx: MigrationContext): Promise<void>;
}

/** Dialect-free helpers shared by several migrations. */
export const BOOL_01 = ['0', '1'] as const;

/** Column types by role, resolved through the dialect's type map. */
export const T = {
  integer: (t: TypeMap) => t.integer,
  bigint: (t: TypeMap) => t.bigint,
  /** Float(53). */
  double: (t: TypeMap) => t.float,
  boolean: (t: TypeMap) => t.boolean,
  text: (t: TypeMap) => t.text,
  mediumText: (t: TypeMap) => t.mediumText,
  varchar: (n: number) => (t: TypeMap) => t.varchar(n),
  /**
   * SQLAlchemy's `Float()` without precision, as in MLflow's initial `metrics.value`: standard SQL
   * FLOAT (a double on PostgreSQL and SQL Server, 4 bytes on MySQL until 181f10493468 widens it).
   */
  plainFloat: () => 'FLOAT',
};
