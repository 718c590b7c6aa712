/** Experiments in the file store: `<root>/<id>/` when active, `<root>/.trash/<id>/` when deleted. */
import fs from 'node:fs';
import path from 'node:path';
import { MlfError, invalidParameter } from '../../../lib/errors.js';
import { sortByKey, type Experiment, type ExperimentTag, type ViewType } from '../../../tracking/entities.js';
import { experimentNameTaken, mustBeActive } from '../../../tracking/messages.js';
import { fileUriToPath, pathToFileUri, uriScheme } from '../../../tracking/uri.js';
import { validateExperimentId, validateExperimentName, validateExperimentTag, validateKeyName } from '../../../tracking/validation.js';
import { EXPERIMENT_NOT_FOUND, appendToUri, newFileExperimentId } from '../../common.js';
import type { CreateExperimentOptions } from '../../tracking-store.js';
import { assertWritableInside, joinInside } from '../fs-io.js';
import { DEFAULT_EXPERIMENT_ID, META, MODELS, TAGS, TRASH, experimentFromMeta, experimentToMeta, runInfoFromMeta, runInfoToMeta } from '../layout.js';
import { corruptMeta, type ExperimentLocation, type FileExecutor } from './executor.js';
import { runDirs } from './runs.js';

export function activeExperimentIds(f: FileExecutor): string[] {
  return f.listDirs(f.root).filter((n) => n !== TRASH && n !== MODELS);
}

export function deletedExperimentIds(f: FileExecutor): string[] {
  return f.listDirs(f.trash);
}

/** The folder of an experiment, looked up among active ones, deleted ones, or both. */
export function locateExperiment(f: FileExecutor, id: string, view: ViewType = 'ALL'): ExperimentLocation | undefined {
  if (view !== 'DELETED_ONLY' && id !== TRASH && id !== MODELS) {
    const dir = joinInside(f.root, id);
    if (f.isDirInside(dir)) return { id, dir, inTrash: false };
  }
  if (view !== 'ACTIVE_ONLY') {
    const dir = joinInside(f.trash, id);
    if (f.isDirInside(dir)) return { id, dir, inTrash: true };
  }
  return undefined;
}

/**
 * The experiment in `loc`, or undefined when its meta is missing, unreadable or names another id.
 * `withTags: false` skips reading `tags/` (name lookups do not need them).
 */
export function readExperiment(f: FileExecutor, loc: ExperimentLocation, withTags = true): Experiment | undefined {
  const meta = f.readMeta(loc.dir);
  if (!meta || meta.experiment_id === undefined) return undefined;
  const e = experimentFromMeta(meta);
  if (e.experimentId !== loc.id) return undefined;
  return { ...e, tags: withTags ? sortByKey(f.readKeyValues(loc.dir, TAGS)) : [] };
}

export function getExperimentAt(f: FileExecutor, id: string, view: ViewType = 'ALL'): { loc: ExperimentLocation; exp: Experiment } {
  const loc = locateExperiment(f, id, view);
  const exp = loc && readExperiment(f, loc);
  if (loc && !exp) {
    const problem = f.metaProblem(loc.dir);
    if (problem) throw corruptMeta(`Experiment '${id}'`, path.join(loc.dir, META), problem);
  }
  if (!loc || !exp) throw EXPERIMENT_NOT_FOUND(id);
  return { loc, exp };
}

export function allExperiments(f: FileExecutor, view: ViewType, withTags = true): { loc: ExperimentLocation; exp: Experiment }[] {
  const out: { loc: ExperimentLocation; exp: Experiment }[] = [];
  const add = (id: string, inTrash: boolean) => {
    const loc = { id, dir: path.join(inTrash ? f.trash : f.root, id), inTrash };
    const exp = readExperiment(f, loc, withTags);
    if (exp) out.push({ loc, exp });
  };
  if (view !== 'DELETED_ONLY') for (const id of activeExperimentIds(f)) add(id, false);
  if (view !== 'ACTIVE_ONLY') for (const id of deletedExperimentIds(f)) add(id, true);
  return out;
}

