/**
 * Run folders → MLflow runs: the whole run for a page or a get, or a partial run holding only the
 * values a search's filter and order look at (see search.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MLFLOW_RUN_NAME, sortByKey, type Dataset, type DatasetInput, type Metric, type Run, type RunInfo } from '../../../tracking/entities.js';
import { listFilesRecursive, readTextInside, realpathInside } from '../fs-io.js';
import { DATASETS, INPUTS, METRICS, PARAMS, TAGS, datasetFromMeta } from '../layout.js';
import { parseLatestMetric } from '../metric-file.js';
import type { FileExecutor, RunLocation } from './executor.js';

/** What a search must read beyond `meta.yaml` to evaluate its filter and order. */
export interface SearchNeeds {
  metrics: Set<string>;
  params: Set<string>;
  tags: Set<string>;
  inputs: boolean;
}

function readLatestMetrics(f: FileExecutor, runDir: string, experimentId: string): Metric[] {
  const dir = path.join(runDir, METRICS);
  const out: Metric[] = [];
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st || (st.isSymbolicLink() && !realpathInside(f.realRoot, dir))) return out;
  for (const key of listFilesRecursive(dir, f.realRoot)) {
    const text = readTextInside(path.join(dir, key), f.realRoot);
    const m = text === undefined ? undefined : parseLatestMetric(text, key, experimentId);
    if (m) out.push(m);
  }
  return sortByKey(out);
}

function readInputs(f: FileExecutor, runDir: string, experimentDir: string): DatasetInput[] {
  const inputsDir = path.join(runDir, INPUTS);
  const datasetsDir = path.join(experimentDir, DATASETS);
  const out: DatasetInput[] = [];
  const names = f.listDirs(inputsDir).sort();
  if (names.length === 0) return out;
  const datasets = new Map<string, Dataset | null>();
  for (const name of names) {
    const meta = f.readMeta(path.join(inputsDir, name));
    if (!meta || meta.source_type !== 'DATASET' || typeof meta.source_id !== 'string') continue;
    const dsId = meta.source_id;
    if (!datasets.has(dsId)) {
      const dsMeta = /^[\w-]+$/.test(dsId) ? f.readMeta(path.join(datasetsDir, dsId)) : null;
      datasets.set(dsId, dsMeta ? datasetFromMeta(dsMeta) : null);
    }
    const dataset = datasets.get(dsId);
    if (!dataset) continue;
    const tagMap = meta.tags && typeof meta.tags === 'object' && !Array.isArray(meta.tags) ? meta.tags : {};
    const tags = Object.entries(tagMap).map(([key, value]) => ({ key, value: value === null ? '' : String(value) }));
    out.push({ tags, dataset });
  }
  return out;
}

/** The whole run: info, latest metrics, params, tags (run name filled from the tag if missing), inputs. */
export function loadRun(f: FileExecutor, loc: RunLocation, info: RunInfo): Run {
  const metrics = readLatestMetrics(f, loc.dir, info.experimentId);
  const params = sortByKey(f.readKeyValues(loc.dir, PARAMS));
  const tags = sortByKey(f.readKeyValues(loc.dir, TAGS));
  const runName = info.runName || tags.find((t) => t.key === MLFLOW_RUN_NAME)?.value || '';
  return {
    info: { ...info, runName },
    data: { metrics, params, tags },
    inputs: { datasetInputs: readInputs(f, loc.dir, loc.experimentDir) },
  };
}

function runFolderReadable(f: FileExecutor, loc: RunLocation, folder: string): boolean {
  if (loc.readable?.has(folder)) return true;
  if (!f.folderReadable(loc.dir + path.sep + folder)) return false;
  (loc.readable ??= new Set()).add(folder);
  return true;
}

/** Adds to a partial run the values `needs` names. */
export function addToPartialRun(f: FileExecutor, run: Run, loc: RunLocation, needs: SearchNeeds): void {
  const { data } = run;
  if (needs.metrics.size > 0 && runFolderReadable(f, loc, METRICS)) {
    for (const key of needs.metrics) {
      const text = f.readKeyFile(loc.dir, METRICS, key, true);
      const m = text === undefined ? undefined : parseLatestMetric(text, key, run.info.experimentId);
      if (m) data.metrics.push(m);
    }
  }
  if (needs.params.size > 0 && runFolderReadable(f, loc, PARAMS)) {
    for (const key of needs.params) {
      const value = f.readKeyFile(loc.dir, PARAMS, key, true);
      if (value !== undefined) data.params.push({ key, value });
    }
  }
  if (needs.tags.size > 0 && runFolderReadable(f, loc, TAGS)) {
    for (const key of needs.tags) {
      const value = f.readKeyFile(loc.dir, TAGS, key, true);
      if (value !== undefined) data.tags.push({ key, value });
    }
  }
  if (needs.inputs) run.inputs.datasetInputs = readInputs(f, loc.dir, loc.experimentDir);
}

export function partialRun(f: FileExecutor, loc: RunLocation, info: RunInfo, needs: SearchNeeds): Run {
  const run: Run = { info, data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } };
  // Runs written by MLflow always carry run_name in meta; very old ones only have the tag.
  if (!info.runName) run.info = { ...info, runName: f.readKeyFile(loc.dir, TAGS, MLFLOW_RUN_NAME) ?? '' };
  addToPartialRun(f, run, loc, needs);
  return run;
}
