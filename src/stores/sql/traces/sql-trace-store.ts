/**
 * MLflow 2.x traces on the SQL schema (`trace_info`, `trace_tags`, `trace_request_metadata`), as
 * MLflow's SqlAlchemyStore keeps them. Only the 2.17 columns are written, so this works from revision
 * f5a4f2784254 (2.17) up to MLflow 3's schema, where the V3 columns stay NULL. Writes are one
 * transaction each: a refused request changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type RawBuilder } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import type { PagedList } from '../../../tracking/entities.js';
import { mustBeActive } from '../../../tracking/messages.js';
import {
  MLFLOW_ARTIFACT_LOCATION,
  SEARCH_TRACES_DEFAULT_MAX_RESULTS,
  traceNotFound,
  validateDeleteTraces,
  validateSearchTracesMaxResults,
  validateTraceTag,
  type TraceInfo,
  type TraceStatus,
} from '../../../tracking/traces.js';
import { parseTraceFilter, parseTraceOrderBy, type TraceComparison, type TraceKey } from '../../../tracking/search/traces.js';
import { decodePageToken, encodePageToken } from '../../../tracking/search/index.js';
import { appendToUri } from '../../common.js';
import type { TrackingStore } from '../../tracking-store.js';
import type { DeleteTracesOptions, SearchTracesOptions, TraceStore } from '../../trace-store.js';
import type { SqlConnection } from '../connect.js';
import type { Db, SqlDialect, Tx } from '../dialects/dialect.js';
import { guardDriver } from '../driver-errors.js';
import { sqlExperimentId } from '../rows.js';
import { pagingClause } from '../search-sql.js';
import { currentRevision } from '../migrate/head.js';
import { tablesAt } from '../migrate/revisions.js';

/** `entity_associations` types of MLflow's `EntityAssociationType` for a trace linked to a run. */
export const TRACE_ENTITY = 'trace';
export const RUN_ENTITY = 'run';
export const PROMPT_VERSION_ENTITY = 'prompt_version';

/** Ids per `IN (...)` list, well under every dialect's parameter limit. */
const ID_CHUNK = 500;

export interface TraceRow {
  request_id: string;
  experiment_id: number | string;
  timestamp_ms: number | string;
  execution_time_ms: number | string | null;
  status: string;
}

const num = (v: number | string | null): number | null => (v === null || v === undefined ? null : Number(v));

export class SqlTraceStore implements TraceStore {
  protected readonly db: Db;
  protected readonly dialect: SqlDialect;

  /** `tracking` is the store on the same database: it answers experiment lookups. */
  constructor(conn: SqlConnection, protected readonly tracking: TrackingStore) {
    this.db = conn.db;
    this.dialect = conn.dialect;
  }

  protected guard<T>(fn: () => Promise<T>): Promise<T> {
    return guardDriver(this.dialect, fn);
  }

