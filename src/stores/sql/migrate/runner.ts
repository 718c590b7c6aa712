/**
 * The migration runner: reads MLflow's `alembic_version`, works out what is pending and applies it one
 * migration at a time under the dialect's migration lock.
 *
 * Crash safety: where DDL is transactional (SQLite, PostgreSQL, SQL Server) each migration and its
 * `alembic_version` update commit together, so a kill leaves the previous revision. On MySQL/MariaDB
 * each step is catalog-guarded (see ddl.ts), and the revision is written after the steps, so a killed
 * upgrade re-runs the interrupted migration and completes it.
 *
 * Concurrency: the revision is re-read inside the lock and the transaction before every migration, so
 * a second `mlf db upgrade` waits and then finds the work done.
 */
import { sql } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import { maskUri } from '../../../tracking/uri.js';
import type { Db, SqlDialect } from '../dialects/dialect.js';
import type { SqlConnection } from '../connect.js';
import { createMlfIndexes } from './mlf-indexes.js';
import { Ddl, migrationContext, type Migration, type TableSpec, col, T } from './ddl.js';
import { MIGRATIONS } from '../../../../migrations/index.js';
import { HEAD_REVISION, OLDEST_OPEN_REVISION, assertDefaultWorkspaceOnly, assertTablesOf, currentRevision, storesOpen } from './head.js';
import { INITIAL_TABLES } from '../../../../migrations/0000-initial-tables.js';
import { headOfRelease, isRelease, releasesOf, revisionIndex, tablesAt } from './revisions.js';

export { HEAD_REVISION, OLDEST_OPEN_REVISION, assertTablesOf, currentRevision, storesOpen };

/** The tables of MLflow 2.17's schema (besides alembic_version): the chain's record is the one list. */
export const MLFLOW_TABLES = tablesAt('f5a4f2784254').filter((t) => t !== 'alembic_version');

const ALEMBIC_VERSION: TableSpec = {
  name: 'alembic_version',
  columns: [col('version_num', T.varchar(32), { nullable: false })],
  primaryKey: { name: 'alembic_version_pkc', columns: ['version_num'] },
};

/** `<revision> <slug>`, or `initial-tables` for step 0. */
export function migrationLabel(m: Migration): string {
  return m.revision ? `${m.revision} ${m.slug}` : m.slug;
}


/** Like currentRevision, but asks the catalog first: a failed query would abort a PostgreSQL transaction. */
async function readRevision(ddl: Ddl, tables: string[]): Promise<string | null> {
  return tables.includes('alembic_version') ? currentRevision(ddl.db) : null;
}

function unknownRevision(rev: string): MlfError {
  if (revisionIndex(rev) > revisionIndex(HEAD_REVISION)) {
    return new MlfError(
      `Database schema revision '${rev}' is MLflow's (${releasesOf(rev)}), but newer than mlf's head ${HEAD_REVISION} ` +
        `(${releasesOf(HEAD_REVISION)}): this mlf cannot open or upgrade it yet; nothing was changed.`,
      'INVALID_STATE',
    );
  }
  return new MlfError(
    `Database schema revision '${rev}' is not one mlf knows (mlf knows MLflow's revisions up to ${HEAD_REVISION}, ${releasesOf(HEAD_REVISION)}). ` +
      `It may come from a newer MLflow or from another tool's alembic_version table; nothing was changed.`,
    'INVALID_STATE',
  );
}

/**
 * `--to`: a revision id or an MLflow release (`2.17`, `3.0`), as the revision that release runs on.
 * Throws on a target mlf cannot reach.
 */
export function resolveTarget(to: string): string {
  if (isRelease(to)) {
    const rev = headOfRelease(to);
    if (!rev) throw new MlfError(`MLflow ${to} is older than 2.17: mlf upgrades to 2.17 (f5a4f2784254) at the earliest`, 'INVALID_PARAMETER_VALUE');
    if (MIGRATIONS.every((m) => m.revision !== rev)) {
      throw new MlfError(`MLflow ${to} runs on revision ${rev}, past mlf's head ${HEAD_REVISION}; mlf cannot upgrade that far yet`, 'INVALID_PARAMETER_VALUE');
    }
    return rev;
  }
  if (MIGRATIONS.some((m) => m.revision === to)) return to;
  if (revisionIndex(to) >= 0) throw new MlfError(`Revision ${to} is past mlf's head ${HEAD_REVISION}; mlf cannot upgrade that far yet`, 'INVALID_PARAMETER_VALUE');
  throw new MlfError(`'${to}' is neither an MLflow revision mlf knows nor an MLflow release (e.g. 2.17, 3.0)`, 'INVALID_PARAMETER_VALUE');
}

