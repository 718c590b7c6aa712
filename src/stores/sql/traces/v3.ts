/**
 * MLflow 3's traces on the SQL schema, over the same tables as the v2 store: V3 trace info (with
 * `client_request_id` and the previews), spans ingested over OTLP into `spans` (MLflow's `log_spans`),
 * assessments, and link-to-run. Needs a database at revision a1b2c3d4e5f6 (spans) or later.
 *
 * Link-to-run: MLflow 3 records links in `entity_associations` (revision de4033877273), and a `run_id`
 * search matches a trace linked there or carrying the `mlflow.sourceRun` metadata its client wrote.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { MlfError } from '../../../lib/errors.js';
import { mustBeActive } from '../../../tracking/messages.js';
import type { PagedList } from '../../../tracking/entities.js';
import { ASSESSMENT_ID_PREFIX, type Assessment } from '../../../tracking/assessments.js';
import type { OtlpSpan } from '../../../tracking/otlp-decode.js';
import { spanContentToJson, spanRow, spanStatusOf, traceTagsOf, type SpanRow } from '../../../tracking/spans.js';
import { MLFLOW_ARTIFACT_LOCATION, MLFLOW_SOURCE_RUN, validateTraceTag } from '../../../tracking/traces.js';
import {
  MAX_TRACES_TO_LINK,
  MLFLOW_LINKED_PROMPTS,
  MLFLOW_SPANS_LOCATION,
  mergeLinkedPrompts,
  type PromptVersionRef,
  SPANS_IN_TRACKING_STORE,
  stateOfStatus,
  TRACE_ID_MAX_LENGTH,
  traceIdNotFound,
  validateTraceInfoV3,
  type TraceInfoV3,
  type TraceV3,
} from '../../../tracking/traces-v3.js';
import { appendToUri } from '../../common.js';
import type { AssessmentChanges, SearchTracesOptions } from '../../trace-store.js';
import type { Db, Tx } from '../dialects/dialect.js';
import { driverError } from '../driver-errors.js';
import { sqlExperimentId } from '../rows.js';
import { assessmentsOf, changeAssessment, insertAssessment, readAssessment, removeAssessment } from './assessments.js';
import { PROMPT_VERSION_ENTITY, RUN_ENTITY, SqlTraceStore, TRACE_ENTITY, type TraceRow } from './sql-trace-store.js';

const ID_CHUNK = 500;
const SPAN_CHUNK = 500;
const V3_COLUMNS = ['request_id', 'experiment_id', 'timestamp_ms', 'execution_time_ms', 'status', 'client_request_id', 'request_preview', 'response_preview'] as const;
/** `spans.type` is VARCHAR(500). */
const SPAN_TYPE_MAX_LENGTH = 500;
/** Statuses a root span may still settle (MLflow: IN_PROGRESS or unspecified). */
const OPEN_STATUSES = ['IN_PROGRESS', 'STATE_UNSPECIFIED', 'TRACE_STATUS_UNSPECIFIED'];

type V3Row = TraceRow & { client_request_id: string | null; request_preview: string | null; response_preview: string | null };

const invalid = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');
const NS_PER_MS = 1_000_000n;

export class SqlTraceStoreV3 extends SqlTraceStore {
  private async requireV3(): Promise<void> {
    if ((await this.hasTable('spans')) && (await this.hasTable('assessments'))) return;
    throw new MlfError("MLflow 3's trace API needs the database at MLflow 3's schema (revision a1b2c3d4e5f6 or later). Run `mlf db upgrade` to upgrade it.", 'BAD_REQUEST');
  }

  private artifactLocation(experimentArtifactLocation: string, traceId: string): string {
    return appendToUri(experimentArtifactLocation, 'traces', traceId, 'artifacts');
  }

