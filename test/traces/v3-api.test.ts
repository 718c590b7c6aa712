/**
 * MLflow 3's trace REST API on the file store and every SQL dialect reachable here, request by
 * request: StartTraceV3, GetTraceInfoV3, GetTrace, BatchGetTraces, SearchTracesV3, tags and deletes
 * under /api/3.0, link-to-run, and OTLP span ingestion on /v1/traces with payloads built by
 * OpenTelemetry's own serializer (database stores; the file store, as MLflow's, stores no spans and
 * answers 501, so its traces come from StartTraceV3 alone).
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { MAX_JSON_BODY_BYTES } from '../../src/server/request.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { apiCaller, makeServer } from '../server/helpers.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase, type TestDialect } from '../support/databases.js';
import { buildOtlpTrace, traceInfoBody, type SpanSpec } from '../support/otlp.js';

type App = ReturnType<typeof createApp>;
const V3 = '/api/3.0/mlflow';
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const THREE: SpanSpec[] = [
  { name: 'agent', type: 'AGENT', startMs: T0, endMs: T0 + 900, inputs: { question: 'why?' }, outputs: 'because' },
  { name: 'llm', type: 'LLM', parent: 0, startMs: T0 + 100, endMs: T0 + 400 },
  { name: 'search', type: 'TOOL', parent: 0, startMs: T0 + 500, endMs: T0 + 800, error: true },
];

/** Where the suite runs: the file store, then each dialect (MLF_TEST_DIALECTS narrows these). */
const targets: ('file' | TestDialect)[] = ['file', ...testDialects()];

