/**
 * The schema toolkit the migrations are written in: declarative table specs, a catalog reader and a
 * handful of idempotent operations (create table/index, add column, alter table).
 *
 * Every operation reads the catalog first and does nothing when its change is already there. That is
 * what makes MySQL/MariaDB upgrades crash-safe (DDL commits by itself there, so an upgrade killed
 * half-way is finished by re-running the same migration), and it costs nothing elsewhere, where each
 * migration runs in one transaction anyway.
 *
 * Everything that differs between dialects in DDL sits in each dialect's traits (dialects/<name>/ddl.ts,
 * reached as `dialect.ddl`); migrations only ever see `MigrationContext`.
 *
 * @example
 * await ctx.ddl.createTable({
 *   name: 'experiment_tags',
 *   columns: [col('key', (t) => t.varchar(250), { nullable: false }), ...],
 *   primaryKey: { name: 'experiment_tag_pk', columns: ['key', 'experiment_id'] },
 * });
 */
import { sql } from 'kysely';
import type { Db, SqlDialect, TypeMap } from '../dialects/dialect.js';
import {
  canonDefault,
  canonType,
  catalogRows,
  columnDef,
  type Catalog,
  type CheckSpec,
  type ColumnSpec,
  type DdlTraits,
  type ForeignKeySpec,
  type ImmutableColumnsTrigger,
  type IndexSpec,
  type TableSpec,
  type UniqueSpec,
} from '../dialects/schema.js';

export type { CheckSpec, ColumnSpec, ForeignKeySpec, ImmutableColumnsTrigger, IndexSpec, TableSpec, UniqueSpec } from '../dialects/schema.js';

