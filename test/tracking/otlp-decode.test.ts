/**
 * The OTLP protobuf decoder and the span rows made from it, against payloads encoded by
 * OpenTelemetry's own serializer: every field MLflow reads, exact nanoseconds, attribute kinds,
 * events, and refusals of bodies that are not OTLP.
 */
import { describe, expect, it } from 'vitest';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeExportTraceRequest } from '../../src/tracking/otlp-decode.js';
import { MlfError } from '../../src/lib/errors.js';
import { parseSpanContent, spanContentToJson, spanRow, mlflowTraceIdOf } from '../../src/tracking/spans.js';

function encode(build: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  build(provider.getTracer('decode-test'));
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
}

describe('OTLP decoding', () => {
  it('reads ids, parent, names, kind, exact nanosecond times, status, attributes of every kind and events', () => {
    const body = encode((tracer) => {
      const root = tracer.startSpan('root', { startTime: [1_700_000_000, 123_456_789], kind: 2 });
      const child = tracer.startSpan('child', { startTime: [1_700_000_001, 1] }, trace.setSpan(context.active(), root));
      child.setAttributes({ s: 'text', i: 42, big: 2 ** 40, f: 0.25, b: false, list: ['a', 'b'], nums: [1, 2] });
      child.addEvent('exception', { 'exception.message': 'bad' }, [1_700_000_001, 500]);
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
      child.end([1_700_000_002, 0]);
      root.end([1_700_000_003, 999_999_999]);
    });
    const [child, root] = decodeExportTraceRequest(body);
    // The API's SpanKind.CLIENT (2) is OTLP's SPAN_KIND_CLIENT (3).
    expect(root).toMatchObject({ name: 'root', parentSpanId: null, kind: 3, startTimeUnixNano: '1700000000123456789', endTimeUnixNano: '1700000003999999999', statusCode: 0 });
    expect(root!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child).toMatchObject({ name: 'child', parentSpanId: root!.spanId, traceId: root!.traceId, startTimeUnixNano: '1700000001000000001', statusCode: 2, statusMessage: 'failed' });
    expect(child!.attributes).toEqual({ s: 'text', i: 42, big: 2 ** 40, f: 0.25, b: false, list: ['a', 'b'], nums: [1, 2] });
    expect(child!.events).toEqual([{ name: 'exception', timeUnixNano: '1700000001000000500', attributes: { 'exception.message': 'bad' } }]);
  });

  it('keeps nanoseconds exact through the stored content and the REST JSON', () => {
    const body = encode((tracer) => tracer.startSpan('s', { startTime: [1_700_000_000, 123_456_789] }).end([1_700_000_000, 987_654_321]));
    const [span] = decodeExportTraceRequest(body);
    const row = spanRow(span!, mlflowTraceIdOf(span!), 7);
    expect(row.trace_id).toBe(`tr-${span!.traceId}`);
    expect(row.content).toContain('"start_time_unix_nano":1700000000123456789');
    expect(parseSpanContent(row.content).end_time_unix_nano).toBe('1700000000987654321');
    const json = spanContentToJson(row.content);
    expect(json).toMatchObject({ start_time_unix_nano: '1700000000123456789', end_time_unix_nano: '1700000000987654321', status: { code: 'STATUS_CODE_UNSET' } });
    // Spans from clients other than MLflow's get the trace id attribute MLflow's readers look for.
    expect(json.attributes).toContainEqual({ key: 'mlflow.traceRequestId', value: { string_value: JSON.stringify(row.trace_id) } });
  });

  it('reads the later dict form MLflow writes (hex ids, otel_trace_id) as well', () => {
    const content = JSON.stringify({
      trace_id: 'tr-abc',
      span_id: '00f067aa0ba902b7',
      parent_span_id: null,
      name: 'n',
      start_time_unix_nano: 5,
      end_time_unix_nano: 6,
      events: [],
      status: { code: 'OK', message: '' },
      attributes: { 'mlflow.spanType': '"LLM"' },
      otel_trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(spanContentToJson(content)).toEqual({
      trace_id: Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex').toString('base64'),
      span_id: Buffer.from('00f067aa0ba902b7', 'hex').toString('base64'),
      name: 'n',
      start_time_unix_nano: '5',
      end_time_unix_nano: '6',
      attributes: [{ key: 'mlflow.spanType', value: { string_value: '"LLM"' } }],
      status: { code: 'STATUS_CODE_OK' },
    });
  });

  it('refuses bodies that are not OTLP with MLflow\'s message', () => {
    const good = encode((tracer) => tracer.startSpan('s').end());
    for (const bad of [new Uint8Array([]), new Uint8Array([0x0a, 0x05, 0x01]), good.slice(0, good.length - 3), new Uint8Array([0x0b]), Buffer.from('{"resourceSpans": []}')]) {
      expect(() => decodeExportTraceRequest(bad)).toThrow(/Invalid OpenTelemetry protobuf format/);
    }
    // Unknown fields are skipped, as protobuf requires.
    const extra = Buffer.concat([Buffer.from([0x10, 0x01]), good]);
    expect(decodeExportTraceRequest(extra)).toHaveLength(1);
  });

  it('answers any corruption of a real body with a decode or MlfError, never another exception', () => {
    const good = encode((tracer) => {
      const root = tracer.startSpan('root');
      root.setAttributes({ a: 'x', n: 1, l: ['p', 'q'] });
      root.addEvent('e', { k: 'v' });
      root.end();
    });
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
      try {
        decodeExportTraceRequest(cut);
      } catch (e) {
        expect(e, `case ${i}`).toBeInstanceOf(MlfError);
      }
    }
  });
});
