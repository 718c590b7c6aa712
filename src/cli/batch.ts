/**
 * Splitting one large log into batches that each fit MLflow's `log_batch` limits: at most 100
 * params, 100 tags and 1000 metrics, and 1000 entities in all. A store (or a server) refuses a
 * bigger batch, so the CLI splits by itself and the user never meets the limit.
 */
import type { LogBatch } from '../stores/tracking-store.js';
import type { Metric, Param, RunTag } from '../tracking/entities.js';
import { MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../tracking/validation.js';

export interface BatchLimits {
  paramsTags: number;
  metrics: number;
  entities: number;
}

export const MLFLOW_BATCH_LIMITS: BatchLimits = {
  paramsTags: MAX_PARAMS_TAGS_PER_BATCH,
  metrics: MAX_METRICS_PER_BATCH,
  entities: MAX_ENTITIES_PER_BATCH,
};

/**
 * Greedy packing, in order: each batch takes as many params and tags as it may, then fills up with
 * metrics. Order within each kind is kept, so a metric history lands in the order it was given.
 * Empty input gives no batches.
 */
export function splitBatch(
  batch: { params: Param[]; metrics: Metric[]; tags: RunTag[] },
  limits: BatchLimits = MLFLOW_BATCH_LIMITS,
): Required<LogBatch>[] {
  const out: Required<LogBatch>[] = [];
  let p = 0;
  let m = 0;
  let t = 0;
  const { params, metrics, tags } = batch;
  while (p < params.length || m < metrics.length || t < tags.length) {
    const np = Math.min(limits.paramsTags, params.length - p);
    const nt = Math.min(limits.paramsTags, tags.length - t, limits.entities - np);
    const nm = Math.min(limits.metrics, metrics.length - m, limits.entities - np - nt);
    out.push({ params: params.slice(p, p + np), metrics: metrics.slice(m, m + nm), tags: tags.slice(t, t + nt) });
    p += np;
    m += nm;
    t += nt;
  }
  return out;
}
