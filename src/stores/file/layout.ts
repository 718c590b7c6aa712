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
/** Folders inside an experiment folder that are not runs (`RESERVED_EXPERIMENT_FOLDERS`; MLflow 3 adds `models`). */
export const RESERVED_EXPERIMENT_FOLDERS = new Set([TAGS, DATASETS, TRACES, MODELS]);

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

const RUN_STRING_KEYS = new Set(['artifact_uri', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name', 'run_uuid', 'user_id']);
const RUN_INT_KEYS = new Set(['start_time', 'end_time', 'deleted_time', 'status']);

/**
 * Run `meta.yaml` text → RunInfo, for the search hot path: one pass over the lines, reading only the
 * keys RunInfo needs, no intermediate map. Returns undefined on anything it is not sure about
 * (double quotes, wrapped or indented lines, odd scalars), and the caller falls back to the
 * general YAML reader, so the result is always what a YAML parser would give.
 */
export function runInfoFromMetaText(text: string): RunInfo | undefined {
  let runId: string | undefined;
  let runUuid: string | undefined;
  let runName = '';
  let experimentId: string | undefined;
  let userId = '';
  let artifactUri = '';
  let lifecycle: LifecycleStage = 'active';
  let status = 1;
  let startTime: number | null = null;
  let endTime: number | null = null;
  let deletedTime: number | null = null;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let j = text.indexOf('\n', i);
    if (j === -1) j = n;
    let end = j;
    if (end > i && text.charCodeAt(end - 1) === 13) end--;
    const lineStart = i;
    i = j + 1;
    if (end === lineStart) continue;
    const c0 = text.charCodeAt(lineStart);
    // ' ', '-', '#', tab, '"', '?', '{': continuation lines, lists, comments, complex keys.
    if (c0 === 32 || c0 === 45 || c0 === 35 || c0 === 9 || c0 === 34 || c0 === 63 || c0 === 123) return undefined;
    const colon = text.indexOf(': ', lineStart);
    // No ': ' on the line: `key:` opening a nested block, or something odd.
    if (colon === -1 || colon >= end) return undefined;
    const key = text.slice(lineStart, colon);
    if (RUN_STRING_KEYS.has(key)) {
      const v = stringScalar(text, colon + 2, end);
      if (v === undefined) return undefined;
      switch (key) {
        case 'run_id':
          runId = v ?? undefined;
          break;
        case 'run_uuid':
          runUuid = v ?? undefined;
          break;
        case 'run_name':
          runName = v ?? '';
          break;
        case 'experiment_id':
          experimentId = v ?? undefined;
          break;
        case 'user_id':
          userId = v ?? '';
          break;
        case 'artifact_uri':
          artifactUri = v ?? '';
          break;
        case 'lifecycle_stage':
          lifecycle = v === 'deleted' ? 'deleted' : 'active';
          break;
      }
    } else if (RUN_INT_KEYS.has(key)) {
      const v = intScalar(text, colon + 2, end);
      if (v === undefined) return undefined;
      if (key === 'status') {
        if (v === null) return undefined;
        status = v;
      } else if (key === 'start_time') startTime = v;
      else if (key === 'end_time') endTime = v;
      else deletedTime = v;
    }
  }
  if (experimentId === undefined) return undefined;
  return {
    runId: runId ?? runUuid ?? '',
    runName,
    experimentId,
    userId,
    status: runStatusFromCode(status),
    startTime,
    endTime,
    artifactUri,
    lifecycleStage: lifecycle,
    deletedTime,
  };
}

/** A string field: plain or single-quoted; null for YAML's null words; undefined = not sure. */
function stringScalar(text: string, from: number, to: number): string | null | undefined {
  if (from >= to) return null;
  const c = text.charCodeAt(from);
  if (c === 39) {
    if (to - from < 2 || text.charCodeAt(to - 1) !== 39) return undefined;
    const body = text.slice(from + 1, to - 1);
    if (body.indexOf("'") === -1) return body;
    const unq = body.replace(/''/g, "'");
    return body.replace(/''/g, '').includes("'") ? undefined : unq;
  }
  // Anything that could be a YAML indicator, a quote, a comment or a typed scalar goes to the full parser.
  if (c === 34 || c === 91 || c === 123 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 35) {
    return undefined;
  }
  const raw = text.slice(from, to);
  if (raw === 'null' || raw === '~' || raw === 'Null' || raw === 'NULL') return null;
  if (raw.includes(' #') || raw.endsWith(' ')) return undefined;
  // An unquoted number-like or boolean-like value is a typed scalar in YAML; let the parser decide.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    // Digits, or a hex id that starts with one (PyYAML writes those bare and reads them back as text).
    return /^[0-9][0-9a-f]*$/.test(raw) ? raw : undefined;
  }
  if (raw.length <= 5 && /^(y|n|yes|no|on|off|true|false)$/i.test(raw)) return undefined;
  return raw;
}

/** An integer field, or null; undefined = not sure. */
function intScalar(text: string, from: number, to: number): number | null | undefined {
  if (from >= to) return null;
  let k = from;
  let neg = false;
  if (text.charCodeAt(k) === 45) {
    neg = true;
    k++;
  }
  if (k >= to) return undefined;
  let v = 0;
  for (; k < to; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) {
      const raw = text.slice(from, to);
      return raw === 'null' || raw === '~' ? null : undefined;
    }
    v = v * 10 + d;
  }
  if (!Number.isSafeInteger(v)) return undefined;
  return neg ? -v : v;
}
