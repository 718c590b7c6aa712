/**
 * Metrics logged with a `model_id` in a file store also land in the model's folder, as MLflow 3's
 * file store keeps them: `<experiment>/models/<model_id>/metrics/<name>`, one line per point,
 * `<timestamp> <value> <step> <run_id> <dataset_name> <dataset_digest>` (an unset dataset field
 * written `None`), values in Python's float text. {@link prepareFileModelMetrics} runs before the
 * run's points are written, so an unknown model is refused with nothing written.
 */
import { modelMetricPoints, modelNotFound } from '../../tracking/logged-models.js';
import path from 'node:path';
import type { Metric } from '../../tracking/entities.js';
import { pyFloatRepr } from '../../tracking/py-format.js';
import { appendLines, joinInside } from './fs-io.js';
import { METRICS } from './layout.js';
import { modelFolder } from './logged-models.js';

/** File → the lines to append to it. */
export type PreparedModelMetrics = Map<string, string>;

/** The lines the points with a model id will add; RESOURCE_DOES_NOT_EXIST for an unknown model. */
export function prepareFileModelMetrics(root: string, runId: string, metrics: readonly Metric[]): PreparedModelMetrics {
  const out: PreparedModelMetrics = new Map();
  const dirs = new Map<string, string>();
  for (const p of modelMetricPoints(metrics)) {
    let dir = dirs.get(p.modelId);
    if (dir === undefined) {
      // Deleted models too, as the SQL table's key allows.
      const folder = modelFolder(root, p.modelId);
      if (!folder) throw modelNotFound(p.modelId);
      dirs.set(p.modelId, (dir = path.join(folder, METRICS)));
    }
    // The metric name was checked as a run metric name; joinInside keeps it inside the folder.
    const file = joinInside(dir, p.key);
    const line = `${p.timestamp} ${pyFloatRepr(p.value)} ${p.step} ${runId} ${p.datasetName ?? 'None'} ${p.datasetDigest ?? 'None'}\n`;
    out.set(file, (out.get(file) ?? '') + line);
  }
  return out;
}

/** Appends the prepared lines (one write per file). */
export function appendFileModelMetrics(prepared: PreparedModelMetrics): void {
  for (const [file, lines] of prepared) appendLines(file, lines);
}
