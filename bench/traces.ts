/**
 * MLflow 3 traces on SQLite (issue 11, point 7), each figure beside the raw driver doing the same rows
 * in the same run:
 * - ingestion of 1,000 spans (10 traces × 100 spans) as one OTLP protobuf request through the app
 *   (decode, trace rows, span upserts), against better-sqlite3 inserting the same trace and span rows,
 *   one transaction per trace on both sides;
 * - a V3 search over 10,000 traces (one page of 100 with a status filter and MLflow's default order,
 *   tags, metadata and assessments of the page read), against the same SELECTs by hand.
 * The OTLP bodies are built by OpenTelemetry's own SDK and serializer (dev dependencies).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTrackingStore } from '../src/stores/open-store.js';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { decodeExportTraceRequest } from '../src/tracking/otlp-decode.js';
import { spanRow } from '../src/tracking/spans.js';
import type { BenchRow } from './sql-store.js';

async function time(fn: (i: number) => Promise<unknown> | unknown, repeat: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

/** One OTLP request: `traces` traces of `perTrace` spans (a root and its children), MLflow's attributes on each. */
async function otlpBody(traces: number, perTrace: number): Promise<Uint8Array> {
  const api = await import('@opentelemetry/api');
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  const sdk = await import('@opentelemetry/sdk-trace-base');
  const exporter = new sdk.InMemorySpanExporter();
  const provider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  const t0 = Date.now();
  for (let t = 0; t < traces; t++) {
    const root = tracer.startSpan(`agent-${t}`, { startTime: t0 });
    const id = JSON.stringify(`tr-${root.spanContext().traceId}`);
    const ctx = api.trace.setSpan(api.context.active(), root);
    for (let s = 1; s < perTrace; s++) {
      const child = tracer.startSpan(`step-${s}`, { startTime: t0 + s }, ctx);
      child.setAttributes({ 'mlflow.traceRequestId': id, 'mlflow.spanType': '"LLM"', 'mlflow.spanInputs': JSON.stringify({ prompt: `question ${s}`.repeat(5) }), 'mlflow.spanOutputs': '"an answer"' });
      child.setStatus({ code: api.SpanStatusCode.OK });
      child.end(t0 + s + 1);
    }
    root.setAttributes({ 'mlflow.traceRequestId': id, 'mlflow.spanType': '"AGENT"' });
    root.setStatus({ code: api.SpanStatusCode.OK });
    root.end(t0 + perTrace + 1);
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
}

export async function benchTraces(): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlf-bench-traces-'));
  const file = path.join(dir, 'mlflow.db');
  // Schema first, then WAL on the file, then the store again: both connections then run WAL with
  // synchronous=NORMAL, so neither side pays a different price per commit.
  await (await openTrackingStore(`sqlite:///${file}`, { artifactRoot: 'mlflow-artifacts:/' })).close();
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const store = await openTrackingStore(`sqlite:///${file}`, { artifactRoot: 'mlflow-artifacts:/' });
  const rows: BenchRow[] = [];
  try {
    const app = createApp({ store, artifactsDestination: path.join(dir, 'art'), logger: createLogger('none') });

    // ---- ingestion of 1,000 spans ----
    const REPEAT = 5;
    const expId = await store.createExperiment({ name: 'ingest' });
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < 2 * REPEAT; i++) bodies.push(await otlpBody(10, 100));
    const tIngest = await time(async (i) => {
      const res = await app.request('/v1/traces', { method: 'POST', body: bodies[i] as unknown as RequestInit['body'], headers: { 'Content-Type': 'application/x-protobuf', 'x-mlflow-experiment-id': expId } });
      if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }, REPEAT);
    // The baseline inserts the very rows mlf writes (built beforehand, outside the timing).
    const rawExp = await store.createExperiment({ name: 'ingest-raw' });
    const insTrace = raw.prepare(`insert into trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) values (?, ?, ?, ?, 'OK')`);
    const insTag = raw.prepare(`insert into trace_tags (key, value, request_id) values (?, ?, ?)`);
    const insSpan = raw.prepare(
      `insert into spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const prepared = bodies.slice(REPEAT).map((b) => {
      const byTrace = new Map<string, ReturnType<typeof spanRow>[]>();
      for (const s of decodeExportTraceRequest(b)) {
        const id = `tr-${s.traceId}`;
        byTrace.set(id, [...(byTrace.get(id) ?? []), spanRow(s, id, Number(rawExp))]);
      }
      return byTrace;
    });
    // One transaction per trace, as mlf (and MLflow's log_spans) commits each trace's spans.
    const rawTrace = raw.transaction((id: string, spans: ReturnType<typeof spanRow>[]) => {
      insTrace.run(id, Number(rawExp), 1, 100);
      insTag.run('mlflow.artifactLocation', `mlflow-artifacts:/${rawExp}/traces/${id}/artifacts`, id);
      insTag.run('mlflow.trace.spansLocation', 'TRACKING_STORE', id);
      for (const r of spans) insSpan.run(r.trace_id, r.experiment_id, r.span_id, r.parent_span_id, r.name, r.type, r.status, r.start_time_unix_nano, r.end_time_unix_nano, r.content);
    });
    const tRawIngest = await time((i) => {
      for (const [id, spans] of prepared[i]!) rawTrace(id, spans);
    }, REPEAT);
    rows.push({ name: 'ingest 1,000 spans over OTLP (10 traces, SQLite)', ms: tIngest, baselineMs: tRawIngest, baseline: 'raw better-sqlite3 inserts' });

    // ---- search over 10,000 traces ----
    const N = 10_000;
    const searchExp = await store.createExperiment({ name: 'search' });
    const insMeta = raw.prepare(`insert into trace_request_metadata (key, value, request_id) values (?, ?, ?)`);
    raw.transaction(() => {
      for (let i = 0; i < N; i++) {
        const id = `tr-${i.toString(16).padStart(32, '0')}`;
        raw.prepare(`insert into trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) values (?, ?, ?, ?, ?)`).run(id, Number(searchExp), 1_700_000_000_000 + i, 50 + (i % 100), i % 10 ? 'OK' : 'ERROR');
        insTag.run('mlflow.traceName', `trace-${i % 50}`, id);
        insTag.run('mlflow.artifactLocation', `mlflow-artifacts:/${searchExp}/traces/${id}/artifacts`, id);
        insMeta.run('mlflow.sourceRun', `run-${i % 20}`, id);
      }
    })();
    const body = JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: searchExp } }], filter: "status = 'OK'", max_results: 100 });
    const tSearch = await time(async () => {
      const res = await app.request('/api/3.0/mlflow/traces/search', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      const json = (await res.json()) as { traces?: unknown[] };
      if (res.status !== 200 || json.traces?.length !== 100) throw new Error(`search: ${res.status}`);
    }, 10);
    const page = raw.prepare(
      `select request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview, response_preview from trace_info
       where experiment_id = ? and status = 'OK' order by timestamp_ms desc, request_id asc limit 100 offset 0`,
    );
    const tRawSearch = await time(() => {
      const found = page.all(Number(searchExp)) as { request_id: string }[];
      const ids = found.map((r) => r.request_id);
      const marks = ids.map(() => '?').join(',');
      raw.prepare(`select request_id, key, value from trace_tags where request_id in (${marks})`).all(...ids);
      raw.prepare(`select request_id, key, value from trace_request_metadata where request_id in (${marks})`).all(...ids);
      raw.prepare(`select * from assessments where trace_id in (${marks})`).all(...ids);
      return JSON.stringify(found);
    }, 10);
    rows.push({ name: 'search 10,000 traces, page of 100 (SQLite)', ms: tSearch, baselineMs: tRawSearch, baseline: 'raw better-sqlite3 selects' });
  } finally {
    raw.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
