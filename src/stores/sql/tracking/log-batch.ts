/**
 * Logging to a run in the SQL tracking store: params, metrics (with latest_metrics) and tags, one
 * transaction per batch (MLflow commits the three separately), and the single-value forms.
 */
import { sql } from 'kysely';
import { MlfError, isMlfError } from '../../../lib/errors.js';
import { MLFLOW_LOGGED_MODELS, MLFLOW_RUN_NAME, compareMetricPoints, type Metric, type Param, type RunTag } from '../../../tracking/entities.js';
import { isParamsAlreadyLogged, malformedModelJson, paramsAlreadyLogged, paramValueChanged } from '../../../tracking/messages.js';
import { validateLogBatch, validateMetric, validateParam, validateTag } from '../../../tracking/validation.js';
import { dedupeByKey } from '../../common.js';
import type { LogBatch } from '../../tracking-store.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { encodeMetricValue, metricFromRow, type MetricRow } from '../rows.js';
import { chunks, type SqlExecutor } from './executor.js';
import { requireActiveRun } from './runs.js';
import { writeModelMetrics } from '../logged-models/metrics.js';

export async function logBatch(x: SqlExecutor, runId: string, batch: LogBatch): Promise<void> {
  const { metrics, params, tags } = validateLogBatch(runId, batch);
  if (!metrics.length && !params.length && !tags.length) {
    await x.read((db) => requireActiveRun(x, db, runId));
    return;
  }
  await x.mutate(async (tx) => {
    const run = await requireActiveRun(x, tx, runId);
    await writeParams(x, tx, run.run_uuid, params);
    await writeMetrics(x, tx, run.run_uuid, metrics);
    await writeModelMetrics(x, tx, run, metrics);
    await writeTags(x, tx, run.run_uuid, tags);
  });
}

async function writeParams(x: SqlExecutor, tx: Db | Tx, runId: string, params: Param[]): Promise<void> {
  if (!params.length) return;
  const existing = new Map<string, string>();
  for (const part of chunks(params.map((p) => p.key))) {
    const rows = await x.rows<{ key: string; value: string }>(tx, `params:existing:${part.length}`, () =>
      tx.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', part), [runId, ...part]);
    for (const r of rows) existing.set(r.key, r.value);
  }
  const conflicts = params.filter((p) => existing.has(p.key) && existing.get(p.key) !== p.value);
  if (conflicts.length) {
    throw paramsAlreadyLogged(runId, conflicts.map((p) => ({ key: p.key, old_value: existing.get(p.key)!, new_value: p.value })));
  }
  await x.insertRows(tx, 'params', params.filter((p) => !existing.has(p.key)).map((p) => ({ key: p.key, value: p.value, run_uuid: runId })));
}

async function writeMetrics(x: SqlExecutor, tx: Db | Tx, runId: string, metrics: Metric[]): Promise<void> {
  if (!metrics.length) return;
  // Points identical on MLflow's whole primary key are stored once.
  const seen = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const enc = encodeMetricValue(m.value);
    const pk = `${m.key}\u0000${m.timestamp}\u0000${m.step}\u0000${enc.value}\u0000${enc.is_nan}`;
    if (!seen.has(pk)) {
      seen.add(pk);
      rows.push({ key: m.key, value: enc.value, timestamp: m.timestamp, step: m.step, is_nan: enc.is_nan, run_uuid: runId });
    }
    const cur = latest.get(m.key);
    if (!cur || compareMetricPoints(m, cur) > 0) latest.set(m.key, m);
  }
  await x.insertRows(tx, 'metrics', byKey(rows), { keys: ['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan'], update: [] });
  await updateLatestMetrics(x, tx, runId, [...latest.values()]);
}

/**
 * A batch's points key by key (keys in the order they first appear, each key's points in the order
 * logged): consecutive inserts then land side by side in the metrics primary key, which leads with
 * the key, and in MLflow 3's (run_uuid, key, step) index, instead of hopping between as many places
 * as the batch has keys. A batch of 20 keys × 50 steps logged step by step took 10% less CPU on
 * MariaDB at MLflow 3's head and 7% less on PostgreSQL; SQLite showed no difference.
 */
function byKey<R extends { key?: unknown }>(rows: R[]): R[] {
  const groups = new Map<unknown, R[]>();
  for (const r of rows) {
    const g = groups.get(r.key);
    if (g) g.push(r);
    else groups.set(r.key, [r]);
  }
  return groups.size === 1 ? rows : [...groups.values()].flat();
}

