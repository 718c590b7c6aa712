/**
 * MLflow's trace REST API, 2.17's v2 form (`StartTrace`, `EndTrace`, `GetTraceInfo`,
 * `SearchTraces`, `DeleteTraces`, `SetTraceTag`, `DeleteTraceTag` in service.proto), with the
 * handler checks of mlflow/server/handlers.py. Paths with a `{request_id}` segment are keyed in
 * the route table by their pattern; `traceRouteKey` maps a request path onto it.
 */
import { MlfError } from '../../lib/errors.js';
import { MLFLOW_ARTIFACT_LOCATION, SEARCH_TRACES_DEFAULT_MAX_RESULTS, SEARCH_TRACES_MAX_RESULTS, parseTraceStatus, traceInfoToJson } from '../../tracking/traces.js';
import type { TraceStore } from '../../stores/trace-store.js';
import type { TrackingStore } from '../../stores/tracking-store.js';
import { invalid, int, keyValues, readParams, str, stringList, type Params } from '../request.js';
import type { Req } from '../http.js';
import type { Handler, RouteTable } from './tracking.js';
import type { ReplyTable } from './ajax.js';
import type { ArtifactAccess } from './artifacts.js';
import { pageToJson } from '../../tracking/entities.js';

/** Literal segments after `/traces/` that are endpoints of their own, never a request id. */
const LITERALS = new Set(['delete-traces', 'search', 'get', 'batchGet', 'batchGetInfos', 'link-to-run', 'link-prompts']);
const ID_PATH = /^\/traces\/([^/]+)(\/info|\/tags|\/assessments|\/assessments\/[^/]+)?$/;

/** The route-table key for a path after `/mlflow` (`/traces/abc/tags` → `/traces/{request_id}/tags`), or the path itself. */
export function traceRouteKey(rest: string): string {
  const m = ID_PATH.exec(rest);
  if (!m || LITERALS.has(m[1]!)) return rest;
  const tail = m[2]?.startsWith('/assessments/') ? '/assessments/{assessment_id}' : (m[2] ?? '');
  return `/traces/{request_id}${tail}`;
}

/** The request id a path names in its `{request_id}` segment (`/traces/abc/tags` → `abc`), or undefined for the literal endpoints. */
export function traceIdInPath(path: string): string | undefined {
  const m = /\/traces\/([^/]+)/.exec(path);
  return m && !LITERALS.has(m[1]!) ? m[1] : undefined;
}

function requestIdOf(req: Req): string {
  const rest = req.path.slice(req.path.indexOf('/traces/') + '/traces/'.length);
  return rest.split('/')[0]!;
}

function kvMap(p: Params, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of keyValues(p, name, true)) out[key] = value;
  return out;
}