for (const target of targets) {
  describe(`v3 trace API on ${target === 'file' ? 'the file store' : target}`, async () => {
    const file = target === 'file';
    const skip = file ? false : await skipUnlessAvailable(target);
    let db: TestDatabase | undefined;
    let dir: string | undefined;
    let store: TrackingStore;
    let app: App;
    let call: ReturnType<typeof apiCaller>;
    beforeAll(async () => {
      if (skip) return;
      if (file) dir = tempDir('mlf-traces3-file-');
      else db = await createTestDatabase(target);
      store = await openTrackingStore(file ? path.join(dir!, 'mlruns') : db!.uri, { artifactRoot: 'mlflow-artifacts:/' });
      app = createApp({ store, artifactsDestination: tempDir('mlf-traces3-art-'), logger: createLogger('none') });
      call = apiCaller(app);
    });
    afterAll(async () => {
      if (skip) return;
      await store?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    const newExperiment = async (name: string) => (await call('POST', 'experiments/create', { name })).json.experiment_id as string;
    const otlp = (body: Uint8Array | string, headers: Record<string, string>) => app.request('/v1/traces', { method: 'POST', body: body as BodyInit, headers });
    const ingest = async (exp: string, specs: SpanSpec[] = THREE) => {
      const t = buildOtlpTrace(specs);
      const r = await otlp(t.body, { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/x-protobuf');
      expect((await r.arrayBuffer()).byteLength).toBe(0);
      return t;
    };
    /** A finished trace: its spans over OTLP where the store keeps spans, else its StartTraceV3 alone (what the client sends a file store). */
    const record = async (exp: string, specs: SpanSpec[] = THREE) => {
      if (!file) return ingest(exp, specs);
      const t = buildOtlpTrace(specs);
      const root = specs[0]!;
      const extra = { request_time: new Date(root.startMs).toISOString(), execution_duration: `${(root.endMs - root.startMs) / 1000}s`, state: root.error ? 'ERROR' : 'OK', tags: {}, trace_metadata: {}, request_preview: undefined, response_preview: undefined };
      expect((await call('POST', `${V3}/traces`, traceInfoBody(exp, t.traceId, extra))).status).toBe(200);
      return t;
    };

    it.skipIf(skip)('answers /version with a release whose clients send spans over OTLP', async () => {
      const r = await app.request('/version');
      expect(await r.text()).toBe('3.4.0');
    });

    it.skipIf(skip)('starts a V3 trace and reads its info under /api/3.0, /api/2.0 and /ajax-api/3.0', async () => {
      const exp = await newExperiment('v3 start');
      const r = await call('POST', `${V3}/traces`, traceInfoBody(exp, 'tr-00000000000000000000000000000001', { client_request_id: 'req-1' }));
      expect(r.status).toBe(200);
      const info = r.json.trace.trace_info;
      expect(info).toMatchObject({
        trace_id: 'tr-00000000000000000000000000000001',
        client_request_id: 'req-1',
        trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } },
        request_preview: '{"question": "why?"}',
        response_preview: '"because"',
        request_time: '2026-01-02T03:04:05.678Z',
        execution_duration: '0.900s',
        state: 'OK',
        trace_metadata: { 'mlflow.trace_schema.version': '3', 'mlflow.user': 'ada' },
      });
      expect(info.tags).toEqual({ 'mlflow.traceName': 'agent', team: 'genai', 'mlflow.artifactLocation': `mlflow-artifacts:/${exp}/traces/tr-00000000000000000000000000000001/artifacts` });
      for (const prefix of [V3, '/api/2.0/mlflow', '/ajax-api/3.0/mlflow']) {
        const got = await call('GET', `${prefix}/traces/tr-00000000000000000000000000000001`);
        expect(got.status, prefix).toBe(200);
        expect(got.json.trace.trace_info).toEqual(info);
      }
      // The v2 endpoints read the same row.
      const v2 = await call('GET', 'traces/tr-00000000000000000000000000000001/info');
      expect(v2.json.trace_info).toMatchObject({ request_id: 'tr-00000000000000000000000000000001', experiment_id: exp, timestamp_ms: T0, execution_time_ms: 900, status: 'OK' });
      // An unset state reads as 2.x's unset status through the v2 API.
      await call('POST', `${V3}/traces`, traceInfoBody(exp, 'tr-00000000000000000000000000000002', { state: undefined, execution_duration: undefined }));
      expect((await call('GET', 'traces/tr-00000000000000000000000000000002/info')).json.trace_info.status).toBe('TRACE_STATUS_UNSPECIFIED');
      const unset = (await call('GET', `${V3}/traces/tr-00000000000000000000000000000002`)).json.trace.trace_info;
      expect(unset.state).toBe('STATE_UNSPECIFIED');
      expect(unset.execution_duration).toBeUndefined();
    });

    it.skipIf(skip)('refuses bad StartTraceV3 requests with MLflow codes and writes nothing', async () => {
      const exp = await newExperiment('v3 start errors');
      const cases: [Record<string, unknown>, number, string][] = [
        [{}, 400, 'INVALID_PARAMETER_VALUE'],
        [{ trace: { trace_info: { trace_id: 'tr-x' } } }, 400, 'INVALID_PARAMETER_VALUE'],
        [traceInfoBody('98765', 'tr-x1'), 404, 'RESOURCE_DOES_NOT_EXIST'],
        [traceInfoBody(exp, 'tr-x2', { request_time: 'yesterday' }), 400, 'INVALID_PARAMETER_VALUE'],
        [traceInfoBody(exp, 'tr-x3', { state: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE'],
        [traceInfoBody(exp, 'tr-x4', { request_preview: 'x'.repeat(1001) }), 400, 'INVALID_PARAMETER_VALUE'],
        [traceInfoBody(exp, 'tr-x5', { tags: { ['k'.repeat(251)]: 'v' } }), 400, 'INVALID_PARAMETER_VALUE'],
        [traceInfoBody(exp, `tr-${'x'.repeat(60)}`), 400, 'INVALID_PARAMETER_VALUE'],
      ];
      for (const [body, status, code] of cases) {
        const r = await call('POST', `${V3}/traces`, body);
        expect([r.status, r.json.error_code], JSON.stringify(body).slice(0, 120)).toEqual([status, code]);
      }
      const search = await call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }] });
      expect(search.json.traces).toBeUndefined();
      await call('POST', 'experiments/delete', { experiment_id: exp });
      const deleted = await call('POST', `${V3}/traces`, traceInfoBody(exp, 'tr-x6'));
      // Each store answers as MLflow's does: the file store's deleted experiment "does not exist".
      expect([deleted.status, deleted.json.error_code]).toEqual(file ? [404, 'RESOURCE_DOES_NOT_EXIST'] : [400, 'INVALID_PARAMETER_VALUE']);
      // Odd escapes in the path are an unknown trace, not a 5xx.
      for (const odd of ['tr-%25E0%25A4%25A', 'tr-%2Fx', 'tr-%25zz']) {
        const r = await call('GET', `${V3}/traces/${odd}`);
        expect([r.status, r.json.error_code], odd).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      }
      const missing = await call('GET', `${V3}/traces/tr-nope`);
      expect(missing.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Trace with ID 'tr-nope' not found." });
    });

    it.skipIf(skip || file)('ingests OTLP spans, then merges StartTraceV3 into the trace they created', async () => {
      const exp = await newExperiment('otlp ingest');
      const t = await ingest(exp);
      const info = (await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info;
      expect(info).toMatchObject({ trace_id: t.traceId, request_time: '2026-01-02T03:04:05.678Z', execution_duration: '0.900s', state: 'OK' });
      expect(info.tags).toEqual({ 'mlflow.artifactLocation': `mlflow-artifacts:/${exp}/traces/${t.traceId}/artifacts`, 'mlflow.trace.spansLocation': 'TRACKING_STORE' });

      const got = await call('GET', `${V3}/traces/get`, { trace_id: t.traceId });
      expect(got.status).toBe(200);
      const spans = got.json.trace.spans;
      expect(spans.map((s: any) => s.name)).toEqual(['agent', 'llm', 'search']);
      expect(spans[0]).toMatchObject({ trace_id: b64(t.otelTraceId), span_id: b64(t.spanIds[0]!), start_time_unix_nano: `${T0}000000`, end_time_unix_nano: `${T0 + 900}000000`, status: { code: 'STATUS_CODE_OK' } });
      expect(spans[0].parent_span_id).toBeUndefined();
      expect(spans[1].parent_span_id).toBe(b64(t.spanIds[0]!));
      expect(spans[2].status).toEqual({ code: 'STATUS_CODE_ERROR', message: 'boom' });
      expect(spans[0].attributes).toContainEqual({ key: 'mlflow.spanInputs', value: { string_value: '{"question":"why?"}' } });

      // The client's StartTraceV3 after the root span ended: merged, spans and the spans-location tag kept.
      const merged = await call('POST', `${V3}/traces`, traceInfoBody(exp, t.traceId));
      expect(merged.status).toBe(200);
      expect(merged.json.trace.trace_info.tags['mlflow.trace.spansLocation']).toBe('TRACKING_STORE');
      expect(merged.json.trace.trace_info.request_preview).toBe('{"question": "why?"}');
      expect((await call('GET', `${V3}/traces/get`, { trace_id: t.traceId })).json.trace.spans).toHaveLength(3);

      // The UI's trace data comes from the stored spans when there are any (MLflow 3's handler).
      const data = await app.request(`/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${t.traceId}`);
      expect(data.status).toBe(200);
      const dict = JSON.parse(await data.text());
      expect(dict.spans.map((s: any) => s.name)).toEqual(['agent', 'llm', 'search']);
      expect(dict.spans[1]).toMatchObject({ span_id: b64(t.spanIds[1]!), parent_span_id: b64(t.spanIds[0]!), status: { code: 'STATUS_CODE_OK' } });
      expect(dict.spans[0].attributes['mlflow.traceRequestId']).toBe(JSON.stringify(t.traceId));
      const batch = await call('GET', `${V3}/traces/batchGet`, { trace_ids: [t.traceId, 'tr-missing'] });
      expect(batch.json.traces).toHaveLength(1);
      expect(batch.json.traces[0].spans).toHaveLength(3);
      const infos = await call('POST', `${V3}/traces/batchGetInfos`, { trace_ids: ['tr-missing', t.traceId] });
      expect(infos.json.trace_infos.map((i: any) => i.trace_id)).toEqual([t.traceId]);
      const noIds = await call('POST', `${V3}/traces/batchGetInfos`, {});
      expect([noIds.status, noIds.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    });

    it.skipIf(skip || file)('widens an open trace as more span batches arrive and settles its state from the root span', async () => {
      const exp = await newExperiment('otlp batches');
      const full = buildOtlpTrace([
        { name: 'root', startMs: T0, endMs: T0 + 3000, error: true },
        { name: 'child', parent: 0, startMs: T0 + 1000, endMs: T0 + 2000 },
      ]);
      // Only the child first (as a BatchSpanProcessor may send it): the trace is in progress.
      const { decodeExportTraceRequest } = await import('../../src/tracking/otlp-decode.js');
      const spans = decodeExportTraceRequest(full.body);
      const traces = store.traces!;
      await traces.logSpans!(exp, full.traceId, spans.filter((s) => s.name === 'child'));
      let info = (await call('GET', `${V3}/traces/${full.traceId}`)).json.trace.trace_info;
      expect(info).toMatchObject({ state: 'IN_PROGRESS', execution_duration: '1s' });
      expect(info.request_time).toBe(new Date(T0 + 1000).toISOString());
      await traces.logSpans!(exp, full.traceId, spans.filter((s) => s.name === 'root'));
      info = (await call('GET', `${V3}/traces/${full.traceId}`)).json.trace.trace_info;
      expect(info).toMatchObject({ state: 'ERROR', execution_duration: '3s', request_time: new Date(T0).toISOString() });
    });

    it.skipIf(skip || file)("turns the root span's mlflow.traceTag.* attributes into trace tags", async () => {
      const exp = await newExperiment('otlp trace tags');
      const t = await ingest(exp, [
        { name: 'root', startMs: T0, endMs: T0 + 10, attributes: { 'mlflow.traceTag.team': 'genai', 'mlflow.traceTag.retries': 2, 'mlflow.traceTag.cached': true, other: 'x' } },
        { name: 'child', parent: 0, startMs: T0 + 1, endMs: T0 + 2, attributes: { 'mlflow.traceTag.child_only': 'no' } },
      ]);
      const tags = (await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info.tags;
      expect(tags).toMatchObject({ team: 'genai', retries: '2', cached: 'true', 'mlflow.trace.spansLocation': 'TRACKING_STORE' });
      expect(tags.child_only).toBeUndefined();
      expect(tags.other).toBeUndefined();
      // A tag the store cannot hold refuses the batch, and nothing is stored.
      const bad = buildOtlpTrace([{ name: 'root', startMs: T0, endMs: T0 + 1, attributes: { ['mlflow.traceTag.' + 'k'.repeat(251)]: 'v' } }]);
      const r = await otlp(bad.body, { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp });
      expect(r.status).toBe(422);
      expect((await call('GET', `${V3}/traces/${bad.traceId}`)).status).toBe(404);
    });

    it.skipIf(skip || file)('refuses bad OTLP requests with MLflow statuses and stores nothing', async () => {
      const exp = await newExperiment('otlp errors');
      const t = buildOtlpTrace(THREE);
      const pb = { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp };
      const cases: [Uint8Array | string, Record<string, string>, number][] = [
        [t.body, { 'Content-Type': 'application/json', 'X-MLflow-Experiment-Id': exp }, 400],
        [JSON.stringify({ resourceSpans: [] }), { 'Content-Type': 'application/json', 'X-MLflow-Experiment-Id': exp }, 400],
        [t.body, { 'Content-Type': 'application/x-protobuf' }, 422],
        [new Uint8Array([0x0a, 0xff, 0xff, 0xff]), pb, 400],
        [new Uint8Array([]), pb, 400],
        [t.body.slice(0, t.body.length - 7), pb, 400],
        [t.body, { ...pb, 'Content-Encoding': 'br' }, 400],
        [t.body, { ...pb, 'X-MLflow-Experiment-Id': '99999' }, 422],
      ];
      for (const [body, headers, status] of cases) {
        const r = await otlp(body, headers);
        expect(r.status, JSON.stringify(headers)).toBe(status);
        expect((await r.json()).error_code).toBeTruthy();
      }
      expect((await call('GET', `${V3}/traces/${t.traceId}`)).status).toBe(404);
      // Two requests' bytes back to back are one protobuf message holding every span twice: stored once each.
      const twice = buildOtlpTrace(THREE);
      const doubled = await otlp(Buffer.concat([twice.body, twice.body]), pb);
      expect(doubled.status).toBe(200);
      expect((await call('GET', `${V3}/traces/get`, { trace_id: twice.traceId })).json.trace.spans).toHaveLength(3);
      // A body inflating past the body limit is refused as undecodable, nothing stored (64 KiB of gzip, 64 MiB + 1 inflated).
      const bomb = Buffer.alloc(MAX_JSON_BODY_BYTES + 1);
      for (const [encoding, zipped] of [['gzip', gzipSync(bomb)], ['deflate', deflateSync(bomb)]] as const) {
        const r = await otlp(zipped, { ...pb, 'Content-Encoding': encoding });
        expect([r.status, await r.json()]).toEqual([
          400,
          { error_code: 'INVALID_PARAMETER_VALUE', message: `Failed to decompress the request body with Content-Encoding '${encoding}'.` },
        ]);
      }
      // gzip is accepted, as MLflow decompresses it.
      const zipped = await otlp(gzipSync(t.body), { ...pb, 'Content-Encoding': 'gzip' });
      expect(zipped.status).toBe(200);
      expect((await call('GET', `${V3}/traces/get`, { trace_id: t.traceId })).json.trace.spans).toHaveLength(3);
    });

    it.skipIf(skip)('searches V3 with locations, span filters, order and page tokens', async () => {
      const exp = await newExperiment('v3 search');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const t = await record(exp, [
          { name: `root${i}`, type: 'CHAIN', startMs: T0 + i * 1000, endMs: T0 + i * 1000 + 100 * (i + 1), error: i === 2 },
          { name: i === 1 ? 'retrieve' : 'llm', type: i === 1 ? 'RETRIEVER' : 'LLM', parent: 0, startMs: T0 + i * 1000 + 10, endMs: T0 + i * 1000 + 20 },
        ]);
        await call('PATCH', `/api/2.0/mlflow/traces/${t.traceId}/tags`, { key: 'mlflow.traceName', value: `root${i}` });
        ids.push(t.traceId);
      }
      const search = async (q: Record<string, unknown>) => {
        const r = await call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }], ...q });
        expect(r.status, JSON.stringify(q)).toBe(200);
        return { ids: (r.json.traces ?? []).map((t: any) => t.trace_id), token: r.json.next_page_token };
      };
      expect(await search({})).toEqual({ ids: [ids[2], ids[1], ids[0]], token: undefined });
      // Span keys match a trace when one of its stored spans does: none on the file store, which stores no spans.
      expect((await search({ filter: "span.name = 'retrieve'" })).ids).toEqual(file ? [] : [ids[1]]);
      expect((await search({ filter: "span.type = 'LLM'" })).ids).toEqual(file ? [] : [ids[2], ids[0]]);
      expect((await search({ filter: "span.status = 'ERROR'" })).ids).toEqual(file ? [] : [ids[2]]);
      expect((await search({ filter: "status = 'OK' AND span.type != 'RETRIEVER'" })).ids).toEqual(file ? [] : [ids[1], ids[0]]);
      expect((await search({ filter: "status = 'ERROR'" })).ids).toEqual([ids[2]]);
      expect((await search({ filter: "name = 'root1'" })).ids).toEqual([ids[1]]);
      expect((await search({ order_by: ['execution_time_ms ASC'] })).ids).toEqual([ids[0], ids[1], ids[2]]);
      const first = await search({ max_results: 2 });
      expect(first.ids).toEqual([ids[2], ids[1]]);
      expect(await search({ max_results: 2, page_token: first.token })).toEqual({ ids: [ids[0]], token: undefined });
      // The same search answers under /api/2.0.
      const alias = await call('POST', 'traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }] });
      expect(alias.json.traces.map((t: any) => t.trace_id)).toEqual([ids[2], ids[1], ids[0]]);

      for (const bad of [{ max_results: 501 }, { filter: "span.color = 'x'" }, { filter: "span.name LIKE 'x%'" }, { order_by: ['bogus'] }, { max_results: 0 }]) {
        const r = await call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }], ...bad });
        expect([r.status, r.json.error_code], JSON.stringify(bad)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      const noLocations = await call('POST', `${V3}/traces/search`, {});
      expect([noLocations.status, noLocations.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      // The v2 search keeps 2.17's grammar: no span keys.
      const v2 = await call('GET', 'traces', { experiment_ids: [exp], filter: "span.name = 'llm'" });
      expect(v2.status).toBe(400);
    });

    it.skipIf(skip)('links traces to a run and finds them by run_id, linked either way', async () => {
      const exp = await newExperiment('v3 link');
      const run = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id as string;
      const a = await record(exp);
      const b = await record(exp);
      expect((await call('POST', 'traces/link-to-run', { trace_ids: [a.traceId, 'tr-unknown'], run_id: run })).status).toBe(200);
      // Linking again is the same link.
      expect((await call('POST', `${V3}/traces/link-to-run`, { trace_ids: [a.traceId], run_id: run })).status).toBe(200);
      // A trace recorded inside the run carries the run in its metadata (what the client writes).
      const c = buildOtlpTrace(THREE);
      await call('POST', `${V3}/traces`, traceInfoBody(exp, c.traceId, { trace_metadata: { 'mlflow.sourceRun': run } }));
      const byRun = async (filter: string) =>
        ((await call('POST', `${V3}/traces/search`, { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }], filter })).json.traces ?? []).map((t: any) => t.trace_id).sort();
      expect(await byRun(`run_id = '${run}'`)).toEqual([a.traceId, c.traceId].sort());
      expect(await byRun(`run_id IN ('${run}', 'other')`)).toEqual([a.traceId, c.traceId].sort());
      expect(await byRun(`run_id = 'other'`)).toEqual([]);
      const metadataOf = async (id: string) => (await call('GET', `${V3}/traces/${id}`)).json.trace.trace_info.trace_metadata;
      expect((await metadataOf(b.traceId))?.['mlflow.sourceRun']).toBeUndefined();
      if (file) {
        // The file store has no link table: the link is the trace's metadata.
        expect((await metadataOf(a.traceId))['mlflow.sourceRun']).toBe(run);
      } else {
        // MLflow 3's SQL store: one entity_associations row per link, the trace's metadata untouched.
        expect((await metadataOf(a.traceId))?.['mlflow.sourceRun']).toBeUndefined();
        const kdb = (store as unknown as { conn: { db: import('kysely').Kysely<any> } }).conn.db;
        const rows = await kdb.selectFrom('entity_associations').selectAll().where('destination_id', '=', run).execute();
        expect(rows.map((r: any) => [r.source_type, r.source_id, r.destination_type, r.destination_id])).toEqual([['trace', a.traceId, 'run', run]]);
        expect(rows[0].association_id).toMatch(/^[0-9a-f]{32}$/);
        // Deleting the trace removes its link.
        await call('POST', `${V3}/traces/delete-traces`, { experiment_id: exp, request_ids: [a.traceId] });
        expect(await kdb.selectFrom('entity_associations').selectAll().where('destination_id', '=', run).execute()).toEqual([]);
      }
      const tooMany = await call('POST', `${V3}/traces/link-to-run`, { trace_ids: Array.from({ length: 101 }, (_, i) => `tr-${i}`), run_id: run });
      expect([tooMany.status, tooMany.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const noRun = await call('POST', `${V3}/traces/link-to-run`, { trace_ids: [a.traceId] });
      expect([noRun.status, noRun.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    });

    it.skipIf(skip)('links prompt versions to a trace as MLflow 3 stores them', async () => {
      const exp = await newExperiment('v3 link prompts');
      const t = await record(exp);
      const link = (body: Record<string, unknown>) => call('POST', 'traces/link-prompts', body);
      expect((await link({ trace_id: t.traceId, prompt_versions: [{ name: 'greet', version: '1' }, { name: 'sys', version: 2 }] })).status).toBe(200);
      // Linking again merges: no duplicates, new versions appended.
      expect((await call('POST', `${V3}/traces/link-prompts`, { trace_id: t.traceId, prompt_versions: [{ name: 'greet', version: '1' }, { name: 'greet', version: '3' }] })).status).toBe(200);
      const tags = (await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info.tags;
      expect(tags['mlflow.linkedPrompts']).toBe('[{"name": "greet", "version": "1"}, {"name": "sys", "version": "2"}, {"name": "greet", "version": "3"}]');
      if (!file) {
        const kdb = (store as unknown as { conn: { db: import('kysely').Kysely<any> } }).conn.db;
        const rows = await kdb.selectFrom('entity_associations').select(['source_type', 'source_id', 'destination_type', 'destination_id']).where('source_id', '=', t.traceId).orderBy('destination_id').execute();
        expect(rows).toEqual(['greet/1', 'greet/3', 'sys/2'].map((d) => ({ source_type: 'trace', source_id: t.traceId, destination_type: 'prompt_version', destination_id: d })));
      }
      const unknown = await link({ trace_id: 'tr-nope', prompt_versions: [{ name: 'greet', version: '1' }] });
      expect([unknown.status, unknown.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      for (const bad of [{ trace_id: t.traceId }, { prompt_versions: [{ name: 'a', version: '1' }] }, { trace_id: t.traceId, prompt_versions: [{ version: '1' }] }]) {
        const r = await link(bad);
        expect([r.status, r.json.error_code], JSON.stringify(bad)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      // A tag that is not MLflow's list is refused, and left as it is.
      await call('PATCH', `/api/2.0/mlflow/traces/${t.traceId}/tags`, { key: 'mlflow.linkedPrompts', value: 'oops' });
      const odd = await link({ trace_id: t.traceId, prompt_versions: [{ name: 'x', version: '1' }] });
      expect([odd.status, odd.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect((await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info.tags['mlflow.linkedPrompts']).toBe('oops');
    });

    it.skipIf(skip)('sets and deletes tags and deletes traces with their spans under /api/3.0', async () => {
      const exp = await newExperiment('v3 tags delete');
      const t = await record(exp);
      expect((await call('PATCH', `${V3}/traces/${t.traceId}/tags`, { key: 'k', value: 'v' })).status).toBe(200);
      expect((await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info.tags.k).toBe('v');
      expect((await call('DELETE', `${V3}/traces/${t.traceId}/tags`, { key: 'k' })).status).toBe(200);
      expect((await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info.tags.k).toBeUndefined();
      await call('POST', `${V3}/traces/${t.traceId}/assessments`, { assessment: { assessment_name: 'ok', source: { source_type: 'HUMAN', source_id: 'ada' }, feedback: { value: true } } });
      const del = await call('POST', `${V3}/traces/delete-traces`, { experiment_id: exp, request_ids: [t.traceId] });
      expect(del.json).toEqual({ traces_deleted: 1 });
      expect((await call('GET', `${V3}/traces/get`, { trace_id: t.traceId })).status).toBe(404);
    });
  });
}

describe('OTLP on the file store, which keeps no spans (as MLflow\'s FileStore)', () => {
  it('answers /v1/traces with 501, which turns the client\'s span export off, and unknown paths with 404', async () => {
    const srv = await makeServer('file');
    try {
      const exp = (await srv.call('POST', 'experiments/create', { name: 'files' })).json.experiment_id;
      const t = buildOtlpTrace(THREE);
      const r = await srv.app.request('/v1/traces', { method: 'POST', body: t.body as BodyInit, headers: { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp } });
      expect(r.status).toBe(501);
      expect((await r.json()).message).toMatch(/^REST OTLP span logging is not supported by /);
      expect((await srv.call('GET', `${V3}/traces/${t.traceId}`)).status).toBe(404);
      // Unknown paths under /api/3.0 answer MLflow's 404, on which clients fall back.
      const unknown = await srv.call('GET', `${V3}/nothing/here`);
      expect([unknown.status, unknown.json.error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    } finally {
      await srv.close();
    }
  });
});