/** Shorthand for a column spec. */
export function col(
  name: string,
  type: (t: TypeMap) => string,
  opts: { nullable?: boolean; default?: string; autoIncrement?: boolean; booleanCheck?: boolean; generated?: string } = {},
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
  | { foreignKey: string[] }
  /** Add the target spec's UNIQUE on these columns. */
  | { unique: string[] }
  /** Drop any UNIQUE (constraint or unique index) on exactly these columns. */
  | { dropUnique: string[] }
  /** Drop an index by name. */
  | { dropIndex: string };

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
    this.traits = dialect.ddl;
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
      const n = u.name ?? tr.autoName('unique', spec.name, u.columns);
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
    await this.exec(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${q(ix.name)} ON ${q(table)} (${ix.columns.map(q).join(', ')})`);
  }

  async dropIndex(table: string, name: string): Promise<void> {
    if (!(await this.catalog.indexes(this.db, table)).includes(name)) return;
    await this.exec(this.traits.dropIndex(table, name));
  }

  /**
   * alembic's `alter_column(from, new_column_name=c.name, existing_nullable=...)`: done once (skipped
   * when `from` is gone), rendered by the dialect (see DdlTraits.renameColumn).
   */
  async renameColumn(table: string, from: string, c: ColumnSpec, existingNullable?: boolean): Promise<void> {
    if (!(await this.catalog.columns(this.db, table)).some((x) => x.name === from)) return;
    for (const s of this.traits.renameColumn(table, from, c, this.dialect.types, existingNullable)) await this.exec(s);
  }

  /** A trigger refusing updates of some columns, in the dialect's own procedural SQL; skipped if present. */
  async createImmutableColumnsTrigger(t: ImmutableColumnsTrigger): Promise<void> {
    if ((await this.catalog.triggers(this.db, t.table)).includes(t.name)) return;
    for (const s of this.traits.immutableColumnsTrigger(t)) await this.exec(s);
  }

  /**
   * Drop every UNIQUE (constraint or unique index) on exactly these columns, whatever its name: MLflow's
   * older UNIQUEs are unnamed, so each dialect named them itself (`experiments_name_key`, `name`, ...).
   */
  async dropUniqueOn(table: string, columns: string[]): Promise<void> {
    for (const u of await this.catalog.uniques(this.db, table)) {
      if (u.columns.join() !== columns.join()) continue;
      if (!u.name) throw new Error(`migration bug: the UNIQUE on ${table}(${columns.join(', ')}) has no name to drop; rebuild the table instead`);
      await this.exec(u.index ? this.traits.dropIndex(table, u.name) : this.traits.dropUnique(table, u.name));
    }
  }

  /** `op.create_unique_constraint`, unless a UNIQUE on the same columns is there. */
  async addUnique(table: string, u: UniqueSpec): Promise<void> {
    if ((await this.catalog.uniques(this.db, table)).some((x) => x.columns.join() === u.columns.join())) return;
    const q = this.traits.quote;
    const name = u.name ?? this.traits.autoName('unique', table, u.columns);
    await this.exec(`ALTER TABLE ${q(table)} ADD ${name ? `CONSTRAINT ${q(name)} ` : ''}UNIQUE (${u.columns.map(q).join(', ')})`);
  }

  /** Drop every FK from `table` to `refTable` (before the referenced key changes). */
  async dropForeignKeysTo(table: string, refTable: string): Promise<void> {
    for (const f of await this.catalog.foreignKeys(this.db, table)) {
      if (f.refTable !== refTable) continue;
      if (!f.name) throw new Error(`migration bug: the FK ${table} → ${refTable} has no name to drop; rebuild the table instead`);
      await this.exec(this.traits.dropForeignKey(table, f.name));
    }
  }

  /** `op.create_foreign_key`, unless an FK on the same columns to the same table is there. */
  async addForeignKey(table: string, fk: ForeignKeySpec): Promise<void> {
    const have = await this.catalog.foreignKeys(this.db, table);
    if (have.some((f) => f.columns.join() === fk.columns.join() && f.refTable === fk.refTable)) return;
    await this.exec(`ALTER TABLE ${this.traits.quote(table)} ADD ${this.foreignKeySql(table, fk)}`);
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
   * the other dialects apply each pending change with ALTER statements. On SQLite the table's indexes
   * and triggers are re-created after the rebuild.
   */
  async alterTable(target: TableSpec, changes: AlterChange[]): Promise<void> {
    const pending: AlterChange[] = [];
    for (const ch of changes) if (!(await this.satisfied(target, ch))) pending.push(ch);
    if (pending.length === 0) return;
    if (this.traits.rebuildsTables) {
      // Indexes the rebuild must not bring back: those dropped by name, and unique ones being dropped.
      const drop = new Set<string>();
      const uniques = await this.catalog.uniques(this.db, target.name);
      for (const ch of pending) {
        if ('dropIndex' in ch) drop.add(ch.dropIndex);
        if ('dropUnique' in ch) for (const u of uniques) if (u.index && u.name && u.columns.join() === ch.dropUnique.join()) drop.add(u.name);
      }
      return this.rebuild(target, drop);
    }
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
      } else if ('dropIndex' in ch) {
        await this.dropIndex(target.name, ch.dropIndex);
      } else if ('dropUnique' in ch) {
        await this.dropUniqueOn(target.name, ch.dropUnique);
      } else if ('unique' in ch) {
        const spec = target.unique!.find((u) => u.columns.join() === ch.unique.join())!;
        await this.addUnique(target.name, spec);
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

  /**
   * Bring a column that a primary key or an index covers to its spec. Where the dialect cannot alter
   * such a column in place (SQL Server), the key and those indexes (the target spec's) are dropped
   * first and re-created after, as MLflow's migrations do there; each step checks the catalog, so a
   * re-run finishes what is left.
   */
  async alterKeyColumn(target: TableSpec, column: string): Promise<void> {
    if (this.traits.altersKeyColumns !== false) return this.alterTable(target, [{ column }]);
    if (await this.satisfied(target, { column })) return;
    const t = target.name;
    const q = this.traits.quote;
    const inKey = target.primaryKey.columns.includes(column);
    const indexes = (target.indexes ?? []).filter((ix) => ix.columns.includes(column));
    if (inKey) {
      const cur = await this.catalog.primaryKey(this.db, t);
      if (cur.columns.length) await this.exec(this.traits.dropPrimaryKey(t, cur.name));
    }
    for (const ix of indexes) await this.dropIndex(t, ix.name);
    await this.alterTable(target, [{ column }]);
    if (inKey && (await this.catalog.primaryKey(this.db, t)).columns.length === 0) {
      await this.exec(`ALTER TABLE ${q(t)} ADD CONSTRAINT ${q(target.primaryKey.name)} PRIMARY KEY (${target.primaryKey.columns.map(q).join(', ')})`);
    }
    for (const ix of indexes) await this.createIndex(t, ix);
  }

  /** Whether the catalog already shows a change (so a re-run skips it). */
  async satisfied(target: TableSpec, ch: AlterChange): Promise<boolean> {
    const t = target.name;
    const cat = this.catalog;
    if ('column' in ch) {
      const spec = target.columns.find((c) => c.name === ch.column);
      if (!spec) throw new Error(`migration bug: column ${ch.column} is not in the spec of ${t}`);
      const cur = (await cat.columns(this.db, t)).find((c) => c.name === ch.column);
      if (!cur) return false;
      const type = spec.type(this.dialect.types);
      const typeOk = canonType(type) === cur.type;
      const defOk = spec.default === undefined || canonDefault(spec.default) === canonDefault(cur.default);
      // A COLLATE in the spec's type must be the column's (catalogs that cannot tell leave it undefined).
      const coll = /\scollate\s+(\S+)$/i.exec(type)?.[1];
      const collOk = !coll || cur.collation === undefined || cur.collation === coll;
      return typeOk && spec.nullable === cur.nullable && defOk && collOk;
    }
    if ('primaryKey' in ch) {
      return (await cat.primaryKey(this.db, t)).columns.join() === target.primaryKey.columns.join();
    }
    if ('dropCheck' in ch) {
      return !(await cat.checks(this.db, t)).some((c) => c.name === ch.dropCheck);
    }
    if ('dropIndex' in ch) return !(await cat.indexes(this.db, t)).includes(ch.dropIndex);
    if ('dropUnique' in ch || 'unique' in ch) {
      const cols = ('unique' in ch ? ch.unique : ch.dropUnique).join();
      if ('unique' in ch && !target.unique?.some((u) => u.columns.join() === cols)) {
        throw new Error(`migration bug: no UNIQUE on ${cols} in the spec of ${t}`);
      }
      const present = (await cat.uniques(this.db, t)).some((u) => u.columns.join() === cols);
      return 'unique' in ch ? present : !present;
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
   * columns both share, drop the old table, rename, re-create the old table's indexes and triggers
   * (dropping a table drops its triggers; alembic's batch mode loses them, which is why MLflow's
   * 1b5f0d9ad7c1 re-creates the secrets trigger by hand). The runner
   * turns `foreign_keys` off around the migration's transaction and runs `foreign_key_check` before
   * committing.
   */
  private async rebuild(target: TableSpec, dropIndexes: Set<string> = new Set()): Promise<void> {
    const q = this.traits.quote;
    const tmp = `_mlf_tmp_${target.name}`;
    const old = await this.catalog.columns(this.db, target.name);
    // The spec's own indexes are made from the spec (their columns may have changed); the others as they were.
    const fromSpec = new Set((target.indexes ?? []).map((ix) => ix.name));
    const indexSql = (
      await catalogRows<{ name: string; sql: string }>(
        this.db,
        sql`select name, sql from sqlite_master where type = 'index' and tbl_name = ${target.name} and sql is not null`,
      )
    )
      .filter((r) => !fromSpec.has(r.name) && !dropIndexes.has(r.name))
      .map((r) => r.sql);
    // DROP TABLE drops its triggers too; they come back on the new table (MLflow re-creates the
    // secrets trigger after its rebuilds).
    const triggerSql = (
      await catalogRows<{ sql: string }>(this.db, sql`select sql from sqlite_master where type = 'trigger' and tbl_name = ${target.name} and sql is not null`)
    ).map((r) => r.sql);
    await this.exec(`DROP TABLE IF EXISTS ${q(tmp)}`);
    await this.exec(this.createTableSql(target, tmp));
    // Generated columns are computed again by the new table, never copied.
    const shared = target.columns.filter((c) => !c.generated && old.some((o) => o.name === c.name)).map((c) => q(c.name));
    await this.exec(`INSERT INTO ${q(tmp)} (${shared.join(', ')}) SELECT ${shared.join(', ')} FROM ${q(target.name)}`);
    await this.exec(`DROP TABLE ${q(target.name)}`);
    await this.exec(`ALTER TABLE ${q(tmp)} RENAME TO ${q(target.name)}`);
    for (const s of indexSql) await this.exec(s);
    for (const ix of target.indexes ?? []) await this.createIndex(target.name, ix);
    for (const s of triggerSql) await this.exec(s);
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
  longText: (t: TypeMap) => t.longText,
  unicodeText: (t: TypeMap) => t.unicodeText,
  json: (t: TypeMap) => t.json,
  blob: (t: TypeMap) => t.blob,
  caseSensitiveVarchar: (n: number) => (t: TypeMap) => t.caseSensitiveVarchar(n),
  varchar: (n: number) => (t: TypeMap) => t.varchar(n),
  /**
   * SQLAlchemy's `Float()` without precision, as in MLflow's initial `metrics.value`: standard SQL
   * FLOAT (a double on PostgreSQL and SQL Server, 4 bytes on MySQL until 181f10493468 widens it).
   */
  plainFloat: () => 'FLOAT',
};
