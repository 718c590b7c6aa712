/**
 * The SQL tracking store on MLflow's own schema, one implementation for SQLite, PostgreSQL,
 * MySQL/MariaDB and SQL Server (dialect differences live in ./dialects). Semantics are MLflow's
 * SqlAlchemyStore's, with its known faults fixed on purpose:
 * - one `logBatch` is one transaction (MLflow commits params, metrics and tags separately);
 * - deleting an experiment keeps the `deleted_time` of runs deleted before it (MLflow overwrites it);
 * - NaN metrics compare as NaN in filters (see search-sql.ts), ±Infinity read back as ±Infinity.
 */
import { experimentNameTaken, isParamsAlreadyLogged, malformedModelJson, mustBeActive, paramsAlreadyLogged, paramValueChanged } from '../../tracking/messages.js';
import path from 'node:path';
import { CompiledQuery, sql, type Compilable } from 'kysely';
import { MlfError, isMlfError } from '../../lib/errors.js';
import {
  MLFLOW_LOGGED_MODELS,
  MLFLOW_RUN_NAME,
  compareMetricPoints,
  stageMatchesView,
  type DatasetInput,
  type Experiment,
  type ExperimentTag,
  type LifecycleStage,
  type Metric,
  type MetricWithRunId,
  type PagedList,
  type Param,
  type Run,
  type RunInfo,
  type RunTag,
  type ViewType,
} from '../../tracking/entities.js';
import { maskUri, type SqlStoreUri } from '../../tracking/uri.js';
import {
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateLogBatch,
  validateMaxResults,
  validateMetric,
  validateParam,
  validateRunId,
  validateTag,
  validateKeyName,
} from '../../tracking/validation.js';
import {
  decodePageToken,
  encodePageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../tracking/search/index.js';
import {
  EXPERIMENT_NOT_FOUND,
  RUN_NOT_FOUND,
  appendToUri,
  newRunId,
  refuseDefaultExperimentDelete,
  resolveRunName,
} from '../common.js';
import type {
  BulkIntervalOptions,
  CreateExperimentOptions,
  CreateRunOptions,
  LogBatch,
  PurgeResult,
  SearchExperimentsOptions,
  SearchRunsOptions,
  TrackingStore,
  UpdateRunOptions,
} from '../tracking-store.js';
import { connectSql, type SqlConnection } from './connect.js';
import { noStoreError } from '../no-store.js';
import { chunkRows, type Db, type SqlDialect, type SyncRunner, type Tx } from './dialects/dialect.js';
import { QueryCache } from './query-cache.js';
import { SqlLoggedModels } from './logged-models/index.js';
import type { LoggedModelStore } from '../../tracking/logged-models.js';
import type { TraceStore } from '../trace-store.js';
import { SqlTraceStore } from './traces/sql-trace-store.js';
import {
  EXPERIMENT_COLUMNS,
  RUN_COLUMNS,
  datasetFromRow,
  datasetToRow,
  decodeMetricValue,
  encodeMetricValue,
  experimentFromRow,
  metricFromRow,
  runInfoFromRow,
  sqlExperimentId,
  truthy,
  type ExperimentRow,
  type MetricRow,
  type RunRow,
} from './rows.js';
import {
  experimentFilterConditions,
  experimentOrderBy,
  pagingClause,
  runFilterConditions,
  runOrderBy,
} from './search-sql.js';
import { sampleBulkIntervalSteps, validateBulkInterval } from '../metric-sampling.js';

export interface SqlStoreOptions {
  artifactRoot?: string;
  schema?: 'check' | 'none';
  cwd?: string;
  /** Only reads follow: open read-only where the driver can; refuse a database without MLflow's schema. */
  readOnly?: boolean;
  /** Refuse a corrupt SQLite file (`PRAGMA quick_check`) before anything is written. */
  integrityCheck?: boolean;
}

const queryCaches = new WeakMap<SqlConnection, QueryCache>();

/** Chunk size for `IN (...)` lists of run ids. */
const ID_CHUNK = 500;

function chunks<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function lifecycleStagesFor(view: ViewType = 'ACTIVE_ONLY'): LifecycleStage[] {
  return view === 'ALL' ? ['active', 'deleted'] : view === 'DELETED_ONLY' ? ['deleted'] : ['active'];
}

export class SqlStore implements TrackingStore {
  readonly kind = 'sql' as const;
  readonly displayUri: string;
  readonly dialect: SqlDialect;
  private readonly queries: QueryCache;
  private readonly sync?: { writer: SyncRunner; reader?: SyncRunner };

  private constructor(
    readonly conn: SqlConnection,
    readonly artifactRoot: string,
    /** The executor: the pool, or a transaction for the `atomic` view. */
    private readonly exec: Db | Tx,
    private readonly inTransaction: boolean,
  ) {
    this.dialect = conn.dialect;
    this.displayUri = maskUri(conn.uri.uri);
    let q = queryCaches.get(conn);
    if (!q) queryCaches.set(conn, (q = new QueryCache()));
    this.queries = q;
    this.sync = conn.dialect.syncAccess?.(conn.db);
  }

  /**
   * Rows of a hot query (see query-cache.ts). `holding`: the caller is inside a write transaction
   * (or an atomic view), so it owns the connection and the synchronous writer may be used.
   */
  private async rows<R = Record<string, any>>(
    exec: Db | Tx,
    holding: boolean,
    key: string,
    build: () => Compilable<unknown>,
    values: readonly unknown[],
  ): Promise<R[]> {
    const text = this.queries.text(key, build, values);
    const runner = holding || this.inTransaction ? this.sync?.writer : this.sync?.reader;
    if (runner) return runner.all(text, values) as R[];
    return (await exec.executeQuery<R>(CompiledQuery.raw(text, values as unknown[]))).rows;
  }

  /** A query built for this one call (a search): on SQLite it runs on the reader connection. */
  private async runCompiled<R>(exec: Db | Tx, compiled: CompiledQuery): Promise<R[]> {
    const runner = this.inTransaction ? this.sync?.writer : this.sync?.reader;
    if (runner) return runner.all(compiled.sql, compiled.parameters) as R[];
    return (await exec.executeQuery<R>(compiled)).rows;
  }

  /** Like `rows`, as arrays of the given columns' values (what large reads want). */
  private async arrays(
    exec: Db | Tx,
    holding: boolean,
    key: string,
    build: () => Compilable<unknown>,
    values: readonly unknown[],
    columns: readonly string[],
  ): Promise<unknown[][]> {
    const text = this.queries.text(key, build, values);
    const runner = holding || this.inTransaction ? this.sync?.writer : this.sync?.reader;
    if (runner) return runner.values(text, values);
    const rows = (await exec.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values as unknown[]))).rows;
    return rows.map((r) => columns.map((c) => r[c]));
  }

  /**
   * Insert rows inside a write transaction. `conflict`: leave rows whose key exists alone
   * (`ignore`) or overwrite `update` columns. On SQLite each row runs one cached prepared
   * statement (the raw driver's speed); elsewhere rows go in multi-row statements.
   */
  private async insertRows(
    tx: Db | Tx,
    table: string,
    rows: Record<string, unknown>[],
    conflict?: { keys: string[]; update: string[] },
  ): Promise<void> {
    if (!rows.length) return;
    const writer = this.sync?.writer;
    if (writer) {
      const cols = Object.keys(rows[0]!);
      const first = cols.map((c) => rows[0]![c]);
      const key = `insert:${table}:${cols.join(',')}:${conflict ? conflict.keys.join(',') + '>' + conflict.update.join(',') : ''}`;
      const text = this.queries.text(
        key,
        () => {
          const q = tx.insertInto(table).values(rows[0]!);
          if (!conflict) return q;
          return q.onConflict((oc) => {
            const c = oc.columns(conflict.keys as never);
            if (!conflict.update.length) return c.doNothing();
            const set: Record<string, unknown> = {};
            for (const col of conflict.update) set[col] = sql.ref(`excluded.${col}`);
            return c.doUpdateSet(set as never);
          });
        },
        first,
      );
      for (const r of rows) writer.run(text, cols.map((c) => r[c]));
      return;
    }
    for (const part of chunkRows(rows, this.dialect.capabilities.maxParameters)) {
      if (conflict) await this.dialect.upsert(tx, table, part, conflict.keys, conflict.update);
      else await tx.insertInto(table).values(part).execute();
    }
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
        const { storesOpen, currentRevision, assertTablesOf } = await import('./migrate/head.js');
        const rev = await currentRevision(conn.db);
        // A reader never initialises a database: one without MLflow's schema is the wrong place.
        if (rev === null && opts.readOnly) throw noStoreError(uri.uri);
        if (storesOpen(rev)) {
          await assertTablesOf(rev!, await conn.dialect.ddl.catalog.tables(conn.db));
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

  private loggedModelStore?: SqlLoggedModels;
  /** MLflow 3's logged models, on the same connection (refused on a 2.x-schema database). */
  get loggedModels(): LoggedModelStore {
    return (this.loggedModelStore ??= new SqlLoggedModels(this.conn.db, this.dialect));
  }

  private traceStore?: SqlTraceStore;
  /** MLflow 2.x traces, on the same connection. */
  get traces(): TraceStore {
    return (this.traceStore ??= new SqlTraceStore(this.conn, this));
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.conn.close();
  }

  // ---------------------------------------------------------------- plumbing

  /** Run `fn` in a write transaction (or inside the current one in an `atomic` view). */
  private write<T>(fn: (tx: Db | Tx) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this.exec);
    return this.dialect.writeTransaction(this.exec as Db, fn);
  }

  /**
   * Map driver errors as MLflow's session wrapper does: a lost connection is
   * TEMPORARILY_UNAVAILABLE, any other database error BAD_REQUEST; MlfErrors pass through.
   * A read that lost its connection is retried once on a fresh one (MLflow's pre-ping).
   */
  private async guard<T>(fn: () => Promise<T>, retryable = false): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isMlfError(e)) throw e;
      if (this.dialect.isConnectionError(e)) {
        if (retryable && !this.inTransaction) {
          try {
            return await fn();
          } catch (e2) {
            if (isMlfError(e2)) throw e2;
            e = e2;
          }
        }
        throw new MlfError(`Database unavailable: ${maskUri(String((e as Error).message))}`, 'TEMPORARILY_UNAVAILABLE');
      }
      throw new MlfError(maskUri(String((e as Error)?.message ?? e)).split('\n')[0]!, 'BAD_REQUEST');
    }
  }

  async atomic<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.dialect.writeTransaction(this.conn.db, (tx) => fn(new SqlStore(this.conn, this.artifactRoot, tx, true)));
  }

  private async ensureDefaultExperiment(): Promise<void> {
    const any = await this.exec
      .selectFrom('experiments')
      .select('experiment_id')
      .orderBy('experiment_id')
      .modifyEnd(pagingClause(this.dialect, 1, 0))
      .execute();
    if (any.length > 0) return;
    const now = Date.now();
    try {
      await this.write(async (tx) => {
        const again = await tx.selectFrom('experiments').select('experiment_id').where('experiment_id', '=', 0).execute();
        if (again.length > 0) return;
        await this.dialect.explicitIdInsert?.before(tx as Tx, 'experiments');
        await tx
          .insertInto('experiments')
          .values({
            experiment_id: 0,
            name: 'Default',
            artifact_location: appendToUri(this.artifactRoot, '0'),
            lifecycle_stage: 'active',
            creation_time: now,
            last_update_time: now,
          })
          .execute();
        await this.dialect.explicitIdInsert?.after(tx as Tx, 'experiments');
      });
    } catch (e) {
      // Another process created it at the same moment.
      if (!this.dialect.isUniqueViolation(e)) throw e;
    }
  }

  // ---------------------------------------------------------------- experiments

  private async experimentRow(db: Db | Tx, experimentId: string, holding = db !== this.exec || this.inTransaction): Promise<ExperimentRow | undefined> {
    const id = sqlExperimentId(experimentId);
    if (id === null) return undefined;
    const rows = await this.rows<ExperimentRow>(db, holding, 'experimentRow', () =>
      db.selectFrom('experiments').select(EXPERIMENT_COLUMNS).where('experiment_id', '=', id), [id]);
    return rows[0];
  }

  private async experimentTags(db: Db | Tx, ids: number[]): Promise<Map<string, { key: string; value: string | null }[]>> {
    const out = new Map<string, { key: string; value: string | null }[]>();
    for (const part of chunks(ids, ID_CHUNK)) {
      if (part.length === 0) continue;
      const rows = await db.selectFrom('experiment_tags').select(['experiment_id', 'key', 'value']).where('experiment_id', 'in', part).execute();
      for (const r of rows) {
        const k = String(r.experiment_id);
        if (!out.has(k)) out.set(k, []);
        out.get(k)!.push({ key: r.key, value: r.value });
      }
    }
    return out;
  }

  private async toExperiments(db: Db | Tx, rows: ExperimentRow[]): Promise<Experiment[]> {
    const tags = await this.experimentTags(db, rows.map((r) => Number(r.experiment_id)));
    return rows.map((r) => experimentFromRow(r, tags.get(String(r.experiment_id)) ?? []));
  }

  private async requireExperiment(db: Db | Tx, experimentId: string): Promise<ExperimentRow> {
    const row = await this.experimentRow(db, experimentId);
    if (!row) throw EXPERIMENT_NOT_FOUND(experimentId);
    return row;
  }

  private async requireActiveExperiment(db: Db | Tx, experimentId: string): Promise<ExperimentRow> {
    const row = await this.requireExperiment(db, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw mustBeActive('experiment', experimentId, row.lifecycle_stage);
    }
    return row;
  }

  async createExperiment(opts: CreateExperimentOptions): Promise<string> {
    const name = validateExperimentName(opts.name);
    const tags = (opts.tags ?? []).map((t) => validateExperimentTag(t));
    let location = opts.artifactLocation || undefined;
    if (location && !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location)) location = path.resolve(location);
    return this.guard(() =>
      this.write(async (tx) => {
        const clash = await tx.selectFrom('experiments').select('experiment_id').where(() => this.dialect.eqCaseSensitive(sql.ref('name'), name)).executeTakeFirst();
        if (clash) throw experimentNameTaken(name);
        const now = Date.now();
        try {
          await tx
            .insertInto('experiments')
            .values({ name, artifact_location: location ?? null, lifecycle_stage: 'active', creation_time: now, last_update_time: now })
            .execute();
        } catch (e) {
          if (this.dialect.isUniqueViolation(e)) throw experimentNameTaken(name);
          throw e;
        }
        const row = await tx.selectFrom('experiments').select('experiment_id').where(() => this.dialect.eqCaseSensitive(sql.ref('name'), name)).executeTakeFirstOrThrow();
        const id = Number(row.experiment_id);
        if (!location) {
          await tx.updateTable('experiments').set({ artifact_location: appendToUri(this.artifactRoot, String(id)) }).where('experiment_id', '=', id).execute();
        }
        if (tags.length) {
          await this.dialect.upsert(tx, 'experiment_tags', dedupeByKey(tags).map((t) => ({ key: t.key, value: t.value, experiment_id: id })), ['key', 'experiment_id'], ['value']);
        }
        return String(id);
      }),
    );
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const id = experimentId === '' || experimentId === undefined || experimentId === null ? '0' : String(experimentId);
    return this.guard(async () => {
      const row = await this.requireExperiment(this.exec, id);
      return (await this.toExperiments(this.exec, [row]))[0]!;
    }, true);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    return this.guard(async () => {
      const row = (await this.exec
        .selectFrom('experiments')
        .select(EXPERIMENT_COLUMNS)
        .where(() => this.dialect.eqCaseSensitive(sql.ref('name'), String(name)))
        .executeTakeFirst()) as ExperimentRow | undefined;
      if (!row) return null;
      return (await this.toExperiments(this.exec, [row]))[0]!;
    }, true);
  }

  async searchExperiments(opts: SearchExperimentsOptions = {}): Promise<PagedList<Experiment>> {
    const maxResults = validateMaxResults(opts.maxResults, { default: 1000, max: 50000 });
    const filter = parseExperimentFilter(opts.filter);
    const orderBy = parseExperimentOrderBy(opts.orderBy);
    const offset = decodePageToken(opts.pageToken);
    return this.guard(async () => {
      let q = this.exec
        .selectFrom('experiments')
        .select(EXPERIMENT_COLUMNS)
        .where('experiments.lifecycle_stage', 'in', lifecycleStagesFor(opts.viewType));
      for (const cond of experimentFilterConditions(this.dialect, filter)) q = q.where(cond as never);
      const order = experimentOrderBy(orderBy);
      const rows = await this.runCompiled<ExperimentRow>(
        this.exec,
        q.orderBy(sql.join(order)).modifyEnd(pagingClause(this.dialect, maxResults + 1, offset)).compile(),
      );
      const more = rows.length > maxResults;
      const items = await this.toExperiments(this.exec, rows.slice(0, maxResults));
      return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
    }, true);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    refuseDefaultExperimentDelete(experimentId);
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.experimentRow(tx, experimentId);
        if (!row || row.lifecycle_stage !== 'active') throw EXPERIMENT_NOT_FOUND(experimentId);
        const now = Date.now();
        const id = Number(row.experiment_id);
        await tx.updateTable('experiments').set({ lifecycle_stage: 'deleted', last_update_time: now }).where('experiment_id', '=', id).execute();
        // Unlike MLflow, runs deleted earlier keep their own deleted_time (gc --older-than relies on it).
        await tx
          .updateTable('runs')
          .set({ lifecycle_stage: 'deleted', deleted_time: now })
          .where('experiment_id', '=', id)
          .where('lifecycle_stage', '=', 'active')
          .execute();
      }),
    );
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.experimentRow(tx, experimentId);
        if (!row || row.lifecycle_stage !== 'deleted') throw EXPERIMENT_NOT_FOUND(experimentId);
        const id = Number(row.experiment_id);
        await tx.updateTable('experiments').set({ lifecycle_stage: 'active', last_update_time: Date.now() }).where('experiment_id', '=', id).execute();
        await tx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('experiment_id', '=', id).where('lifecycle_stage', '=', 'deleted').execute();
      }),
    );
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    const name = validateExperimentName(newName);
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireExperiment(tx, experimentId);
        if (row.lifecycle_stage !== 'active') throw new MlfError('Cannot rename a non-active experiment.', 'INVALID_STATE');
        const clash = await tx
          .selectFrom('experiments')
          .select('experiment_id')
          .where(() => this.dialect.eqCaseSensitive(sql.ref('name'), name))
          .where('experiment_id', '<>', Number(row.experiment_id))
          .executeTakeFirst();
        if (clash) throw experimentNameTaken(name);
        await tx.updateTable('experiments').set({ name, last_update_time: Date.now() }).where('experiment_id', '=', Number(row.experiment_id)).execute();
      }),
    );
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    const t = validateExperimentTag(tag);
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireActiveExperiment(tx, experimentId);
        await this.dialect.upsert(tx, 'experiment_tags', [{ key: t.key, value: t.value, experiment_id: Number(row.experiment_id) }], ['key', 'experiment_id'], ['value']);
      }),
    );
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireActiveExperiment(tx, experimentId);
        const r = await tx
          .deleteFrom('experiment_tags')
          .where('experiment_id', '=', Number(row.experiment_id))
          .where(() => this.dialect.eqCaseSensitive(sql.ref('key'), String(key)))
          .executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) {
          throw new MlfError(`No tag with name: ${key} in experiment with id ${experimentId}`, 'RESOURCE_DOES_NOT_EXIST');
        }
      }),
    );
  }

  // ---------------------------------------------------------------- runs

  private async runRow(db: Db | Tx, runId: string): Promise<RunRow | undefined> {
    const holding = db !== this.exec || this.inTransaction;
    const rows = await this.rows<RunRow>(db, holding, 'runRow', () => db.selectFrom('runs').select(RUN_COLUMNS).where('runs.run_uuid', '=', runId), [runId]);
    return rows[0];
  }

  private async requireRun(db: Db | Tx, runId: string): Promise<RunRow> {
    const id = validateRunId(runId);
    const row = await this.runRow(db, id);
    if (!row) throw RUN_NOT_FOUND(id);
    return row;
  }

  private async requireActiveRun(db: Db | Tx, runId: string): Promise<RunRow> {
    const row = await this.requireRun(db, runId);
    if (row.lifecycle_stage !== 'active') {
      throw mustBeActive('run', row.run_uuid, row.lifecycle_stage);
    }
    return row;
  }

  /** Params, latest metrics, tags and inputs for many runs at once (a handful of queries). */
  private async hydrate(db: Db | Tx, rows: RunRow[]): Promise<Run[]> {
    const runs = new Map<string, Run>();
    for (const r of rows) {
      runs.set(r.run_uuid, { info: runInfoFromRow(r), data: { metrics: [], params: [], tags: [] }, inputs: { datasetInputs: [] } });
    }
    const ids = [...runs.keys()];
    for (const part of chunks(ids, ID_CHUNK)) {
      if (part.length === 0) continue;
      const n = part.length;
      const holding = db !== this.exec || this.inTransaction;
      const metrics = await this.arrays(db, holding, `hydrate:metrics:${n}`, () =>
        db.selectFrom('latest_metrics').select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan']).where('run_uuid', 'in', part), part,
        ['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan']);
      const params = await this.arrays(db, holding, `hydrate:params:${n}`, () =>
        db.selectFrom('params').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', part), part, ['run_uuid', 'key', 'value']);
      const tags = await this.arrays(db, holding, `hydrate:tags:${n}`, () =>
        db.selectFrom('tags').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', part), part, ['run_uuid', 'key', 'value']);
      const inputValues = ['RUN', 'DATASET', ...part];
      const inputs = await this.rows<Record<string, any>>(db, holding, `hydrate:inputs:${n}`, () =>
        db
          .selectFrom('inputs')
          .innerJoin('datasets', 'datasets.dataset_uuid', 'inputs.source_id')
          .select([
            'inputs.destination_id',
            'inputs.input_uuid',
            'datasets.name',
            'datasets.digest',
            'datasets.dataset_source_type',
            'datasets.dataset_source',
            'datasets.dataset_schema',
            'datasets.dataset_profile',
          ])
          .where('inputs.destination_type', '=', 'RUN')
          .where('inputs.source_type', '=', 'DATASET')
          .where('inputs.destination_id', 'in', part), inputValues);
      for (const m of metrics) {
        runs.get(m[0] as string)!.data.metrics.push({
          key: m[1] as string,
          value: decodeMetricValue(m[2], m[5]),
          timestamp: Number(m[3] ?? 0),
          step: Number(m[4] ?? 0),
        });
      }
      for (const p of params) runs.get(p[0] as string)!.data.params.push({ key: p[1] as string, value: (p[2] as string | null) ?? '' });
      for (const t of tags) runs.get(t[0] as string)!.data.tags.push({ key: t[1] as string, value: (t[2] as string | null) ?? '' });
      if (inputs.length) {
        const inputTags = new Map<string, { key: string; value: string }[]>();
        for (const part2 of chunks(inputs.map((i) => i.input_uuid as string), ID_CHUNK)) {
          const its = await db.selectFrom('input_tags').select(['input_uuid', 'name', 'value']).where('input_uuid', 'in', part2).execute();
          for (const it of its) {
            if (!inputTags.has(it.input_uuid)) inputTags.set(it.input_uuid, []);
            inputTags.get(it.input_uuid)!.push({ key: it.name, value: it.value });
          }
        }
        for (const i of inputs) {
          runs.get(i.destination_id)!.inputs.datasetInputs.push({
            tags: (inputTags.get(i.input_uuid) ?? []).sort(byKey),
            dataset: datasetFromRow(i),
          });
        }
      }
    }
    for (const run of runs.values()) {
      run.data.metrics.sort(byKey);
      run.data.params.sort(byKey);
      run.data.tags.sort(byKey);
    }
    return rows.map((r) => runs.get(r.run_uuid)!);
  }

  async createRun(opts: CreateRunOptions): Promise<Run> {
    const tags = (opts.tags ?? []).map((t) => validateTag(t));
    const { runName, tags: allTags } = resolveRunName(opts.runName, tags);
    const experimentId = String(opts.experimentId ?? '0');
    return this.guard(() =>
      this.write(async (tx) => {
        const exp = await this.requireActiveExperiment(tx, experimentId);
        const runId = newRunId();
        const row: RunRow & Record<string, unknown> = {
          run_uuid: runId,
          name: runName,
          source_type: 'UNKNOWN',
          source_name: '',
          entry_point_name: '',
          user_id: opts.userId ?? '',
          status: 'RUNNING',
          start_time: opts.startTime ?? Date.now(),
          end_time: null,
          deleted_time: null,
          source_version: '',
          lifecycle_stage: 'active',
          artifact_uri: appendToUri(exp.artifact_location ?? appendToUri(this.artifactRoot, String(exp.experiment_id)), runId, 'artifacts'),
          experiment_id: Number(exp.experiment_id),
        };
        await this.insertRows(tx, 'runs', [row]);
        await this.insertRows(tx, 'tags', dedupeByKey(allTags).map((t) => ({ key: t.key, value: t.value, run_uuid: runId })));
        return {
          info: runInfoFromRow(row),
          data: { metrics: [], params: [], tags: dedupeByKey(allTags).sort(byKey) },
          inputs: { datasetInputs: [] },
        };
      }),
    );
  }

  async getRun(runId: string): Promise<Run> {
    return this.guard(async () => {
      const row = await this.requireRun(this.exec, runId);
      return (await this.hydrate(this.exec, [row]))[0]!;
    }, true);
  }

  async updateRunInfo(runId: string, opts: UpdateRunOptions): Promise<RunInfo> {
    return this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireActiveRun(tx, runId);
        const set: Record<string, unknown> = {};
        if (opts.status !== undefined && opts.status !== null) set.status = opts.status;
        if (opts.endTime !== undefined && opts.endTime !== null) set.end_time = opts.endTime;
        if (opts.runName) {
          set.name = opts.runName;
          await this.dialect.upsert(tx, 'tags', [{ key: MLFLOW_RUN_NAME, value: opts.runName, run_uuid: row.run_uuid }], ['key', 'run_uuid'], ['value']);
        }
        if (Object.keys(set).length) await tx.updateTable('runs').set(set).where('run_uuid', '=', row.run_uuid).execute();
        return runInfoFromRow({ ...row, ...set } as RunRow);
      }),
    );
  }

  async deleteRun(runId: string): Promise<void> {
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireRun(tx, runId);
        await tx.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: Date.now() }).where('run_uuid', '=', row.run_uuid).execute();
      }),
    );
  }

  async restoreRun(runId: string): Promise<void> {
    await this.guard(() =>
      this.write(async (tx) => {
        const row = await this.requireRun(tx, runId);
        await tx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('run_uuid', '=', row.run_uuid).execute();
      }),
    );
  }

  async searchRuns(opts: SearchRunsOptions): Promise<PagedList<Run>> {
    const maxResults = validateMaxResults(opts.maxResults, { default: 1000, max: 50000 });
    const filter = parseRunFilter(opts.filter);
    const orderBy = parseRunOrderBy(opts.orderBy);
    const offset = decodePageToken(opts.pageToken);
    const expIds = (opts.experimentIds ?? []).map((e) => sqlExperimentId(String(e))).filter((e): e is number => e !== null);
    if (expIds.length === 0) return { items: [] };
    return this.guard(async () => {
      let q = this.exec
        .selectFrom('runs')
        .select(RUN_COLUMNS)
        .where('runs.experiment_id', 'in', expIds)
        .where('runs.lifecycle_stage', 'in', lifecycleStagesFor(opts.viewType));
      for (const cond of runFilterConditions(this.dialect, filter)) q = q.where(cond as never);
      const rows = await this.runCompiled<RunRow>(
        this.exec,
        q.orderBy(sql.join(runOrderBy(this.dialect, orderBy))).modifyEnd(pagingClause(this.dialect, maxResults + 1, offset)).compile(),
      );
      const more = rows.length > maxResults;
      const items = await this.hydrate(this.exec, rows.slice(0, maxResults));
      return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
    }, true);
  }

  // ---------------------------------------------------------------- logging

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const { metrics, params, tags } = validateLogBatch(runId, batch);
    if (!metrics.length && !params.length && !tags.length) {
      await this.guard(() => this.requireActiveRun(this.exec, runId), true);
      return;
    }
    await this.guard(() =>
      this.write(async (tx) => {
        const run = await this.requireActiveRun(tx, runId);
        await this.writeParams(tx, run.run_uuid, params);
        await this.writeMetrics(tx, run.run_uuid, metrics);
        await this.writeTags(tx, run.run_uuid, tags);
      }),
    );
  }

  private async writeParams(tx: Db | Tx, runId: string, params: Param[]): Promise<void> {
    if (!params.length) return;
    const existing = new Map<string, string>();
    for (const part of chunks(params.map((p) => p.key), ID_CHUNK)) {
      const rows = await this.rows<{ key: string; value: string }>(tx, true, `params:existing:${part.length}`, () =>
        tx.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', part), [runId, ...part]);
      for (const r of rows) existing.set(r.key, r.value);
    }
    const conflicts = params.filter((p) => existing.has(p.key) && existing.get(p.key) !== p.value);
    if (conflicts.length) {
      throw paramsAlreadyLogged(runId, conflicts.map((p) => ({ key: p.key, old_value: existing.get(p.key)!, new_value: p.value })));
    }
    await this.insertRows(tx, 'params', params.filter((p) => !existing.has(p.key)).map((p) => ({ key: p.key, value: p.value, run_uuid: runId })));
  }

  private async writeMetrics(tx: Db | Tx, runId: string, metrics: Metric[]): Promise<void> {
    if (!metrics.length) return;
    // Points identical on MLflow's whole primary key are stored once.
    const seen = new Set<string>();
    const rows: Record<string, unknown>[] = [];
    const latest = new Map<string, Metric>();
    for (const m of metrics) {
      const enc = encodeMetricValue(m.value);
      const pk = `${m.key}\u0000${m.timestamp}\u0000${m.step}\u0000${enc.value}\u0000${enc.is_nan}`;
      if (!seen.has(pk)) {
        seen.add(pk);
        rows.push({ key: m.key, value: enc.value, timestamp: m.timestamp, step: m.step, is_nan: enc.is_nan, run_uuid: runId });
      }
      const cur = latest.get(m.key);
      if (!cur || compareMetricPoints(m, cur) > 0) latest.set(m.key, m);
    }
    await this.insertRows(tx, 'metrics', rows, { keys: ['key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan'], update: [] });
    await this.updateLatestMetrics(tx, runId, [...latest.values()]);
  }

  /** latest_metrics keeps, per key, the maximum by (step, timestamp, value), as MLflow does. */
  private async updateLatestMetrics(tx: Db | Tx, runId: string, candidates: Metric[]): Promise<void> {
    const current = new Map<string, Metric>();
    for (const part of chunks(candidates.map((m) => m.key), ID_CHUNK)) {
      const rows = await this.rows<MetricRow>(tx, true, `latest:current:${part.length}`, () =>
        tx.selectFrom('latest_metrics').select(['key', 'value', 'timestamp', 'step', 'is_nan']).where('run_uuid', '=', runId).where('key', 'in', part), [runId, ...part]);
      for (const r of rows) current.set(r.key, metricFromRow(r));
    }
    const updates = candidates.filter((m) => {
      const cur = current.get(m.key);
      return !cur || compareMetricPoints(m, cur) > 0;
    });
    const rows = updates.map((m) => {
      const enc = encodeMetricValue(m.value);
      return { key: m.key, value: enc.value, timestamp: m.timestamp, step: m.step, is_nan: enc.is_nan, run_uuid: runId };
    });
    await this.insertRows(tx, 'latest_metrics', rows, { keys: ['key', 'run_uuid'], update: ['value', 'timestamp', 'step', 'is_nan'] });
  }

  private async writeTags(tx: Db | Tx, runId: string, tags: RunTag[]): Promise<void> {
    if (!tags.length) return;
    const unique = dedupeByKey(tags);
    await this.insertRows(tx, 'tags', unique.map((t) => ({ key: t.key, value: t.value, run_uuid: runId })), { keys: ['key', 'run_uuid'], update: ['value'] });
    const name = unique.find((t) => t.key === MLFLOW_RUN_NAME);
    if (name) await tx.updateTable('runs').set({ name: name.value }).where('run_uuid', '=', runId).execute();
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    // Checked alone first so messages name 'timestamp', not 'metrics[0].timestamp' (MLflow's log_metric).
    validateMetric(metric);
    return this.logBatch(runId, { metrics: [metric] });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    validateParam(param);
    try {
      await this.logBatch(runId, { params: [param] });
    } catch (e) {
      // MLflow words the single-param conflict differently from the batch one.
      if (isParamsAlreadyLogged(e)) {
        const old = await this.exec.selectFrom('params').select('value').where('run_uuid', '=', runId).where('key', '=', param.key).executeTakeFirst();
        throw paramValueChanged(runId, param.key, old?.value, param.value);
      }
      throw e;
    }
  }

  setTag(runId: string, tag: RunTag): Promise<void> {
    return this.logBatch(runId, { tags: [tag] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.guard(() =>
      this.write(async (tx) => {
        const run = await this.requireActiveRun(tx, runId);
        const r = await tx
          .deleteFrom('tags')
          .where('run_uuid', '=', run.run_uuid)
          .where(() => this.dialect.eqCaseSensitive(sql.ref('key'), String(key)))
          .executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) {
          throw new MlfError(`No tag with name: ${key} in run with id ${run.run_uuid}`, 'RESOURCE_DOES_NOT_EXIST');
        }
      }),
    );
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    validateRunId(runId);
    const inputs = validateDatasetInputs(datasets ?? []);
    await this.guard(() =>
      this.write(async (tx) => {
        const run = await this.requireActiveRun(tx, runId);
        const expId = Number(run.experiment_id);
        const seen = new Set<string>();
        for (const di of inputs) {
          const d = di.dataset;
          const k = `${d.name}\u0000${d.digest}`;
          if (seen.has(k)) continue;
          seen.add(k);
          let ds = await tx
            .selectFrom('datasets')
            .select('dataset_uuid')
            .where('experiment_id', '=', expId)
            .where('name', '=', d.name)
            .where('digest', '=', d.digest)
            .executeTakeFirst();
          if (!ds) {
            ds = { dataset_uuid: newRunId() };
            await tx
              .insertInto('datasets')
              .values(datasetToRow(ds.dataset_uuid, expId, d))
              .execute();
          }
          const edge = await tx
            .selectFrom('inputs')
            .select('input_uuid')
            .where('source_type', '=', 'DATASET')
            .where('source_id', '=', ds.dataset_uuid)
            .where('destination_type', '=', 'RUN')
            .where('destination_id', '=', run.run_uuid)
            .executeTakeFirst();
          if (edge) continue;
          const inputUuid = newRunId();
          await tx
            .insertInto('inputs')
            .values({ input_uuid: inputUuid, source_type: 'DATASET', source_id: ds.dataset_uuid, destination_type: 'RUN', destination_id: run.run_uuid })
            .execute();
          const tagRows = dedupeByKey(di.tags).map((t) => ({ input_uuid: inputUuid, name: t.key, value: t.value }));
          if (tagRows.length) await tx.insertInto('input_tags').values(tagRows).execute();
        }
      }),
    );
  }

  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw malformedModelJson(modelJson);
    }
    await this.guard(() =>
      this.write(async (tx) => {
        const run = await this.requireActiveRun(tx, runId);
        const cur = await tx.selectFrom('tags').select('value').where('run_uuid', '=', run.run_uuid).where('key', '=', MLFLOW_LOGGED_MODELS).executeTakeFirst();
        let list: unknown[] = [];
        if (cur?.value) {
          try {
            const parsed = JSON.parse(cur.value);
            if (Array.isArray(parsed)) list = parsed;
          } catch {
            list = [];
          }
        }
        list.push(model);
        const tag = validateTag({ key: MLFLOW_LOGGED_MODELS, value: JSON.stringify(list) });
        await this.dialect.upsert(tx, 'tags', [{ key: tag.key, value: tag.value, run_uuid: run.run_uuid }], ['key', 'run_uuid'], ['value']);
      }),
    );
  }

  // ---------------------------------------------------------------- metric history

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return this.guard(async () => {
      const run = await this.requireRun(this.exec, runId);
      const rows = await this.rows<MetricRow>(this.exec, false, 'history', () =>
        this.exec
          .selectFrom('metrics')
          .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
          .where('run_uuid', '=', run.run_uuid)
          .where(() => this.dialect.eqCaseSensitive(sql.ref('key'), String(key)))
          .orderBy('step')
          .orderBy('timestamp')
          .orderBy('value'), [run.run_uuid, String(key)]);
      const out: Metric[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = metricFromRow(rows[i]!);
      return out;
    }, true);
  }

  async getMetricHistoryBulkInterval(runIds: string[], key: string, opts: BulkIntervalOptions = {}): Promise<MetricWithRunId[]> {
    validateBulkInterval(runIds, opts);
    const ids = runIds.map((r) => validateRunId(r));
    return this.guard(async () => {
      const keyIs = () => this.dialect.eqCaseSensitive(sql.ref('key'), String(key));
      const stepRows = await this.exec
        .selectFrom('metrics')
        .select(['run_uuid', 'step'])
        .distinct()
        .where('run_uuid', 'in', ids)
        .where(keyIs)
        .execute();
      const perRun = new Map<string, number[]>(ids.map((id) => [id, []]));
      for (const r of stepRows) perRun.get(r.run_uuid)?.push(Number(r.step));
      const steps = sampleBulkIntervalSteps([...perRun.values()], opts);
      const out: MetricWithRunId[] = [];
      for (const part of chunks(steps, ID_CHUNK)) {
        if (!part.length) continue;
        const rows = await this.exec
          .selectFrom('metrics')
          .select(['run_uuid', 'key', 'value', 'timestamp', 'step', 'is_nan'])
          .where('run_uuid', 'in', ids)
          .where(keyIs)
          .where('step', 'in', part)
          .execute();
        for (const r of rows) out.push({ ...metricFromRow(r as MetricRow), runId: r.run_uuid });
      }
      // MLflow: run by run in the order asked, each ordered by (step, timestamp).
      const order = new Map(ids.map((id, i) => [id, i]));
      out.sort((a, b) => order.get(a.runId)! - order.get(b.runId)! || compareMetricPoints(a, b));
      return out;
    }, true);
  }

  // ---------------------------------------------------------------- gc

  async purgeRuns(runIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const ids = runIds.map((r) => validateRunId(r));
    const { purgeRunsSql } = await import('./purge.js');
    return this.guard(() => purgeRunsSql(this.exec as Db, this.dialect, ids, opts));
  }

  async purgeExperiments(experimentIds: string[], opts: { dryRun?: boolean } = {}): Promise<PurgeResult> {
    const { purgeExperimentsSql } = await import('./purge.js');
    return this.guard(() => purgeExperimentsSql(this.exec as Db, this.dialect, experimentIds.map(String), opts));
  }

  /** Whether a lifecycle stage passes a view (exported for callers that filter by hand). */
  static matchesView(stage: LifecycleStage, view: ViewType): boolean {
    return stageMatchesView(stage, view);
  }
}

/** Last value per key wins, first position kept (MLflow dedupes tags the same way). */
function dedupeByKey<T extends { key: string }>(items: T[]): T[] {
  const m = new Map<string, T>();
  for (const it of items) m.set(it.key, it);
  return [...m.values()];
}
