/**
 * MLflow traces (2.x `TraceInfo` in service.proto): the entity, its REST JSON, and the checks MLflow
 * applies to trace tags. Rows live in `trace_info`, `trace_tags` and `trace_request_metadata`; a 2.x
 * client's spans are the artifact `traces.json` under the trace's artifact location (the tag
 * `mlflow.artifactLocation`), which it uploads through the artifact proxy. MLflow 3 clients send
 * spans over OTLP into the `spans` table instead (traces-v3.ts, spans.ts).
 */
import { MlfError } from '../lib/errors.js';

export const TRACE_STATUSES = ['TRACE_STATUS_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS'] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

/** Tag holding the trace's artifact folder (`<experiment artifact location>/traces/<request_id>/artifacts`). */
export const MLFLOW_ARTIFACT_LOCATION = 'mlflow.artifactLocation';
/** Tag with the root span's name; the search key `name` reads it. */
export const MLFLOW_TRACE_NAME = 'mlflow.traceName';
/** Request metadata naming the run the trace was recorded in; the search key `run_id` reads it. */
export const MLFLOW_SOURCE_RUN = 'mlflow.sourceRun';

/** MLflow's `SEARCH_TRACES_DEFAULT_MAX_RESULTS` and the handler's upper bound. */
export const SEARCH_TRACES_DEFAULT_MAX_RESULTS = 100;
export const SEARCH_TRACES_MAX_RESULTS = 500;
/** MLflow's `MAX_TRACE_TAG_KEY_LENGTH` / `MAX_TRACE_TAG_VAL_LENGTH`. */
export const MAX_TRACE_TAG_KEY_LENGTH = 250;
export const MAX_TRACE_TAG_VAL_LENGTH = 8000;

export interface TraceInfo {
  requestId: string;
  experimentId: string;
  timestampMs: number;
  /** null until the trace ends. */
  executionTimeMs: number | null;
  status: TraceStatus;
  requestMetadata: Record<string, string>;
  tags: Record<string, string>;
}

const keyValues = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));

/**
 * `TraceInfo` as MLflow's JSON (int64 as JSON numbers, empty lists omitted). `execution_time_ms` is
 * always there: MLflow's to_proto sets it, to 0 while the trace is in progress.
 */
export function traceInfoToJson(t: TraceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { request_id: t.requestId, experiment_id: t.experimentId, timestamp_ms: t.timestampMs };
  out.execution_time_ms = t.executionTimeMs ?? 0;
  out.status = t.status;
  const md = keyValues(t.requestMetadata);
  if (md.length) out.request_metadata = md;
  const tags = keyValues(t.tags);
  if (tags.length) out.tags = tags;
  return out;
}

const kvMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) for (const e of v) if (e && typeof e === 'object' && typeof (e as { key?: unknown }).key === 'string') out[(e as { key: string }).key] = String((e as { value?: unknown }).value ?? '');
  return out;
};

/** `TraceInfo` from MLflow's JSON (what a tracking server answers; int64 as numbers or strings). */
export function traceInfoFromJson(j: Record<string, unknown>): TraceInfo {
  const exec = j.execution_time_ms;
  return {
    requestId: String(j.request_id ?? ''),
    experimentId: String(j.experiment_id ?? ''),
    timestampMs: Number(j.timestamp_ms ?? 0),
    // proto3 leaves a zero out: an ended trace of 0 ms reads as one in progress, as in MLflow's client.
    executionTimeMs: exec === undefined || exec === null ? null : Number(exec),
    status: parseTraceStatus(j.status ?? 'TRACE_STATUS_UNSPECIFIED'),
    requestMetadata: kvMap(j.request_metadata),
    tags: kvMap(j.tags),
  };
}

/** A status as the REST API sends it: a name, or its enum number. */
export function parseTraceStatus(v: unknown): TraceStatus {
  if (typeof v === 'number' && Number.isInteger(v) && TRACE_STATUSES[v]) return TRACE_STATUSES[v]!;
  if (typeof v === 'string' && (TRACE_STATUSES as readonly string[]).includes(v)) return v as TraceStatus;
  throw new MlfError(`Invalid trace status ${JSON.stringify(v)}; expected one of ${TRACE_STATUSES.join(', ')}.`, 'INVALID_PARAMETER_VALUE');
}