  async startTraceV3(info: TraceInfoV3): Promise<TraceInfoV3> {
    await this.requireV3();
    validateTraceInfoV3(info);
    for (const [k, v] of Object.entries(info.tags)) validateTraceTag(k, v);
    const exp = await this.tracking.getExperiment(info.experimentId);
    if (exp.lifecycleStage !== 'active') throw mustBeActive('experiment', exp.experimentId, exp.lifecycleStage);
    const tags = { ...info.tags, [MLFLOW_ARTIFACT_LOCATION]: this.artifactLocation(exp.artifactLocation, info.traceId) };
    const values = {
      experiment_id: Number(exp.experimentId),
      timestamp_ms: info.requestTime,
      execution_time_ms: info.executionDuration,
      status: info.state,
      client_request_id: info.clientRequestId,
      request_preview: info.requestPreview,
      response_preview: info.responsePreview,
    };
    const now = Date.now();
    const assessments = info.assessments.map((a) => ({ ...a, traceId: info.traceId, assessmentId: a.assessmentId || `${ASSESSMENT_ID_PREFIX}${randomUUID().replace(/-/g, '')}`, createTime: a.createTime || now }));
    await this.writeV3(async (tx) => {
      const existing = await tx.selectFrom('trace_info').select('request_id').where('request_id', '=', info.traceId).executeTakeFirst();
      // A row made by span ingestion is merged into: its spans and tags (spans location) stay.
      if (existing) await tx.updateTable('trace_info').set(values).where('request_id', '=', info.traceId).execute();
      else await tx.insertInto('trace_info').values({ request_id: info.traceId, ...values }).execute();
      await this.putKeyValues(tx, 'trace_tags', info.traceId, tags);
      await this.putKeyValues(tx, 'trace_request_metadata', info.traceId, info.traceMetadata);
      for (const a of assessments) await insertAssessment(tx, a);
    }, true);
    return this.getTraceInfoV3(info.traceId);
  }

  /**
   * A write of the V3 API. `retry`: run it again once if the database refused it, which is what
   * happens when another writer created the same trace first. A refusal that remains (a value the
   * database cannot hold, e.g. over MySQL's 64 KB TEXT) is a 400 with the database's first line, as
   * the logged-model store answers it, never a 5xx.
   */
  private async writeV3<T>(fn: (tx: Tx) => Promise<T>, retry = false): Promise<T> {
    try {
      return await this.dialect.writeTransaction(this.db, fn);
    } catch (e) {
      if (retry && !(e instanceof MlfError) && !this.dialect.isConnectionError(e)) return this.writeV3(fn, false);
      throw driverError(this.dialect, e);
    }
  }

  private async v3Rows(db: Db | Tx, ids: string[]): Promise<V3Row[]> {
    const out: V3Row[] = [];
    for (let k = 0; k < ids.length; k += ID_CHUNK) {
      out.push(...((await db.selectFrom('trace_info').select([...V3_COLUMNS]).where('request_id', 'in', ids.slice(k, k + ID_CHUNK)).execute()) as V3Row[]));
    }
    return out;
  }

  /** Rows → V3 entities with tags, metadata and assessments (one query per table and chunk). */
  private async toInfosV3(db: Db | Tx, rows: V3Row[]): Promise<TraceInfoV3[]> {
    const base = await this.toInfos(db, rows);
    const out: TraceInfoV3[] = [];
    for (let k = 0; k < rows.length; k += ID_CHUNK) {
      const part = rows.slice(k, k + ID_CHUNK);
      const byTrace = await assessmentsOf(db, part.map((r) => r.request_id));
      part.forEach((r, i) => {
        const b = base[k + i]!;
        out.push({
          traceId: b.requestId,
          clientRequestId: r.client_request_id ?? null,
          experimentId: b.experimentId,
          requestPreview: r.request_preview ?? null,
          responsePreview: r.response_preview ?? null,
          requestTime: b.timestampMs,
          executionDuration: b.executionTimeMs,
          state: stateOfStatus(b.status),
          traceMetadata: b.requestMetadata,
          tags: b.tags,
          assessments: byTrace.get(b.requestId) ?? [],
        });
      });
    }
    return out;
  }

