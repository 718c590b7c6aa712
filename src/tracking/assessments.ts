/**
 * MLflow 3's assessments of traces (`Assessment` in assessments.proto): feedback or expectation
 * values, their source, rationale, metadata, overrides and validity; the REST JSON both ways and the
 * row form of the `assessments` table as MLflow's `SqlAssessments` writes it (values as JSON text,
 * `assessment_type` 'feedback' or 'expectation', metadata as a JSON object or NULL).
 */
import { MlfError } from '../lib/errors.js';
import { parseTimestampJson, timestampJson } from './traces-v3.js';

/** MLflow's `ASSESSMENT_ID_PREFIX`. */
export const ASSESSMENT_ID_PREFIX = 'a-';
export const ASSESSMENT_SOURCE_TYPES = ['SOURCE_TYPE_UNSPECIFIED', 'HUMAN', 'LLM_JUDGE', 'CODE'] as const;
export type AssessmentSourceType = (typeof ASSESSMENT_SOURCE_TYPES)[number];
/** Column sizes of `assessments` (name 250, source_id 250, span_id 50, overrides 50). */
const LIMITS = { name: 250, sourceId: 250, spanId: 50, overrides: 50 } as const;

export interface AssessmentError {
  errorCode: string;
  errorMessage?: string;
  stackTrace?: string;
}

export interface Assessment {
  assessmentId: string;
  name: string;
  traceId: string;
  spanId: string | null;
  sourceType: AssessmentSourceType;
  sourceId: string | null;
  createTime: number;
  lastUpdateTime: number;
  kind: 'feedback' | 'expectation';
  /** Any JSON value. */
  value: unknown;
  /** Feedback only. */
  error: AssessmentError | null;
  rationale: string | null;
  metadata: Record<string, string> | null;
  overrides: string | null;
  valid: boolean;
  runId: string | null;
}

const bad = (m: string) => new MlfError(m, 'INVALID_PARAMETER_VALUE');
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (o: Record<string, unknown>, k: string, field: string): string | undefined => {
  const v = o[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`Invalid value ${JSON.stringify(v)} for parameter '${field}.${k}' supplied.`);
  return v;
};

/** An expectation's value: plain, or `serialized_value` in MLflow's only format, JSON. */
function expectationValue(e: Record<string, unknown>): unknown {
  if ('value' in e) return e.value;
  const s = e.serialized_value;
  if (isObj(s)) {
    if (s.serialization_format !== 'JSON_FORMAT') throw bad(`Unknown serialization format ${JSON.stringify(s.serialization_format)}; expected 'JSON_FORMAT'.`);
    try {
      return JSON.parse(String(s.value));
    } catch {
      throw bad('The expectation\'s serialized_value is not valid JSON.');
    }
  }
  return null;
}

function errorFrom(v: unknown): AssessmentError | null {
  if (!isObj(v)) return null;
  return {
    errorCode: optStr(v, 'error_code', 'assessment.feedback.error') ?? '',
    errorMessage: optStr(v, 'error_message', 'assessment.feedback.error'),
    stackTrace: optStr(v, 'stack_trace', 'assessment.feedback.error'),
  };
}

export function metadataFrom(v: unknown, field: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw bad(`Invalid value ${JSON.stringify(v)} for parameter '${field}' supplied: expected a map of strings.`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw bad(`Invalid value ${JSON.stringify(x)} for '${field}.${k}' supplied: metadata values are strings.`);
    out[k] = x;
  }
  return Object.keys(out).length ? out : null;
}

/** The value part of a request's assessment (`feedback` or `expectation`), if any. */
export function valueFrom(a: Record<string, unknown>): Pick<Assessment, 'kind' | 'value' | 'error'> | undefined {
  if (isObj(a.feedback)) return { kind: 'feedback', value: a.feedback.value ?? null, error: errorFrom(a.feedback.error) };
  if (isObj(a.expectation)) return { kind: 'expectation', value: expectationValue(a.expectation), error: null };
  return undefined;
}

