/**
 * MLflow 3's logged models: the entity, its checks and errors, its REST JSON shape, and the store
 * interface every backend that supports them implements (`TrackingStore.loggedModels`).
 *
 * @example
 * const m = await store.loggedModels!.create({ experimentId: '0', name: 'clf' });
 * await store.loggedModels!.finalize(m.info.modelId, 'LOGGED_MODEL_READY');
 */
import crypto from 'node:crypto';
import { MlfError } from '../lib/errors.js';
import type { Json, KeyValue, PagedList, Run } from './entities.js';

/** LoggedModelStatus names with their proto numbers (what the SQL `status` column holds). */
export const LOGGED_MODEL_STATUS_CODES = {
  LOGGED_MODEL_STATUS_UNSPECIFIED: 0,
  LOGGED_MODEL_PENDING: 1,
  LOGGED_MODEL_READY: 2,
  LOGGED_MODEL_UPLOAD_FAILED: 3,
} as const;
export type LoggedModelStatus = keyof typeof LOGGED_MODEL_STATUS_CODES;

export function loggedModelStatusFromCode(code: number): LoggedModelStatus {
  const hit = (Object.keys(LOGGED_MODEL_STATUS_CODES) as LoggedModelStatus[]).find((k) => LOGGED_MODEL_STATUS_CODES[k] === code);
  return hit ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
}

/** A metric point recorded against a model (MLflow's `Metric` with the model fields). */
export interface LoggedModelMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  modelId: string;
  datasetName?: string;
  datasetDigest?: string;
}

export interface LoggedModelInfo {
  modelId: string;
  experimentId: string;
  name: string;
  creationTimestampMs: number;
  lastUpdatedTimestampMs: number;
  artifactUri: string;
  status: LoggedModelStatus;
  modelType?: string;
  sourceRunId?: string;
  statusMessage?: string;
  tags: KeyValue[];
}

export interface LoggedModel {
  info: LoggedModelInfo;
  data: { params: KeyValue[]; metrics: LoggedModelMetric[] };
}

export interface CreateLoggedModelOptions {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** One `datasets` entry of a search: a metric row must be on one of them. */
export interface DatasetFilter {
  datasetName: string;
  datasetDigest?: string;
}

export interface LoggedModelOrderBy {
  fieldName: string;
  ascending: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

export interface SearchLoggedModelsOptions {
  experimentIds: string[];
  filter?: string;
  datasets?: DatasetFilter[];
  maxResults?: number;
  orderBy?: LoggedModelOrderBy[];
  pageToken?: string;
}

/** A run's links to models: `inputs.model_inputs` and `outputs.model_outputs` of a `Run`. */
export interface RunModelLinks {
  inputs: { modelId: string }[];
  outputs: { modelId: string; step: number }[];
}

/** What a store with logged models offers; stores without them leave `TrackingStore.loggedModels` unset. */
export interface LoggedModelStore {
  create(opts: CreateLoggedModelOptions): Promise<LoggedModel>;
  /** Deleted models answer RESOURCE_DOES_NOT_EXIST unless `allowDeleted`. */
  get(modelId: string, allowDeleted?: boolean): Promise<LoggedModel>;
  finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>;
  /** Soft delete: the model disappears from get and search. */
  delete(modelId: string): Promise<void>;
  setTags(modelId: string, tags: KeyValue[]): Promise<void>;
  deleteTag(modelId: string, key: string): Promise<void>;
  /** A key already logged on the model is refused. */
  logParams(modelId: string, params: KeyValue[]): Promise<void>;
  search(opts: SearchLoggedModelsOptions): Promise<PagedList<LoggedModel>>;
  /** `runs/outputs`: the run (active) produced these models. Stores without run links leave it unset. */
  logOutputs?(runId: string, models: { modelId: string; step: number }[]): Promise<void>;
  /** The model half of `runs/log-inputs`: the run (active) used these models. */
  logModelInputs?(runId: string, modelIds: string[]): Promise<void>;
  /**
   * Model links of runs (runs without any are absent); empty where the schema has no such links.
   * Stores whose runs come with their links (SQL, REST) leave it unset.
   */
  runLinks?(runIds: string[]): Promise<Map<string, RunModelLinks>>;
}

/** `logged_model_metrics` column sizes: longer dataset fields are refused before anything is written. */
const MAX_MODEL_METRIC_DATASET_NAME = 500;
const MAX_MODEL_METRIC_DATASET_DIGEST = 36;

/**
 * The points of a log-metric / log-batch that also go to logged models (MLflow 3's
 * `_log_model_metrics`): those with a `modelId`, each once (MLflow skips repeats of a whole point),
 * and once per model, name, timestamp, step (the table's key with the run): the first one logged wins.
 */
export function modelMetricPoints(metrics: readonly { key: string; value: number; timestamp: number; step: number; modelId?: string; datasetName?: string; datasetDigest?: string }[]): LoggedModelMetricPoint[] {
  const out: LoggedModelMetricPoint[] = [];
  const seen = new Set<string>();
  for (const m of metrics) {
    if (!m.modelId) continue;
    if (m.datasetName && m.datasetName.length > MAX_MODEL_METRIC_DATASET_NAME) {
      throw new MlfError(`Dataset name of metric '${m.key}' is ${m.datasetName.length} characters long; at most ${MAX_MODEL_METRIC_DATASET_NAME} are allowed.`, 'INVALID_PARAMETER_VALUE');
    }
    if (m.datasetDigest && m.datasetDigest.length > MAX_MODEL_METRIC_DATASET_DIGEST) {
      throw new MlfError(`Dataset digest of metric '${m.key}' is ${m.datasetDigest.length} characters long; at most ${MAX_MODEL_METRIC_DATASET_DIGEST} are allowed.`, 'INVALID_PARAMETER_VALUE');
    }
    const pk = JSON.stringify([m.modelId, m.key, m.timestamp, m.step]);
    if (seen.has(pk)) continue;
    seen.add(pk);
    out.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, modelId: m.modelId, datasetName: m.datasetName, datasetDigest: m.datasetDigest });
  }
  return out;
}

