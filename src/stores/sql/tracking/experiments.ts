/** Experiments in the SQL tracking store: lookups, creation, lifecycle, renaming and tags. */
import path from 'node:path';
import { sql, type SelectQueryBuilder } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import type { Experiment, ExperimentTag } from '../../../tracking/entities.js';
import { experimentNameTaken, mustBeActive } from '../../../tracking/messages.js';
import { validateExperimentName, validateExperimentTag } from '../../../tracking/validation.js';
import { EXPERIMENT_NOT_FOUND, appendToUri, dedupeByKey, refuseDefaultExperimentDelete } from '../../common.js';
import type { CreateExperimentOptions } from '../../tracking-store.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { EXPERIMENT_COLUMNS, experimentFromRow, sqlExperimentId, type ExperimentRow } from '../rows.js';
import { pagingClause } from '../search-sql.js';
import { chunks, type SqlExecutor } from './executor.js';
import { schemaFeaturesOf } from './schema-features.js';

/** The experiment tag value limit of this database's revision: 20,000 from 17e22815139b, 5,000 before. */
async function experimentTagLimit(x: SqlExecutor): Promise<number> {
  return (await schemaFeaturesOf(x)).experimentTagValueLimit;
}

/**
 * Where experiment names are unique: the whole table before MLflow 3.10, the `default` workspace
 * from 1b5f0d9ad7c1 on (UNIQUE(workspace, name)), which is where MLflow with workspaces off writes
 * and looks. The store refuses a database with experiments in other workspaces when it opens (see
 * assertDefaultWorkspaceOnly); this scoping keeps it right when one appears while it is open.
 */
export function inWorkspace<Q extends SelectQueryBuilder<any, any, any>>(q: Q, workspace: string | null): Q {
  return workspace === null ? q : (q.where(sql`experiments.workspace = ${workspace}` as never) as Q);
}

export async function experimentRow(x: SqlExecutor, db: Db | Tx, experimentId: string): Promise<ExperimentRow | undefined> {
  const id = sqlExperimentId(experimentId);
  if (id === null) return undefined;
  const rows = await x.rows<ExperimentRow>(db, 'experimentRow', () =>
    db.selectFrom('experiments').select(EXPERIMENT_COLUMNS).where('experiment_id', '=', id), [id]);
  return rows[0];
}

async function experimentTags(db: Db | Tx, ids: number[]): Promise<Map<string, { key: string; value: string | null }[]>> {
  const out = new Map<string, { key: string; value: string | null }[]>();
  for (const part of chunks(ids)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('experiment_tags').select(['experiment_id', 'key', 'value']).where('experiment_id', 'in', part).execute();
    for (const r of rows) {
      const k = String(r.experiment_id);
      if (!out.has(k)) out.set(k, []);
      out.get(k)!.push({ key: r.key, value: r.value });
    }
  }
  return out;
}

/** Experiment rows with their tags (one query for all of them). */
export async function toExperiments(db: Db | Tx, rows: ExperimentRow[]): Promise<Experiment[]> {
  const tags = await experimentTags(db, rows.map((r) => Number(r.experiment_id)));
  return rows.map((r) => experimentFromRow(r, tags.get(String(r.experiment_id)) ?? []));
}

async function requireExperiment(x: SqlExecutor, db: Db | Tx, experimentId: string): Promise<ExperimentRow> {
  const row = await experimentRow(x, db, experimentId);
  if (!row) throw EXPERIMENT_NOT_FOUND(experimentId);
  return row;
}

export async function requireActiveExperiment(x: SqlExecutor, db: Db | Tx, experimentId: string): Promise<ExperimentRow> {
  const row = await requireExperiment(x, db, experimentId);
  if (row.lifecycle_stage !== 'active') {
    throw mustBeActive('experiment', experimentId, row.lifecycle_stage);
  }
  return row;
}

/** MLflow makes the Default experiment (id 0) when a database has no experiment at all. */
export async function ensureDefaultExperiment(x: SqlExecutor): Promise<void> {
  const any = await x.exec
    .selectFrom('experiments')
    .select('experiment_id')
    .orderBy('experiment_id')
    .modifyEnd(pagingClause(x.dialect, 1, 0))
    .execute();
  if (any.length > 0) return;
  const now = Date.now();
  try {
    await x.write(async (tx) => {
      const again = await tx.selectFrom('experiments').select('experiment_id').where('experiment_id', '=', 0).execute();
      if (again.length > 0) return;
      await x.dialect.explicitIdInsert?.before(tx as Tx, 'experiments');
      await tx
        .insertInto('experiments')
        .values({
          experiment_id: 0,
          name: 'Default',
          artifact_location: appendToUri(x.artifactRoot, '0'),
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
        })
        .execute();
      await x.dialect.explicitIdInsert?.after(tx as Tx, 'experiments');
    });
  } catch (e) {
    // Another process created it at the same moment.
    if (!x.dialect.isUniqueViolation(e)) throw e;
  }
}