  async getTraceInfoV3(traceId: string): Promise<TraceInfoV3> {
    await this.requireV3();
    return this.guard(async () => {
      const rows = await this.v3Rows(this.db, [String(traceId)]);
      if (!rows.length) throw traceIdNotFound(traceId);
      return (await this.toInfosV3(this.db, rows))[0]!;
    });
  }

  private async spansOf(traceIds: string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    for (let k = 0; k < traceIds.length; k += ID_CHUNK) {
      const rows = await this.db
        .selectFrom('spans')
        .select(['trace_id', 'content'])
        .where('trace_id', 'in', traceIds.slice(k, k + ID_CHUNK))
        .orderBy('start_time_unix_nano')
        .orderBy('span_id')
        .execute();
      for (const r of rows as { trace_id: string; content: string }[]) {
        const list = out.get(r.trace_id) ?? [];
        list.push(spanContentToJson(r.content));
        out.set(r.trace_id, list);
      }
    }
    return out;
  }

  async spanContents(traceId: string): Promise<string[]> {
    if (!(await this.hasTable('spans'))) return [];
    return this.guard(async () => {
      const rows = await this.db.selectFrom('spans').select('content').where('trace_id', '=', traceId).orderBy('start_time_unix_nano').orderBy('span_id').execute();
      return rows.map((r) => String((r as { content: unknown }).content));
    });
  }

  async getTraceV3(traceId: string): Promise<TraceV3> {
    const info = await this.getTraceInfoV3(traceId);
    return this.guard(async () => ({ info, spans: (await this.spansOf([info.traceId])).get(info.traceId) ?? [] }));
  }

  async batchGetTracesV3(traceIds: string[]): Promise<TraceV3[]> {
    await this.requireV3();
    return this.guard(async () => {
      const infos = await this.toInfosV3(this.db, await this.v3Rows(this.db, traceIds));
      const byId = new Map(infos.map((i) => [i.traceId, i]));
      const spans = await this.spansOf(infos.map((i) => i.traceId));
      return [...new Set(traceIds)].filter((id) => byId.has(id)).map((id) => ({ info: byId.get(id)!, spans: spans.get(id) ?? [] }));
    });
  }

  async searchTracesV3(opts: SearchTracesOptions): Promise<PagedList<TraceInfoV3>> {
    await this.requireV3();
    return this.guard(async () => {
      const page = await this.searchRows({ ...opts, spanFilters: true });
      const rows = await this.v3Rows(this.db, page.items.map((r) => r.request_id));
      const byId = new Map((await this.toInfosV3(this.db, rows)).map((i) => [i.traceId, i]));
      return { ...page, items: page.items.map((r) => byId.get(r.request_id)!).filter(Boolean) };
    });
  }