/**
 * What is pending from a revision. No revision: a database with none of MLflow's tables (or only some
 * of the initial ones, left by an interrupted first upgrade) starts from the initial tables.
 */
export function pendingFrom(rev: string | null, tables: string[], to: string = HEAD_REVISION): Migration[] {
  const all = pendingToHead(rev, tables);
  const end = all.findIndex((m) => m.revision === to);
  return end < 0 ? [] : all.slice(0, end + 1);
}

function pendingToHead(rev: string | null, tables: string[]): Migration[] {
  if (rev === null) {
    const present = MLFLOW_TABLES.filter((t) => tables.includes(t));
    const extra = present.filter((t) => !INITIAL_TABLES.includes(t));
    if (extra.length) {
      throw new MlfError(
        `The database holds MLflow tables (${present.join(', ')}) but no alembic_version revision, so mlf cannot tell which schema revision it is at; nothing was changed.`,
        'INVALID_STATE',
      );
    }
    // All initial tables there: step 0 is done (it creates them together).
    return present.length === INITIAL_TABLES.length ? MIGRATIONS.slice(1) : [...MIGRATIONS];
  }
  const i = MIGRATIONS.findIndex((m) => m.revision === rev);
  if (i < 0) throw unknownRevision(rev);
  return MIGRATIONS.slice(i + 1);
}

export interface SchemaStatus {
  current: string | null;
  head: string;
  /** Where this upgrade stops: the head, or `--to`'s revision. */
  target: string;
  pending: Migration[];
}

/** Current revision, head and what `upgrade` would apply (to `to`, default head); throws on an unknown revision. */
export async function schemaStatus(conn: SqlConnection, to: string = HEAD_REVISION): Promise<SchemaStatus> {
  const ddl = new Ddl(conn.db, conn.dialect);
  const tables = await ddl.catalog.tables(conn.db);
  const current = await readRevision(ddl, tables);
  const pending = pendingFrom(current, tables, to);
  if (current !== null) await assertTablesOf(current, tables);
  if (current !== null && pending.length === 0 && revisionIndex(current) < revisionIndex(to)) {
    throw new MlfError(`mlf has no migration path from ${current} to ${to}`, 'INVALID_STATE');
  }
  return { current, head: HEAD_REVISION, target: to, pending };
}

/**
 * Check the schema before a store uses it. Empty database: create everything at head. At head: return.
 * Otherwise throw MLflow's out-of-date message (naming `mlf db upgrade`), or say the revision is unknown.
 */
export async function ensureSchema(conn: SqlConnection): Promise<void> {
  const { current, pending } = await schemaStatus(conn);
  if (pending.length === 0 || storesOpen(current)) {
    if (current !== null) await assertDefaultWorkspaceOnly(conn.db, current);
    return;
  }
  if (current === null) {
    await upgrade(conn);
    return;
  }
  throw new MlfError(
    `Detected out-of-date database schema (found version ${current}, but expected ${HEAD_REVISION}). ` +
      `Take a backup of your database, then run 'mlf db upgrade ${maskUri(conn.uri.uri)}' to migrate your database to the latest schema. ` +
      `NOTE: schema migration may result in database downtime - please consult your database's documentation for more detail.`,
    'INVALID_STATE',
  );
}

