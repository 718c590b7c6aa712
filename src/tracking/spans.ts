/**
 * Spans of MLflow 3 traces: an OTLP span (as decoded from `/v1/traces`) → the `spans` row MLflow's
 * `log_spans` writes, and a stored row's `content` → the OpenTelemetry `Span` JSON that trace get
 * answers with.
 *
 * `content` is the span as a dict in the protobuf form every MLflow 3 reader accepts (`Span.from_dict`'s
 * proto branch): base64 ids, `status.code` as `STATUS_CODE_*`, attributes as MLflow keeps them (its own
 * values are JSON-encoded strings), nanosecond times as exact integers. Content written by MLflow in its
 * later dict form (hex ids, `otel_trace_id`) is read as well.
 */
import type { AnyValue, OtlpSpan } from './otlp-decode.js';

/** Span attributes MLflow sets on every span. */
export const SPAN_REQUEST_ID = 'mlflow.traceRequestId';
export const SPAN_TYPE = 'mlflow.spanType';
/** MLflow's `TRACE_REQUEST_ID_PREFIX`. */
export const TRACE_ID_PREFIX = 'tr-';
/** Root-span attributes under this prefix become trace tags when MLflow's server ingests OTLP spans. */
export const TRACE_TAG_ATTRIBUTE_PREFIX = 'mlflow.traceTag.';

const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'] as const;
export type SpanStatus = (typeof STATUS_NAMES)[number];

export interface SpanRow {
  trace_id: string;
  experiment_id: number;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  type: string | null;
  status: SpanStatus;
  /** Decimal strings: exact nanoseconds (every driver binds them into BIGINT). */
  start_time_unix_nano: string;
  end_time_unix_nano: string | null;
  content: string;
}

/** A JSON-encoded attribute value (MLflow's convention) decoded, else the raw value. */
function attrValue(v: AnyValue | undefined): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** MLflow's trace id of a span: its `mlflow.traceRequestId` attribute, else `tr-` + the OTel trace id. */
export function mlflowTraceIdOf(s: OtlpSpan): string {
  const v = attrValue(s.attributes[SPAN_REQUEST_ID]);
  return typeof v === 'string' && v ? v : `${TRACE_ID_PREFIX}${s.traceId}`;
}

export function spanTypeOf(s: OtlpSpan): string | null {
  const v = attrValue(s.attributes[SPAN_TYPE]);
  return typeof v === 'string' ? v : v === undefined || v === null ? null : JSON.stringify(v);
}

/**
 * The trace tags a root span carries as `mlflow.traceTag.<key>` attributes (what OpenTelemetry
 * clients and MLflow's exporter set for tags). A string value is the tag as sent; other values are
 * written as JSON.
 */
export function traceTagsOf(root: OtlpSpan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(root.attributes)) {
    if (!k.startsWith(TRACE_TAG_ATTRIBUTE_PREFIX) || k.length === TRACE_TAG_ATTRIBUTE_PREFIX.length) continue;
    out[k.slice(TRACE_TAG_ATTRIBUTE_PREFIX.length)] = typeof v === 'string' ? v : JSON.stringify(plain(v));
  }
  return out;
}

export const spanStatusOf = (s: OtlpSpan): SpanStatus => STATUS_NAMES[s.statusCode] ?? 'UNSET';

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const NS_KEYS = /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano)":"(\d+)"/g;
const NS_NUMBERS = /"(start_time_unix_nano|end_time_unix_nano|time_unix_nano)":\s*(\d+)/g;

