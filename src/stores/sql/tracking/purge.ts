/** gc's permanent delete in the SQL store: the statements (../purge.ts) load only when gc runs. */
import { validateRunId } from '../../../tracking/validation.js';
import type { PurgeResult } from '../../tracking-store.js';
import type { Db } from '../dialects/dialect.js';
import type { SqlExecutor } from './executor.js';

export async function purgeRuns(x: SqlExecutor, runIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const ids = runIds.map((r) => validateRunId(r));
  const { purgeRunsSql } = await import('../purge.js');
  return x.guard(() => purgeRunsSql(x.exec as Db, x.dialect, ids, opts));
}

export async function purgeExperiments(x: SqlExecutor, experimentIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
  const { purgeExperimentsSql } = await import('../purge.js');
  return x.guard(() => purgeExperimentsSql(x.exec as Db, x.dialect, experimentIds.map(String), opts));
}
