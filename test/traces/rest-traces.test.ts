/**
 * The trace API through an `http://` store: `mlf server` in front of another `mlf server` (over
 * SQLite and over a file store), every call crossing the REST API twice (front → RestTraces →
 * back-end server → its store). v2 and MLflow 3 traces, tags, search, link-to-run, assessments, and
 * the back end's errors passed through with their codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { RestStore } from '../../src/stores/rest/rest-store.js';
import { parseStoreUri } from '../../src/tracking/uri.js';
import { apiCaller } from '../server/helpers.js';
import { tempDir } from '../support/databases.js';
import { buildOtlpTrace, traceInfoBody } from '../support/otlp.js';

const V3 = '/api/3.0/mlflow';
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

for (const backend of ['sqlite', 'file'] as const) {
  describe(`traces through an http:// store in front of ${backend}`, () => {
    let dir: string;
    let server: Awaited<ReturnType<typeof import('../../src/server/serve.js')['startServer']>>;
    let front: RestStore;
    let call: ReturnType<typeof apiCaller>;
    let app: ReturnType<typeof createApp>;
    beforeAll(async () => {
      const { startServer, resolveSettings } = await import('../../src/server/serve.js');
      dir = tempDir('mlf-rest-traces-');
      const backendStoreUri = backend === 'sqlite' ? `sqlite:///${path.join(dir, 'mlflow.db')}` : path.join(dir, 'mlruns');
      server = await startServer(resolveSettings({ backendStoreUri, port: 0, artifactsDestination: path.join(dir, 'mlartifacts'), logLevel: 'none' }));
      const parsed = parseStoreUri(server.url);
      if (parsed.kind !== 'rest') throw new Error(`not an HTTP URI: ${server.url}`);
      front = RestStore.open(parsed, { env: {}, home: dir });
      app = createApp({ store: front, artifactsDestination: path.join(dir, 'front-artifacts'), logger: createLogger('none') });
      call = apiCaller(app);
    });
    afterAll(async () => {
      await front?.close();
      await server?.close(1000);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const locations = (exp: string) => [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }];

    it('starts, reads, searches, tags and deletes MLflow 3 traces', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'rest v3' })).json.experiment_id;
      const t = buildOtlpTrace([{ name: 'agent', startMs: T0, endMs: T0 + 900 }]);
      const started = await call('POST', `${V3}/traces`, traceInfoBody(exp, t.traceId, { client_request_id: 'req-1' }));
      expect(started.status).toBe(200);
      const info = started.json.trace.trace_info;
      expect(info).toMatchObject({ trace_id: t.traceId, client_request_id: 'req-1', request_time: '2026-01-02T03:04:05.678Z', execution_duration: '0.900s', state: 'OK', trace_metadata: { 'mlflow.user': 'ada' } });
      // What the front answers is what the back end stored.
      const direct = await server.store.traces!.getTraceInfoV3!(t.traceId);
      expect(direct.tags['mlflow.artifactLocation']).toBe(info.tags['mlflow.artifactLocation']);
      expect((await call('GET', `${V3}/traces/${t.traceId}`)).json.trace.trace_info).toEqual(info);
      expect((await call('GET', `${V3}/traces/get`, { trace_id: t.traceId })).json.trace.trace_info).toEqual(info);
      const batch = await call('GET', `${V3}/traces/batchGet`, { trace_ids: [t.traceId, 'tr-missing'] });
      expect(batch.json.traces.map((x: any) => x.trace_info.trace_id)).toEqual([t.traceId]);

      expect((await call('PATCH', `/api/2.0/mlflow/traces/${t.traceId}/tags`, { key: 'k', value: 'v' })).status).toBe(200);
      const found = await call('POST', `${V3}/traces/search`, { locations: locations(exp), filter: "tags.k = 'v'", max_results: 10 });
      expect(found.json.traces.map((x: any) => x.trace_id)).toEqual([t.traceId]);
      expect((await call('DELETE', `/api/2.0/mlflow/traces/${t.traceId}/tags`, { key: 'k' })).status).toBe(200);
      const again = await call('DELETE', `/api/2.0/mlflow/traces/${t.traceId}/tags`, { key: 'k' });
      expect([again.status, again.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);

      const run = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      expect((await call('POST', 'traces/link-to-run', { trace_ids: [t.traceId], run_id: run })).status).toBe(200);
      const byRun = await call('POST', `${V3}/traces/search`, { locations: locations(exp), filter: `run_id = '${run}'` });
      expect(byRun.json.traces.map((x: any) => x.trace_id)).toEqual([t.traceId]);

      expect((await call('POST', 'traces/link-prompts', { trace_id: t.traceId, prompt_versions: [{ name: 'greet', version: '1' }] })).status).toBe(200);
      expect((await server.store.traces!.getTraceInfoV3!(t.traceId)).tags['mlflow.linkedPrompts']).toBe('[{"name": "greet", "version": "1"}]');

      const del = await call('POST', `${V3}/traces/delete-traces`, { experiment_id: exp, request_ids: [t.traceId] });
      expect(del.json).toEqual({ traces_deleted: 1 });
      const gone = await call('GET', `${V3}/traces/${t.traceId}`);
      expect([gone.status, gone.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    });

    it('creates, updates, overrides and deletes assessments', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'rest assessments' })).json.experiment_id;
      const id = buildOtlpTrace([{ name: 'x', startMs: T0, endMs: T0 + 1 }]).traceId;
      await call('POST', `${V3}/traces`, traceInfoBody(exp, id));
      const a = (await call('POST', `${V3}/traces/${id}/assessments`, { assessment: { assessment_name: 'relevance', source: { source_type: 'LLM_JUDGE', source_id: 'gpt' }, feedback: { value: 0.5 }, metadata: { a: '1' } } })).json.assessment;
      expect(a).toMatchObject({ assessment_name: 'relevance', trace_id: id, feedback: { value: 0.5 }, source: { source_type: 'LLM_JUDGE', source_id: 'gpt' }, valid: true });
      const upd = await call('PATCH', `${V3}/traces/${id}/assessments/${a.assessment_id}`, { assessment: { feedback: { value: 0.9 }, rationale: 'better', metadata: { b: '2' } }, update_mask: 'feedback,rationale,metadata' });
      expect(upd.json.assessment).toMatchObject({ feedback: { value: 0.9 }, rationale: 'better', metadata: { a: '1', b: '2' } });
      const wrong = await call('PATCH', `${V3}/traces/${id}/assessments/${a.assessment_id}`, { assessment: { expectation: { value: 1 } }, update_mask: 'expectation' });
      expect([wrong.status, wrong.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const o = (await call('POST', `${V3}/traces/${id}/assessments`, { assessment: { assessment_name: 'relevance', source: { source_type: 'HUMAN', source_id: 'ada' }, feedback: { value: 0.1 }, overrides: a.assessment_id } })).json.assessment;
      expect((await call('GET', `${V3}/traces/${id}/assessments/${a.assessment_id}`)).json.assessment.valid).toBe(false);
      expect((await call('GET', `${V3}/traces/${id}`)).json.trace.trace_info.assessments).toHaveLength(2);
      expect((await call('DELETE', `${V3}/traces/${id}/assessments/${o.assessment_id}`)).status).toBe(200);
      expect((await call('GET', `${V3}/traces/${id}/assessments/${a.assessment_id}`)).json.assessment.valid).toBe(true);
      const missing = await call('GET', `${V3}/traces/${id}/assessments/a-nope`);
      expect([missing.status, missing.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    });

    it('serves MLflow 2.17 traces: start, end, info, search, delete by age', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'rest v2' })).json.experiment_id;
      const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));
      const s = (await call('POST', 'traces', { experiment_id: exp, timestamp_ms: 1000, request_metadata: kv({ m: '1' }), tags: kv({ t: 'a' }) })).json.trace_info;
      expect(s).toMatchObject({ experiment_id: exp, timestamp_ms: 1000, status: 'IN_PROGRESS' });
      const e = (await call('PATCH', `traces/${s.request_id}`, { request_id: s.request_id, timestamp_ms: 1500, status: 'OK', tags: kv({ t2: 'b' }) })).json.trace_info;
      expect(e).toMatchObject({ execution_time_ms: 500, status: 'OK' });
      expect((await call('GET', `traces/${s.request_id}/info`)).json.trace_info).toEqual(e);
      const page = await call('GET', 'traces', { experiment_ids: [exp], filter: "status = 'OK'", max_results: 1 });
      expect(page.json.traces.map((x: any) => x.request_id)).toEqual([s.request_id]);
      expect((await call('POST', 'traces/delete-traces', { experiment_id: exp, max_timestamp_millis: 2000, max_traces: 5 })).json).toEqual({ traces_deleted: 1 });
    });

    it('answers OTLP with 501, so the client falls back to traces.json', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'rest otlp' })).json.experiment_id;
      const t = buildOtlpTrace([{ name: 'x', startMs: T0, endMs: T0 + 1 }]);
      const r = await app.request('/v1/traces', { method: 'POST', body: t.body as BodyInit, headers: { 'Content-Type': 'application/x-protobuf', 'X-MLflow-Experiment-Id': exp } });
      expect(r.status).toBe(501);
      expect((await r.json()).message).toBe('REST OTLP span logging is not supported by RestStore');
    });
  });
}
