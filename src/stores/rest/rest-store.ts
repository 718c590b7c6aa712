/**
 * The tracking store behind an `http(s)://` or `databricks` tracking URI: every `TrackingStore` call
 * is one (or, for paged metric history, a few) MLflow REST API 2.0 requests, built as MLflow's
 * Python `RestStore` builds them (same paths, methods and fields) and answered through the shared
 * JSON converters of `src/tracking/rest-json.ts`. It works against `mlflow server`, `mlf server` and
 * Databricks workspaces alike. Validation is the server's job: requests go out as given, so error
 * codes and messages are the server's.
 *
 * Differences from a local store, by the nature of HTTP:
 * - `atomic(fn)` runs `fn` against this store: the REST API has no transactions, so writes made
 *   before a failure stay (callers validate first, as `mlf runs log` does).
 * - `purgeRuns`/`purgeExperiments` refuse: the REST API has no hard delete; `mlf gc` needs the
 *   backend store itself (`--backend-store-uri`).
 * - `RunInfo.deletedTime` is always null: MLflow's REST `RunInfo` has no such field.
 *
 * @example
 * const store = await RestStore.open(parseStoreUri('http://127.0.0.1:5000'));
 * const exp = await store.getExperimentByName('Default');
 */
import { noHardDeleteError } from '../common.js';
import { MlfError } from '../../lib/errors.js';
import type { RegistryStore } from '../registry-store.js';
import type {
  DatasetInput,
  Experiment,
  ExperimentTag,
  Metric,
  MetricWithRunId,
  PagedList,
  Param,
  Run,
  RunInfo,
  RunTag,
} from '../../tracking/entities.js';
import {
  datasetInputToJson,
  experimentFromJson,
  keyValueToJson,
  metricFromJson,
  metricToJson,
  runFromJson,
  runInfoFromJson,
} from '../../tracking/rest-json.js';
import { maskUri, type DatabricksStoreUri, type RestStoreUri } from '../../tracking/uri.js';
import type {
  BulkIntervalOptions,
  CreateExperimentOptions,
  CreateRunOptions,
  LogBatch,
  PurgeResult,
  SearchExperimentsOptions,
  SearchRunsOptions,
  StoreCapabilities,
  TrackingStore,
  UpdateRunOptions,
} from '../tracking-store.js';
import { databricksHostCreds, defaultHostCreds, type CredentialSources } from './credentials.js';
import { RestLoggedModels } from './rest-logged-models.js';
import { RestTraces } from './rest-traces.js';
import type { LoggedModelStore } from '../../tracking/logged-models.js';
import { allItems } from '../../tracking/pages.js';
import { HttpClient, retryPolicyFromEnv, type HostCreds, type HttpClientOptions, type Json, type RetryPolicy } from './http-client.js';

const API = '/api/2.0/mlflow';
/** MLflow's client default page size (`SEARCH_MAX_RESULTS_DEFAULT`). */
const SEARCH_MAX_RESULTS_DEFAULT = 1000;
/** MLflow's `GET_METRIC_HISTORY_MAX_RESULTS`: page size when following metric-history tokens. */
const METRIC_HISTORY_PAGE = 25000;

export interface RestStoreOptions extends CredentialSources, HttpClientOptions {
  /** Overrides the `MLFLOW_HTTP_REQUEST_*` environment variables. */
  retry?: Partial<RetryPolicy>;
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

export class RestStore implements TrackingStore {
  readonly kind = 'rest' as const;
  readonly displayUri: string;
  readonly client: HttpClient;
  readonly capabilities: StoreCapabilities = { transactions: false, hardDelete: false, registry: true, purgeUnit: 'rows' };

  constructor(uri: string, creds: HostCreds, opts: RestStoreOptions = {}) {
    this.displayUri = maskUri(uri);
    const policy = { ...retryPolicyFromEnv(opts.env ?? process.env), ...opts.retry };
    this.client = new HttpClient(creds, policy, opts);
  }