/** An attribute value as JSON (bytes as base64, big integers as their digits). */
function plain(v: AnyValue): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The `spans` row of a decoded OTLP span. */
export function spanRow(s: OtlpSpan, traceId: string, experimentId: number): SpanRow {
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.attributes)) attributes[k] = plain(v);
  // Readers look the trace up by this attribute; spans from other OTel clients lack it.
  if (attributes[SPAN_REQUEST_ID] === undefined) attributes[SPAN_REQUEST_ID] = JSON.stringify(traceId);
  const status = spanStatusOf(s);
  const content = {
    trace_id: b64(s.traceId),
    span_id: b64(s.spanId),
    trace_state: s.traceState,
    parent_span_id: s.parentSpanId ? b64(s.parentSpanId) : '',
    name: s.name,
    start_time_unix_nano: s.startTimeUnixNano,
    end_time_unix_nano: s.endTimeUnixNano,
    attributes,
    events: s.events.map((e) => ({ time_unix_nano: e.timeUnixNano, name: e.name, attributes: plain(e.attributes) })),
    status: { code: `STATUS_CODE_${status}`, message: s.statusMessage },
  };
  return {
    trace_id: traceId,
    experiment_id: experimentId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    name: s.name,
    type: spanTypeOf(s),
    status,
    start_time_unix_nano: s.startTimeUnixNano,
    end_time_unix_nano: s.endTimeUnixNano,
    // Nanoseconds go in as exact JSON integers, as Python's json.dumps writes them.
    content: JSON.stringify(content).replace(NS_KEYS, '"$1":$2'),
  };
}

/** Parses stored content keeping nanosecond integers exact (as decimal strings). */
export function parseSpanContent(content: string): Record<string, unknown> {
  return JSON.parse(content.replace(NS_NUMBERS, '"$1":"$2"')) as Record<string, unknown>;
}

/** An attribute value as OTLP `AnyValue` JSON. */
function anyValueJson(v: unknown): Record<string, unknown> {
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int_value: v } : { double_value: v };
  if (Array.isArray(v)) return { array_value: { values: v.map(anyValueJson) } };
  if (v !== null && typeof v === 'object') return { kvlist_value: { values: Object.entries(v).map(([key, x]) => ({ key, value: anyValueJson(x) })) } };
  return {};
}

const attrsJson = (a: unknown) => (a && typeof a === 'object' ? Object.entries(a as Record<string, unknown>).map(([key, v]) => ({ key, value: anyValueJson(v) })) : []);
const hexToB64 = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]+$/i.test(v) && v.length % 2 === 0 ? b64(v) : v);
const nanos = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));

/** A stored span as OpenTelemetry's `Span` message in protobuf JSON (int64 as strings, enums by name). */
export function spanContentToJson(content: string): Record<string, unknown> {
  const c = parseSpanContent(content);
  // MLflow's later dict form carries hex ids and the OTel trace id separately.
  const later = 'otel_trace_id' in c;
  const out: Record<string, unknown> = {
    trace_id: later ? hexToB64(c.otel_trace_id) : c.trace_id,
    span_id: later ? hexToB64(c.span_id) : c.span_id,
  };
  if (c.trace_state) out.trace_state = c.trace_state;
  const parent = later ? (c.parent_span_id ? hexToB64(c.parent_span_id) : '') : c.parent_span_id;
  if (parent) out.parent_span_id = parent;
  out.name = c.name ?? '';
  const start = nanos(c.start_time_unix_nano);
  if (start) out.start_time_unix_nano = start;
  const end = nanos(c.end_time_unix_nano);
  if (end) out.end_time_unix_nano = end;
  const attributes = attrsJson(c.attributes);
  if (attributes.length) out.attributes = attributes;
  const events = Array.isArray(c.events)
    ? c.events.map((e: Record<string, unknown>) => {
        const ev: Record<string, unknown> = { name: e.name ?? '' };
        const t = nanos(e.time_unix_nano ?? e.timestamp);
        if (t) ev.time_unix_nano = t;
        const a = attrsJson(e.attributes);
        if (a.length) ev.attributes = a;
        return ev;
      })
    : [];
  if (events.length) out.events = events;
  const st = (c.status ?? {}) as { code?: unknown; message?: unknown };
  const code = String(st.code ?? 'UNSET');
  const status: Record<string, unknown> = { code: code.startsWith('STATUS_CODE_') ? code : `STATUS_CODE_${code}` };
  if (st.message) status.message = st.message;
  out.status = status;
  return out;
}