/** A point bound for a logged model (what {@link modelMetricPoints} keeps). */
export interface LoggedModelMetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  modelId: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** MLflow's `SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT`. */
export const SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT = 100;

export const modelNotFound = (modelId: string) => new MlfError(`Logged model with ID '${modelId}' not found.`, 'RESOURCE_DOES_NOT_EXIST');

export const modelTagNotFound = (modelId: string, key: string) =>
  new MlfError(`No tag with key '${key}' found for model with ID '${modelId}'.`, 'RESOURCE_DOES_NOT_EXIST');

const BAD_NAME_CHARS = ['/', ':', '.', '%', '"', "'"];

/** MLflow's `_validate_logged_model_name`: an unset name is fine (a random one is made). */
export function validateLoggedModelName(name: string | undefined): void {
  if (name === undefined) return;
  if (name === '' || BAD_NAME_CHARS.some((c) => name.includes(c))) {
    throw new MlfError(
      `Invalid model name (${JSON.stringify(name)}) provided. Model name must be a non-empty string and cannot contain the following characters: ${BAD_NAME_CHARS.map((c) => JSON.stringify(c)).join(', ')}`,
      'INVALID_PARAMETER_VALUE',
    );
  }
}

/** Keys must be unique within one request (they are a table's primary key). */
export function validateModelKeyValues(what: 'params' | 'tags', items: KeyValue[]): void {
  const seen = new Set<string>();
  for (const kv of items) {
    if (!kv.key) throw new MlfError(`Logged model ${what} must have non-empty keys.`, 'INVALID_PARAMETER_VALUE');
    if (seen.has(kv.key)) throw new MlfError(`Duplicate ${what.slice(0, -1)} key '${kv.key}' for a logged model.`, 'INVALID_PARAMETER_VALUE');
    seen.add(kv.key);
  }
}

/** A create's checks before any write: the name, then params and tags (unset ones are empty). */
export function checkCreateLoggedModel(opts: CreateLoggedModelOptions): { params: KeyValue[]; tags: KeyValue[] } {
  validateLoggedModelName(opts.name);
  const params = opts.params ?? [];
  const tags = opts.tags ?? [];
  validateModelKeyValues('params', params);
  validateModelKeyValues('tags', tags);
  return { params, tags };
}

/** `finalize` takes only a final status. */
export function validateFinalStatus(status: LoggedModelStatus): void {
  if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
    throw new MlfError(`Invalid model status: ${status}. Expected one of LOGGED_MODEL_READY, LOGGED_MODEL_UPLOAD_FAILED.`, 'INVALID_PARAMETER_VALUE');
  }
}

/** Params are written once: `keys` are those a model already has. */
export const modelParamsTaken = (modelId: string, keys: string[]) =>
  new MlfError(
    `Parameter(s) ${keys.map((k) => `'${k}'`).join(', ')} already logged for model with ID '${modelId}'; logged model params cannot change.`,
    'INVALID_PARAMETER_VALUE',
  );

/** A model as its row of MLflow's `logged_models` table (unset fields null): what a filter on an attribute compares. */
export function loggedModelColumns(m: LoggedModel, lifecycleStage: string): Record<string, string | number | null> {
  const i = m.info;
  return {
    model_id: i.modelId,
    experiment_id: i.experimentId,
    name: i.name,
    artifact_location: i.artifactUri,
    creation_timestamp_ms: i.creationTimestampMs,
    last_updated_timestamp_ms: i.lastUpdatedTimestampMs,
    status: LOGGED_MODEL_STATUS_CODES[i.status],
    lifecycle_stage: lifecycleStage,
    model_type: i.modelType ?? null,
    source_run_id: i.sourceRunId ?? null,
    status_message: i.statusMessage ?? null,
  };
}

