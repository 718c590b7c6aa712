/**
 * Metrics logged with a `model_id` (log-metric, log-batch) also land in `logged_model_metrics`, as
 * MLflow 3's `_log_model_metrics` writes them: one row per point with the run, the run's experiment
 * and the dataset name and digest; NaN stored as 0 and ±Infinity as ±max double, as MLflow does.
 * Written inside the log-batch transaction, so the run's points and the model's land together or
 * not at all.
 *
 * Where mlf differs on purpose: an unknown model is refused (RESOURCE_DOES_NOT_EXIST) before
 * anything is written (MLflow writes the run's points, then fails on the foreign key); a point
 * whose key (model, name, timestamp, step, run) is already stored is left as first logged (MLflow
 * then fails the request); the experiment is the run's (MLflow takes the server's current one).
 */
import { modelMetricPoints, modelNotFound } from '../../../tracking/logged-models.js';
import type { Metric } from '../../../tracking/entities.js';
import type { SqlConnection } from '../connect.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { encodeMetricValue } from '../rows.js';
import type { SqlExecutor } from '../tracking/executor.js';
import { SqlLoggedModels } from './index.js';

const PK = ['model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id'];
const ID_CHUNK = 500;
/** One schema check per connection (the logged-model store caches its answer). */
const schemas = new WeakMap<SqlConnection, SqlLoggedModels>();

/** Writes the points of `metrics` that carry a model id, in the caller's transaction; no query when none does. */
export async function writeModelMetrics(x: SqlExecutor, tx: Db | Tx, run: { run_uuid: string; experiment_id: number | string }, metrics: readonly Metric[]): Promise<void> {
  const points = modelMetricPoints(metrics);
  if (!points.length) return;
  let schema = schemas.get(x.conn);
  if (!schema) schemas.set(x.conn, (schema = new SqlLoggedModels(x.conn.db, x.dialect)));
  await schema.requireSchema(tx);
  const ids = [...new Set(points.map((p) => p.modelId))];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const rows = await tx.selectFrom('logged_models').select('model_id').where('model_id', 'in', ids.slice(i, i + ID_CHUNK)).execute();
    for (const r of rows) found.add(String((r as { model_id: string }).model_id));
  }
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw modelNotFound(missing);
  const rows = points.map((p) => ({
    model_id: p.modelId,
    metric_name: p.key,
    metric_timestamp_ms: p.timestamp,
    metric_step: p.step,
    metric_value: encodeMetricValue(p.value).value,
    experiment_id: Number(run.experiment_id),
    run_id: run.run_uuid,
    dataset_uuid: null,
    dataset_name: p.datasetName ?? null,
    dataset_digest: p.datasetDigest ?? null,
  }));
  await x.insertRows(tx, 'logged_model_metrics', rows, { keys: PK, update: [] });
}