export async function createExperiment(f: FileExecutor, opts: CreateExperimentOptions): Promise<string> {
  const name = validateExperimentName(opts.name);
  const tags = (opts.tags ?? []).map((t) => validateExperimentTag(t));
  assertNameFree(f, name);
  for (;;) {
    const id = newFileExperimentId();
    if (locateExperiment(f, id)) continue;
    createExperimentWithId(f, name, id, opts.artifactLocation, tags);
    return id;
  }
}

function assertNameFree(f: FileExecutor, name: string, exceptId?: string): void {
  // An experiment whose meta.yaml cannot be read may carry this name: never make a duplicate.
  for (const dir of [...activeExperimentIds(f).map((id) => path.join(f.root, id)), ...deletedExperimentIds(f).map((id) => path.join(f.trash, id))]) {
    const problem = f.metaProblem(dir);
    if (!problem) continue;
    const file = path.join(dir, META);
    throw new MlfError(
      `Cannot create experiment '${name}': ${file} is corrupt (${problem}), so that experiment's name is unknown. Repair or remove it first.`,
      'INVALID_STATE',
    );
  }
  for (const { exp } of allExperiments(f, 'ALL', false)) {
    // Deleted or not, one wording on every store (MLflow's file store words the deleted case apart).
    if (exp.name === name && exp.experimentId !== exceptId) throw experimentNameTaken(name);
  }
}

export function createExperimentWithId(f: FileExecutor, name: string, id: string, artifactLocation: string | undefined, tags: ExperimentTag[]): void {
  const dir = joinInside(f.root, id);
  assertWritableInside(f.realRoot, path.join(dir, META));
  fs.mkdirSync(dir);
  const now = Date.now();
  const exp: Experiment = {
    experimentId: id,
    name,
    artifactLocation: artifactLocation ? resolveLocalUri(artifactLocation) : appendToUri(f.artifactRoot, id),
    lifecycleStage: 'active',
    creationTime: now,
    lastUpdateTime: now,
    tags: [],
  };
  f.writeMeta(dir, experimentToMeta(exp, false));
  for (const t of tags) f.writeKeyFile(dir, TAGS, t.key, t.value);
}

export async function getExperiment(f: FileExecutor, experimentId: string): Promise<Experiment> {
  const id = validateExperimentId(experimentId ?? DEFAULT_EXPERIMENT_ID);
  return getExperimentAt(f, id).exp;
}

export async function getExperimentByName(f: FileExecutor, name: string): Promise<Experiment | null> {
  let hit: ExperimentLocation | null = null;
  for (const { loc, exp } of allExperiments(f, 'ALL', false)) {
    if (exp.name !== name) continue;
    if (exp.lifecycleStage === 'active') return readExperiment(f, loc) ?? null;
    hit ??= loc;
  }
  return hit ? (readExperiment(f, hit) ?? null) : null;
}

