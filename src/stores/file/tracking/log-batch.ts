/**
 * Logging to a run in the file store: params (one file each, never overwritten), metrics (one
 * appended line per point) and tags (replaced by rename), and the single-value forms.
 */
import path from 'node:path';
import { MlfError } from '../../../lib/errors.js';
import { MLFLOW_LOGGED_MODELS, MLFLOW_RUN_NAME, type Metric, type Param, type RunInfo, type RunTag } from '../../../tracking/entities.js';
import { malformedModelJson, paramsAlreadyLogged, paramValueChanged } from '../../../tracking/messages.js';
import { validateKeyName, validateLogBatch, validateMetric, validateParam, validateRunId, validateTag } from '../../../tracking/validation.js';
import type { LogBatch } from '../../tracking-store.js';
import { appendLines, assertWritableInside, createExclusive, joinInside } from '../fs-io.js';
import { METRICS, PARAMS, TAGS, runInfoToMeta } from '../layout.js';
import { metricLine } from '../metric-file.js';
import type { FileExecutor, RunLocation } from './executor.js';
import { activeRunAt } from './runs.js';
import { appendFileModelMetrics, prepareFileModelMetrics } from '../logged-model-metrics.js';

export async function logBatch(f: FileExecutor, runId: string, batch: LogBatch): Promise<void> {
  const { metrics, params, tags } = validateLogBatch(runId, batch);
  if (metrics.length + params.length + tags.length === 0) {
    activeRunAt(f, runId);
    return;
  }
  const { loc, info } = activeRunAt(f, runId);
  writeBatch(f, loc, info, metrics, params, tags, 'batch');
}

export async function logMetric(f: FileExecutor, runId: string, metric: Metric): Promise<void> {
  validateRunId(runId);
  const m = validateMetric(metric);
  const { loc, info } = activeRunAt(f, runId);
  writeBatch(f, loc, info, [m], [], [], 'single');
}

export async function logParam(f: FileExecutor, runId: string, param: Param): Promise<void> {
  validateRunId(runId);
  const p = validateParam(param);
  const { loc, info } = activeRunAt(f, runId);
  writeBatch(f, loc, info, [], [p], [], 'single');
}

export async function setTag(f: FileExecutor, runId: string, tag: RunTag): Promise<void> {
  validateRunId(runId);
  const t = validateTag(tag);
  const { loc, info } = activeRunAt(f, runId);
  writeBatch(f, loc, info, [], [], [t], 'single');
}

/**
 * Writes a validated batch: every param is checked against what is logged before anything is
 * written (so a refused batch leaves no trace), then params, metrics (one append per key) and
 * tags. A `mlflow.runName` tag also renames the run in its meta, as MLflow does.
 */
function writeBatch(f: FileExecutor, loc: RunLocation, info: RunInfo, metrics: Metric[], params: Param[], tags: RunTag[], kind: 'batch' | 'single'): void {
  // Points with a model id also go to the model's folder; an unknown model is refused before any write.
  const modelMetrics = prepareFileModelMetrics(f.root, info.runId, metrics);
  const newParams: Param[] = [];
  const conflicts: { key: string; old_value: string; new_value: string }[] = [];
  for (const p of params) {
    const old = f.readKeyFile(loc.dir, PARAMS, p.key);
    if (old === undefined) newParams.push(p);
    else if (old !== p.value) conflicts.push({ key: p.key, old_value: old, new_value: p.value });
  }
  if (conflicts.length > 0) {
    if (kind === 'single') {
      const c = conflicts[0]!;
      throw paramValueChanged(info.runId, c.key, c.old_value, c.new_value);
    }
    throw paramsAlreadyLogged(info.runId, conflicts);
  }
  for (const p of newParams) {
    // Created exclusively: a param another writer logged meanwhile is compared, not overwritten.
    const file = joinInside(loc.dir + path.sep + PARAMS, p.key);
    assertWritableInside(f.realRoot, file);
    const existing = createExclusive(file, p.value);
    if (existing !== undefined && existing !== p.value) {
      throw paramValueChanged(info.runId, p.key, existing, p.value);
    }
  }

  // A point repeated inside one batch is written once (the SQL store keeps one row per point).
  const byKey = new Map<string, string>();
  const seen = new Set<string>();
  for (const m of metrics) {
    const line = metricLine(m);
    if (seen.has(m.key + '\0' + line)) continue;
    seen.add(m.key + '\0' + line);
    byKey.set(m.key, (byKey.get(m.key) ?? '') + line);
  }
  for (const [key, lines] of byKey) {
    const file = joinInside(path.join(loc.dir, METRICS), key);
    assertWritableInside(f.realRoot, file);
    appendLines(file, lines);
  }
  appendFileModelMetrics(modelMetrics);

  let runName: string | undefined;
  for (const t of tags) {
    f.writeKeyFile(loc.dir, TAGS, t.key, t.value);
    if (t.key === MLFLOW_RUN_NAME) runName = t.value;
  }
  if (runName !== undefined && runName !== info.runName) f.writeMeta(loc.dir, runInfoToMeta({ ...info, runName }));
}

export async function deleteTag(f: FileExecutor, runId: string, key: string): Promise<void> {
  validateRunId(runId);
  const k = validateKeyName(key, 'tag');
  const { loc, info } = activeRunAt(f, runId);
  if (f.readKeyFile(loc.dir, TAGS, k) === undefined) {
    throw new MlfError(`No tag with name: ${k} in run with id ${info.runId}`, 'RESOURCE_DOES_NOT_EXIST');
  }
  f.removeKeyFile(loc.dir, TAGS, k);
}

/** Appends a model to the run's `mlflow.log-model.history` tag (MLflow 2's record_logged_model). */
export async function recordLoggedModel(f: FileExecutor, runId: string, modelJson: string): Promise<void> {
  validateRunId(runId);
  try {
    JSON.parse(modelJson);
  } catch {
    throw malformedModelJson(modelJson);
  }
  const { loc } = activeRunAt(f, runId);
  const old = f.readKeyFile(loc.dir, TAGS, MLFLOW_LOGGED_MODELS);
  // Splice the new model into the stored JSON list text, keeping earlier entries byte for byte.
  let value = `[${modelJson}]`;
  if (old !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(old);
    } catch {
      list = undefined;
    }
    if (Array.isArray(list)) {
      const body = old.trim().slice(0, -1).trimEnd();
      value = list.length === 0 ? value : `${body}, ${modelJson}]`;
    }
  }
  f.writeKeyFile(loc.dir, TAGS, MLFLOW_LOGGED_MODELS, value);
}
