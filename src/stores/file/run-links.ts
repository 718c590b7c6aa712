/**
 * A run's links to logged models in a file store, as MLflow 3's FileStore keeps them:
 * ```
 * <run folder>/outputs/<model_id>/meta.yaml                    runs/outputs
 *   destination_id: <model_id>   destination_type: MODEL_OUTPUT
 *   source_id: <model_id>        source_type: RUN_OUTPUT        step: <n>   tags: {}
 * <run folder>/inputs/<md5(model_id + run_id)>/meta.yaml       the models of runs/log-inputs
 *   destination_id: <model_id>   destination_type: RUN
 *   source_id: <model_id>        source_type: MODEL             tags: {}
 * ```
 * (MLflow writes the model id in both id fields.) One folder per model: a model logged again keeps
 * its first link, as MLflow's existence check does. Dataset inputs share `inputs/` with
 * `source_type: DATASET`; each reader skips the other's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../../lib/errors.js';
import type { RunModelLinks } from '../../tracking/logged-models.js';
import { assertWritableInside, isPlainName, readEntries, readText, writeAtomic } from './fs-io.js';
import { dumpYaml, parseYaml } from './meta-yaml.js';
import { INPUTS, META } from './layout.js';

export const OUTPUTS = 'outputs';

/** `md5(model_id + run_id)`: the folder of a model input under `<run>/inputs/`. */
export function modelInputId(modelId: string, runId: string): string {
  return crypto.createHash('md5').update(modelId, 'utf8').update(runId, 'utf8').digest('hex');
}

function checkModelId(modelId: string): void {
  // The id names a folder: refuse what cannot be one (MLflow would write it anywhere).
  if (!isPlainName(modelId)) throw new MlfError(`Invalid model ID: '${modelId}'`, 'INVALID_PARAMETER_VALUE');
}

function writeOnce(dir: string, meta: Parameters<typeof dumpYaml>[0], realRoot: string): void {
  const file = path.join(dir, META);
  if (fs.existsSync(file)) return;
  assertWritableInside(realRoot, file);
  writeAtomic(file, dumpYaml(meta));
}

export function writeRunOutputs(runDir: string, models: { modelId: string; step: number }[], realRoot: string): void {
  for (const m of models) checkModelId(m.modelId);
  for (const m of models) {
    const meta = { destination_id: m.modelId, destination_type: 'MODEL_OUTPUT', source_id: m.modelId, source_type: 'RUN_OUTPUT', step: m.step, tags: {} };
    writeOnce(path.join(runDir, OUTPUTS, m.modelId), meta, realRoot);
  }
}

export function writeRunModelInputs(runDir: string, runId: string, modelIds: string[], realRoot: string): void {
  for (const id of modelIds) checkModelId(id);
  for (const id of modelIds) {
    const meta = { destination_id: id, destination_type: 'RUN', source_id: id, source_type: 'MODEL', tags: {} };
    writeOnce(path.join(runDir, INPUTS, modelInputId(id, runId)), meta, realRoot);
  }
}

function metas(dir: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of readEntries(dir)) {
    if (!e.isDirectory()) continue;
    const text = readText(path.join(dir, e.name, META));
    if (text === undefined) continue;
    try {
      const m = parseYaml(text);
      if (m) out.push(m);
    } catch {
      // An unreadable link is skipped, as a malformed dataset input is.
    }
  }
  return out;
}

/** The run's model links, inputs by model id, outputs by step then model id (the SQL store's order). */
export function readRunLinks(runDir: string): RunModelLinks {
  const inputs = metas(path.join(runDir, INPUTS))
    .filter((m) => m.source_type === 'MODEL' && typeof m.source_id === 'string')
    .map((m) => ({ modelId: m.source_id as string }))
    .sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  // MLflow reads the model from destination_id; both id fields hold it.
  const outputs = metas(path.join(runDir, OUTPUTS))
    .filter((m) => m.destination_type === 'MODEL_OUTPUT' && typeof m.destination_id === 'string')
    .map((m) => ({ modelId: m.destination_id as string, step: typeof m.step === 'number' ? m.step : 0 }))
    .sort((a, b) => a.step - b.step || (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  return { inputs, outputs };
}
