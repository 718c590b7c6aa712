/**
 * Traces over HTTP (`http://` tracking URIs): the trace store mapped onto MLflow's REST trace
 * endpoints, as MLflow's Python `RestStore` calls them. The v2 calls (start, end, info, search) and
 * the ones the client pins to 2.0 (tags, delete-traces, link-to-run, link-prompts) go to `/api/2.0/mlflow`; the
 * MLflow 3 calls (StartTraceV3, trace info, get, batchGet, search, assessments) to `/api/3.0/mlflow`.
 *
 * No `logSpans` and no `spanContents`: MLflow's client sends spans to a server as OTLP itself, and an
 * `mlf server` in front of another server answers `/v1/traces` with 501, so clients fall back to the
 * `traces.json` artifact, which the artifact proxy forwards.
 *
 * @example
 * const traces = new RestTraces(client);
 * const page = await traces.searchTracesV3({ experimentIds: ['1'], filter: "status = 'OK'" });
 */
import type { PagedList } from '../../tracking/entities.js';
import { assessmentFromJson, assessmentToJson, type Assessment, type AssessmentChanges } from '../../tracking/assessments.js';
import { traceInfoFromJson, type TraceInfo, type TraceStatus } from '../../tracking/traces.js';
import { traceInfoV3FromJson, traceInfoV3ToJson, type PromptVersionRef, type TraceInfoV3, type TraceV3 } from '../../tracking/traces-v3.js';
import type { DeleteTracesOptions, SearchTracesOptions, TraceStore } from '../trace-store.js';
import type { HttpClient, Json } from './http-client.js';

const V2 = '/api/2.0/mlflow/traces';
const V3 = '/api/3.0/mlflow/traces';

const kvs = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));
const page = <T>(items: T[], token: unknown): PagedList<T> => (typeof token === 'string' && token ? { items, nextPageToken: token } : { items });
const traceOf = (j: Json): TraceV3 => ({ info: traceInfoV3FromJson((j.trace_info ?? {}) as Json), spans: Array.isArray(j.spans) ? (j.spans as Json[]) : [] });

export class RestTraces implements TraceStore {
  constructor(private readonly client: HttpClient) {}

  private at(base: string, traceId: string, rest = ''): string {
    return `${base}/${encodeURIComponent(traceId)}${rest}`;
  }

  async startTrace(experimentId: string, timestampMs: number, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    const r = await this.client.call('POST', V2, { experiment_id: experimentId, timestamp_ms: timestampMs, request_metadata: kvs(requestMetadata), tags: kvs(tags) });
    return traceInfoFromJson(r.trace_info as Json);
  }

  async endTrace(requestId: string, timestampMs: number, status: TraceStatus, requestMetadata: Record<string, string>, tags: Record<string, string>): Promise<TraceInfo> {
    const r = await this.client.call('PATCH', this.at(V2, requestId), { request_id: requestId, timestamp_ms: timestampMs, status, request_metadata: kvs(requestMetadata), tags: kvs(tags) });
    return traceInfoFromJson(r.trace_info as Json);
  }

  async getTraceInfo(requestId: string): Promise<TraceInfo> {
    return traceInfoFromJson((await this.client.call('GET', this.at(V2, requestId, '/info'), {})).trace_info as Json);
  }

  async searchTraces(opts: SearchTracesOptions): Promise<PagedList<TraceInfo>> {
    const f: Json = { experiment_ids: opts.experimentIds };
    if (opts.filter) f.filter = opts.filter;
    if (opts.maxResults !== undefined) f.max_results = opts.maxResults;
    if (opts.orderBy?.length) f.order_by = opts.orderBy;
    if (opts.pageToken) f.page_token = opts.pageToken;
    const r = await this.client.call('GET', V2, f);
    return page(((r.traces as Json[] | undefined) ?? []).map(traceInfoFromJson), r.next_page_token);
  }

  async deleteTraces(experimentId: string, opts: DeleteTracesOptions): Promise<number> {
    const f: Json = { experiment_id: experimentId };
    if (opts.maxTimestampMillis !== undefined) f.max_timestamp_millis = opts.maxTimestampMillis;
    if (opts.maxTraces !== undefined) f.max_traces = opts.maxTraces;
    if (opts.requestIds?.length) f.request_ids = opts.requestIds;
    return Number((await this.client.call('POST', `${V2}/delete-traces`, f)).traces_deleted ?? 0);
  }

  async setTraceTag(requestId: string, key: string, value: string): Promise<void> {
    await this.client.call('PATCH', this.at(V2, requestId, '/tags'), { key, value });
  }

