/**
 * Names and shapes of MLflow's `mlruns` layout (`mlflow/store/tracking/file_store.py`), and the
 * conversions between `meta.yaml` maps and mlf's entities.
 */
import crypto from 'node:crypto';
import {
  RUN_STATUS_CODES,
  SOURCE_TYPE_CODES,
  isRunStatus,
  runStatusFromCode,
  type Dataset,
  type Experiment,
  type LifecycleStage,
  type RunInfo,
} from '../../tracking/entities.js';
import type { YamlMap, YamlValue } from './meta-yaml.js';

export const TRASH = '.trash';
export const MODELS = 'models';
export const META = 'meta.yaml';
export const METRICS = 'metrics';
export const PARAMS = 'params';
export const TAGS = 'tags';
export const ARTIFACTS = 'artifacts';
export const DATASETS = 'datasets';
export const INPUTS = 'inputs';
export const TRACES = 'traces';
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';
/** Folders inside an experiment folder that are not runs (`RESERVED_EXPERIMENT_FOLDERS`). */
export const RESERVED_EXPERIMENT_FOLDERS = new Set([TAGS, DATASETS, TRACES]);

/** `md5(name + digest)`: the folder name of a dataset under `<experiment>/datasets/`. */
export function datasetId(name: string, digest: string): string {
  return crypto.createHash('md5').update(name, 'utf8').update(digest, 'utf8').digest('hex');
}

/** `md5(dataset_id + run_id)`: the folder name of an input under `<run>/inputs/`. */
export function inputId(dsId: string, runId: string): string {
  return crypto.createHash('md5').update(dsId, 'utf8').update(runId, 'utf8').digest('hex');
}

function str(v: YamlValue | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

function num(v: YamlValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

function stage(v: YamlValue | undefined): LifecycleStage {
  return v === 'deleted' ? 'deleted' : 'active';
}

/** Experiment `meta.yaml` → Experiment (tags are read from `tags/`). Legacy integer ids become strings. */
export function experimentFromMeta(meta: YamlMap): Omit<Experiment, 'tags'> {
  return {
    experimentId: str(meta.experiment_id),
    name: str(meta.name),
    artifactLocation: str(meta.artifact_location),
    lifecycleStage: stage(meta.lifecycle_stage),
    creationTime: num(meta.creation_time),
    lastUpdateTime: num(meta.last_update_time),
  };
}

/**
 * Experiment → `meta.yaml`. At creation MLflow leaves tags out; its later rewrites (rename,
 * delete, restore) dump the whole experiment, tags included, and readers ignore that copy.
 */
export function experimentToMeta(e: Experiment, withTags: boolean): YamlMap {
  const meta: YamlMap = {
    artifact_location: e.artifactLocation,
    creation_time: e.creationTime,
    experiment_id: e.experimentId,
    last_update_time: e.lastUpdateTime,
    lifecycle_stage: e.lifecycleStage,
    name: e.name,
  };
  if (withTags) meta.tags = Object.fromEntries(e.tags.map((t) => [t.key, t.value]));
  return meta;
}

/** Run `meta.yaml` → RunInfo: missing lifecycle means active, missing status means RUNNING. */
export function runInfoFromMeta(meta: YamlMap): RunInfo {
  const status = meta.status;
  return {
    runId: str(meta.run_id ?? meta.run_uuid),
    runName: str(meta.run_name),
    experimentId: str(meta.experiment_id),
    userId: str(meta.user_id),
    status: typeof status === 'number' ? runStatusFromCode(status) : isRunStatus(status) ? status : 'RUNNING',
    startTime: num(meta.start_time),
    endTime: num(meta.end_time),
    artifactUri: str(meta.artifact_uri),
    lifecycleStage: stage(meta.lifecycle_stage),
    deletedTime: num(meta.deleted_time),
  };
}

/**
 * RunInfo → `meta.yaml`, as MLflow's `_make_persisted_run_info_dict`: integer status, `source_type: 4`,
 * the empty legacy source fields and `tags: []` that old MLflow versions read.
 *
 * `deleted_time` is written only while the run is deleted. MLflow writes `deleted_time: null` at
 * creation but drops the key on its next rewrite, which `create_run` itself triggers (setting the
 * `mlflow.runName` tag rewrites the meta), so every active run MLflow leaves behind has no key;
 * mlf writes that final shape directly. MLflow's gc treats a deleted run without the key as old.
 */
export function runInfoToMeta(info: RunInfo): YamlMap {
  const meta: YamlMap = {
    artifact_uri: info.artifactUri,
    end_time: info.endTime,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: SOURCE_TYPE_CODES.LOCAL,
    source_version: '',
    start_time: info.startTime,
    status: RUN_STATUS_CODES[info.status],
    tags: [],
    user_id: info.userId,
  };
  if (info.lifecycleStage === 'deleted' && info.deletedTime !== null) meta.deleted_time = info.deletedTime;
  return meta;
}

export function datasetFromMeta(meta: YamlMap): Dataset {
  const opt = (v: YamlValue | undefined) => (v === null || v === undefined ? null : str(v));
  return {
    name: str(meta.name),
    digest: str(meta.digest),
    sourceType: str(meta.source_type),
    source: str(meta.source),
    schema: opt(meta.schema),
    profile: opt(meta.profile),
  };
}

/** Dataset → `meta.yaml` (`dict(Dataset)`: schema and profile written as null when absent). */
export function datasetToMeta(d: Dataset): YamlMap {
  return {
    digest: d.digest,
    name: d.name,
    profile: d.profile ?? null,
    schema: d.schema ?? null,
    source: d.source,
    source_type: d.sourceType,
  };
}
