/**
 * MLflow 3's trace REST API (`StartTraceV3`, `GetTraceInfoV3`, `GetTrace`, `BatchGetTraces`,
 * `SearchTracesV3`, `LinkTracesToRun` and the assessment rpcs of service.proto), with the handler
 * checks of mlflow/server/handlers.py. The rpcs marked `since 3.0` live under `/api/3.0/mlflow`; the
 * ones the client pins to 2.0 (tags, delete-traces, link-to-run) are served under both, and the 3.0
 * paths that do not clash with a 2.0 path (`POST /traces` stays 2.0's StartTrace there) answer under
 * `/api/2.0` too, which guards against client drift.
 */
import { randomUUID } from 'node:crypto';
import { MlfError } from '../../lib/errors.js';
import { ASSESSMENT_ID_PREFIX, assessmentFromJson, assessmentToJson, metadataFrom, valueFrom } from '../../tracking/assessments.js';
import { SEARCH_TRACES_DEFAULT_MAX_RESULTS, SEARCH_TRACES_MAX_RESULTS } from '../../tracking/traces.js';
import { parseDurationJson, parseTimestampJson, parseTraceState, traceInfoV3ToJson, traceV3ToJson, type TraceInfoV3 } from '../../tracking/traces-v3.js';
import type { AssessmentChanges, TraceStore } from '../../stores/trace-store.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { int, invalid, list, missing, readParams, str, stringList, type Params } from '../request.js';
import type { Req } from '../http.js';
import type { Handler, RouteTable } from './tracking.js';
import { pageToJson } from '../../tracking/entities.js';

const isObj = (v: unknown): v is Params => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A path segment with its remaining escapes (`%25`, `%2F`) decoded; a malformed escape is kept as sent. */
export function segment(s: string | undefined): string {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
}

/** `{trace_id}` and `{assessment_id}` of a request path. */
function pathIds(req: Req): { traceId: string; assessmentId: string } {
  const m = /\/traces\/([^/]+)(?:\/assessments\/([^/]+))?/.exec(req.path);
  return { traceId: segment(m?.[1]), assessmentId: segment(m?.[2]) };
}

/** A proto `map<string,string>` field. */
function stringMap(v: unknown, name: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw invalid(name, v);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw invalid(`${name}.${k}`, x);
    out[k] = x;
  }
  return out;
}

const optString = (o: Params, k: string, field: string): string | null => {
  const v = o[k];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(field, v, o, k);
  return v;
};

/** The experiment of a `TraceLocation` (MLflow serves experiment locations only). */
function experimentOf(loc: unknown, field: string): string | undefined {
  if (!isObj(loc) || !isObj(loc.mlflow_experiment)) return undefined;
  const id = loc.mlflow_experiment.experiment_id;
  if (id === undefined || id === null || id === '') throw missing(`${field}.mlflow_experiment.experiment_id`);
  if (typeof id !== 'string' && typeof id !== 'number') throw invalid(`${field}.mlflow_experiment.experiment_id`, id);
  return String(id);
}

/** `StartTraceV3`'s `trace.trace_info` as the entity (MLflow's `TraceInfo.from_proto`). */
export function traceInfoFromJson(p: Params): TraceInfoV3 {
  if (!isObj(p.trace)) throw missing('trace');
  const t = p.trace.trace_info;
  if (!isObj(t)) throw missing('trace.trace_info');
  const experimentId = experimentOf(t.trace_location, 'trace.trace_info.trace_location');
  if (experimentId === undefined) throw missing('trace.trace_info.trace_location.mlflow_experiment');
  const traceId = optString(t, 'trace_id', 'trace.trace_info.trace_id') ?? '';
  const now = Date.now();
  return {
    traceId,
    clientRequestId: optString(t, 'client_request_id', 'trace.trace_info.client_request_id'),
    experimentId,
    requestPreview: optString(t, 'request_preview', 'trace.trace_info.request_preview'),
    responsePreview: optString(t, 'response_preview', 'trace.trace_info.response_preview'),
    requestTime: t.request_time === undefined || t.request_time === null ? 0 : parseTimestampJson(t.request_time, 'trace.trace_info.request_time'),
    executionDuration: t.execution_duration === undefined || t.execution_duration === null ? null : parseDurationJson(t.execution_duration, 'trace.trace_info.execution_duration'),
    state: parseTraceState(t.state),
    traceMetadata: stringMap(t.trace_metadata, 'trace.trace_info.trace_metadata'),
    tags: stringMap(t.tags, 'trace.trace_info.tags'),
    assessments: (Array.isArray(t.assessments) ? t.assessments : []).map((a) => assessmentFromJson(a, traceId, now, '')),
  };
}

