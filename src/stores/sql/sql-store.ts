/**
 * The SQL tracking store on MLflow's own schema, one implementation for SQLite, PostgreSQL,
 * MySQL/MariaDB and SQL Server (dialect differences live in ./dialects). Semantics are MLflow's
 * SqlAlchemyStore's, with its known faults fixed on purpose:
 * - one `logBatch` is one transaction (MLflow commits params, metrics and tags separately);
 * - deleting an experiment keeps the `deleted_time` of runs deleted before it (MLflow overwrites it);
 * - NaN metrics compare as NaN in filters (see search-sql.ts), ±Infinity read back as ±Infinity.
 *
 * This class only opens the store; ../role-store.ts hands each call to the role files of ./tracking/,
 * which take the executor (pool or `atomic` transaction) first.
 */
import path from 'node:path';
import { stageMatchesView, type LifecycleStage, type ViewType } from '../../tracking/entities.js';
import type { LoggedModelStore } from '../../tracking/logged-models.js';
import { maskUri, type SqlStoreUri } from '../../tracking/uri.js';
import { noStoreError } from '../no-store.js';
import type { RegistryStore } from '../registry-store.js';
import type { StoreCapabilities, TrackingStore } from '../tracking-store.js';
import { connectSql, type SqlConnection } from './connect.js';
import type { Db, SqlDialect, Tx } from './dialects/dialect.js';
import { SqlLoggedModels } from './logged-models/index.js';
import type { TraceStore } from '../trace-store.js';
import { SqlTraceStoreV3 } from './traces/v3.js';
import { SqlExecutor } from './tracking/executor.js';
import * as experiments from './tracking/experiments.js';
import * as inputs from './tracking/inputs.js';
import * as logging from './tracking/log-batch.js';
import * as history from './tracking/metric-history.js';
import * as purge from './tracking/purge.js';
import * as runs from './tracking/runs.js';
import * as search from './tracking/search.js';
import { RoleStore, type TrackingRoles } from '../role-store.js';

const ROLES: TrackingRoles<SqlExecutor> = { experiments, runs, search, logging, inputs, history, purge };

export interface SqlStoreOptions {
  artifactRoot?: string;
  schema?: 'check' | 'none';
  cwd?: string;
  /** Only reads follow: open read-only where the driver can; refuse a database without MLflow's schema. */
  readOnly?: boolean;
  /** Refuse a corrupt SQLite file (`PRAGMA quick_check`) before anything is written. */
  integrityCheck?: boolean;
  /** SQLite's writes in a worker thread (see ConnectOptions). */
  writerThread?: boolean;
}

export class SqlStore extends RoleStore<SqlExecutor> implements TrackingStore {
  readonly kind = 'sql' as const;
  readonly displayUri: string;
  readonly dialect: SqlDialect;
  readonly capabilities: StoreCapabilities = { transactions: true, hardDelete: true, registry: true, purgeUnit: 'rows' };

  private constructor(
    readonly conn: SqlConnection,
    readonly artifactRoot: string,
    /** The pool, or a transaction for the `atomic` view. */
    exec: Db | Tx,
    inTransaction: boolean,
  ) {
    super(new SqlExecutor(conn, artifactRoot, exec, inTransaction), ROLES);
    this.dialect = conn.dialect;
    this.displayUri = maskUri(conn.uri.uri);
  }

  /**
   * Open a database store. With `schema: 'check'` (the default) an empty database is created at
   * head and an out-of-date one is refused with MLflow's message; the Default experiment is made
   * when there is no experiment at all, as MLflow does.
   */
  static async open(uri: SqlStoreUri, opts: SqlStoreOptions = {}): Promise<SqlStore> {
    const conn = await connectSql(uri, undefined, { readOnly: opts.readOnly, writerThread: opts.writerThread });
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

  getMetricHistoryJson(runId: string, key: string): Promise<string[] | undefined> {
    return history.getMetricHistoryJson(this.x, runId, key);
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

  /** Whether a lifecycle stage passes a view (exported for callers that filter by hand). */
  static matchesView(stage: LifecycleStage, view: ViewType): boolean {
    return stageMatchesView(stage, view);
  }
}
