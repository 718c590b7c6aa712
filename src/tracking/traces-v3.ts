/**
 * MLflow 3's trace entities (`TraceInfoV3`, `Trace`, `TraceLocation` in service.proto) and their
 * REST JSON as MLflow's `message_to_json` writes it: snake_case fields, `request_time` as an RFC 3339
 * Timestamp, `execution_duration` as a protobuf Duration string, maps as JSON objects, int64 as
 * numbers. The rows are 2.x's `trace_info` (plus its V3 columns), `trace_tags`,
 * `trace_request_metadata`, with `assessments` and `spans` beside them.
 */
import { MlfError } from '../lib/errors.js';
import { assessmentFromJson, assessmentToJson, type Assessment } from './assessments.js';
import { MLFLOW_ARTIFACT_LOCATION, type TraceStatus } from './traces.js';

/** MLflow's `TraceState` names, by proto number. */
export const TRACE_STATES = ['STATE_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS'] as const;
export type TraceState = (typeof TRACE_STATES)[number];

/** Tag naming where a trace's spans live; `TRACKING_STORE` tells the client not to upload `traces.json`. */
export const MLFLOW_SPANS_LOCATION = 'mlflow.trace.spansLocation';
export const SPANS_IN_TRACKING_STORE = 'TRACKING_STORE';
/** OSS previews are cut to 1000 characters by the client; the columns hold no more. */
export const TRACE_PREVIEW_MAX_LENGTH = 1000;
/** `trace_info.request_id` and `client_request_id` are VARCHAR(50). */
export const TRACE_ID_MAX_LENGTH = 50;
/** `trace_request_metadata`: key VARCHAR(250), value VARCHAR(8000). */
export const MAX_TRACE_METADATA_KEY_LENGTH = 250;
export const MAX_TRACE_METADATA_VALUE_LENGTH = 8000;
/** MLflow's `MAX_TRACES_PER_REQUEST` of link-to-run. */
export const MAX_TRACES_TO_LINK = 100;

export interface TraceInfoV3 {
  traceId: string;
  clientRequestId: string | null;
  experimentId: string;
  requestPreview: string | null;
  responsePreview: string | null;
  /** Milliseconds since the epoch. */
  requestTime: number;
  /** Milliseconds; null while the trace runs. */
  executionDuration: number | null;
  state: TraceState;
  traceMetadata: Record<string, string>;
  tags: Record<string, string>;
  assessments: Assessment[];
}

/** A span as the REST API returns it: OpenTelemetry's `Span` message in protobuf JSON. */
export type SpanJson = Record<string, unknown>;

export interface TraceV3 {
  info: TraceInfoV3;
  spans: SpanJson[];
}

/** The `status` column (2.x names, as v2 endpoints write them) as a V3 state. */
export function stateOfStatus(status: string): TraceState {
  if (status === 'OK' || status === 'ERROR' || status === 'IN_PROGRESS') return status;
  return 'STATE_UNSPECIFIED';
}

/** A V3 state as the `status` column stores it (MLflow writes the state's name). */
export function statusOfState(state: TraceState): TraceStatus | 'STATE_UNSPECIFIED' {
  return state;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Milliseconds → protobuf Timestamp JSON (`1970-01-01T00:00:01.500Z`; fractions of 0, 3 digits). */
export function timestampJson(ms: number): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds();
  return frac ? `${base}.${pad(frac, 3)}Z` : `${base}Z`;
}

/** Milliseconds → protobuf Duration JSON (`1.500s`, `2s`). */
export function durationJson(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  const s = Math.floor(a / 1000);
  const frac = a % 1000;
  return frac ? `${sign}${s}.${pad(frac, 3)}s` : `${sign}${s}s`;
}

const bad = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');

