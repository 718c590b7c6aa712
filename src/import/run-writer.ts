/**
 * Writes a batch of source runs into the target: works out, from what the target already holds,
 * which rows are new or changed, and writes only those, set-based, in one transaction per batch.
 * That diff is what makes an import resumable (a killed batch rolled back, earlier ones are found
 * in place) and repeatable (a second import adds only new runs, points, tags and changed run info).
 */
import crypto from 'node:crypto';
import type { Db } from '../stores/sql/dialects/dialect.js';
import { writeRows } from './write-rows.js';
import { datasetToRow, encodeMetricValue } from '../stores/sql/rows.js';
import { compareMetricPoints, type Dataset, type Metric } from '../tracking/entities.js';
import type { SourceRun } from './model.js';
import type { WriteContext } from './experiment-writer.js';

export const ID_CHUNK = 500;

/** Rows written per table (or, in a dry run, that would be). */
export type RowCounts = Record<string, number>;

export interface BatchResult {
  rows: RowCounts;
  runsCreated: number;
  runsUpdated: number;
  runsUnchanged: number;
}

type Row = Record<string, unknown>;

/** The mutable columns of a run (a run that ended, was renamed or deleted since the last import). */
const RUN_MUTABLE = ['name', 'status', 'end_time', 'lifecycle_stage', 'deleted_time', 'artifact_uri'] as const;

export function pointKey(m: { key: string; timestamp: unknown; step: unknown; value: unknown; is_nan: unknown }): string {
  return `${m.key}\u0000${Number(m.timestamp)}\u0000${Number(m.step)}\u0000${Number(m.value)}\u0000${m.is_nan ? 1 : 0}`;
}

export function metricRow(runId: string, m: Metric): Row {
  const { value, is_nan } = encodeMetricValue(m.value);
  return { key: m.key, value, timestamp: m.timestamp, step: m.step, is_nan, run_uuid: runId };
}

/** Distinct metric rows of a run, as MLflow's SQL store keeps them (one row per identical point). */
export function distinctMetricRows(runId: string, metrics: Metric[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const m of metrics) {
    const r = metricRow(runId, m);
    out.set(pointKey(r as never), r);
  }
  return out;
}

/** Latest point per key: the maximum by (step, timestamp, value), as MLflow's latest_metrics. */
export function latestMetrics(metrics: Metric[]): Metric[] {
  const best = new Map<string, Metric>();
  for (const m of metrics) {
    const b = best.get(m.key);
    if (!b || compareMetricPoints(m, b) > 0) best.set(m.key, m);
  }
  return [...best.values()];
}

/** A stable id for a dataset of an experiment in the target (so a re-run finds the same row). */
export function datasetUuid(experimentId: number, d: Pick<Dataset, 'name' | 'digest'>): string {
  return crypto.createHash('md5').update(`${experimentId}\u0000${d.name}\u0000${d.digest}`).digest('hex');
}

export function inputUuid(datasetId: string, runId: string): string {
  return crypto.createHash('md5').update(datasetId).update(runId).digest('hex');
}

const DATASET_KEY = { keys: ['experiment_id', 'name', 'digest'], update: [] };

const dsKey = (d: Pick<Dataset, 'name' | 'digest'>) => `${d.name}\u0000${d.digest}`;

/**
 * Dataset rows of one experiment: the target's uuid for each (name, digest), inserting the missing
 * ones. Returns the map the run inputs use.
 */
export async function writeDatasets(ctx: WriteContext, experimentId: number, datasets: Dataset[], rows: RowCounts): Promise<Map<string, string>> {
  const { db, dialect, dryRun } = ctx;
  const existing = ctx.empty ? [] : await db.selectFrom('datasets').select(['dataset_uuid', 'name', 'digest']).where('experiment_id', '=', experimentId).execute();
  const ids = new Map(existing.map((r) => [dsKey(r as { name: string; digest: string }), r.dataset_uuid as string]));
  const fresh: Row[] = [];
  for (const d of datasets) {
    if (ids.has(dsKey(d))) continue;
    const uuid = datasetUuid(experimentId, d);
    ids.set(dsKey(d), uuid);
    fresh.push(datasetToRow(uuid, experimentId, d));
  }
  add(rows, 'datasets', fresh.length);
  if (!dryRun && fresh.length) await dialect.writeTransaction(db, (tx) => writeRows(db, tx, dialect, 'datasets', fresh, DATASET_KEY));
  return ids;
}