/** Adds the trace endpoints; `traces` is undefined where the store keeps no traces (a REST store). */
export function addTraceRoutes(t: RouteTable, traces: TraceStore | undefined, store: TrackingStore): void {
  const need = (): TraceStore => {
    if (!traces) throw new MlfError(`Traces are not supported by the '${store.kind}' tracking store of this server (use a file or database store).`, 'BAD_REQUEST');
    return traces;
  };
  const on = (path: string, method: string, h: Handler) => t.set(path, { ...t.get(path), [method]: h });

  on('/traces', 'POST', async (req) => {
    const p = await readParams(req);
    const info = await need().startTrace(str(p, 'experiment_id') ?? '', int(p, 'timestamp_ms') ?? 0, kvMap(p, 'request_metadata'), kvMap(p, 'tags'));
    return { trace_info: traceInfoToJson(info) };
  });
  on('/traces', 'GET', async (req) => {
    const p = await readParams(req, ['experiment_ids', 'order_by']);
    const experimentIds = stringList(p, 'experiment_ids', true);
    const maxResults = int(p, 'max_results');
    if (maxResults !== undefined && maxResults > SEARCH_TRACES_MAX_RESULTS) throw invalid('max_results', p.max_results);
    const page = await need().searchTraces({
      experimentIds,
      filter: str(p, 'filter') || undefined,
      // proto2 default: an unset field reads as 0, which the store refuses, as MLflow's does.
      maxResults: maxResults ?? (p.max_results === undefined ? SEARCH_TRACES_DEFAULT_MAX_RESULTS : 0),
      orderBy: stringList(p, 'order_by'),
      pageToken: str(p, 'page_token') || undefined,
    });
    return pageToJson('traces', page, traceInfoToJson);
  });
  on('/traces/{request_id}', 'PATCH', async (req) => {
    const p = await readParams(req);
    const status = p.status === undefined || p.status === null ? 'TRACE_STATUS_UNSPECIFIED' : parseTraceStatus(p.status);
    const info = await need().endTrace(requestIdOf(req), int(p, 'timestamp_ms') ?? 0, status, kvMap(p, 'request_metadata'), kvMap(p, 'tags'));
    return { trace_info: traceInfoToJson(info) };
  });
  on('/traces/{request_id}/info', 'GET', async (req) => ({ trace_info: traceInfoToJson(await need().getTraceInfo(requestIdOf(req))) }));
  on('/traces/delete-traces', 'POST', async (req) => {
    const p = await readParams(req);
    const experimentId = str(p, 'experiment_id', true);
    const maxTimestampMillis = int(p, 'max_timestamp_millis');
    const maxTraces = int(p, 'max_traces');
    const requestIds = stringList(p, 'request_ids');
    return { traces_deleted: await need().deleteTraces(experimentId, { maxTimestampMillis, maxTraces, requestIds }) };
  });
  on('/traces/{request_id}/tags', 'PATCH', async (req) => {
    const p = await readParams(req);
    await need().setTraceTag(requestIdOf(req), str(p, 'key', true), str(p, 'value') ?? '');
    return {};
  });
  on('/traces/{request_id}/tags', 'DELETE', async (req) => {
    const p = await readParams(req);
    await need().deleteTraceTag(requestIdOf(req), str(p, 'key', true));
    return {};
  });
}

/** MLflow's `TRACE_DATA_FILE_NAME`: the spans of a trace, in its artifact folder. */
export const TRACE_DATA_FILE_NAME = 'traces.json';

/**
 * The UI's `GET /ajax-api/2.0/mlflow/get-trace-artifact?request_id=…` (MLflow's
 * `get_trace_artifact_handler`): the trace's `traces.json`, read from its artifact location.
 */
export function addTraceArtifactRoute(t: ReplyTable, traces: TraceStore | undefined, artifacts: ArtifactAccess): void {
  t.set('/get-trace-artifact', {
    GET: async (req) => {
      const requestId = new URLSearchParams(req.query).get('request_id');
      if (!requestId) throw new MlfError('Request must include the "request_id" query parameter.', 'BAD_REQUEST');
      if (!traces) throw new MlfError('Traces are not supported by the tracking store of this server (use a file or database store).', 'BAD_REQUEST');
      const info = await traces.getTraceInfo(requestId);
      const location = info.tags[MLFLOW_ARTIFACT_LOCATION];
      if (!location) throw new MlfError(`Unable to determine trace artifact location for trace '${requestId}'.`, 'INVALID_STATE');
      let data: Buffer;
      try {
        const { repo, under } = artifacts.repoFor(location);
        const { stream } = await repo.open([under, TRACE_DATA_FILE_NAME].filter(Boolean).join('/'));
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        data = Buffer.concat(chunks);
      } catch (e) {
        if (e instanceof MlfError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
          throw new MlfError(`Trace data not found for request_id '${requestId}'.`, 'NOT_FOUND');
        }
        throw e;
      }
      try {
        JSON.parse(data.toString('utf8'));
      } catch {
        // MLflow fails here with a 500; mlf answers 4xx, never 5xx.
        throw new MlfError(`Trace data is corrupted for request_id '${requestId}'.`, 'BAD_REQUEST');
      }
      return {
        status: 200,
        body: data,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename=${TRACE_DATA_FILE_NAME}`, 'X-Content-Type-Options': 'nosniff' },
      };
    },
  });
}