/** Protobuf Timestamp JSON (RFC 3339, any offset, up to 9 fraction digits) → milliseconds. */
export function parseTimestampJson(v: unknown, field: string): number {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    // The object form some encoders send: {seconds, nanos}.
    const o = v as { seconds?: unknown; nanos?: unknown };
    const s = Number(o.seconds ?? 0);
    const n = Number(o.nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return s * 1000 + Math.floor(n / 1e6);
  }
  if (typeof v === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(v);
    if (m) {
      const base = Date.parse(`${m[1]}${m[3]}`);
      if (!Number.isNaN(base)) return base + Math.floor(Number((m[2] ?? '').padEnd(9, '0')) / 1e6);
    }
  }
  throw bad(`Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: expected an RFC 3339 timestamp such as "2026-01-02T03:04:05.678Z".`);
}

/** Protobuf Duration JSON (`"1.5s"`, `"-0.25s"`) → milliseconds. */
export function parseDurationJson(v: unknown, field: string): number {
  if (typeof v === 'string') {
    const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(v);
    if (m) {
      const ms = Number(m[2]) * 1000 + Math.floor(Number((m[3] ?? '').padEnd(9, '0')) / 1e6);
      return m[1] ? -ms : ms;
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as { seconds?: unknown; nanos?: unknown };
    const s = Number(o.seconds ?? 0);
    const n = Number(o.nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return s * 1000 + Math.trunc(n / 1e6);
  }
  throw bad(`Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: expected a duration such as "1.5s".`);
}

/** A state by name or proto number. */
export function parseTraceState(v: unknown): TraceState {
  if (v === undefined || v === null || v === '') return 'STATE_UNSPECIFIED';
  if (typeof v === 'number' && Number.isInteger(v) && TRACE_STATES[v]) return TRACE_STATES[v]!;
  if (typeof v === 'string' && (TRACE_STATES as readonly string[]).includes(v)) return v as TraceState;
  throw bad(`Invalid trace state ${JSON.stringify(v)}; expected one of ${TRACE_STATES.join(', ')}.`);
}

/** `TraceInfoV3` as MLflow's JSON: unset fields and empty maps/lists left out. */
export function traceInfoV3ToJson(t: TraceInfoV3): Record<string, unknown> {
  const out: Record<string, unknown> = { trace_id: t.traceId };
  if (t.clientRequestId) out.client_request_id = t.clientRequestId;
  out.trace_location = { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: t.experimentId } };
  if (t.requestPreview) out.request_preview = t.requestPreview;
  if (t.responsePreview) out.response_preview = t.responsePreview;
  out.request_time = timestampJson(t.requestTime);
  if (t.executionDuration !== null) out.execution_duration = durationJson(t.executionDuration);
  out.state = t.state;
  if (Object.keys(t.traceMetadata).length) out.trace_metadata = { ...t.traceMetadata };
  if (t.assessments.length) out.assessments = t.assessments.map(assessmentToJson);
  if (Object.keys(t.tags).length) out.tags = { ...t.tags };
  return out;
}

export function traceV3ToJson(t: TraceV3): Record<string, unknown> {
  const out: Record<string, unknown> = { trace_info: traceInfoV3ToJson(t.info) };
  if (t.spans.length) out.spans = t.spans;
  return out;
}

/** The V3 trace as the v2 API shows it (MLflow's `TraceInfoV2.from_v3`). */
export function artifactLocationOf(t: TraceInfoV3): string | undefined {
  return t.tags[MLFLOW_ARTIFACT_LOCATION];
}

export const traceIdNotFound = (traceId: string) => new MlfError(`Trace with ID '${traceId}' not found.`, 'RESOURCE_DOES_NOT_EXIST');

/** Length checks on what a V3 start writes, so a database never refuses it (which would be a 5xx). */
export function validateTraceInfoV3(t: TraceInfoV3): void {
  if (!t.traceId) throw bad("Missing value for required parameter 'trace.trace_info.trace_id'.");
  if (t.traceId.length > TRACE_ID_MAX_LENGTH) throw bad(`Trace ID '${t.traceId.slice(0, 20)}...' had length ${t.traceId.length}, which exceeded length limit of ${TRACE_ID_MAX_LENGTH}`);
  if (t.clientRequestId && t.clientRequestId.length > TRACE_ID_MAX_LENGTH) {
    throw bad(`client_request_id had length ${t.clientRequestId.length}, which exceeded length limit of ${TRACE_ID_MAX_LENGTH}`);
  }
  for (const [name, v] of [['request_preview', t.requestPreview], ['response_preview', t.responsePreview]] as const) {
    if (v && v.length > TRACE_PREVIEW_MAX_LENGTH) throw bad(`${name} had length ${v.length}, which exceeded length limit of ${TRACE_PREVIEW_MAX_LENGTH}`);
  }
  for (const [k, v] of Object.entries(t.traceMetadata)) {
    if (!k) throw bad('Trace metadata keys must not be empty.');
    if (k.length > MAX_TRACE_METADATA_KEY_LENGTH) throw bad(`Trace metadata key '${k.slice(0, 20)}...' had length ${k.length}, which exceeded length limit of ${MAX_TRACE_METADATA_KEY_LENGTH}`);
    if (v.length > MAX_TRACE_METADATA_VALUE_LENGTH) throw bad(`Trace metadata '${k}' value had length ${v.length}, which exceeded length limit of ${MAX_TRACE_METADATA_VALUE_LENGTH}`);
  }
}

const strMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)])) : {};
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `TraceInfoV3` from MLflow's JSON (what a tracking server answers), the inverse of `traceInfoV3ToJson`. */
export function traceInfoV3FromJson(j: Record<string, unknown>): TraceInfoV3 {
  const loc = j.trace_location as { mlflow_experiment?: { experiment_id?: unknown } } | undefined;
  const traceId = String(j.trace_id ?? '');
  return {
    traceId,
    clientRequestId: optStr(j.client_request_id),
    experimentId: String(loc?.mlflow_experiment?.experiment_id ?? ''),
    requestPreview: optStr(j.request_preview),
    responsePreview: optStr(j.response_preview),
    requestTime: j.request_time === undefined || j.request_time === null ? 0 : parseTimestampJson(j.request_time, 'request_time'),
    executionDuration: j.execution_duration === undefined || j.execution_duration === null ? null : parseDurationJson(j.execution_duration, 'execution_duration'),
    state: parseTraceState(j.state),
    traceMetadata: strMap(j.trace_metadata),
    tags: strMap(j.tags),
    assessments: (Array.isArray(j.assessments) ? j.assessments : []).map((a) => assessmentFromJson(a, traceId, 0, String((a as { assessment_id?: unknown })?.assessment_id ?? ''))),
  };
}

