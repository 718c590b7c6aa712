/**
 * MLflow 2.17's v2 trace REST API, request by request, on the file store and every SQL dialect
 * reachable here: the flows of MLflow's own REST tests (test_start_and_end_trace,
 * test_set_and_delete_trace_tag, test_search_traces, test_delete_traces) plus the handler and store
 * errors, each store with MLflow's own wording for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { apiCaller } from '../server/helpers.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';

type Call = ReturnType<typeof apiCaller>;
const kv = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));
const asMap = (l?: { key: string; value: string }[]) => Object.fromEntries((l ?? []).map((e) => [e.key, e.value]));
const userTags = (l?: { key: string; value: string }[]) => Object.fromEntries(Object.entries(asMap(l)).filter(([k]) => !k.startsWith('mlflow.')));

interface Target {
  name: string;
  kind: 'file' | 'sql';
  open(): Promise<{ store: TrackingStore; cleanup(): Promise<void> }>;
}
const targets: Target[] = [
  {
    name: 'the file store',
    kind: 'file',
    open: async () => {
      const dir = tempDir('mlf-traces-file-');
      const store = await openTrackingStore(path.join(dir, 'mlruns'), { artifactRoot: 'mlflow-artifacts:/' });
      return { store, cleanup: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    },
  },
  ...testDialects().map(
    (dialect): Target => ({
      name: dialect,
      kind: 'sql',
      open: async () => {
        const db = await createTestDatabase(dialect);
        const store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
        return { store, cleanup: async () => (await store.close(), await db.drop()) };
      },
    }),
  ),
];

for (const target of targets) {
  describe(`v2 trace API on ${target.name}`, async () => {
    const skip = target.kind === 'sql' && (await skipUnlessAvailable(target.name as Parameters<typeof skipUnlessAvailable>[0]));
    const file = target.kind === 'file';
    let opened: Awaited<ReturnType<Target['open']>> | undefined;
    let call: Call;
    beforeAll(async () => {
      if (skip) return;
      opened = await target.open();
      call = apiCaller(createApp({ store: opened.store, artifactsDestination: tempDir('mlf-traces-art-'), logger: createLogger('none') }));
    });
    afterAll(async () => {
      await opened?.cleanup();
    });
    const newExperiment = async (name: string) => (await call('POST', 'experiments/create', { name })).json.experiment_id as string;
    const start = async (experiment_id: string, timestamp_ms: number, tags: Record<string, string> = {}, meta: Record<string, string> = {}) => {
      const r = await call('POST', 'traces', { experiment_id, timestamp_ms, request_metadata: kv(meta), tags: kv(tags) });
      expect(r.status).toBe(200);
      return r.json.trace_info;
    };

    it.skipIf(skip)('starts, ends and reads a trace (test_start_and_end_trace)', async () => {
      const exp = await newExperiment('start end trace');
      const info = await start(exp, 1000, { tag1: 'football', tag2: 'basketball' }, { meta1: 'apple', meta2: 'grape' });
      expect(info.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(info).toMatchObject({ experiment_id: exp, timestamp_ms: 1000, status: 'IN_PROGRESS' });
      expect(info.execution_time_ms).toBe(0); // MLflow's to_proto writes 0 while the trace is in progress
      expect(asMap(info.request_metadata)).toEqual({ meta1: 'apple', meta2: 'grape' });
      expect(userTags(info.tags)).toEqual({ tag1: 'football', tag2: 'basketball' });
      expect(asMap(info.tags)['mlflow.artifactLocation']).toBe(`mlflow-artifacts:/${exp}/traces/${info.request_id}/artifacts`);

      const end = await call('PATCH', `traces/${info.request_id}`, {
        timestamp_ms: 3000,
        status: 'OK',
        request_metadata: kv({ meta1: 'orange', meta3: 'banana' }),
        tags: kv({ tag1: 'soccer', tag3: 'tennis' }),
      });
      expect(end.status).toBe(200);
      const ended = end.json.trace_info;
      expect(ended).toMatchObject({ request_id: info.request_id, experiment_id: exp, timestamp_ms: 1000, execution_time_ms: 2000, status: 'OK' });
      expect(asMap(ended.request_metadata)).toEqual({ meta1: 'orange', meta2: 'grape', meta3: 'banana' });
      expect(userTags(ended.tags)).toEqual({ tag1: 'soccer', tag2: 'basketball', tag3: 'tennis' });

      const got = await call('GET', `traces/${info.request_id}/info`);
      expect(got.status).toBe(200);
      expect({ ...got.json.trace_info, tags: asMap(got.json.trace_info.tags), request_metadata: asMap(got.json.trace_info.request_metadata) }).toEqual({
        ...ended,
        tags: asMap(ended.tags),
        request_metadata: asMap(ended.request_metadata),
      });
      // The /ajax-api form answers the same.
      expect((await call('GET', `/ajax-api/2.0/mlflow/traces/${info.request_id}/info`)).json).toEqual(got.json);
    });

    it.skipIf(skip)('sets and deletes trace tags (test_set_and_delete_trace_tag)', async () => {
      const exp = await newExperiment('set delete tag');
      const info = await start(exp, 1000, { tag1: 'red', tag2: 'blue' });
      expect((await call('PATCH', `traces/${info.request_id}/tags`, { key: 'tag1', value: 'green' })).status).toBe(200);
      expect(asMap((await call('GET', `traces/${info.request_id}/info`)).json.trace_info.tags).tag1).toBe('green');
      expect((await call('DELETE', `traces/${info.request_id}/tags`, { key: 'tag2' })).status).toBe(200);
      expect(asMap((await call('GET', `traces/${info.request_id}/info`)).json.trace_info.tags)).not.toHaveProperty('tag2');

      const again = await call('DELETE', `traces/${info.request_id}/tags`, { key: 'tag2' });
      expect(again.status).toBe(404);
      expect(again.json).toEqual({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: file
          ? `No tag with name: tag2 in trace with request_id ${info.request_id}.`
          : `No trace tag with key 'tag2' for trace with request_id '${info.request_id}'`,
      });
      const noKey = await call('PATCH', `traces/${info.request_id}/tags`, { value: 'x' });
      expect([noKey.status, noKey.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const unknown = await call('PATCH', 'traces/0123456789abcdef0123456789abcdef/tags', { key: 'k', value: 'v' });
      expect([unknown.status, unknown.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    });

    it.skipIf(skip)('searches with filters, order and page tokens (test_search_traces)', async () => {
      const exp = await newExperiment('search traces');
      const ids: string[] = [];
      for (const [i, [name, status]] of [['trace1', 'OK'], ['trace2', 'OK'], ['trace3', 'ERROR']].entries()) {
        const info = await start(exp, 1000 + i, { 'mlflow.traceName': name! }, { 'mlflow.sourceRun': `run${i}` });
        await call('PATCH', `traces/${info.request_id}`, { timestamp_ms: 1100 + 10 * i, status });
        ids.push(info.request_id);
      }
      const search = async (q: Record<string, unknown>) => {
        const r = await call('GET', 'traces', { experiment_ids: [exp], ...q });
        expect(r.status).toBe(200);
        return { ids: (r.json.traces ?? []).map((t: any) => t.request_id), token: r.json.next_page_token };
      };
      expect(await search({})).toEqual({ ids: [ids[2], ids[1], ids[0]], token: undefined });
      expect(await search({ filter: "status = 'OK'", order_by: ['timestamp ASC'] })).toEqual({ ids: [ids[0], ids[1]], token: undefined });
      const first = await search({ max_results: 2 });
      expect(first.ids).toEqual([ids[2], ids[1]]);
      expect(first.token).toBeTruthy();
      expect(await search({ page_token: first.token })).toEqual({ ids: [ids[0]], token: undefined });

      expect((await search({ filter: "name = 'trace2'" })).ids).toEqual([ids[1]]);
      expect((await search({ filter: "tags.`mlflow.traceName` != 'trace2'" })).ids).toEqual([ids[2], ids[0]]);
      expect((await search({ filter: "run_id = 'run0'" })).ids).toEqual([ids[0]]);
      expect((await search({ filter: 'execution_time_ms > 105' })).ids).toEqual([ids[2], ids[1]]);
      expect((await search({ filter: "status IN ('ERROR')" })).ids).toEqual([ids[2]]);
      expect((await search({ filter: "request_metadata.`mlflow.sourceRun` = 'run1'" })).ids).toEqual([ids[1]]);
      expect((await search({ order_by: ['execution_time_ms ASC'] })).ids).toEqual([ids[0], ids[1], ids[2]]);
      expect((await search({ order_by: ['name DESC'] })).ids).toEqual([ids[2], ids[1], ids[0]]);

      for (const bad of [{ filter: "tags.x LIKE 'a%'" }, { filter: "foo = 'x'" }, { filter: "timestamp = 'x'" }, { max_results: 501 }, { order_by: ['bogus DESC'] }]) {
        const r = await call('GET', 'traces', { experiment_ids: [exp], ...bad });
        expect([r.status, r.json.error_code], JSON.stringify(bad)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      const noExp = await call('GET', 'traces', {});
      expect([noExp.status, noExp.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    });

    it.skipIf(skip)('deletes by age and count or by ids (test_delete_traces)', async () => {
      const exp = await newExperiment('delete traces');
      const exists = async (id: string) => (await call('GET', `traces/${id}/info`)).status === 200;
      const a = await start(exp, 100, { t: 'x' }, { m: 'y' });
      const b = await start(exp, 200);
      let r = await call('POST', 'traces/delete-traces', { experiment_id: exp, max_timestamp_millis: 1e15 });
      expect(r.json).toEqual({ traces_deleted: 2 });
      expect(await exists(a.request_id)).toBe(false);
      expect(await exists(b.request_id)).toBe(false);

      const c = await start(exp, 100);
      const d = await start(exp, 200);
      r = await call('POST', 'traces/delete-traces', { experiment_id: exp, max_timestamp_millis: 1e15, max_traces: 1 });
      expect(r.json).toEqual({ traces_deleted: 1 });
      expect([await exists(c.request_id), await exists(d.request_id)]).toEqual([false, true]); // oldest first

      const e = await start(exp, 300);
      r = await call('POST', 'traces/delete-traces', { experiment_id: exp, request_ids: [e.request_id] });
      expect(r.json).toEqual({ traces_deleted: 1 });
      expect([await exists(e.request_id), await exists(d.request_id)]).toEqual([false, true]);

      for (const bad of [
        { experiment_id: exp },
        { experiment_id: exp, max_timestamp_millis: 5, request_ids: [d.request_id] },
        { experiment_id: exp, request_ids: [d.request_id], max_traces: 1 },
        { experiment_id: exp, max_timestamp_millis: 5, max_traces: 0 },
        { max_timestamp_millis: 5 },
      ]) {
        const res = await call('POST', 'traces/delete-traces', bad);
        expect([res.status, res.json.error_code], JSON.stringify(bad)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      expect(await exists(d.request_id)).toBe(true); // refused requests changed nothing
    });

    it.skipIf(skip)('answers MLflow errors for unknown traces and experiments', async () => {
      const missing = await call('GET', 'traces/ffffffffffffffffffffffffffffffff/info');
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: file ? "Trace with request ID 'ffffffffffffffffffffffffffffffff' not found" : "Trace with request_id 'ffffffffffffffffffffffffffffffff' not found.",
      });
      const end = await call('PATCH', 'traces/ffffffffffffffffffffffffffffffff', { timestamp_ms: 5, status: 'OK' });
      expect([end.status, end.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      const noExp = await call('POST', 'traces', { experiment_id: '987654', timestamp_ms: 1 });
      expect([noExp.status, noExp.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      if (file) expect(noExp.json.message).toBe('Experiment 987654 does not exist.');
      const exp = await newExperiment('deleted for traces');
      const kept = await start(exp, 5, { t: 'v' });
      await call('POST', 'experiments/delete', { experiment_id: exp });
      const inactive = await call('POST', 'traces', { experiment_id: exp, timestamp_ms: 1 });
      // MLflow's file store looks among active experiments only; its SQL store names the stage.
      expect([inactive.status, inactive.json.error_code]).toEqual(file ? [404, 'RESOURCE_DOES_NOT_EXIST'] : [400, 'INVALID_PARAMETER_VALUE']);
      if (file) expect(inactive.json.message).toBe(`Experiment ${exp} does not exist.`);
      // A deleted experiment's traces stay readable and searchable.
      expect((await call('GET', `traces/${kept.request_id}/info`)).json.trace_info.request_id).toBe(kept.request_id);
      expect((await call('GET', 'traces', { experiment_ids: [exp] })).json.traces.map((t: any) => t.request_id)).toEqual([kept.request_id]);
      // An unknown experiment: an error on the file store, no traces on the SQL store (as in MLflow).
      const unknownSearch = await call('GET', 'traces', { experiment_ids: ['987654'] });
      expect(unknownSearch.status).toBe(file ? 404 : 200);
      const unknownDelete = await call('POST', 'traces/delete-traces', { experiment_id: '987654', max_timestamp_millis: 5 });
      expect(unknownDelete.json).toEqual(file ? { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Experiment 987654 does not exist.' } : { traces_deleted: 0 });
      const badStatus = await call('PATCH', 'traces/ffffffffffffffffffffffffffffffff', { timestamp_ms: 5, status: 'DONE' });
      expect([badStatus.status, badStatus.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      // Literal segments are not request ids, and unknown sub-paths stay 404 ENDPOINT_NOT_FOUND.
      const unknownPath = await call('GET', 'traces/abc/spans');
      expect([unknownPath.status, unknownPath.json.error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    });
  });
}