export interface UpgradeOptions {
  /** List what is pending; change nothing. */
  dryRun?: boolean;
  /** Stop at this revision (see resolveTarget); default the head. */
  to?: string;
  /**
   * Called before anything is changed for each pending one-way migration (2d6e25af4d3e; 400f98739977,
   * the step into MLflow 3's schema), in order. Return false to cancel the upgrade.
   */
  onBeforeOneWay?: (m: Migration) => Promise<boolean>;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface UpgradeResult {
  from: string | null;
  to: string | null;
  applied: string[];
  /** The pending migrations (labels) found before the upgrade; what --dry-run lists. */
  pending: string[];
  /** The pending one-way migrations, each as `<label>: <why it cannot be undone>`. */
  oneWay: string[];
}

/** `<label>: <why>` for each one-way migration in a list (what the plan says before it starts). */
export function oneWayNotes(pending: Migration[]): string[] {
  if (pending[0]?.revision === null) return [];
  return pending.filter((m) => m.oneWay).map((m) => `${migrationLabel(m)}: ${m.oneWay}`);
}

/**
 * Upgrade a database to mlf's head (or `opts.to`), creating the whole schema when it is empty.
 *
 * @example
 * const conn = await connectSql(parseDbUri('sqlite:///mlflow.db'));
 * const { from, applied } = await upgrade(conn, { log: console.log });
 */
export async function upgrade(conn: SqlConnection, opts: UpgradeOptions = {}): Promise<UpgradeResult> {
  const { db, dialect } = conn;
  const log = opts.log ?? (() => undefined);
  const target = opts.to ?? HEAD_REVISION;
  const { current: from, pending } = await schemaStatus(conn, target);
  const labels = pending.map(migrationLabel);
  const notes = oneWayNotes(pending);
  if (opts.dryRun) return { from, to: from, applied: [], pending: labels, oneWay: notes };
  if (pending.length === 0) {
    // At the target already (perhaps a database MLflow made): still add mlf's own indexes.
    if (from !== null) await dialect.withMigrationLock(db, (ldb) => createMlfIndexes(ldb, dialect));
    return { from, to: from, applied: [], pending: labels, oneWay: notes };
  }

  // Creating the schema from nothing has no data to lose: ask only when upgrading an existing one.
  const oneWay = pending[0]!.revision === null ? [] : pending.filter((m) => m.oneWay);
  for (const m of oneWay) {
    if (opts.onBeforeOneWay && !(await opts.onBeforeOneWay(m))) {
      throw new MlfError(`Upgrade cancelled before ${migrationLabel(m)}; nothing was changed.`, 'ABORTED');
    }
  }

  const applied: string[] = [];
  await dialect.withMigrationLock(db, async (ldb) => {
    for (;;) {
      const t0 = performance.now();
      const m = await applyNext(ldb, dialect, target, log);
      if (!m) break;
      applied.push(migrationLabel(m));
      log(`Applied ${migrationLabel(m)} (${Math.round(performance.now() - t0)} ms)`);
    }
    // Under the lock: two PostgreSQL sessions running `create index if not exists` at once can both
    // pass the check and one fails on pg_class's unique key (two servers starting on an empty database).
    await createMlfIndexes(ldb, dialect);
  });
  const to = await currentRevision(db);
  return { from, to, applied, pending: labels, oneWay: notes };
}

/** Apply the next pending migration, re-reading the revision under the lock; undefined at head. */
async function applyNext(ldb: Db, dialect: SqlDialect, target: string, log: (line: string) => void): Promise<Migration | undefined> {
  const probe = new Ddl(ldb, dialect);
  const step = async (db: Db): Promise<Migration | undefined> => {
    const ddl = new Ddl(db, dialect);
    const tables = await ddl.catalog.tables(db);
    const m = pendingFrom(await readRevision(ddl, tables), tables, target)[0];
    if (!m) return undefined;
    log(`Applying ${migrationLabel(m)}`);
    await m.up(migrationContext(db, dialect, log));
    if (m.revision) await writeRevision(ddl, m.revision);
    await probe.traits.afterSteps?.(db);
    return m;
  };
  if (!dialect.capabilities.transactionalDdl) return step(ldb);
  await probe.traits.beforeTransaction?.(ldb);
  try {
    return await dialect.writeTransaction(ldb, (tx) => step(tx));
  } finally {
    await probe.traits.afterTransaction?.(ldb);
  }
}

async function writeRevision(ddl: Ddl, rev: string): Promise<void> {
  await ddl.createTable(ALEMBIC_VERSION);
  const r = await ddl.db.updateTable('alembic_version').set({ version_num: rev }).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) await ddl.db.insertInto('alembic_version').values({ version_num: rev }).execute();
}