/** The trace tag listing the prompt versions a trace used (MLflow's `LINKED_PROMPTS_TAG_KEY`). */
export const MLFLOW_LINKED_PROMPTS = 'mlflow.linkedPrompts';

export interface PromptVersionRef {
  name: string;
  version: string;
}

/**
 * The `mlflow.linkedPrompts` value with `versions` merged in (MLflow's `update_linked_prompts_tag`):
 * a JSON list of `{"name", "version"}`, the existing entries first, no duplicates, written as
 * Python's `json.dumps` writes it. A tag that is not such a list is refused.
 */
export function mergeLinkedPrompts(current: string | undefined, versions: PromptVersionRef[]): string {
  let list: PromptVersionRef[] = [];
  if (current) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(current);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((e) => !e || typeof e !== 'object' || typeof e.name !== 'string')) {
      throw bad(`Invalid format for '${MLFLOW_LINKED_PROMPTS}' tag: ${current}`);
    }
    list = parsed.map((e: { name: string; version: unknown }) => ({ name: e.name, version: String(e.version) }));
  }
  const seen = new Set(list.map((e) => `${e.name}\u0000${e.version}`));
  for (const v of versions) {
    const k = `${v.name}\u0000${v.version}`;
    if (!seen.has(k)) (seen.add(k), list.push({ name: v.name, version: v.version }));
  }
  return `[${list.map((e) => `{"name": ${JSON.stringify(e.name)}, "version": ${JSON.stringify(e.version)}}`).join(', ')}]`;
}
