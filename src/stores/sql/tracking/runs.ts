/** Runs in the SQL tracking store: lookups, creation, run info updates and lifecycle. */
import { MLFLOW_RUN_NAME, type Run, type RunInfo } from '../../../tracking/entities.js';
import { mustBeActive } from '../../../tracking/messages.js';
import { validateRunId, validateTag } from '../../../tracking/validation.js';
import { RUN_NOT_FOUND, appendToUri, byKey, dedupeByKey, newRunId, resolveRunName } from '../../common.js';
import type { CreateRunOptions, UpdateRunOptions } from '../../tracking-store.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { RUN_COLUMNS, runInfoFromRow, type RunRow } from '../rows.js';
import type { SqlExecutor } from './executor.js';
import { requireActiveExperiment } from './experiments.js';
import { hydrate } from './hydrate.js';

async function runRow(x: SqlExecutor, db: Db | Tx, runId: string): Promise<RunRow | undefined> {
  const rows = await x.rows<RunRow>(db, 'runRow', () => db.selectFrom('runs').select(RUN_COLUMNS).where('runs.run_uuid', '=', runId), [runId]);
  return rows[0];
}

export async function requireRun(x: SqlExecutor, db: Db | Tx, runId: string): Promise<RunRow> {
  const id = validateRunId(runId);
  const row = await runRow(x, db, id);
  if (!row) throw RUN_NOT_FOUND(id);
  return row;
}

export async function requireActiveRun(x: SqlExecutor, db: Db | Tx, runId: string): Promise<RunRow> {
  const row = await requireRun(x, db, runId);
  if (row.lifecycle_stage !== 'active') {
    throw mustBeActive('run', row.run_uuid, row.lifecycle_stage);
  }
  return row;
}

export async function createRun(x: SqlExecutor, opts: CreateRunOptions): Promise<Run> {
  const tags = (opts.tags ?? []).map((t) => validateTag(t));
  const { runName, tags: allTags } = resolveRunName(opts.runName, tags);
  const experimentId = String(opts.experimentId ?? '0');
  return x.mutate(async (tx) => {
    const exp = await requireActiveExperiment(x, tx, experimentId);
    const runId = newRunId();
    const row: RunRow & Record<string, unknown> = {
      run_uuid: runId,
      name: runName,
      source_type: 'UNKNOWN',
      source_name: '',
      entry_point_name: '',
      user_id: opts.userId ?? '',
      status: 'RUNNING',
      start_time: opts.startTime ?? Date.now(),
      end_time: null,
      deleted_time: null,
      source_version: '',
      lifecycle_stage: 'active',
      artifact_uri: appendToUri(exp.artifact_location ?? appendToUri(x.artifactRoot, String(exp.experiment_id)), runId, 'artifacts'),
      experiment_id: Number(exp.experiment_id),
    };
    await x.insertRows(tx, 'runs', [row]);
    await x.insertRows(tx, 'tags', dedupeByKey(allTags).map((t) => ({ key: t.key, value: t.value, run_uuid: runId })));
    return {
      info: runInfoFromRow(row),
      data: { metrics: [], params: [], tags: dedupeByKey(allTags).sort(byKey) },
      inputs: { datasetInputs: [] },
    };
  });
}

export async function getRun(x: SqlExecutor, runId: string): Promise<Run> {
  return x.read(async (db) => {
    const row = await requireRun(x, db, runId);
    return (await hydrate(x, db, [runInfoFromRow(row)]))[0]!;
  });
}

export async function updateRunInfo(x: SqlExecutor, runId: string, opts: UpdateRunOptions): Promise<RunInfo> {
  return x.mutate(async (tx) => {
    const row = await requireActiveRun(x, tx, runId);
    const set: Record<string, unknown> = {};
    if (opts.status !== undefined && opts.status !== null) set.status = opts.status;
    if (opts.endTime !== undefined && opts.endTime !== null) set.end_time = opts.endTime;
    if (opts.runName) {
      set.name = opts.runName;
      await x.dialect.upsert(tx, 'tags', [{ key: MLFLOW_RUN_NAME, value: opts.runName, run_uuid: row.run_uuid }], ['key', 'run_uuid'], ['value']);
    }
    if (Object.keys(set).length) await tx.updateTable('runs').set(set).where('run_uuid', '=', row.run_uuid).execute();
    return runInfoFromRow({ ...row, ...set } as RunRow);
  });
}

export async function deleteRun(x: SqlExecutor, runId: string): Promise<void> {
  await x.mutate(async (tx) => {
    const row = await requireRun(x, tx, runId);
    await tx.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: Date.now() }).where('run_uuid', '=', row.run_uuid).execute();
  });
}

export async function restoreRun(x: SqlExecutor, runId: string): Promise<void> {
  await x.mutate(async (tx) => {
    const row = await requireRun(x, tx, runId);
    await tx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('run_uuid', '=', row.run_uuid).execute();
  });
}
