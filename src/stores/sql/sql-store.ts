/**
 * The SQL tracking store on MLflow's own schema, one implementation for SQLite, PostgreSQL,
 * MySQL/MariaDB and SQL Server (dialect differences live in ./dialects). Semantics are MLflow's
 * SqlAlchemyStore's, with its known faults fixed on purpose:
 * - one `logBatch` is one transaction (MLflow commits params, metrics and tags separately);
 * - deleting an experiment keeps the `deleted_time` of runs deleted before it (MLflow overwrites it);
 * - NaN metrics compare as NaN in filters (see search-sql.ts), ±Infinity read back as ±Infinity.
 *
 * This class only opens the store and composes the role files of ./tracking/, which take the
 * executor (pool or `atomic` transaction) as their first argument.
 */
import path from 'node:path';
import { stageMatchesView, type DatasetInput, type Experiment, type ExperimentTag, type LifecycleStage, type Metric, type MetricWithRunId, type PagedList, type Param, type Run, type RunInfo, type RunTag, type ViewType } from '../../tracking/entities.js';
import type { LoggedModelStore } from '../../tracking/logged-models.js';
import { maskUri, type SqlStoreUri } from '../../tracking/uri.js';
import { validateRunId } from '../../tracking/validation.js';
import { noStoreError } from '../no-store.js';
import type { RegistryStore } from '../registry-store.js';
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
import { connectSql, type SqlConnection } from './connect.js';
import type { Db, SqlDialect, Tx } from './dialects/dialect.js';
import { SqlLoggedModels } from './logged-models/index.js';
import type { TraceStore } from '../trace-store.js';
import { SqlTraceStoreV3 } from './traces/v3.js';
import { SqlExecutor } from './tracking/executor.js';
import * as experiments from './tracking/experiments.js';
import { logInputs } from './tracking/inputs.js';
import * as logging from './tracking/log-batch.js';
import * as history from './tracking/metric-history.js';
import * as runs from './tracking/runs.js';
import * as search from './tracking/search.js';

export interface SqlStoreOptions {
  artifactRoot?: string;
  schema?: 'check' | 'none';
  cwd?: string;
  /** Only reads follow: open read-only where the driver can; refuse a database without MLflow's schema. */
  readOnly?: boolean;
  /** Refuse a corrupt SQLite file (`PRAGMA quick_check`) before anything is written. */
  integrityCheck?: boolean;
}

export class SqlStore implements TrackingStore {
  readonly kind = 'sql' as const;
  readonly displayUri: string;
  readonly dialect: SqlDialect;
  readonly capabilities: StoreCapabilities = { transactions: true, hardDelete: true, registry: true, purgeUnit: 'rows' };
  private readonly x: SqlExecutor;

  private constructor(
    readonly conn: SqlConnection,
    readonly artifactRoot: string,
    /** The pool, or a transaction for the `atomic` view. */
    exec: Db | Tx,
    inTransaction: boolean,
  ) {
    this.dialect = conn.dialect;
    this.displayUri = maskUri(conn.uri.uri);
    this.x = new SqlExecutor(conn, artifactRoot, exec, inTransaction);
  }

  /**
   * Open a database store. With `schema: 'check'` (the default) an empty database is created at
   * head and an out-of-date one is refused with MLflow's message; the Default experiment is made
   * when there is no experiment at all, as MLflow does.
   */
  static async open(uri: SqlStoreUri, opts: SqlStoreOptions = {}): Promise<SqlStore> {
    const conn = await connectSql(uri, undefined, { readOnly: opts.readOnly });
    try {
      if (opts.integrityCheck) await (await import('./integrity.js')).assertIntact(conn);
      const root = opts.artifactRoot ?? path.resolve(opts.cwd ?? process.cwd(), 'mlruns');
      const store = new SqlStore(conn, root, conn.db, false);
      if ((opts.schema ?? 'check') === 'check') {
        // At a revision the store works on (the usual case) only the revision and the table names
        // are read: no migration module is loaded.
        const { storesOpen, currentRevision, assertOpenable } = await import('./migrate/head.js');
        const rev = await currentRevision(conn.db);
        // A reader never initialises a database: one without MLflow's schema is the wrong place.
        if (rev === null && opts.readOnly) throw noStoreError(uri.uri);
        if (storesOpen(rev)) {
          await assertOpenable(conn.db, rev!, await conn.dialect.ddl.catalog.tables(conn.db));
        } else {
          const { ensureSchema } = await import('./migrate/index.js');
          await ensureSchema(conn);
        }
        if (!opts.readOnly) {
          await conn.dialect.onSchemaReady?.(conn.db, { created: rev === null });
          await store.ensureDefaultExperiment();
        }
      }
      return store;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }

  private ensureDefaultExperiment(): Promise<void> {
    return experiments.ensureDefaultExperiment(this.x);
  }

  private loggedModelStore?: SqlLoggedModels;
  /** MLflow 3's logged models, on the same connection (refused on a 2.x-schema database). */
  get loggedModels(): LoggedModelStore {
    return (this.loggedModelStore ??= new SqlLoggedModels(this.conn.db, this.dialect));
  }

  private traceStore?: SqlTraceStoreV3;
  /** MLflow's traces (2.x and 3), on the same connection. */
  get traces(): TraceStore {
    return (this.traceStore ??= new SqlTraceStoreV3(this.conn, this));
  }

  /** The registry on this store's connection (its schema was checked when the store opened). */
  async openRegistry(): Promise<RegistryStore> {
    const { SqlRegistryStore } = await import('./registry/sql-registry-store.js');
    return new SqlRegistryStore(this.conn, false);
  }

  async close(): Promise<void> {
    if (!this.x.inTransaction) await this.conn.close();
  }

  async atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    if (this.x.inTransaction) return fn(this);
    return this.dialect.writeTransaction(this.conn.db, (tx) => fn(new SqlStore(this.conn, this.artifactRoot, tx, true)));
  }