export async function deleteExperiment(f: FileExecutor, experimentId: string): Promise<void> {
  const id = validateExperimentId(experimentId);
  if (id === DEFAULT_EXPERIMENT_ID) {
    // MLflow's file store keeps `0` forever: it is recreated only for a brand-new root.
    throw invalidParameter(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
  }
  const { loc, exp } = getExperimentAt(f, id, 'ACTIVE_ONLY');
  if (exp.lifecycleStage !== 'active') throw EXPERIMENT_NOT_FOUND(id);
  const target = joinInside(f.trash, id);
  if (fs.existsSync(target)) {
    throw new MlfError(`Cannot delete experiment ${id}: '${path.join(TRASH, id)}' already exists in the store.`, 'RESOURCE_ALREADY_EXISTS');
  }
  const now = Date.now();
  // Only active runs are marked (and stamped): runs deleted earlier keep their deleted_time.
  for (const runDir of runDirs(f, loc)) {
    const meta = f.readMeta(runDir);
    if (!meta) continue;
    const info = runInfoFromMeta(meta);
    if (info.experimentId !== id || info.lifecycleStage !== 'active') continue;
    f.writeMeta(runDir, runInfoToMeta({ ...info, lifecycleStage: 'deleted', deletedTime: now }));
  }
  f.writeMeta(loc.dir, experimentToMeta({ ...exp, lifecycleStage: 'deleted', lastUpdateTime: now }, true));
  assertWritableInside(f.realRoot, target);
  fs.renameSync(loc.dir, target);
}

export async function restoreExperiment(f: FileExecutor, experimentId: string): Promise<void> {
  const id = validateExperimentId(experimentId);
  const { loc, exp } = getExperimentAt(f, id, 'DELETED_ONLY');
  if (locateExperiment(f, id, 'ACTIVE_ONLY')) {
    throw new MlfError(`Cannot restore experiment with ID ${id}. An experiment with same ID already exists.`, 'RESOURCE_ALREADY_EXISTS');
  }
  const target = joinInside(f.root, id);
  assertWritableInside(f.realRoot, target);
  fs.renameSync(loc.dir, target);
  const active: ExperimentLocation = { id, dir: target, inTrash: false };
  for (const runDir of runDirs(f, active)) {
    const meta = f.readMeta(runDir);
    if (!meta) continue;
    const info = runInfoFromMeta(meta);
    if (info.experimentId !== id || info.lifecycleStage !== 'deleted') continue;
    f.writeMeta(runDir, runInfoToMeta({ ...info, lifecycleStage: 'active', deletedTime: null }));
  }
  f.writeMeta(target, experimentToMeta({ ...exp, lifecycleStage: 'active', lastUpdateTime: Date.now() }, true));
}

export async function renameExperiment(f: FileExecutor, experimentId: string, newName: string): Promise<void> {
  const id = validateExperimentId(experimentId);
  const name = validateExperimentName(newName);
  const { loc, exp } = getExperimentAt(f, id);
  if (exp.lifecycleStage !== 'active') throw new MlfError('Cannot rename a non-active experiment.', 'INVALID_STATE');
  if (exp.name === name) return;
  assertNameFree(f, name, id);
  f.writeMeta(loc.dir, experimentToMeta({ ...exp, name, lastUpdateTime: Date.now() }, true));
}

function activeExperimentOrThrow(f: FileExecutor, experimentId: string): { loc: ExperimentLocation; exp: Experiment } {
  const id = validateExperimentId(experimentId);
  const found = getExperimentAt(f, id);
  if (found.exp.lifecycleStage !== 'active') {
    throw mustBeActive('experiment', id, found.exp.lifecycleStage);
  }
  return found;
}

export async function setExperimentTag(f: FileExecutor, experimentId: string, tag: ExperimentTag): Promise<void> {
  const t = validateExperimentTag(tag);
  const { loc } = activeExperimentOrThrow(f, experimentId);
  f.writeKeyFile(loc.dir, TAGS, t.key, t.value);
}

export async function deleteExperimentTag(f: FileExecutor, experimentId: string, key: string): Promise<void> {
  const k = validateKeyName(key, 'tag');
  const { loc } = activeExperimentOrThrow(f, experimentId);
  if (f.readKeyFile(loc.dir, TAGS, k) === undefined) {
    throw new MlfError(`No tag with name: ${k} in experiment with id ${loc.id}`, 'RESOURCE_DOES_NOT_EXIST');
  }
  f.removeKeyFile(loc.dir, TAGS, k);
}

/** MLflow's `resolve_uri_if_local`: a relative path or `file:` URI becomes absolute; other URIs stay. */
export function resolveLocalUri(uri: string): string {
  const scheme = uriScheme(uri);
  if (scheme === '') return path.resolve(uri);
  if (scheme === 'file') {
    const rest = uri.slice('file:'.length);
    return rest.startsWith('/') ? uri : pathToFileUri(fileUriToPath(uri));
  }
  return uri;
}