/** The artifact folder of a model: `<experiment artifact location>/models/<model_id>/artifacts`. */
export function modelArtifactUri(experimentArtifactLocation: string, modelId: string): string {
  return `${experimentArtifactLocation.replace(/\/+$/, '')}/models/${modelId}/artifacts`;
}

/** `m-` and a uuid4 without dashes, as MLflow's stores make them. */
export function newLoggedModelId(): string {
  return `m-${crypto.randomUUID().replace(/-/g, '')}`;
}

const kvJson = (kv: KeyValue): Json => ({ key: kv.key, value: kv.value });

function metricJson(m: LoggedModelMetric): Json {
  const out: Json = { key: m.key, value: Number.isFinite(m.value) ? m.value : String(m.value), timestamp: m.timestamp, step: m.step };
  if (m.datasetName) out.dataset_name = m.datasetName;
  if (m.datasetDigest) out.dataset_digest = m.datasetDigest;
  out.model_id = m.modelId;
  out.run_id = m.runId;
  return out;
}

/** MLflow's `LoggedModel` JSON (proto field names; empty repeated fields omitted as protobuf does). */
export function loggedModelToJson(m: LoggedModel): Json {
  const i = m.info;
  const info: Json = {
    model_id: i.modelId,
    experiment_id: i.experimentId,
    name: i.name,
    creation_timestamp_ms: i.creationTimestampMs,
    last_updated_timestamp_ms: i.lastUpdatedTimestampMs,
    artifact_uri: i.artifactUri,
    status: i.status,
  };
  if (i.modelType) info.model_type = i.modelType;
  if (i.sourceRunId) info.source_run_id = i.sourceRunId;
  if (i.statusMessage) info.status_message = i.statusMessage;
  if (i.tags.length) info.tags = i.tags.map(kvJson);
  const data: Json = {};
  if (m.data.params.length) data.params = m.data.params.map(kvJson);
  if (m.data.metrics.length) data.metrics = m.data.metrics.map(metricJson);
  return { info, data };
}

/**
 * Fills MLflow 3's model links of runs (`inputs.modelInputs`, `outputs`) from a store's logged
 * models; runs without links, and stores without logged models, are left as they are.
 */
export async function withModelLinks(models: LoggedModelStore | undefined, runs: Run[]): Promise<void> {
  if (!models?.runLinks || !runs.length) return;
  const links = await models.runLinks(runs.map((r) => r.info.runId));
  for (const r of runs) {
    const l = links.get(r.info.runId);
    if (!l) continue;
    if (l.inputs.length) r.inputs.modelInputs = l.inputs.map((m) => ({ modelId: m.modelId }));
    if (l.outputs.length) r.outputs = { modelOutputs: l.outputs.map((m) => ({ modelId: m.modelId, step: m.step })) };
  }
}

/** The inverse of {@link loggedModelToJson}: MLflow's `LoggedModel` JSON (from MLflow or mlf) as an entity. */
export function loggedModelFromJson(j: Json): LoggedModel {
  const i = (j.info ?? {}) as Json;
  const d = (j.data ?? {}) as Json;
  const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
  const opt = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
  const kv = (v: unknown) => list(v).map((t) => ({ key: String(t.key), value: String(t.value ?? '') }));
  const status = String(i.status ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED');
  return {
    info: {
      modelId: String(i.model_id),
      experimentId: String(i.experiment_id),
      name: String(i.name ?? ''),
      creationTimestampMs: Number(i.creation_timestamp_ms ?? 0),
      lastUpdatedTimestampMs: Number(i.last_updated_timestamp_ms ?? 0),
      artifactUri: String(i.artifact_uri ?? ''),
      status: (status in LOGGED_MODEL_STATUS_CODES ? status : loggedModelStatusFromCode(Number(status))) as LoggedModelStatus,
      modelType: opt(i.model_type),
      sourceRunId: opt(i.source_run_id),
      statusMessage: opt(i.status_message),
      tags: kv(i.tags),
    },
    data: {
      params: kv(d.params),
      metrics: list(d.metrics).map((m) => ({
        key: String(m.key),
        value: Number(m.value),
        timestamp: Number(m.timestamp ?? 0),
        step: Number(m.step ?? 0),
        runId: String(m.run_id ?? ''),
        modelId: String(m.model_id ?? i.model_id),
        datasetName: opt(m.dataset_name),
        datasetDigest: opt(m.dataset_digest),
      })),
    },
  };
}