export async function createExperiment(x: SqlExecutor, opts: CreateExperimentOptions): Promise<string> {
  const name = validateExperimentName(opts.name);
  const { experimentTagValueLimit: limit, workspace } = await schemaFeaturesOf(x);
  const tags = (opts.tags ?? []).map((t) => validateExperimentTag(t, limit));
  let location = opts.artifactLocation || undefined;
  if (location && !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location)) location = path.resolve(location);
  return x.mutate(async (tx) => {
    const byName = () => inWorkspace(tx.selectFrom('experiments').select('experiment_id').where(() => x.dialect.eqCaseSensitive(sql.ref('name'), name)), workspace);
    const clash = await byName().executeTakeFirst();
    if (clash) throw experimentNameTaken(name);
    const now = Date.now();
    try {
      await tx
        .insertInto('experiments')
        .values({
          name,
          artifact_location: location ?? null,
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
          ...(workspace === null ? {} : { workspace }),
        })
        .execute();
    } catch (e) {
      if (x.dialect.isUniqueViolation(e)) throw experimentNameTaken(name);
      throw e;
    }
    const row = await byName().executeTakeFirstOrThrow();
    const id = Number(row.experiment_id);
    if (!location) {
      await tx.updateTable('experiments').set({ artifact_location: appendToUri(x.artifactRoot, String(id)) }).where('experiment_id', '=', id).execute();
    }
    if (tags.length) {
      await x.dialect.upsert(tx, 'experiment_tags', dedupeByKey(tags).map((t) => ({ key: t.key, value: t.value, experiment_id: id })), ['key', 'experiment_id'], ['value']);
    }
    return String(id);
  });
}

export async function getExperiment(x: SqlExecutor, experimentId: string): Promise<Experiment> {
  const id = experimentId === '' || experimentId === undefined || experimentId === null ? '0' : String(experimentId);
  return x.read(async (db) => {
    const row = await requireExperiment(x, db, id);
    return (await toExperiments(db, [row]))[0]!;
  });
}

export async function getExperimentByName(x: SqlExecutor, name: string): Promise<Experiment | null> {
  const { workspace } = await schemaFeaturesOf(x);
  return x.read(async (db) => {
    const row = (await inWorkspace(
      db.selectFrom('experiments').select(EXPERIMENT_COLUMNS).where(() => x.dialect.eqCaseSensitive(sql.ref('name'), String(name))),
      workspace,
    ).executeTakeFirst()) as ExperimentRow | undefined;
    if (!row) return null;
    return (await toExperiments(db, [row]))[0]!;
  });
}

export async function deleteExperiment(x: SqlExecutor, experimentId: string): Promise<void> {
  refuseDefaultExperimentDelete(experimentId);
  await x.mutate(async (tx) => {
    const row = await experimentRow(x, tx, experimentId);
    if (!row || row.lifecycle_stage !== 'active') throw EXPERIMENT_NOT_FOUND(experimentId);
    const now = Date.now();
    const id = Number(row.experiment_id);
    await tx.updateTable('experiments').set({ lifecycle_stage: 'deleted', last_update_time: now }).where('experiment_id', '=', id).execute();
    // Unlike MLflow, runs deleted earlier keep their own deleted_time (gc --older-than relies on it).
    await tx
      .updateTable('runs')
      .set({ lifecycle_stage: 'deleted', deleted_time: now })
      .where('experiment_id', '=', id)
      .where('lifecycle_stage', '=', 'active')
      .execute();
  });
}

export async function restoreExperiment(x: SqlExecutor, experimentId: string): Promise<void> {
  await x.mutate(async (tx) => {
    const row = await experimentRow(x, tx, experimentId);
    if (!row || row.lifecycle_stage !== 'deleted') throw EXPERIMENT_NOT_FOUND(experimentId);
    const id = Number(row.experiment_id);
    await tx.updateTable('experiments').set({ lifecycle_stage: 'active', last_update_time: Date.now() }).where('experiment_id', '=', id).execute();
    await tx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('experiment_id', '=', id).where('lifecycle_stage', '=', 'deleted').execute();
  });
}

export async function renameExperiment(x: SqlExecutor, experimentId: string, newName: string): Promise<void> {
  const name = validateExperimentName(newName);
  const { workspace } = await schemaFeaturesOf(x);
  await x.mutate(async (tx) => {
    const row = await requireExperiment(x, tx, experimentId);
    if (row.lifecycle_stage !== 'active') throw new MlfError('Cannot rename a non-active experiment.', 'INVALID_STATE');
    const clash = await inWorkspace(
      tx
        .selectFrom('experiments')
        .select('experiment_id')
        .where(() => x.dialect.eqCaseSensitive(sql.ref('name'), name))
        .where('experiment_id', '<>', Number(row.experiment_id)),
      workspace,
    ).executeTakeFirst();
    if (clash) throw experimentNameTaken(name);
    await tx.updateTable('experiments').set({ name, last_update_time: Date.now() }).where('experiment_id', '=', Number(row.experiment_id)).execute();
  });
}

export async function setExperimentTag(x: SqlExecutor, experimentId: string, tag: ExperimentTag): Promise<void> {
  const t = validateExperimentTag(tag, await experimentTagLimit(x));
  await x.mutate(async (tx) => {
    const row = await requireActiveExperiment(x, tx, experimentId);
    await x.dialect.upsert(tx, 'experiment_tags', [{ key: t.key, value: t.value, experiment_id: Number(row.experiment_id) }], ['key', 'experiment_id'], ['value']);
  });
}

export async function deleteExperimentTag(x: SqlExecutor, experimentId: string, key: string): Promise<void> {
  await x.mutate(async (tx) => {
    const row = await requireActiveExperiment(x, tx, experimentId);
    const r = await tx
      .deleteFrom('experiment_tags')
      .where('experiment_id', '=', Number(row.experiment_id))
      .where(() => x.dialect.eqCaseSensitive(sql.ref('key'), String(key)))
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw new MlfError(`No tag with name: ${key} in experiment with id ${experimentId}`, 'RESOURCE_DOES_NOT_EXIST');
    }
  });
}