/** latest_metrics keeps, per key, the maximum by (step, timestamp, value), as MLflow does. */
async function updateLatestMetrics(x: SqlExecutor, tx: Db | Tx, runId: string, candidates: Metric[]): Promise<void> {
  if (x.dialect.capabilities.conditionalUpsert) {
    // The database keeps the maximum itself: no read of the current rows (one statement fewer).
    const rows = candidates.map((m) => {
      const enc = encodeMetricValue(m.value);
      return { key: m.key, value: enc.value, timestamp: m.timestamp, step: m.step, is_nan: enc.is_nan, run_uuid: runId };
    });
    await x.insertRows(tx, 'latest_metrics', rows, { keys: ['key', 'run_uuid'], update: ['value', 'timestamp', 'step', 'is_nan'], newerBy: ['step', 'timestamp', 'value'] });
    return;
  }
  const current = new Map<string, Metric>();
  for (const part of chunks(candidates.map((m) => m.key))) {
    const rows = await x.rows<MetricRow>(tx, `latest:current:${part.length}`, () =>
      tx.selectFrom('latest_metrics').select(['key', 'value', 'timestamp', 'step', 'is_nan']).where('run_uuid', '=', runId).where('key', 'in', part), [runId, ...part]);
    for (const r of rows) current.set(r.key, metricFromRow(r));
  }
  const updates = candidates.filter((m) => {
    const cur = current.get(m.key);
    return !cur || compareMetricPoints(m, cur) > 0;
  });
  const rows = updates.map((m) => {
    const enc = encodeMetricValue(m.value);
    return { key: m.key, value: enc.value, timestamp: m.timestamp, step: m.step, is_nan: enc.is_nan, run_uuid: runId };
  });
  await x.insertRows(tx, 'latest_metrics', rows, { keys: ['key', 'run_uuid'], update: ['value', 'timestamp', 'step', 'is_nan'] });
}

async function writeTags(x: SqlExecutor, tx: Db | Tx, runId: string, tags: RunTag[]): Promise<void> {
  if (!tags.length) return;
  const unique = dedupeByKey(tags);
  await x.insertRows(tx, 'tags', unique.map((t) => ({ key: t.key, value: t.value, run_uuid: runId })), { keys: ['key', 'run_uuid'], update: ['value'] });
  const name = unique.find((t) => t.key === MLFLOW_RUN_NAME);
  if (name) await tx.updateTable('runs').set({ name: name.value }).where('run_uuid', '=', runId).execute();
}

export async function logMetric(x: SqlExecutor, runId: string, metric: Metric): Promise<void> {
  // Checked alone first so messages name 'timestamp', not 'metrics[0].timestamp' (MLflow's log_metric).
  validateMetric(metric);
  return logBatch(x, runId, { metrics: [metric] });
}

export async function setTag(x: SqlExecutor, runId: string, tag: RunTag): Promise<void> {
  // Checked alone first so messages name 'key', not 'tags[0].key' (MLflow's set_tag).
  validateTag(tag);
  return logBatch(x, runId, { tags: [tag] });
}

export async function logParam(x: SqlExecutor, runId: string, param: Param): Promise<void> {
  validateParam(param);
  try {
    await logBatch(x, runId, { params: [param] });
  } catch (e) {
    // MLflow words the single-param conflict differently from the batch one.
    if (isParamsAlreadyLogged(e)) {
      const old = await x.exec.selectFrom('params').select('value').where('run_uuid', '=', runId).where('key', '=', param.key).executeTakeFirst();
      throw paramValueChanged(runId, param.key, old?.value, param.value);
    }
    throw e;
  }
}

export async function deleteTag(x: SqlExecutor, runId: string, key: string): Promise<void> {
  await x.mutate(async (tx) => {
    const run = await requireActiveRun(x, tx, runId);
    const r = await tx
      .deleteFrom('tags')
      .where('run_uuid', '=', run.run_uuid)
      .where(() => x.dialect.eqCaseSensitive(sql.ref('key'), String(key)))
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw new MlfError(`No tag with name: ${key} in run with id ${run.run_uuid}`, 'RESOURCE_DOES_NOT_EXIST');
    }
  });
}

/** Appends a model to the run's `mlflow.log-model.history` tag (MLflow 2's record_logged_model). */
export async function recordLoggedModel(x: SqlExecutor, runId: string, modelJson: string): Promise<void> {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw malformedModelJson(modelJson);
  }
  await x.mutate(async (tx) => {
    const run = await requireActiveRun(x, tx, runId);
    const cur = await tx.selectFrom('tags').select('value').where('run_uuid', '=', run.run_uuid).where('key', '=', MLFLOW_LOGGED_MODELS).executeTakeFirst();
    let list: unknown[] = [];
    if (cur?.value) {
      try {
        const parsed = JSON.parse(cur.value);
        if (Array.isArray(parsed)) list = parsed;
      } catch {
        list = [];
      }
    }
    list.push(model);
    const tag = validateTag({ key: MLFLOW_LOGGED_MODELS, value: JSON.stringify(list) });
    await x.dialect.upsert(tx, 'tags', [{ key: tag.key, value: tag.value, run_uuid: run.run_uuid }], ['key', 'run_uuid'], ['value']);
  });
}
