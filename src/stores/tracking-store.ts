/**
 * The one interface every tracking store implements (file, SQL, REST), with MLflow's semantics.
 * Commands and the server talk only to this. The store contract suite (`test/contract/`) proves
 * that every implementation behaves alike.
 *
 * Conventions for every implementation:
 * - Input is validated with the shared rules in `src/tracking/validation.ts` before anything is
 *   written, and errors are `MlfError`s with MLflow's codes and messages.
 * - Search filters and `order_by` are parsed with `src/tracking/search/`.
 * - A `logBatch` call lands whole or not at all.
 *
 * @example
 * const store = await openTrackingStore('sqlite:///mlflow.db');
 * const expId = await store.createExperiment({ name: 'demo' });
 * const run = await store.createRun({ experimentId: expId, startTime: Date.now() });
 * await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.1, timestamp: Date.now(), step: 0 }] });
 * await store.close();
 */
import type {
  DatasetInput,
  Experiment,
  ExperimentTag,
  LogBatch,
  Metric,
  MetricWithRunId,
  PagedList,
  Param,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from '../tracking/entities.js';
import type { LoggedModelStore } from '../tracking/logged-models.js';
import type { RegistryStore } from './registry-store.js';
import type { HttpClient } from './rest/http-client.js';

// Shared with the validation rules; re-exported for the stores and their callers.
export type { LogBatch } from '../tracking/entities.js';
import type { TraceStore } from './trace-store.js';

export interface SearchExperimentsOptions {
  viewType?: ViewType;
  /** 1..50000, default 1000. */
  maxResults?: number;
  filter?: string;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchRunsOptions {
  experimentIds: string[];
  filter?: string;
  viewType?: ViewType;
  /** 1..50000, default 1000. */
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface CreateExperimentOptions {
  name: string;
  artifactLocation?: string;
  tags?: ExperimentTag[];
}

export interface CreateRunOptions {
  experimentId: string;
  userId?: string;
  /** ms; MLflow's REST API passes 0 when unset. */
  startTime?: number;
  tags?: RunTag[];
  runName?: string;
}

export interface UpdateRunOptions {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}


export interface BulkIntervalOptions {
  startStep?: number;
  endStep?: number;
  /** 1..2500 */
  maxResults?: number;
}

/** What a purge removed (or, with `dryRun`, would remove). */
export interface PurgeResult {
  runIds: string[];
  experimentIds: string[];
  /** Rows (SQL) or files (file store) per table or folder, e.g. `{ metrics: 1000, params: 10 }`. */
  rows: Record<string, number>;
  /** Artifact folders of the purged experiments' logged models and traces (file store: traces only), for gc to remove. */
  artifacts?: { kind: 'model' | 'trace'; id: string; uri: string }[];
}

/** What a store can do. Callers check these (and the optional members below), never `kind`. */
export interface StoreCapabilities {
  /** `atomic` runs its callback in one transaction: all of it lands or none of it. */
  transactions: boolean;
  /** `purgeRuns` / `purgeExperiments` remove data for good (MLflow's REST API has no hard delete). */
  hardDelete: boolean;
  /** `openRegistry` gives a Model Registry (a file store has none in mlf). */
  registry: boolean;
  /** What `PurgeResult.rows` counts. */
  purgeUnit: 'rows' | 'files';
}

/** What gc needs of a store kept in folders; database and HTTP stores have none. */
export interface FolderHousekeeping {
  /** The store's root folder: gc locks it so that one gc runs at a time. */
  readonly root: string;
  /** Removes what a gc killed mid-purge left (no listing shows it); returns the folders removed. */
  removePurgeLeftovers(now?: number): string[];
  /** Where a path under the root is once its experiment is deleted (moved to the trash), if elsewhere. */
  trashedPath(p: string): string | undefined;
}

export interface TrackingStore {
  /** `file`, `sql` or `rest`: for messages and logs; behaviour follows `capabilities`. */
  readonly kind: 'file' | 'sql' | 'rest';
  /** The URI the store was opened with, password masked. */
  readonly displayUri: string;
  readonly capabilities: StoreCapabilities;
  /** Folder stores only: see {@link FolderHousekeeping}. */
  readonly housekeeping?: FolderHousekeeping;
  /** Stores over HTTP: their client, shared by the artifact proxy and the registry. */
  readonly client?: HttpClient;
  /** MLflow 3's logged models; unset where the store has none (the server then answers NOT_IMPLEMENTED-style errors). */
  readonly loggedModels?: LoggedModelStore;
  /** MLflow 2.x traces (a capability: unset where the store keeps none, e.g. REST). */
  readonly traces?: TraceStore;

  // ---- experiments ----
  /** Returns the new experiment id. Names are unique across active and deleted experiments. */
  createExperiment(opts: CreateExperimentOptions): Promise<string>;
  /** Active or deleted; `RESOURCE_DOES_NOT_EXIST` if missing. */
  getExperiment(experimentId: string): Promise<Experiment>;
  /** Active or deleted; null if missing. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  /** Default order `creation_time DESC, experiment_id ASC`. */
  searchExperiments(opts?: SearchExperimentsOptions): Promise<PagedList<Experiment>>;
  /** Marks it and all its runs deleted. */
  deleteExperiment(experimentId: string): Promise<void>;
  /** Marks it and its deleted runs active again. */
  restoreExperiment(experimentId: string): Promise<void>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  // ---- runs ----
  createRun(opts: CreateRunOptions): Promise<Run>;
  /** Active or deleted; `RESOURCE_DOES_NOT_EXIST` if missing. */
  getRun(runId: string): Promise<Run>;
  /** Only given fields change; the run must be active. `runName` also sets the `mlflow.runName` tag. */
  updateRunInfo(runId: string, opts: UpdateRunOptions): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  /** Default order `start_time DESC, run_id ASC`. */
  searchRuns(opts: SearchRunsOptions): Promise<PagedList<Run>>;

  /** Params, then metrics, then tags; all of it lands or none of it. The run must be active. */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: RunTag): Promise<void>;
  /** `RESOURCE_DOES_NOT_EXIST` if the tag is missing; the run must be active. */
  deleteTag(runId: string, key: string): Promise<void>;
  /** Datasets deduplicated by (name, digest); an input edge is added once. */
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
  /** Appends a model's dict to the `mlflow.log-model.history` tag. */
  recordLoggedModel(runId: string, modelJson: string): Promise<void>;

  /** Every point of one metric, ordered by (step, timestamp). */
  getMetricHistory(runId: string, key: string): Promise<Metric[]>;
  /**
   * The same points as MLflow's REST JSON (the `metrics` list's items, comma-joined, in pieces;
   * [] for none), where the store reads them as exact text and can write that text through without
   * turning every number into a double and back (see metricPointsJson); undefined where it cannot.
   */
  getMetricHistoryJson?(runId: string, key: string): Promise<string[] | undefined>;
  /** Sampled history for several runs (MLflow's get-history-bulk-interval). */
  getMetricHistoryBulkInterval(runIds: string[], key: string, opts?: BulkIntervalOptions): Promise<MetricWithRunId[]>;

  // ---- gc ----
  /**
   * Permanently removes deleted runs: every row (or file) that refers to them. Set-based and
   * idempotent: ids already gone are skipped, so an interrupted purge can simply be run again.
   * Runs that are not in the `deleted` stage are refused (`INVALID_PARAMETER_VALUE`) and nothing is removed.
   * With `dryRun`, counts what would go and changes nothing.
   */
  purgeRuns(runIds: string[], opts?: { dryRun?: boolean }): Promise<PurgeResult>;
  /**
   * Permanently removes deleted experiments with all their runs, tags, datasets and traces;
   * their names become free. Non-deleted experiments are refused and nothing is removed.
   */
  purgeExperiments(experimentIds: string[], opts?: { dryRun?: boolean }): Promise<PurgeResult>;

  // ---- atomicity ----
  /**
   * Runs `fn` against a view of this store whose writes commit together: on SQL stores one
   * transaction (all of it lands or none of it); file and HTTP stores have no transactions, so
   * there `fn` simply runs against the store (callers validate everything first).
   * `mlf runs log` uses this so one invocation lands whole.
   */
  atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T>;

  /**
   * The Model Registry on this store's backend, sharing its connection or client (closing the
   * tracking store closes what it uses). `FEATURE_DISABLED` where `capabilities.registry` is false.
   */
  openRegistry(): Promise<RegistryStore>;

  /** Releases connections and file handles. */
  close(): Promise<void>;
}