/** A FieldMask in JSON: `"a,b"`, or `{paths: [...]}` from encoders that send the object form. */
function maskPaths(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  if (isObj(v) && Array.isArray(v.paths)) return v.paths.map(String);
  throw invalid('update_mask', v);
}

/** The changes an update names (MLflow's `_update_assessment`: unknown paths are ignored). */
function changesFrom(a: Params, paths: string[]): AssessmentChanges {
  const c: AssessmentChanges = {};
  for (const path of paths) {
    if (path === 'assessment_name') c.name = optString(a, 'assessment_name', 'assessment.assessment_name') ?? '';
    else if (path === 'expectation' || path === 'feedback') {
      if (c.value) throw new MlfError('Cannot specify both `expectation` and `feedback` parameters.', 'INVALID_PARAMETER_VALUE');
      c.value = valueFrom({ [path]: isObj(a[path]) ? a[path] : {} })!;
    } else if (path === 'rationale') c.rationale = optString(a, 'rationale', 'assessment.rationale') ?? '';
    else if (path === 'metadata') c.metadata = metadataFrom(a.metadata, 'assessment.metadata') ?? {};
    else if (path === 'valid') c.valid = a.valid === true || a.valid === 'true';
  }
  if (c.name !== undefined && !c.name) throw missing('assessment.assessment_name');
  return c;
}

