/** Runs in the file store: `<experiment>/<run_id>/` with meta.yaml, metrics/, params/, tags/, inputs/, artifacts/. */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError } from '../../../lib/errors.js';
import { MLFLOW_RUN_NAME, type Run, type RunInfo } from '../../../tracking/entities.js';
import { mustBeActive } from '../../../tracking/messages.js';
import { validateExperimentId, validateRunId, validateRunStatus, validateTag } from '../../../tracking/validation.js';
import { RUN_NOT_FOUND, appendToUri, currentUser, newRunId, resolveRunName } from '../../common.js';
import type { CreateRunOptions, UpdateRunOptions } from '../../tracking-store.js';
import { assertWritableInside, joinInside, readText } from '../fs-io.js';
import { ARTIFACTS, DEFAULT_EXPERIMENT_ID, META, METRICS, PARAMS, RESERVED_EXPERIMENT_FOLDERS, TAGS, runInfoFromMeta, runInfoFromMetaText, runInfoToMeta } from '../layout.js';
import { corruptMeta, parseMeta, type ExperimentLocation, type FileExecutor, type RunLocation } from './executor.js';
import { activeExperimentIds, deletedExperimentIds, getExperimentAt } from './experiments.js';
import { loadRun } from './hydrate.js';

/** Run folders of an experiment: sub-folders except the reserved `tags`, `datasets`, `traces`. */
export function runDirs(f: FileExecutor, loc: ExperimentLocation): string[] {
  return f
    .listDirs(loc.dir)
    .filter((n) => !RESERVED_EXPERIMENT_FOLDERS.has(n))
    .map((n) => loc.dir + path.sep + n);
}

export function locateRun(f: FileExecutor, runId: string): RunLocation | undefined {
  const cached = f.runLocations.get(runId);
  if (cached && f.isDirInside(cached.dir)) return cached;
  f.runLocations.delete(runId);
  const scan = (ids: string[], parent: string): RunLocation | undefined => {
    for (const expId of ids) {
      const experimentDir = path.join(parent, expId);
      const dir = path.join(experimentDir, runId);
      if (f.isDirInside(dir)) return { runId, experimentId: expId, experimentDir, dir };
    }
    return undefined;
  };
  const loc = scan(activeExperimentIds(f), f.root) ?? scan(deletedExperimentIds(f), f.trash);
  if (loc) f.runLocations.set(runId, loc);
  return loc;
}

/** The run's folder and info; `RESOURCE_DOES_NOT_EXIST` if there is no such run. */
export function runAt(f: FileExecutor, runId: string): { loc: RunLocation; info: RunInfo } {
  const id = validateRunId(runId);
  const loc = locateRun(f, id);
  if (!loc) throw RUN_NOT_FOUND(id);
  const file = loc.dir + path.sep + META;
  const text = readText(file);
  let problem: string | undefined;
  const info = text === undefined ? undefined : parseRunMeta(text, (e) => (problem = e));
  if (problem) throw corruptMeta(`Run '${id}'`, file, problem);
  if (!info) throw RUN_NOT_FOUND(id);
  if (info.experimentId !== loc.experimentId) {
    throw new MlfError(`Run '${id}' metadata is in invalid state.`, 'INVALID_STATE');
  }
  return { loc, info };
}

export function activeRunAt(f: FileExecutor, runId: string): { loc: RunLocation; info: RunInfo } {
  const r = runAt(f, runId);
  if (r.info.lifecycleStage !== 'active') {
    throw mustBeActive('run', r.info.runId, r.info.lifecycleStage);
  }
  return r;
}

/**
 * Run meta text → RunInfo: the hot-path reader, or the general YAML reader when it is unsure.
 * A file that is not a run's metadata is undefined, and `onError` hears why.
 */
export function parseRunMeta(text: string, onError?: (error: string) => void): RunInfo | undefined {
  const fast = runInfoFromMetaText(text);
  if (fast) return fast;
  const r = parseMeta(text);
  if ('error' in r) {
    onError?.(r.error);
    return undefined;
  }
  if (r.meta.experiment_id === undefined) {
    onError?.('no experiment_id');
    return undefined;
  }
  return runInfoFromMeta(r.meta);
}

export async function createRun(f: FileExecutor, opts: CreateRunOptions): Promise<Run> {
  const experimentId = validateExperimentId(opts.experimentId ?? DEFAULT_EXPERIMENT_ID);
  const inputTags = (opts.tags ?? []).map((t, i) => validateTag(t, { path: `tags[${i}]` }));
  const { loc, exp } = getExperimentAt(f, experimentId);
  if (exp.lifecycleStage !== 'active') {
    throw mustBeActive('experiment', experimentId, exp.lifecycleStage);
  }
  const { runName, tags } = resolveRunName(opts.runName, inputTags);
  const runId = newRunId();
  const info: RunInfo = {
    runId,
    runName,
    experimentId,
    userId: opts.userId ?? currentUser(),
    status: 'RUNNING',
    startTime: opts.startTime ?? null,
    endTime: null,
    artifactUri: appendToUri(exp.artifactLocation, runId, ARTIFACTS),
    lifecycleStage: 'active',
    deletedTime: null,
  };
  const dir = joinInside(loc.dir, runId);
  assertWritableInside(f.realRoot, path.join(dir, META));
  fs.mkdirSync(dir);
  f.writeMeta(dir, runInfoToMeta(info));
  for (const sub of [METRICS, PARAMS, ARTIFACTS]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  for (const t of tags) f.writeKeyFile(dir, TAGS, t.key, t.value);
  const runLoc: RunLocation = { runId, experimentId, experimentDir: loc.dir, dir };
  f.runLocations.set(runId, runLoc);
  return loadRun(f, runLoc, info);
}

export async function getRun(f: FileExecutor, runId: string): Promise<Run> {
  const { loc, info } = runAt(f, runId);
  return loadRun(f, loc, info);
}

export async function updateRunInfo(f: FileExecutor, runId: string, opts: UpdateRunOptions): Promise<RunInfo> {
  const status = opts.status === undefined ? undefined : validateRunStatus(opts.status);
  const { loc, info } = activeRunAt(f, runId);
  const next: RunInfo = {
    ...info,
    status: status ?? info.status,
    endTime: opts.endTime ?? info.endTime,
    runName: opts.runName || info.runName,
  };
  if (opts.runName) {
    const tag = validateTag({ key: MLFLOW_RUN_NAME, value: opts.runName });
    f.writeKeyFile(loc.dir, TAGS, tag.key, tag.value);
  }
  f.writeMeta(loc.dir, runInfoToMeta(next));
  return next;
}

export async function deleteRun(f: FileExecutor, runId: string): Promise<void> {
  const { loc, info } = runAt(f, runId);
  f.writeMeta(loc.dir, runInfoToMeta({ ...info, lifecycleStage: 'deleted', deletedTime: Date.now() }));
}

export async function restoreRun(f: FileExecutor, runId: string): Promise<void> {
  const { loc, info } = runAt(f, runId);
  f.writeMeta(loc.dir, runInfoToMeta({ ...info, lifecycleStage: 'active', deletedTime: null }));
}