  async deleteTraceTag(requestId: string, key: string): Promise<void> {
    await this.client.call('DELETE', this.at(V2, requestId, '/tags'), { key });
  }

  async startTraceV3(info: TraceInfoV3): Promise<TraceInfoV3> {
    const r = await this.client.call('POST', V3, { trace: { trace_info: traceInfoV3ToJson(info) } });
    return traceInfoV3FromJson(((r.trace as Json | undefined)?.trace_info ?? {}) as Json);
  }

  async getTraceInfoV3(traceId: string): Promise<TraceInfoV3> {
    const r = await this.client.call('GET', this.at(V3, traceId), {});
    return traceInfoV3FromJson(((r.trace as Json | undefined)?.trace_info ?? {}) as Json);
  }

  async getTraceV3(traceId: string): Promise<TraceV3> {
    return traceOf(((await this.client.call('GET', `${V3}/get`, { trace_id: traceId })).trace ?? {}) as Json);
  }

  async batchGetTracesV3(traceIds: string[]): Promise<TraceV3[]> {
    if (!traceIds.length) return [];
    const r = await this.client.call('GET', `${V3}/batchGet`, { trace_ids: traceIds });
    return ((r.traces as Json[] | undefined) ?? []).map(traceOf);
  }

  async searchTracesV3(opts: SearchTracesOptions): Promise<PagedList<TraceInfoV3>> {
    const f: Json = { locations: opts.experimentIds.map((id) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } })) };
    if (opts.filter) f.filter = opts.filter;
    if (opts.maxResults !== undefined) f.max_results = opts.maxResults;
    if (opts.orderBy?.length) f.order_by = opts.orderBy;
    if (opts.pageToken) f.page_token = opts.pageToken;
    const r = await this.client.call('POST', `${V3}/search`, f);
    return page(((r.traces as Json[] | undefined) ?? []).map(traceInfoV3FromJson), r.next_page_token);
  }

  async linkTracesToRun(traceIds: string[], runId: string): Promise<void> {
    await this.client.call('POST', `${V2}/link-to-run`, { trace_ids: traceIds, run_id: runId });
  }

  async linkPromptsToTrace(traceId: string, versions: PromptVersionRef[]): Promise<void> {
    await this.client.call('POST', `${V2}/link-prompts`, { trace_id: traceId, prompt_versions: versions.map((v) => ({ name: v.name, version: v.version })) });
  }

  private assessment(traceId: string, r: Json): Assessment {
    const a = (r.assessment ?? {}) as Json;
    return assessmentFromJson(a, traceId, 0, String(a.assessment_id ?? ''));
  }

  async createAssessment(a: Assessment): Promise<Assessment> {
    // The server sets the id and times; the request leaves them out, as MLflow's client does.
    const { assessment_id: _id, create_time: _c, last_update_time: _u, ...body } = assessmentToJson(a);
    return this.assessment(a.traceId, await this.client.call('POST', this.at(V3, a.traceId, '/assessments'), { assessment: body }));
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    return this.assessment(traceId, await this.client.call('GET', this.at(V3, traceId, `/assessments/${encodeURIComponent(assessmentId)}`), {}));
  }

  async updateAssessment(traceId: string, assessmentId: string, c: AssessmentChanges): Promise<Assessment> {
    const a: Json = { assessment_id: assessmentId, trace_id: traceId };
    const mask: string[] = [];
    if (c.name !== undefined) (a.assessment_name = c.name), mask.push('assessment_name');
    if (c.value) {
      const v = assessmentToJson({ assessmentId, name: '', traceId, spanId: null, sourceType: 'SOURCE_TYPE_UNSPECIFIED', sourceId: null, createTime: 0, lastUpdateTime: 0, ...c.value, rationale: null, metadata: null, overrides: null, valid: true, runId: null });
      a[c.value.kind] = v[c.value.kind];
      mask.push(c.value.kind);
    }
    if (c.rationale !== undefined) (a.rationale = c.rationale), mask.push('rationale');
    if (c.metadata !== undefined) (a.metadata = c.metadata), mask.push('metadata');
    if (c.valid !== undefined) (a.valid = c.valid), mask.push('valid');
    const r = await this.client.call('PATCH', this.at(V3, traceId, `/assessments/${encodeURIComponent(assessmentId)}`), { assessment: a, update_mask: mask.join(',') });
    return this.assessment(traceId, r);
  }

  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    await this.client.call('DELETE', this.at(V3, traceId, `/assessments/${encodeURIComponent(assessmentId)}`), { trace_id: traceId, assessment_id: assessmentId });
  }
}
