/**
 * The target database's schema for `mlf db import`: which revision to reach (`--to-revision`, any
 * revision the migration index knows; default the head `mlf db upgrade` goes to) and the upgrade
 * itself, through the same entry point as `mlf db upgrade`.
 */
import { sql } from 'kysely';
import { MlfError } from '../lib/errors.js';
import type { SqlConnection } from '../stores/sql/connect.js';
import { HEAD_REVISION, schemaStatus, upgrade, type Migration } from '../stores/sql/migrate/index.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { tablesAt } from '../stores/sql/migrate/revisions.js';
import type { TableCount } from './model.js';

export function knownRevisions(): string[] {
  return MIGRATIONS.map((m) => m.revision).filter((r): r is string => !!r);
}

function checkRevision(toRevision: string | undefined): string {
  const rev = toRevision ?? HEAD_REVISION;
  if (!knownRevisions().includes(rev)) {
    throw new MlfError(`Unknown --to-revision '${rev}': mlf knows MLflow's revisions up to ${HEAD_REVISION} (see 'mlf db current').`, 'INVALID_PARAMETER_VALUE');
  }
  return rev;
}

/** The target's revision (null: no MLflow schema yet); refuses an unknown --to-revision. */
export async function targetStatus(conn: SqlConnection, toRevision?: string): Promise<{ current: string | null }> {
  checkRevision(toRevision);
  const { current } = await schemaStatus(conn);
  return { current };
}

/**
 * Refuses, before anything is written, a target revision without tables the source has rows in
 * (`--to-revision` of MLflow 2.17 for a source with logged models or spans): they would be lost.
 * Revisions before 2.17's head list no tables, so nothing is checked there.
 */
export function assertTargetHoldsTables(toRevision: string | undefined, counts: Map<string, TableCount>): void {
  const rev = checkRevision(toRevision);
  const at = new Set(tablesAt(rev));
  if (!at.size) return;
  const missing = [...counts].filter(([t, c]) => c.total > 0 && !at.has(t)).map(([t]) => t);
  if (!missing.length) return;
  throw new MlfError(
    `The source has rows in ${missing.join(', ')}, which a database at revision ${rev} has no table for; import to a later revision (default: ${HEAD_REVISION}). Nothing was written.`,
    'INVALID_PARAMETER_VALUE',
  );
}

export interface UpgradeTargetOptions {
  toRevision?: string;
  onBeforeOneWay?: (m: Migration) => Promise<boolean>;
  log?: (line: string) => void;
}

/**
 * Create or upgrade the target. The upgrade entry point goes to its head; a target already at
 * another requested revision is used as it is.
 */
export async function upgradeTarget(conn: SqlConnection, opts: UpgradeTargetOptions): Promise<{ from: string | null; to: string | null; applied: string[] }> {
  const rev = checkRevision(opts.toRevision);
  const { current } = await schemaStatus(conn);
  if (rev !== HEAD_REVISION) {
    if (current === rev) return { from: current, to: current, applied: [] };
    throw new MlfError(
      `The target is at ${current ?? 'no schema'}; mlf's upgrade goes to its head ${HEAD_REVISION}, not to ${rev}. Use --to-revision ${HEAD_REVISION}, or a target already at ${rev}.`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  const r = await upgrade(conn, { onBeforeOneWay: opts.onBeforeOneWay, log: opts.log });
  return { from: r.from, to: r.to, applied: r.applied };
}

/**
 * After experiments were inserted with explicit ids: PostgreSQL's SERIAL sequence does not move by
 * itself, so the next experiment MLflow creates would collide. (MySQL, SQLite and SQL Server move
 * their counters on an explicit insert.)
 */
export async function finishTarget(conn: SqlConnection): Promise<void> {
  if (conn.dialect.name !== 'postgresql') return;
  await sql`select setval(pg_get_serial_sequence('experiments', 'experiment_id'), greatest((select max(experiment_id) from experiments), 1))`.execute(conn.db);
}