  // experiments
  createExperiment(opts: CreateExperimentOptions): Promise<string> { return experiments.createExperiment(this.x, opts); }
  getExperiment(experimentId: string): Promise<Experiment> { return experiments.getExperiment(this.x, experimentId); }
  getExperimentByName(name: string): Promise<Experiment | null> { return experiments.getExperimentByName(this.x, name); }
  deleteExperiment(experimentId: string): Promise<void> { return experiments.deleteExperiment(this.x, experimentId); }
  restoreExperiment(experimentId: string): Promise<void> { return experiments.restoreExperiment(this.x, experimentId); }
  renameExperiment(experimentId: string, newName: string): Promise<void> { return experiments.renameExperiment(this.x, experimentId, newName); }
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> { return experiments.setExperimentTag(this.x, experimentId, tag); }
  deleteExperimentTag(experimentId: string, key: string): Promise<void> { return experiments.deleteExperimentTag(this.x, experimentId, key); }

  // runs
  createRun(opts: CreateRunOptions): Promise<Run> { return runs.createRun(this.x, opts); }
  getRun(runId: string): Promise<Run> { return runs.getRun(this.x, runId); }
  updateRunInfo(runId: string, opts: UpdateRunOptions): Promise<RunInfo> { return runs.updateRunInfo(this.x, runId, opts); }
  deleteRun(runId: string): Promise<void> { return runs.deleteRun(this.x, runId); }
  restoreRun(runId: string): Promise<void> { return runs.restoreRun(this.x, runId); }

  // search
  searchExperiments(opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> { return search.searchExperiments(this.x, opts); }
  searchRuns(opts: SearchRunsOptions): Promise<PagedList<Run>> { return search.searchRuns(this.x, opts); }

  // logging
  logBatch(runId: string, batch: LogBatch): Promise<void> { return logging.logBatch(this.x, runId, batch); }
  logMetric(runId: string, metric: Metric): Promise<void> { return logging.logMetric(this.x, runId, metric); }
  logParam(runId: string, param: Param): Promise<void> { return logging.logParam(this.x, runId, param); }
  setTag(runId: string, tag: RunTag): Promise<void> { return logging.setTag(this.x, runId, tag); }
  deleteTag(runId: string, key: string): Promise<void> { return logging.deleteTag(this.x, runId, key); }
  recordLoggedModel(runId: string, modelJson: string): Promise<void> { return logging.recordLoggedModel(this.x, runId, modelJson); }
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void> { return logInputs(this.x, runId, datasets); }

  // metric history
  getMetricHistory(runId: string, key: string): Promise<Metric[]> { return history.getMetricHistory(this.x, runId, key); }
  getMetricHistoryBulkInterval(runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
    return history.getMetricHistoryBulkInterval(this.x, runIds, key, opts);
  }

  // gc
  async purgeRuns(runIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const ids = runIds.map((r) => validateRunId(r));
    const { purgeRunsSql } = await import('./purge.js');
    return this.x.guard(() => purgeRunsSql(this.x.exec as Db, this.dialect, ids, opts));
  }

  async purgeExperiments(experimentIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const { purgeExperimentsSql } = await import('./purge.js');
    return this.x.guard(() => purgeExperimentsSql(this.x.exec as Db, this.dialect, experimentIds.map(String), opts));
  }

  /** Whether a lifecycle stage passes a view (exported for callers that filter by hand). */
  static matchesView(stage: LifecycleStage, view: ViewType): boolean {
    return stageMatchesView(stage, view);
  }
}