  async logSpans(experimentId: string, traceId: string, spans: OtlpSpan[]): Promise<void> {
    await this.requireV3();
    if (!spans.length) return;
    if (traceId.length > TRACE_ID_MAX_LENGTH) throw invalid(`Trace ID '${traceId.slice(0, 20)}...' had length ${traceId.length}, which exceeded length limit of ${TRACE_ID_MAX_LENGTH}`);
    const starts = spans.map((s) => BigInt(s.startTimeUnixNano));
    const ends = spans.filter((s) => s.endTimeUnixNano !== null).map((s) => BigInt(s.endTimeUnixNano!));
    const minStartMs = Number(starts.reduce((a, b) => (b < a ? b : a)) / NS_PER_MS);
    const maxEndMs = ends.length ? Number(ends.reduce((a, b) => (b > a ? b : a)) / NS_PER_MS) : null;
    const root = spans.find((s) => s.parentSpanId === null);
    const rootState = root ? (spanStatusOf(root) === 'ERROR' ? 'ERROR' : 'OK') : null;
    // The root span's `mlflow.traceTag.*` attributes become the trace's tags.
    const rootTags = root ? traceTagsOf(root) : {};
    for (const [k, v] of Object.entries(rootTags)) validateTraceTag(k, v);
    const expId = sqlExperimentId(String(experimentId));
    // Only a new trace needs the experiment (MLflow reads it for the artifact location).
    const existing = await this.guard(() => this.db.selectFrom('trace_info').select(['experiment_id']).where('request_id', '=', traceId).executeTakeFirst());
    const exp = existing ? undefined : await this.tracking.getExperiment(String(experimentId));
    const ownerId = existing ? Number(existing.experiment_id) : Number(exp?.experimentId ?? expId);
    // One row per span id (the last copy wins): an upsert may not touch a row twice in one statement.
    const rows: SpanRow[] = [...new Map(spans.map((s) => [s.spanId, spanRow(s, traceId, ownerId)])).values()];
    for (const r of rows) {
      if (r.type && r.type.length > SPAN_TYPE_MAX_LENGTH) throw invalid(`Span type had length ${r.type.length}, which exceeded length limit of ${SPAN_TYPE_MAX_LENGTH}`);
    }
    await this.writeV3(async (tx) => {
      const row = (await tx.selectFrom('trace_info').select(['status']).where('request_id', '=', traceId).executeTakeFirst()) as { status: string } | undefined;
      if (!row) {
        if (!exp) throw traceIdNotFound(traceId); // deleted between the read and this transaction
        await tx
          .insertInto('trace_info')
          .values({ request_id: traceId, experiment_id: ownerId, timestamp_ms: minStartMs, execution_time_ms: maxEndMs === null ? null : maxEndMs - minStartMs, status: rootState ?? 'IN_PROGRESS' })
          .execute();
        await this.putKeyValues(tx, 'trace_tags', traceId, { [MLFLOW_ARTIFACT_LOCATION]: this.artifactLocation(exp.artifactLocation, traceId) });
      } else {
        // Widen the time range in SQL, so concurrent batches of one trace cannot lose each other's
        // bounds. The duration is assigned first: MySQL evaluates SET items left to right.
        const start = sql`case when timestamp_ms > ${minStartMs} then ${minStartMs} else timestamp_ms end`;
        const sets = [];
        if (maxEndMs !== null) sets.push(sql`execution_time_ms = (case when timestamp_ms + execution_time_ms > ${maxEndMs} then timestamp_ms + execution_time_ms else ${maxEndMs} end) - ${start}`);
        sets.push(sql`timestamp_ms = ${start}`);
        if (rootState && OPEN_STATUSES.includes(row.status)) sets.push(sql`status = ${rootState}`);
        await sql`update trace_info set ${sql.join(sets)} where request_id = ${traceId}`.execute(tx);
      }
      await this.putKeyValues(tx, 'trace_tags', traceId, { ...rootTags, [MLFLOW_SPANS_LOCATION]: SPANS_IN_TRACKING_STORE });
      // In chunks: ten columns a row, well under every driver's bound-parameter limit.
      for (let k = 0; k < rows.length; k += SPAN_CHUNK) {
        const part = rows.slice(k, k + SPAN_CHUNK) as unknown as Record<string, unknown>[];
        await this.dialect.upsert(tx, 'spans', part, ['trace_id', 'span_id'], ['experiment_id', 'parent_span_id', 'name', 'type', 'status', 'start_time_unix_nano', 'end_time_unix_nano', 'content']);
      }
    }, true);
  }