/** A new assessment from the create request (`trace_id` from the path; id and times set here). */
export function assessmentFromJson(v: unknown, traceId: string, now: number, newId: string): Assessment {
  if (!isObj(v)) throw bad("Missing value for required parameter 'assessment'.");
  const name = optStr(v, 'assessment_name', 'assessment');
  if (!name) throw bad("Missing value for required parameter 'assessment.assessment_name'.");
  const value = valueFrom(v);
  if (!value) throw bad('An assessment must have either a feedback or an expectation value.');
  const source = isObj(v.source) ? v.source : {};
  const sourceType = source.source_type ?? 'SOURCE_TYPE_UNSPECIFIED';
  const st = typeof sourceType === 'number' ? ASSESSMENT_SOURCE_TYPES[sourceType] : sourceType;
  if (!(ASSESSMENT_SOURCE_TYPES as readonly unknown[]).includes(st)) throw bad(`Invalid assessment source type ${JSON.stringify(sourceType)}.`);
  const valid = v.valid === undefined || v.valid === null ? true : v.valid === true || v.valid === 'true';
  const a: Assessment = {
    assessmentId: newId,
    name,
    traceId,
    spanId: optStr(v, 'span_id', 'assessment') ?? null,
    sourceType: st as AssessmentSourceType,
    sourceId: optStr(source, 'source_id', 'assessment.source') ?? null,
    createTime: v.create_time ? parseTimestampJson(v.create_time, 'assessment.create_time') : now,
    lastUpdateTime: v.last_update_time ? parseTimestampJson(v.last_update_time, 'assessment.last_update_time') : now,
    ...value,
    rationale: optStr(v, 'rationale', 'assessment') ?? null,
    metadata: metadataFrom(v.metadata, 'assessment.metadata'),
    overrides: optStr(v, 'overrides', 'assessment') ?? null,
    valid,
    runId: null,
  };
  validateAssessment(a);
  return a;
}

/** Column limits, so that the database never refuses a row. Names hold no `.` (MLflow's rule). */
export function validateAssessment(a: Assessment): void {
  const over = (what: string, v: string | null, max: number) => {
    if (v && v.length > max) throw bad(`Assessment ${what} had length ${v.length}, which exceeded length limit of ${max}`);
  };
  over('name', a.name, LIMITS.name);
  over('source_id', a.sourceId, LIMITS.sourceId);
  over('span_id', a.spanId, LIMITS.spanId);
  over('overrides', a.overrides, LIMITS.overrides);
}

/** Primitive values travel as `value`; lists and objects as JSON `serialized_value` (MLflow's `Expectation.to_proto`). */
function expectationJson(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === 'object') return { serialized_value: { serialization_format: 'JSON_FORMAT', value: JSON.stringify(value) } };
  return { value };
}

export function assessmentToJson(a: Assessment): Record<string, unknown> {
  const out: Record<string, unknown> = { assessment_id: a.assessmentId, assessment_name: a.name, trace_id: a.traceId };
  if (a.spanId) out.span_id = a.spanId;
  const source: Record<string, unknown> = { source_type: a.sourceType };
  if (a.sourceId) source.source_id = a.sourceId;
  out.source = source;
  out.create_time = timestampJson(a.createTime);
  out.last_update_time = timestampJson(a.lastUpdateTime);
  if (a.kind === 'feedback') {
    const fb: Record<string, unknown> = { value: a.value };
    if (a.error) {
      const e: Record<string, unknown> = { error_code: a.error.errorCode };
      if (a.error.errorMessage) e.error_message = a.error.errorMessage;
      if (a.error.stackTrace) e.stack_trace = a.error.stackTrace;
      fb.error = e;
    }
    out.feedback = fb;
  } else out.expectation = expectationJson(a.value);
  if (a.rationale) out.rationale = a.rationale;
  if (a.metadata && Object.keys(a.metadata).length) out.metadata = { ...a.metadata };
  if (a.overrides) out.overrides = a.overrides;
  out.valid = a.valid;
  return out;
}

