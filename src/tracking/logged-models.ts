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
import type { Json, KeyValue, PagedList } from './entities.js';

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
  /** Model links of runs (runs without any are absent); empty where the schema has no such links. */
  runLinks?(runIds: string[]): Promise<Map<string, RunModelLinks>>;
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
