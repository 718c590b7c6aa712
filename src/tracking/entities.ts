/**
 * MLflow's tracking entities, in MLflow's words (camelCase here; the REST layer turns them into
 * MLflow's snake_case JSON in `rest-json.ts`).
 *
 * Metric values are plain JS numbers: NaN, Infinity and -Infinity included. Times are epoch
 * milliseconds. Experiment ids are strings (as in MLflow's API); run ids are 32 lowercase hex chars.
 */

export const LIFECYCLE_STAGES = ['active', 'deleted'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** RunStatus names; the number is the proto enum value the file store writes to meta.yaml. */
export const RUN_STATUS_CODES = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
export type RunStatus = keyof typeof RUN_STATUS_CODES;
export const RUN_STATUSES = Object.keys(RUN_STATUS_CODES) as RunStatus[];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export function runStatusFromCode(code: number): RunStatus {
  const hit = RUN_STATUSES.find((s) => RUN_STATUS_CODES[s] === code);
  return hit ?? 'RUNNING';
}

export function isRunStatus(s: unknown): s is RunStatus {
  return typeof s === 'string' && (RUN_STATUSES as string[]).includes(s);
}

/** ViewType: which lifecycle stages a search returns. */
export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];
export const VIEW_TYPE_CODES: Record<ViewType, number> = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 };

/** Does a lifecycle stage pass a view type? */
export function stageMatchesView(stage: LifecycleStage, view: ViewType): boolean {
  if (view === 'ALL') return true;
  return view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted';
}

/** SourceType numbers (the file store writes `source_type: 4`, LOCAL). */
export const SOURCE_TYPE_CODES = { NOTEBOOK: 1, JOB: 2, PROJECT: 3, LOCAL: 4, UNKNOWN: 1000 } as const;

export interface KeyValue {
  key: string;
  value: string;
}
export type Param = KeyValue;
export type RunTag = KeyValue;
export type ExperimentTag = KeyValue;

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /**
   * MLflow 3: the logged model the point is about, and the dataset it was computed on. A point
   * with a model also lands in the model's metrics (`logged_model_metrics`); runs' own metrics
   * never carry these.
   */
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

export interface MetricWithRunId extends Metric {
  runId: string;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number | null;
  lastUpdateTime: number | null;
  /** Sorted by key. */
  tags: ExperimentTag[];
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  /**
   * When the run was soft-deleted (ms), or null. MLflow's API does not show it; gc needs it.
   * Runs deleted before MLflow recorded it have null here while being deleted.
   */
  deletedTime: number | null;
}

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string | null;
  profile?: string | null;
}

export interface InputTag {
  key: string;
  value: string;
}

export interface DatasetInput {
  tags: InputTag[];
  dataset: Dataset;
}

export interface RunData {
  /** Latest value per key: the maximum by (step, timestamp, value). Sorted by key. */
  metrics: Metric[];
  /** Sorted by key. */
  params: Param[];
  /** Sorted by key. */
  tags: RunTag[];
}

export interface RunInputs {
  datasetInputs: DatasetInput[];
  /** MLflow 3: logged models the run used (`inputs.model_inputs`), where the store links them. */
  modelInputs?: { modelId: string }[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
  /** MLflow 3: logged models the run produced (`outputs.model_outputs`), where the store links them. */
  outputs?: { modelOutputs: { modelId: string; step: number }[] };
}

/** One page of results; `nextPageToken` is absent on the last page. */
export interface PagedList<T> {
  items: T[];
  nextPageToken?: string;
}

/** A page as MLflow's search replies give it: `key` left out when empty (proto3 JSON), then `next_page_token`. */
export function pageToJson<T>(key: string, page: PagedList<T>, toJson: (item: T) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (page.items.length) out[key] = page.items.map(toJson);
  if (page.nextPageToken) out.next_page_token = page.nextPageToken;
  return out;
}

/** Well-known tag keys MLflow sets. */
export const MLFLOW_RUN_NAME = 'mlflow.runName';
export const MLFLOW_USER = 'mlflow.user';
export const MLFLOW_SOURCE_NAME = 'mlflow.source.name';
export const MLFLOW_SOURCE_TYPE = 'mlflow.source.type';
export const MLFLOW_GIT_COMMIT = 'mlflow.source.git.commit';
export const MLFLOW_PARENT_RUN_ID = 'mlflow.parentRunId';
export const MLFLOW_LOGGED_MODELS = 'mlflow.log-model.history';
export const MLFLOW_DATASET_CONTEXT = 'mlflow.data.context';

/**
 * Compare two metric points the way MLflow picks the "latest" one: by step, then timestamp, then
 * value. NaN sorts as MLflow's SQL store sees it (value 0 with is_nan set), so a NaN never beats
 * a real value at the same step and timestamp unless that value is negative.
 */
export function compareMetricPoints(a: Metric, b: Metric): number {
  if (a.step !== b.step) return a.step < b.step ? -1 : 1;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  const av = Number.isNaN(a.value) ? 0 : a.value;
  const bv = Number.isNaN(b.value) ? 0 : b.value;
  if (av !== bv) return av < bv ? -1 : 1;
  return 0;
}

export function sortByKey<T extends { key: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What one `log_batch` carries (validated once, by validateLogBatch in validation.ts). */
export interface LogBatch {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/** A JSON object, as MLflow's REST API sends and receives it. */
export type Json = Record<string, unknown>;
