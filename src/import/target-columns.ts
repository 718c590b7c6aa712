/**
 * Refuses, before anything is written, a target whose revision lacks columns the source fills: a
 * database at a later revision than `--to-revision` (MLflow 3's `workspace`, `inputs.step`, the trace
 * previews...) would lose those values. A column the source leaves NULL or at its default everywhere
 * is left out of the copy instead (the target's rows read the same without it).
 */
import { MlfError } from '../lib/errors.js';
import type { SqlConnection } from '../stores/sql/connect.js';
import { Ddl } from '../stores/sql/migrate/ddl.js';
import type { ImportSource } from './model.js';
import { COPIED_TABLES } from './tables.js';

/** The tables the experiment and run writers fill, before those of COPIED_TABLES. */
const WRITTEN_TABLES = ['experiments', 'experiment_tags', 'runs', 'params', 'tags', 'metrics', 'latest_metrics', 'datasets', 'inputs', 'input_tags'];

export async function assertTargetHoldsColumns(conn: SqlConnection, source: ImportSource, revision: string): Promise<void> {
  const catalog = new Ddl(conn.db, conn.dialect).catalog;
  const present = new Set(await catalog.tables(conn.db));
  const lost: string[] = [];
  for (const table of new Set([...WRITTEN_TABLES, ...COPIED_TABLES.map((t) => t.table)])) {
    if (!present.has(table)) continue; // a whole table is assertTargetHoldsTables' to refuse
    const have = new Set((await catalog.columns(conn.db, table)).map((c) => c.name));
    for (const c of await source.nonDefaultColumns(table, have)) lost.push(`${table}.${c}`);
  }
  if (!lost.length) return;
  throw new MlfError(
    `The source has values in ${lost.join(', ')}, which the target at revision ${revision} has no column for; import to a later revision. Nothing was written.`,
    'INVALID_PARAMETER_VALUE',
  );
}