  protected write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.guard(() => this.dialect.writeTransaction(this.db, fn));
  }

  async startTrace(experimentId: string, timestampMs: number, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    const exp = await this.tracking.getExperiment(experimentId);
    if (exp.lifecycleStage !== 'active') throw mustBeActive('experiment', exp.experimentId, exp.lifecycleStage);
    for (const [k, v] of Object.entries(tags)) validateTraceTag(k, v);
    const requestId = randomUUID().replace(/-/g, '');
    // MLflow drops a `request_id` tag (a test hook of other stores) and always adds the artifact location.
    const allTags: Record<string, string> = { ...tags };
    delete allTags.request_id;
    allTags[MLFLOW_ARTIFACT_LOCATION] = appendToUri(exp.artifactLocation, 'traces', requestId, 'artifacts');
    await this.write(async (tx) => {
      await tx
        .insertInto('trace_info')
        .values({ request_id: requestId, experiment_id: Number(exp.experimentId), timestamp_ms: timestampMs, execution_time_ms: null, status: 'IN_PROGRESS' })
        .execute();
      await this.putKeyValues(tx, 'trace_tags', requestId, allTags);
      await this.putKeyValues(tx, 'trace_request_metadata', requestId, requestMetadata);
    });
    return { requestId, experimentId: exp.experimentId, timestampMs, executionTimeMs: null, status: 'IN_PROGRESS', requestMetadata: { ...requestMetadata }, tags: allTags };
  }

  protected async putKeyValues(tx: Tx, table: 'trace_tags' | 'trace_request_metadata', requestId: string, kv: Record<string, string>): Promise<void> {
    const rows = Object.entries(kv).map(([key, value]) => ({ request_id: requestId, key, value }));
    if (rows.length) await this.dialect.upsert(tx, table, rows, ['key', 'request_id'], ['value']);
  }

  async endTrace(requestId: string, timestampMs: number, status: TraceStatus, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    for (const [k, v] of Object.entries(tags)) validateTraceTag(k, v);
    await this.write(async (tx) => {
      const row = await this.row(tx, requestId);
      await tx
        .updateTable('trace_info')
        .set({ execution_time_ms: timestampMs - Number(row.timestamp_ms), status })
        .where('request_id', '=', requestId)
        .execute();
      await this.putKeyValues(tx, 'trace_tags', requestId, tags);
      await this.putKeyValues(tx, 'trace_request_metadata', requestId, requestMetadata);
    });
    return this.getTraceInfo(requestId);
  }

  protected async row(db: Db | Tx, requestId: string): Promise<TraceRow> {
    const row = (await db
      .selectFrom('trace_info')
      .select(['request_id', 'experiment_id', 'timestamp_ms', 'execution_time_ms', 'status'])
      .where('request_id', '=', String(requestId))
      .executeTakeFirst()) as TraceRow | undefined;
    if (!row) throw traceNotFound(requestId);
    return row;
  }

  async getTraceInfo(requestId: string): Promise<TraceInfo> {
    return this.guard(async () => (await this.toInfos(this.db, [await this.row(this.db, requestId)]))[0]!);
  }

  /** Rows → entities, with their tags and metadata read in one query per table and chunk. */
  protected async toInfos(db: Db | Tx, rows: TraceRow[]): Promise<TraceInfo[]> {
    const infos = rows.map((r) => ({
      requestId: r.request_id,
      experimentId: String(r.experiment_id),
      timestampMs: Number(r.timestamp_ms),
      executionTimeMs: num(r.execution_time_ms),
      // A V3 start writes the state's name; the v2 API shows its unset state under 2.x's name.
      status: (r.status === 'STATE_UNSPECIFIED' ? 'TRACE_STATUS_UNSPECIFIED' : r.status) as TraceStatus,
      requestMetadata: {} as Record<string, string>,
      tags: {} as Record<string, string>,
    }));
    const byId = new Map(infos.map((i) => [i.requestId, i]));
    for (let k = 0; k < infos.length; k += ID_CHUNK) {
      const ids = infos.slice(k, k + ID_CHUNK).map((i) => i.requestId);
      for (const [table, field] of [['trace_tags', 'tags'], ['trace_request_metadata', 'requestMetadata']] as const) {
        const kvs = (await db.selectFrom(table).select(['request_id', 'key', 'value']).where('request_id', 'in', ids).execute()) as {
          request_id: string;
          key: string;
          value: string | null;
        }[];
        for (const kv of kvs) byId.get(kv.request_id)![field][kv.key] = kv.value ?? '';
      }
    }
    return infos;
  }

  /** The SQL for a key: a column of `trace_info t`, or the tag/metadata value as a correlated subquery. */
  protected keyExpr(key: Exclude<TraceKey, { type: 'span' }>): Expression<unknown> {
    if (key.type === 'attribute') return sql.ref(`t.${key.column}`);
    const table = key.type === 'tag' ? 'trace_tags' : 'trace_request_metadata';
    return sql`(select kv.value from ${sql.table(table)} kv where kv.request_id = t.request_id and kv.${sql.ref('key')} = ${key.key})`;
  }

  /**
   * A comparison as SQL. `links`: the database has `entity_associations`, where MLflow 3 links traces
   * to runs; a `run_id` comparison then matches a trace linked either way (metadata or link row).
   */
  protected condition(c: TraceComparison, links = false): RawBuilder<boolean> {
    if (links && c.byRun && (typeof c.value === 'string' || Array.isArray(c.value))) {
      const runs = sql.join((Array.isArray(c.value) ? c.value : [c.value]).map((v) => sql`${v}`));
      const linked = sql<boolean>`t.request_id in (select ea.source_id from entity_associations ea where ea.source_type = ${TRACE_ENTITY} and ea.destination_type = ${RUN_ENTITY} and ea.destination_id in (${runs}))`;
      const viaMetadata = this.condition({ ...c, byRun: undefined });
      return c.op === '=' || c.op === 'IN' ? sql<boolean>`(${viaMetadata} or ${linked})` : sql<boolean>`(${viaMetadata} and not (${linked}))`;
    }
    if (c.type === 'span') {
      // MLflow 3: the trace matches when any of its spans does.
      const col = sql.ref(`s.${c.column}`);
      const test = c.op === '=' ? this.dialect.eqCaseSensitive(col, String(c.value)) : sql<boolean>`(${col} is not null and not (${this.dialect.eqCaseSensitive(col, String(c.value))}))`;
      return sql<boolean>`t.request_id in (select s.trace_id from spans s where ${test})`;
    }
    const col = this.keyExpr(c);
    const v = c.value;
    if (Array.isArray(v)) {
      const list = sql.join(v.map((x) => sql`${x}`));
      // `NOT IN` keeps MLflow's SQL meaning: rows whose value is NULL do not match.
      return c.op === 'IN' ? sql<boolean>`${col} in (${list})` : sql<boolean>`${col} not in (${list})`;
    }
    if (typeof v === 'string') {
      const eq = this.dialect.eqCaseSensitive(col, v);
      return c.op === '=' ? eq : sql<boolean>`(${col} is not null and not (${eq}))`;
    }
    return sql<boolean>`${col} ${sql.raw(c.op)} ${v}`;
  }

  async searchTraces(opts: SearchTracesOptions): Promise<PagedList<TraceInfo>> {
    return this.guard(async () => {
      const page = await this.searchRows(opts);
      return { ...page, items: await this.toInfos(this.db, page.items) };
    });
  }

  /** One page of `trace_info` rows for a search (MLflow's limits, grammar, order and offset tokens). */
  protected async searchRows(opts: SearchTracesOptions): Promise<PagedList<TraceRow>> {
    const maxResults = opts.maxResults ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS;
    validateSearchTracesMaxResults(maxResults, 'sql');
    const filters = parseTraceFilter(opts.filter, opts.spanFilters);
    const orderBy = parseTraceOrderBy(opts.orderBy);
    const offset = decodePageToken(opts.pageToken);
    const expIds = opts.experimentIds.map(sqlExperimentId).filter((x): x is number => x !== null);
    if (!expIds.length) return { items: [] };
    const links = filters.some((c) => c.byRun) && (await this.hasTable('entity_associations'));
    const where = [sql<boolean>`t.experiment_id in (${sql.join(expIds)})`, ...filters.map((c) => this.condition(c, links))];
    // Nulls last for every key, then MLflow's tie-breakers: newest first, then request id.
    const order = orderBy.flatMap((o) => {
      const e = this.keyExpr(o);
      return [sql`case when ${e} is null then 1 else 0 end`, o.ascending ? sql`${e} asc` : sql`${e} desc`];
    });
    order.push(sql`t.timestamp_ms desc`, sql`t.request_id asc`);
    return this.guard(async () => {
      const q = sql<TraceRow>`select t.request_id, t.experiment_id, t.timestamp_ms, t.execution_time_ms, t.status from trace_info t
        where ${sql.join(where, sql` and `)} order by ${sql.join(order)} ${pagingClause(this.dialect, maxResults, offset)}`;
      const items = (await q.execute(this.db)).rows;
      return items.length === maxResults ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
    });
  }

  /** Tables of the database's revision (MLflow 3's `assessments` and `spans` may be absent). */
  protected async hasTable(table: string): Promise<boolean> {
    this.tables ??= (async () => {
      const rev = await currentRevision(this.db);
      return new Set(rev ? tablesAt(rev) : []);
    })().catch((e) => {
      this.tables = undefined;
      throw e;
    });
    return (await this.tables).has(table);
  }
  private tables?: Promise<Set<string>>;

  async deleteTraces(experimentId: string, opts: DeleteTracesOptions): Promise<number> {
    const ids = opts.requestIds ?? [];
    validateDeleteTraces(opts.maxTimestampMillis, opts.maxTraces, ids);
    const expId = sqlExperimentId(String(experimentId));
    if (expId === null) return 0;
    // Read before the transaction: on SQLite the pool is one connection, held by the transaction.
    const v3Children: string[] = [];
    for (const table of ['assessments', 'spans']) if (await this.hasTable(table)) v3Children.push(table);
    const links = await this.hasTable('entity_associations');
    return this.write(async (tx) => {
      let q = tx.selectFrom('trace_info').select('request_id').where('experiment_id', '=', expId);
      // MLflow: a zero timestamp means "no bound", as its truthiness test reads it.
      if (opts.maxTimestampMillis) q = q.where('timestamp_ms', '<=', opts.maxTimestampMillis);
      if (ids.length) q = q.where('request_id', 'in', ids);
      if (opts.maxTraces) q = q.orderBy('timestamp_ms', 'asc').orderBy('request_id', 'asc').limit(opts.maxTraces);
      const doomed = (await q.execute()).map((r) => String(r.request_id));
      for (let k = 0; k < doomed.length; k += ID_CHUNK) {
        const part = doomed.slice(k, k + ID_CHUNK);
        // Children first: not every dialect/revision cascades these foreign keys.
        for (const table of ['trace_tags', 'trace_request_metadata']) await tx.deleteFrom(table).where('request_id', 'in', part).execute();
        for (const table of v3Children) await tx.deleteFrom(table).where('trace_id', 'in', part).execute();
        // A deleted trace's links to runs go with it (no foreign key holds them).
        if (links) await tx.deleteFrom('entity_associations').where('source_type', '=', TRACE_ENTITY).where('source_id', 'in', part).execute();
        await tx.deleteFrom('trace_info').where('request_id', 'in', part).execute();
      }
      return doomed.length;
    });
  }

  async setTraceTag(requestId: string, key: string, value: string): Promise<void> {
    validateTraceTag(key, value);
    await this.write(async (tx) => {
      await this.row(tx, requestId);
      await this.putKeyValues(tx, 'trace_tags', requestId, { [key]: value });
    });
  }

  async deleteTraceTag(requestId: string, key: string): Promise<void> {
    await this.write(async (tx) => {
      const res = await tx.deleteFrom('trace_tags').where('request_id', '=', String(requestId)).where('key', '=', key).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) {
        throw new MlfError(`No trace tag with key '${key}' for trace with request_id '${requestId}'`, 'RESOURCE_DOES_NOT_EXIST');
      }
    });
  }
}