/** MLflow's `_validate_trace_tag`: a non-empty key within the length limits. */
export function validateTraceTag(key: string, value: string): void {
  if (!key) throw new MlfError('Missing value for required parameter \'key\'.', 'INVALID_PARAMETER_VALUE');
  if (key.length > MAX_TRACE_TAG_KEY_LENGTH) {
    throw new MlfError(`Trace tag key '${key.slice(0, 20)}...' had length ${key.length}, which exceeded length limit of ${MAX_TRACE_TAG_KEY_LENGTH}`, 'INVALID_PARAMETER_VALUE');
  }
  if (value.length > MAX_TRACE_TAG_VAL_LENGTH) {
    throw new MlfError(`Trace tag '${key}' value had length ${value.length}, which exceeded length limit of ${MAX_TRACE_TAG_VAL_LENGTH}`, 'INVALID_PARAMETER_VALUE');
  }
}

export const traceNotFound = (requestId: string) => new MlfError(`Trace with request_id '${requestId}' not found.`, 'RESOURCE_DOES_NOT_EXIST');

/** The checks of MLflow's `AbstractStore.delete_traces`, before any row is touched. */
export function validateDeleteTraces(maxTimestampMillis: number | undefined, maxTraces: number | undefined, requestIds: string[]): void {
  const invalid = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');
  if (maxTimestampMillis === undefined && requestIds.length === 0) throw invalid('Either `max_timestamp_millis` or `request_ids` must be specified.');
  if (maxTimestampMillis && requestIds.length) throw invalid('Only one of `max_timestamp_millis` and `request_ids` can be specified.');
  if (requestIds.length && maxTraces !== undefined) throw invalid("`max_traces` can't be specified if `request_ids` is specified.");
  if (maxTraces !== undefined && maxTraces <= 0) throw invalid(`\`max_traces\` must be a positive integer, received ${maxTraces}.`);
}

/** MLflow's `SEARCH_MAX_RESULTS_THRESHOLD`, which the stores check (the handler caps at 500 first). */
export const SEARCH_TRACES_MAX_RESULTS_THRESHOLD = 50000;

/**
 * The stores' `max_results` checks for `search_traces`. Below one is refused by every store (MLflow's
 * file store would page forever on 0); above the threshold each store words it its own way.
 */
export function validateSearchTracesMaxResults(maxResults: number, store: 'sql' | 'file'): void {
  if (maxResults < 1) {
    throw new MlfError(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`, 'INVALID_PARAMETER_VALUE');
  }
  if (maxResults <= SEARCH_TRACES_MAX_RESULTS_THRESHOLD) return;
  throw new MlfError(
    store === 'sql'
      ? `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${SEARCH_TRACES_MAX_RESULTS_THRESHOLD}`
      : `Invalid value for request parameter max_results. It must be at most ${SEARCH_TRACES_MAX_RESULTS_THRESHOLD}, but got value ${maxResults}`,
    'INVALID_PARAMETER_VALUE',
  );
}

// The file store's own wording (mlflow/store/tracking/file_store.py), which differs from the SQL store's.
export const fileTraceNotFound = (requestId: string) => new MlfError(`Trace with request ID '${requestId}' not found`, 'RESOURCE_DOES_NOT_EXIST');
export const fileTraceInvalidState = (requestId: string) =>
  new MlfError(`Trace with request ID '${requestId}' metadata is in invalid state.`, 'INVALID_STATE');
export const fileTraceTagNotFound = (requestId: string, key: string) =>
  new MlfError(`No tag with name: ${key} in trace with request_id ${requestId}.`, 'RESOURCE_DOES_NOT_EXIST');
/** `_get_experiment_path(..., assert_exists=True)`: a missing experiment (or, for start_trace, a deleted one). */
export const fileExperimentMissing = (experimentId: string) => new MlfError(`Experiment ${experimentId} does not exist.`, 'RESOURCE_DOES_NOT_EXIST');