/** Adds the V3 endpoints: `v3` is the `/api/3.0` table, `v2` the `/api/2.0` one (aliases). */
export function addTraceV3Routes(v2: RouteTable, v3: RouteTable, traces: TraceStore | undefined, store: TrackingStore): void {
  const need = <K extends keyof TraceStore>(method: K): NonNullable<TraceStore[K]> => {
    const fn = traces?.[method];
    if (!traces || !fn) throw new MlfError(`MLflow 3 traces are not supported by the '${store.kind}' tracking store of this server (use a file or database store).`, 'BAD_REQUEST');
    return (fn as (...a: unknown[]) => unknown).bind(traces) as NonNullable<TraceStore[K]>;
  };
  const on = (tables: RouteTable[], path: string, method: string, h: Handler) => {
    for (const t of tables) t.set(path, { ...t.get(path), [method]: h });
  };
  const both = [v2, v3];

  on([v3], '/traces', 'POST', async (req) => {
    const info = await need('startTraceV3')(traceInfoFromJson(await readParams(req)));
    return { trace: { trace_info: traceInfoV3ToJson(info) } };
  });
  on(both, '/traces/{request_id}', 'GET', async (req) => ({ trace: { trace_info: traceInfoV3ToJson(await need('getTraceInfoV3')(pathIds(req).traceId)) } }));
  on(both, '/traces/get', 'GET', async (req) => {
    const p = await readParams(req);
    return { trace: traceV3ToJson(await need('getTraceV3')(str(p, 'trace_id', true))) };
  });
  on(both, '/traces/batchGet', 'GET', async (req) => {
    const p = await readParams(req, ['trace_ids', 'experiment_ids']);
    const found = await need('batchGetTracesV3')(stringList(p, 'trace_ids', true));
    return found.length ? { traces: found.map(traceV3ToJson) } : {};
  });
  // BatchGetTraceInfos (newer clients' trace loader): the infos only, unknown ids left out.
  on(both, '/traces/batchGetInfos', 'POST', async (req) => {
    const p = await readParams(req);
    const found = await need('batchGetTracesV3')(stringList(p, 'trace_ids', true));
    return found.length ? { trace_infos: found.map((t) => traceInfoV3ToJson(t.info)) } : {};
  });
  on(both, '/traces/search', 'POST', async (req) => {
    const p = await readParams(req);
    const experimentIds = list(p, 'locations', true)
      .map((l, i) => experimentOf(l, `locations[${i}]`))
      .filter((x): x is string => x !== undefined);
    const maxResults = int(p, 'max_results');
    if (maxResults !== undefined && maxResults > SEARCH_TRACES_MAX_RESULTS) throw invalid('max_results', p.max_results);
    const page = await need('searchTracesV3')({
      experimentIds,
      filter: str(p, 'filter') || undefined,
      // proto default 100; an explicit 0 is refused by the store, as MLflow's is.
      maxResults: maxResults ?? SEARCH_TRACES_DEFAULT_MAX_RESULTS,
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    return pageToJson('traces', page, traceInfoV3ToJson);
  });
  on(both, '/traces/link-to-run', 'POST', async (req) => {
    const p = await readParams(req);
    const traceIds = stringList(p, 'trace_ids', true);
    await need('linkTracesToRun')(traceIds, str(p, 'run_id', true));
    return {};
  });
  // LinkPromptsToTrace: the prompt versions a trace used (the exporter sends it after each trace that loaded prompts).
  on(both, '/traces/link-prompts', 'POST', async (req) => {
    const p = await readParams(req);
    const traceId = str(p, 'trace_id', true);
    const versions = list(p, 'prompt_versions', true).map((v, i) => {
      if (!isObj(v)) throw invalid(`prompt_versions[${i}]`, v);
      const name = v.name;
      const version = v.version;
      if (typeof name !== 'string' || !name) throw missing(`prompt_versions[${i}].name`);
      if ((typeof version !== 'string' && typeof version !== 'number') || version === '') throw missing(`prompt_versions[${i}].version`);
      return { name, version: String(version) };
    });
    await need('linkPromptsToTrace')(traceId, versions);
    return {};
  });
  // The 2.0 rpcs the client pins to /api/2.0 answer under /api/3.0 as well (MLflow's DeleteTracesV3, SetTraceTagV3, ...).
  for (const path of ['/traces/delete-traces', '/traces/{request_id}/tags']) v3.set(path, { ...v2.get(path) });

  on(both, '/traces/{request_id}/assessments', 'POST', async (req) => {
    const p = await readParams(req);
    if (!isObj(p.assessment)) throw missing('assessment');
    const a = assessmentFromJson(p.assessment, pathIds(req).traceId, Date.now(), `${ASSESSMENT_ID_PREFIX}${randomUUID().replace(/-/g, '')}`);
    return { assessment: assessmentToJson(await need('createAssessment')(a)) };
  });
  on(both, '/traces/{request_id}/assessments/{assessment_id}', 'GET', async (req) => {
    const { traceId, assessmentId } = pathIds(req);
    return { assessment: assessmentToJson(await need('getAssessment')(traceId, assessmentId)) };
  });
  on(both, '/traces/{request_id}/assessments/{assessment_id}', 'PATCH', async (req) => {
    const p = await readParams(req);
    if (!isObj(p.assessment)) throw missing('assessment');
    if (p.update_mask === undefined || p.update_mask === null || p.update_mask === '') throw missing('update_mask');
    const { traceId, assessmentId } = pathIds(req);
    const changes = changesFrom(p.assessment, maskPaths(p.update_mask));
    return { assessment: assessmentToJson(await need('updateAssessment')(traceId, assessmentId, changes)) };
  });
  on(both, '/traces/{request_id}/assessments/{assessment_id}', 'DELETE', async (req) => {
    const { traceId, assessmentId } = pathIds(req);
    await need('deleteAssessment')(traceId, assessmentId);
    return {};
  });
}