  /** Resolves credentials (MLflow's `get_default_host_creds` / `get_databricks_host_creds`) and opens the store. */
  static open(parsed: RestStoreUri | DatabricksStoreUri, opts: RestStoreOptions = {}): RestStore {
    const creds = parsed.kind === 'rest' ? defaultHostCreds(parsed.uri, opts) : databricksHostCreds(parsed, opts);
    return new RestStore(parsed.uri, creds, opts);
  }

  private loggedModelStore?: RestLoggedModels;
  /** MLflow 3's logged models on the server (a server without them answers 404 ENDPOINT_NOT_FOUND). */
  get loggedModels(): LoggedModelStore {
    return (this.loggedModelStore ??= new RestLoggedModels(this.client));
  }

  private traceStore?: RestTraces;
  /** The server's traces, v2 and MLflow 3 (rest-traces.ts). */
  get traces(): RestTraces {
    return (this.traceStore ??= new RestTraces(this.client));
  }

  private get(endpoint: string, fields: Json): Promise<Json> {
    return this.client.call('GET', API + endpoint, fields);
  }

  private post(endpoint: string, fields: Json): Promise<Json> {
    return this.client.call('POST', API + endpoint, fields);
  }

  // ---- experiments ----

  async createExperiment(opts: CreateExperimentOptions): Promise<string> {
    const body: Json = { name: opts.name };
    if (opts.artifactLocation) body.artifact_location = opts.artifactLocation;
    if (opts.tags?.length) body.tags = opts.tags.map(keyValueToJson);
    const res = await this.post('/experiments/create', body);
    return String(res.experiment_id);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const res = await this.get('/experiments/get', { experiment_id: String(experimentId) });
    return experimentFromJson(res.experiment as Json);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const res = await this.get('/experiments/get-by-name', { experiment_name: name });
      return experimentFromJson(res.experiment as Json);
    } catch (e) {
      if (e instanceof MlfError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw e;
    }
  }

  async searchExperiments(opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
    const body: Json = {
      view_type: opts.viewType ?? 'ACTIVE_ONLY',
      max_results: opts.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
    };
    Object.assign(body, searchFields(opts));
    const res = await this.post('/experiments/search', body);
    return paged(list(res.experiments).map(experimentFromJson), res.next_page_token);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.post('/experiments/delete', { experiment_id: String(experimentId) });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.post('/experiments/restore', { experiment_id: String(experimentId) });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.post('/experiments/update', { experiment_id: String(experimentId), new_name: newName });
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    await this.post('/experiments/set-experiment-tag', { experiment_id: String(experimentId), key: tag.key, value: tag.value });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.post('/experiments/delete-experiment-tag', { experiment_id: String(experimentId), key });
  }

  // ---- runs ----

  async createRun(opts: CreateRunOptions): Promise<Run> {
    const body: Json = { experiment_id: String(opts.experimentId) };
    if (opts.userId !== undefined) body.user_id = opts.userId;
    if (opts.startTime !== undefined) body.start_time = opts.startTime;
    if (opts.tags?.length) body.tags = opts.tags.map(keyValueToJson);
    if (opts.runName !== undefined) body.run_name = opts.runName;
    const res = await this.post('/runs/create', body);
    return runFromJson(res.run as Json);
  }

  async getRun(runId: string): Promise<Run> {
    const res = await this.get('/runs/get', { run_uuid: runId, run_id: runId });
    return runFromJson(res.run as Json);
  }