function add(rows: RowCounts, table: string, n: number): void {
  if (n) rows[table] = (rows[table] ?? 0) + n;
}

async function selectIn<T extends Row>(db: Db, table: string, cols: string[], column: string, ids: string[]): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const part = ids.slice(i, i + ID_CHUNK);
    out.push(...((await db.selectFrom(table).select(cols).where(column, 'in', part).execute()) as T[]));
  }
  return out;
}

function groupBy<T extends Row>(rows: T[], col: string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = String(r[col]);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(r);
  }
  return m;
}

export interface RunBatchContext extends WriteContext {
  experimentId: number;
  datasets: Map<string, string>;
}

/** Diff a batch of runs against the target and write what is new or changed. */
export async function writeRunBatch(ctx: RunBatchContext, runs: SourceRun[]): Promise<BatchResult> {
  const { db, dialect, experimentId } = ctx;
  const ids = runs.map((r) => r.info.runId);
  const existing = new Map((ctx.empty ? [] : await selectIn(db, 'runs', ['run_uuid', ...RUN_MUTABLE], 'run_uuid', ids)).map((r) => [r.run_uuid as string, r]));
  const old = [...existing.keys()];
  // What the target holds for runs it already has (nothing to read on a first import).
  const oldTags = groupBy(old.length ? await selectIn(db, 'tags', ['run_uuid', 'key', 'value'], 'run_uuid', old) : [], 'run_uuid');
  const oldParams = groupBy(old.length ? await selectIn(db, 'params', ['run_uuid', 'key'], 'run_uuid', old) : [], 'run_uuid');
  const oldMetrics = groupBy(old.length ? await selectIn(db, 'metrics', ['run_uuid', 'key', 'timestamp', 'step', 'value', 'is_nan'], 'run_uuid', old) : [], 'run_uuid');
  const oldInputs = groupBy(old.length ? await selectIn(db, 'inputs', ['destination_id', 'source_id', 'input_uuid'], 'destination_id', old) : [], 'destination_id');

  const w: Record<string, Row[]> = { runs: [], runUpdates: [], tags: [], params: [], metrics: [], latest_metrics: [], datasets: [], inputs: [], input_tags: [] };
  const result: BatchResult = { rows: {}, runsCreated: 0, runsUpdated: 0, runsUnchanged: 0 };
  for (const r of runs) {
    const id = r.info.runId;
    const info: Row = {
      run_uuid: id,
      name: r.info.runName,
      source_type: 'UNKNOWN',
      source_name: '',
      entry_point_name: '',
      user_id: r.info.userId,
      status: r.info.status,
      start_time: r.info.startTime,
      end_time: r.info.endTime,
      deleted_time: r.info.deletedTime,
      source_version: '',
      lifecycle_stage: r.info.lifecycleStage,
      artifact_uri: r.info.artifactUri,
      experiment_id: experimentId,
    };
    const before = existing.get(id);
    const sizes = [w.tags!.length, w.params!.length, w.inputs!.length];
    let changed = false;
    if (!before) {
      w.runs!.push(info);
      result.runsCreated++;
    } else if (RUN_MUTABLE.some((c) => norm(before[c]) !== norm(info[c]))) {
      w.runUpdates!.push(info);
      changed = true;
    }
    const haveTags = new Map((oldTags.get(id) ?? []).map((t) => [t.key as string, t.value as string | null]));
    for (const t of dedupe(r.tags)) {
      if (haveTags.get(t.key) !== t.value) w.tags!.push({ key: t.key, value: t.value, run_uuid: id });
    }
    const haveParams = new Set((oldParams.get(id) ?? []).map((p) => p.key as string));
    for (const p of dedupe(r.params)) if (!haveParams.has(p.key)) w.params!.push({ key: p.key, value: p.value, run_uuid: id });
    const havePoints = new Set((oldMetrics.get(id) ?? []).map((m) => pointKey(m as never)));
    let newPoints = false;
    for (const [k, row] of distinctMetricRows(id, r.metrics)) {
      if (havePoints.has(k)) continue;
      w.metrics!.push(row);
      newPoints = true;
    }
    if (newPoints) for (const m of latestMetrics(r.metrics)) w.latest_metrics!.push(metricRow(id, m));
    const haveInputs = new Set((oldInputs.get(id) ?? []).map((i) => i.source_id as string));
    for (const input of r.inputs) {
      let dsId = ctx.datasets.get(dsKey(input.dataset));
      if (!dsId) {
        // Referenced by the run but not listed with the experiment: bring it along.
        dsId = datasetUuid(experimentId, input.dataset);
        ctx.datasets.set(dsKey(input.dataset), dsId);
        w.datasets!.push(datasetToRow(dsId, experimentId, input.dataset));
      }
      if (haveInputs.has(dsId)) continue;
      haveInputs.add(dsId);
      const uuid = inputUuid(dsId, id);
      w.inputs!.push({ input_uuid: uuid, source_type: 'DATASET', source_id: dsId, destination_type: 'RUN', destination_id: id });
      for (const t of dedupe(input.tags)) w.input_tags!.push({ input_uuid: uuid, name: t.key, value: t.value });
    }
    const grew = newPoints || w.tags!.length > sizes[0]! || w.params!.length > sizes[1]! || w.inputs!.length > sizes[2]!;
    if (before) {
      if (changed || grew) result.runsUpdated++;
      else result.runsUnchanged++;
    }
  }
  for (const [t, rows] of Object.entries(w)) add(result.rows, t === 'runUpdates' ? 'runs (updated)' : t, rows.length);
  if (ctx.dryRun) return result;
  // A batch none of whose runs the target held (a first import; a resumed one past its last commit):
  // every row is new, so plain inserts, without the unique-index probe ON CONFLICT costs a row
  // (a fifth of PostgreSQL's time for a metric point). A row someone else wrote meanwhile fails the
  // batch, rolled back whole; the next import finds what is there.
  const keyed = (keys: string[], update: string[] = []) => (existing.size ? { keys, update } : null);
  await dialect.writeTransaction(db, async (tx) => {
    await writeRows(db, tx, dialect, 'runs', w.runs!, keyed(['run_uuid']));
    for (const u of w.runUpdates!) {
      const set = Object.fromEntries(RUN_MUTABLE.map((c) => [c, u[c]]));
      await tx.updateTable('runs').set(set).where('run_uuid', '=', u.run_uuid as string).execute();
    }
    await writeRows(db, tx, dialect, 'tags', w.tags!, keyed(['key', 'run_uuid'], ['value']));
    await writeRows(db, tx, dialect, 'params', w.params!, keyed(['key', 'run_uuid']));
    await writeRows(db, tx, dialect, 'metrics', w.metrics!, keyed(['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan']));
    await writeRows(db, tx, dialect, 'latest_metrics', w.latest_metrics!, keyed(['key', 'run_uuid'], ['value', 'timestamp', 'step', 'is_nan']));
    // Datasets are the experiment's, shared with runs of other batches: always keyed.
    await writeRows(db, tx, dialect, 'datasets', w.datasets!, DATASET_KEY);
    await writeRows(db, tx, dialect, 'inputs', w.inputs!, keyed(['source_type', 'source_id', 'destination_type', 'destination_id']));
    await writeRows(db, tx, dialect, 'input_tags', w.input_tags!, keyed(['input_uuid', 'name']));
  });
  return result;
}


/** Last value wins for a repeated key, as a later write would. */
function dedupe<T extends { key: string }>(items: T[]): T[] {
  return [...new Map(items.map((i) => [i.key, i])).values()];
}

function norm(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}
