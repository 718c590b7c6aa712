/**
 * The schema head and how to read a database's revision: all a store needs on every open, kept
 * apart from the migrations so that opening a database at head loads none of them.
 */
import { sql } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import type { Db } from '../dialects/dialect.js';
import { revisionIndex, tablesAt } from './revisions.js';
import { MAX_EXPERIMENT_TAG_VAL_LENGTH, MAX_EXPERIMENT_TAG_VAL_LENGTH_MLFLOW3 } from '../../../tracking/validation.js';

/** The newest revision mlf's migrations reach (test/migrations/revisions.test.ts keeps it so). */
export const HEAD_REVISION = '7c4d9e2f1a86';

/** MLflow 2.17's head: the oldest revision the stores open without an upgrade. */
export const OLDEST_OPEN_REVISION = 'f5a4f2784254';

/**
 * True for a revision the stores work on as it is: from MLflow 2.17's head to mlf's head. Every
 * change in between is additive for what the stores read and write (new tables, columns with
 * server defaults, cascading FKs), so no upgrade is needed and MLflow's own servers keep working.
 */
export function storesOpen(rev: string | null): boolean {
  if (rev === null) return false;
  const i = revisionIndex(rev);
  return i >= revisionIndex(OLDEST_OPEN_REVISION) && i <= revisionIndex(HEAD_REVISION);
}

/** 17e22815139b widens experiment_tags.value to TEXT; MLflow 3 then takes values up to 20,000 characters. */
const EXPERIMENT_TAG_TEXT_REVISION = '17e22815139b';

/** The longest experiment tag value a database at `rev` holds: MLflow's limit for that schema. */
export function experimentTagValueLimit(rev: string | null): number {
  const i = rev === null ? -1 : revisionIndex(rev);
  return i >= revisionIndex(EXPERIMENT_TAG_TEXT_REVISION) ? MAX_EXPERIMENT_TAG_VAL_LENGTH_MLFLOW3 : MAX_EXPERIMENT_TAG_VAL_LENGTH;
}

/**
 * 1b5f0d9ad7c1 (MLflow 3.10) gives experiments, the registry and other root tables a `workspace`
 * column and makes experiment names unique per workspace.
 */
export const WORKSPACE_REVISION = '1b5f0d9ad7c1';

/**
 * MLflow's workspace when workspaces are off, which is how mlf runs: rows are written in it and
 * looked up in it (`DEFAULT_WORKSPACE_NAME` in MLflow).
 */
export const DEFAULT_WORKSPACE = 'default';

/** Whether a database at `rev` has workspaces. */
export function hasWorkspaces(rev: string | null): boolean {
  return rev !== null && revisionIndex(rev) >= revisionIndex(WORKSPACE_REVISION);
}

/** 400f98739977 (MLflow 3.0) adds logged models, and runs' links to them in `inputs`. */
export const LOGGED_MODELS_REVISION = '400f98739977';

/** Whether a database at `rev` has logged models (a revision mlf does not know is taken as newer). */
export function hasLoggedModels(rev: string | null): boolean {
  return rev === null || revisionIndex(rev) < 0 || revisionIndex(rev) >= revisionIndex(LOGGED_MODELS_REVISION);
}

/** What the stores adapt to at a revision, read once per connection (see tracking/schema-features.ts). */
export interface SchemaFeatures {
  /** The longest experiment tag value the schema holds. */
  experimentTagValueLimit: number;
  /** The workspace experiments are written in and looked up in, or null before workspaces. */
  workspace: string | null;
  /** Runs may link to logged models (MLflow 3), read with the runs. */
  loggedModels: boolean;
}

export function schemaFeatures(rev: string | null): SchemaFeatures {
  return { experimentTagValueLimit: experimentTagValueLimit(rev), workspace: hasWorkspaces(rev) ? DEFAULT_WORKSPACE : null, loggedModels: hasLoggedModels(rev) };
}

/**
 * The root tables MLflow's stores check when they start with workspaces off, with MLflow's word for
 * their rows: the tracking store checks experiments, the registry registered models and webhooks.
 */
const WORKSPACE_ROOTS: readonly (readonly [table: string, rows: string])[] = [
  ['experiments', 'experiments'],
  ['registered_models', 'registered models'],
  ['webhooks', 'webhooks'],
];

/**
 * Refuse a database with workspaces in use, as MLflow's server does when started without
 * `--enable-workspaces`: rows outside the `default` workspace would otherwise be invisible to mlf
 * (it has no workspaces) while still owning names and ids. One query, whatever the table count.
 */
export async function assertDefaultWorkspaceOnly(db: Db, rev: string): Promise<void> {
  if (!hasWorkspaces(rev)) return;
  const probes = WORKSPACE_ROOTS.map(
    ([table], i) => sql`case when exists (select 1 from ${sql.table(table)} where workspace <> ${DEFAULT_WORKSPACE}) then 1 else 0 end as ${sql.ref(`w${i}`)}`,
  );
  const row = (await sql<Record<string, number | string>>`select ${sql.join(probes)}`.execute(db)).rows[0] ?? {};
  const found = WORKSPACE_ROOTS.find((_, i) => Number(row[`w${i}`]) === 1);
  if (found) {
    throw new MlfError(
      `Cannot disable workspaces because ${found[1]} exist outside the default workspace. ` +
        `mlf works as MLflow does with workspaces off; move them into 'default' first ('mlflow db migrate-to-default-workspace <uri>'). Nothing was changed.`,
      'INVALID_STATE',
    );
  }
}

/** The revision in `alembic_version`, or null when the table or its row is missing. */
export async function currentRevision(db: Db): Promise<string | null> {
  try {
    const r = await sql<{ version_num: string }>`select version_num from alembic_version`.execute(db);
    if (r.rows.length > 1) {
      throw new MlfError(`alembic_version holds ${r.rows.length} revisions (${r.rows.map((x) => x.version_num).join(', ')}); MLflow's schema has one head`, 'INVALID_STATE');
    }
    return r.rows[0]?.version_num ?? null;
  } catch (e) {
    if (e instanceof MlfError) throw e;
    return null; // no alembic_version table
  }
}

/**
 * Refuse a database whose `alembic_version` names a revision its tables do not match: a table that
 * revision must have is missing (a partial restore, or a revision written by hand). Nothing is changed.
 */
export async function assertTablesOf(rev: string, present: string[]): Promise<void> {
  const have = new Set(present.map((t) => t.toLowerCase()));
  const missing = tablesAt(rev).filter((t) => !have.has(t));
  if (missing.length) {
    throw new MlfError(
      `The database says it is at revision ${rev} but lacks the table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} that revision has; ` +
        `mlf will not use or upgrade it. Nothing was changed.`,
      'INVALID_STATE',
    );
  }
}

/**
 * Everything a store checks before it uses a database at a revision it works on: the revision's
 * tables are there, and no workspace but `default` is in use.
 */
export async function assertOpenable(db: Db, rev: string, present: string[]): Promise<void> {
  await assertTablesOf(rev, present);
  await assertDefaultWorkspaceOnly(db, rev);
}
