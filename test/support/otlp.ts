/**
 * OTLP payloads for tests, built by OpenTelemetry's own SDK and its OTLP protobuf serializer (the
 * encoding OpenTelemetry exporters send), with the attributes MLflow's client puts on its spans.
 */
import { context, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface SpanSpec {
  name: string;
  /** MLflow span type (`LLM`, `TOOL`, ...), stored JSON-encoded as MLflow does. */
  type?: string;
  /** Index of the parent in the list; undefined for the root. */
  parent?: number;
  startMs: number;
  /** Undefined leaves the span open (not ended: not exported by the SDK, so it is ended at +1 ms with this flag off). */
  endMs: number;
  error?: boolean;
  inputs?: unknown;
  outputs?: unknown;
  attributes?: Record<string, string | number | boolean>;
}

export interface BuiltTrace {
  /** The OTel trace id (32 hex digits) and MLflow's `tr-…` id. */
  otelTraceId: string;
  traceId: string;
  spanIds: string[];
  body: Uint8Array;
}

/** One trace with the given spans, serialized as an `ExportTraceServiceRequest`. */
export function buildOtlpTrace(specs: SpanSpec[], opts: { mlflowIds?: boolean } = {}): BuiltTrace {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('mlf-tests');
  const spans: Span[] = [];
  for (const s of specs) {
    const parentCtx = s.parent === undefined ? context.active() : trace.setSpan(context.active(), spans[s.parent]!);
    const span = tracer.startSpan(s.name, { startTime: s.startMs }, parentCtx);
    spans.push(span);
  }
  const otelTraceId = spans[0]!.spanContext().traceId;
  const traceId = `tr-${otelTraceId}`;
  specs.forEach((s, i) => {
    const span = spans[i]!;
    if (opts.mlflowIds !== false) span.setAttribute('mlflow.traceRequestId', JSON.stringify(traceId));
    if (s.type) span.setAttribute('mlflow.spanType', JSON.stringify(s.type));
    if (s.inputs !== undefined) span.setAttribute('mlflow.spanInputs', JSON.stringify(s.inputs));
    if (s.outputs !== undefined) span.setAttribute('mlflow.spanOutputs', JSON.stringify(s.outputs));
    for (const [k, v] of Object.entries(s.attributes ?? {})) span.setAttribute(k, v);
    span.setStatus(s.error ? { code: SpanStatusCode.ERROR, message: 'boom' } : { code: SpanStatusCode.OK });
  });
  // Children end before their parents, as in a real call tree.
  for (let i = specs.length - 1; i >= 0; i--) spans[i]!.end(specs[i]!.endMs);
  const finished = exporter.getFinishedSpans();
  const body = ProtobufTraceSerializer.serializeRequest(finished);
  if (!body) throw new Error('the OTLP serializer produced no body');
  return { otelTraceId, traceId, spanIds: spans.map((s) => s.spanContext().spanId), body };
}

/** A StartTraceV3 body as MLflow's client sends it (previews, metadata, tags; spans travel over OTLP). */
export function traceInfoBody(experimentId: string, traceId: string, extra: Record<string, unknown> = {}) {
  return {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
        request_time: '2026-01-02T03:04:05.678Z',
        execution_duration: '0.900s',
        state: 'OK',
        request_preview: '{"question": "why?"}',
        response_preview: '"because"',
        trace_metadata: { 'mlflow.trace_schema.version': '3', 'mlflow.user': 'ada' },
        tags: { 'mlflow.traceName': 'agent', team: 'genai' },
        ...extra,
      },
      spans: [],
    },
  };
}