/** The `assessments` row of an assessment. */
export function assessmentRow(a: Assessment): Record<string, unknown> {
  const error = a.error ? { error_code: a.error.errorCode, error_message: a.error.errorMessage ?? null, ...(a.error.stackTrace ? { stack_trace: a.error.stackTrace } : {}) } : null;
  return {
    assessment_id: a.assessmentId,
    trace_id: a.traceId,
    name: a.name,
    assessment_type: a.kind,
    value: JSON.stringify(a.value ?? null),
    error: error ? JSON.stringify(error) : null,
    created_timestamp: a.createTime,
    last_updated_timestamp: a.lastUpdateTime,
    source_type: a.sourceType,
    source_id: a.sourceId,
    run_id: a.runId,
    span_id: a.spanId,
    rationale: a.rationale,
    overrides: a.overrides,
    valid: a.valid,
    assessment_metadata: a.metadata && Object.keys(a.metadata).length ? JSON.stringify(a.metadata) : null,
  };
}

const parseJson = (s: unknown): unknown => {
  if (s === null || s === undefined) return null;
  try {
    return JSON.parse(String(s));
  } catch {
    return s;
  }
};

/** An `assessments` row back as the entity (booleans arrive as 0/1 on SQLite and MySQL). */
export function assessmentFromRow(r: Record<string, unknown>): Assessment {
  const err = parseJson(r.error);
  const md = parseJson(r.assessment_metadata);
  return {
    assessmentId: String(r.assessment_id),
    name: String(r.name),
    traceId: String(r.trace_id),
    spanId: (r.span_id as string | null) ?? null,
    sourceType: String(r.source_type) as AssessmentSourceType,
    sourceId: (r.source_id as string | null) ?? null,
    createTime: Number(r.created_timestamp),
    lastUpdateTime: Number(r.last_updated_timestamp),
    kind: r.assessment_type === 'expectation' ? 'expectation' : 'feedback',
    value: parseJson(r.value),
    error: isObj(err) ? { errorCode: String(err.error_code ?? ''), errorMessage: (err.error_message as string) ?? undefined, stackTrace: (err.stack_trace as string) ?? undefined } : null,
    rationale: (r.rationale as string | null) ?? null,
    metadata: isObj(md) ? (md as Record<string, string>) : null,
    overrides: (r.overrides as string | null) ?? null,
    valid: r.valid === true || r.valid === 1 || r.valid === '1' || r.valid === 't',
    runId: (r.run_id as string | null) ?? null,
  };
}

/** MLflow's wording when an assessment is asked for on a trace that does not exist. */
export const assessmentTraceNotFound = (traceId: string) => new MlfError(`Trace with request_id '${traceId}' not found`, 'RESOURCE_DOES_NOT_EXIST');

export const assessmentNotFound = (assessmentId: string, traceId: string) =>
  new MlfError(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`, 'RESOURCE_DOES_NOT_EXIST');

/** The fields an update mask names (`metadata` is merged into the existing map). */
export interface AssessmentChanges {
  name?: string;
  value?: Pick<Assessment, 'kind' | 'value' | 'error'>;
  rationale?: string;
  metadata?: Record<string, string>;
  valid?: boolean;
}

/**
 * An assessment with an update applied, as MLflow's stores apply it: the value's kind cannot change,
 * metadata is merged, source and span stay, `last_update_time` moves to `now`.
 */
export function applyAssessmentChanges(old: Assessment, c: AssessmentChanges, now: number): Assessment {
  if (c.value && c.value.kind !== old.kind) {
    throw bad(c.value.kind === 'expectation' ? 'Cannot update expectation value on a Feedback assessment.' : 'Cannot update feedback value on an Expectation assessment.');
  }
  const metadata = old.metadata || c.metadata ? { ...(old.metadata ?? {}), ...(c.metadata ?? {}) } : null;
  return {
    ...old,
    name: c.name ?? old.name,
    value: c.value ? c.value.value : old.value,
    error: c.value ? c.value.error : old.error,
    rationale: c.rationale ?? old.rationale,
    metadata,
    valid: c.valid ?? old.valid,
    lastUpdateTime: now,
  };
}