  /**
   * MLflow 3's `link_traces_to_run`: one `entity_associations` row (trace → run, a fresh uuid) per
   * trace not yet linked to that run. Only traces that exist are linked. At revision a1b2c3d4e5f6,
   * before that table, the link is the trace's `mlflow.sourceRun` metadata where it has none.
   */
  async linkTracesToRun(traceIds: string[], runId: string): Promise<void> {
    if (traceIds.length > MAX_TRACES_TO_LINK) {
      throw invalid(`Cannot link more than ${MAX_TRACES_TO_LINK} traces to a run in a single request. Provided ${traceIds.length} traces.`);
    }
    if (!traceIds.length) return;
    await this.requireV3();
    const links = await this.hasTable('entity_associations');
    await this.writeV3(async (tx) => {
      const found = ((await tx.selectFrom('trace_info').select('request_id').where('request_id', 'in', traceIds).execute()) as { request_id: string }[]).map((r) => r.request_id);
      if (!found.length) return;
      if (!links) {
        // Insert-ignore: a trace recorded in another run keeps its source run.
        await this.dialect.upsert(tx, 'trace_request_metadata', found.map((id) => ({ request_id: id, key: MLFLOW_SOURCE_RUN, value: runId })), ['key', 'request_id'], []);
        return;
      }
      const linked = new Set(
        ((await tx
          .selectFrom('entity_associations')
          .select('source_id')
          .where('source_type', '=', TRACE_ENTITY)
          .where('source_id', 'in', found)
          .where('destination_type', '=', RUN_ENTITY)
          .where('destination_id', '=', runId)
          .execute()) as { source_id: string }[]).map((r) => r.source_id),
      );
      const now = Date.now();
      const rows = found
        .filter((id) => !linked.has(id))
        .map((id) => ({ association_id: randomUUID().replace(/-/g, ''), source_type: TRACE_ENTITY, source_id: id, destination_type: RUN_ENTITY, destination_id: runId, created_time: now }));
      // Insert-ignore: a concurrent link of the same pair is the same link.
      if (rows.length) await this.dialect.upsert(tx, 'entity_associations', rows, ['source_type', 'source_id', 'destination_type', 'destination_id'], []);
    });
  }

  /**
   * MLflow 3's `link_prompts_to_trace`: the versions merged into the trace's `mlflow.linkedPrompts`
   * tag, and one `entity_associations` row (trace → prompt_version `<name>/<version>`) per version.
   */
  async linkPromptsToTrace(traceId: string, versions: PromptVersionRef[]): Promise<void> {
    await this.requireV3();
    const links = await this.hasTable('entity_associations');
    await this.writeV3(async (tx) => {
      await this.row(tx, traceId).catch((e) => {
        throw e instanceof MlfError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST' ? traceIdNotFound(traceId) : e;
      });
      const tag = (await tx.selectFrom('trace_tags').select('value').where('request_id', '=', traceId).where('key', '=', MLFLOW_LINKED_PROMPTS).executeTakeFirst()) as { value: string | null } | undefined;
      const current = tag?.value ?? undefined;
      const merged = mergeLinkedPrompts(current, versions);
      validateTraceTag(MLFLOW_LINKED_PROMPTS, merged);
      if (merged !== current) await this.putKeyValues(tx, 'trace_tags', traceId, { [MLFLOW_LINKED_PROMPTS]: merged });
      if (!links || !versions.length) return;
      const now = Date.now();
      const rows = [...new Set(versions.map((v) => `${v.name}/${v.version}`))].map((dest) => ({
        association_id: randomUUID().replace(/-/g, ''),
        source_type: TRACE_ENTITY,
        source_id: traceId,
        destination_type: PROMPT_VERSION_ENTITY,
        destination_id: dest,
        created_time: now,
      }));
      await this.dialect.upsert(tx, 'entity_associations', rows, ['source_type', 'source_id', 'destination_type', 'destination_id'], []);
    });
  }

  async createAssessment(a: Assessment): Promise<Assessment> {
    await this.requireV3();
    return this.writeV3((tx) => insertAssessment(tx, a));
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    await this.requireV3();
    return this.guard(() => readAssessment(this.db, traceId, assessmentId));
  }

  async updateAssessment(traceId: string, assessmentId: string, changes: AssessmentChanges): Promise<Assessment> {
    await this.requireV3();
    return this.writeV3((tx) => changeAssessment(tx, traceId, assessmentId, changes, Date.now()));
  }

  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    await this.requireV3();
    await this.writeV3((tx) => removeAssessment(tx, traceId, assessmentId));
  }
}