  async updateRunInfo(runId: string, opts: UpdateRunOptions): Promise<RunInfo> {
    const body: Json = { run_uuid: runId, run_id: runId };
    if (opts.status !== undefined) body.status = opts.status;
    if (opts.endTime !== undefined) body.end_time = opts.endTime;
    if (opts.runName !== undefined) body.run_name = opts.runName;
    const res = await this.post('/runs/update', body);
    return runInfoFromJson(res.run_info as Json);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.post('/runs/delete', { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.post('/runs/restore', { run_id: runId });
  }

  async searchRuns(opts: SearchRunsOptions): Promise<PagedList<Run>> {
    const body: Json = {
      experiment_ids: opts.experimentIds.map(String),
      run_view_type: opts.viewType ?? 'ACTIVE_ONLY',
      max_results: opts.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
    };
    Object.assign(body, searchFields(opts));
    const res = await this.post('/runs/search', body);
    return paged(list(res.runs).map(runFromJson), res.next_page_token);
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const body: Json = { run_id: runId };
    if (batch.metrics?.length) body.metrics = batch.metrics.map(metricToJson);
    if (batch.params?.length) body.params = batch.params.map(keyValueToJson);
    if (batch.tags?.length) body.tags = batch.tags.map(keyValueToJson);
    await this.post('/runs/log-batch', body);
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.post('/runs/log-metric', { run_uuid: runId, run_id: runId, ...metricToJson(metric) });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    await this.post('/runs/log-parameter', { run_uuid: runId, run_id: runId, key: param.key, value: param.value });
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    await this.post('/runs/set-tag', { run_uuid: runId, run_id: runId, key: tag.key, value: tag.value });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.post('/runs/delete-tag', { run_id: runId, key });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.post('/runs/log-inputs', { run_id: runId, datasets: datasets.map(datasetInputToJson) });
  }

  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    await this.post('/runs/log-model', { run_id: runId, model_json: modelJson });
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    // MLflow's client follows page tokens (Databricks pages metric history; MLflow's server does not).
    const out = await allItems(async (pageToken) => {
      const fields: Json = { run_uuid: runId, run_id: runId, metric_key: key, max_results: METRIC_HISTORY_PAGE };
      if (pageToken) fields.page_token = pageToken;
      const res = await this.get('/metrics/get-history', fields);
      return { items: list(res.metrics).map(metricFromJson), nextPageToken: typeof res.next_page_token === 'string' ? res.next_page_token : undefined };
    });
    if (out.length > 1) out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    return out;
  }

  async getMetricHistoryBulkInterval(runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
    const fields: Json = { run_ids: runIds, metric_key: key };
    if (opts.startStep !== undefined) fields.start_step = opts.startStep;
    if (opts.endStep !== undefined) fields.end_step = opts.endStep;
    if (opts.maxResults !== undefined) fields.max_results = opts.maxResults;
    const res = await this.get('/metrics/get-history-bulk-interval', fields);
    return list(res.metrics).map((m) => ({ ...metricFromJson(m), runId: String(m.run_id) }));
  }

  // ---- gc ----

  async purgeRuns(): Promise<PurgeResult> {
    throw this.noHardDelete();
  }

  async purgeExperiments(): Promise<PurgeResult> {
    throw this.noHardDelete();
  }

  private noHardDelete(): MlfError {
    return noHardDeleteError(this.displayUri);
  }

  // ---- atomicity ----

  /** No transactions over HTTP: `fn` runs against this store and what it wrote before failing stays. */
  async atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    return fn(this);
  }

  /** The server's registry, over this store's client. */
  async openRegistry(): Promise<RegistryStore> {
    const { RestRegistryStore } = await import('./rest-registry-store.js');
    return new RestRegistryStore(this.client, this.displayUri);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function paged<T>(items: T[], token: unknown): PagedList<T> {
  return typeof token === 'string' && token !== '' ? { items, nextPageToken: token } : { items };
}

/** The optional fields both searches send only when set (filter, order_by, page_token). */
function searchFields(opts: { filter?: string; orderBy?: string[]; pageToken?: string }): Json {
  const out: Json = {};
  if (opts.filter) out.filter = opts.filter;
  if (opts.orderBy?.length) out.order_by = opts.orderBy;
  if (opts.pageToken) out.page_token = opts.pageToken;
  return out;
}
