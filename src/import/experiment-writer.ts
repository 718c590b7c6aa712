/**
 * Experiments and their tags into the target: new ones inserted with their planned id, existing
 * ones brought up to date (lifecycle stage, last update time, tags whose value changed).
 */
import type { Db, SqlDialect, Tx } from '../stores/sql/dialects/dialect.js';
import { chunkRows } from '../stores/sql/dialects/dialect.js';
import type { Experiment } from '../tracking/entities.js';
import type { IdMapping } from './experiment-ids.js';
import type { RowCounts } from './run-writer.js';
import { writeRows } from './write-rows.js';

export interface WriteContext {
  db: Db;
  dialect: SqlDialect;
  dryRun: boolean;
  /** Dry run on a target without MLflow's schema: everything is new, nothing to read. */
  empty: boolean;
}

/** Returns how many experiments are (or would be) created. */
export async function writeExperiments(ctx: WriteContext, experiments: Experiment[], ids: Map<string, IdMapping>, rows: RowCounts): Promise<number> {
  const { db, dialect } = ctx;
  const existing = ctx.empty ? [] : await db.selectFrom('experiments').select(['experiment_id', 'lifecycle_stage', 'last_update_time']).execute();
  const before = new Map(existing.map((r) => [Number(r.experiment_id), r]));
  const oldTags = ctx.empty ? [] : await db.selectFrom('experiment_tags').select(['experiment_id', 'key', 'value']).execute();
  const tagValue = new Map(oldTags.map((t) => [`${Number(t.experiment_id)}\u0000${t.key}`, t.value as string | null]));
  const inserts: Record<string, unknown>[] = [];
  const updates: { id: number; set: Record<string, unknown> }[] = [];
  const tags: Record<string, unknown>[] = [];
  for (const e of experiments) {
    const id = ids.get(e.experimentId)!.targetId;
    const b = before.get(id);
    if (!b) {
      inserts.push({
        experiment_id: id,
        name: e.name,
        artifact_location: e.artifactLocation,
        lifecycle_stage: e.lifecycleStage,
        creation_time: e.creationTime,
        last_update_time: e.lastUpdateTime,
      });
    } else if (b.lifecycle_stage !== e.lifecycleStage || Number(b.last_update_time) !== Number(e.lastUpdateTime)) {
      updates.push({ id, set: { lifecycle_stage: e.lifecycleStage, last_update_time: e.lastUpdateTime } });
    }
    for (const t of e.tags) {
      if (tagValue.get(`${id}\u0000${t.key}`) !== t.value) tags.push({ experiment_id: id, key: t.key, value: t.value });
    }
  }
  if (inserts.length) rows.experiments = (rows.experiments ?? 0) + inserts.length;
  if (updates.length) rows['experiments (updated)'] = (rows['experiments (updated)'] ?? 0) + updates.length;
  if (tags.length) rows.experiment_tags = (rows.experiment_tags ?? 0) + tags.length;
  if (ctx.dryRun) return inserts.length;
  await dialect.writeTransaction(db, async (tx: Tx) => {
    if (inserts.length) {
      await dialect.explicitIdInsert?.before(tx, 'experiments');
      for (const part of chunkRows(inserts, dialect.capabilities.maxParameters)) await tx.insertInto('experiments').values(part).execute();
      await dialect.explicitIdInsert?.after(tx, 'experiments');
    }
    for (const u of updates) await tx.updateTable('experiments').set(u.set).where('experiment_id', '=', u.id).execute();
    await writeRows(db, tx, dialect, 'experiment_tags', tags, { keys: ['key', 'experiment_id'], update: ['value'] });
  });
  return inserts.length;
}
