/**
 * Every tracking endpoint of the REST API 2.0 through `app.request()`, on a file store and on SQLite:
 * MLflow's methods, request fields and response JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, STORE_KINDS, type TestServer } from './helpers.js';

for (const kind of STORE_KINDS) {
  describe(`REST API 2.0 on a ${kind} store`, () => {
    let s: TestServer;
    let expId: string;
    let runId: string;

    beforeAll(async () => {
      s = await makeServer(kind);
    });
    afterAll(async () => s?.close());

    it('creates an experiment and answers its id as a string', async () => {
      const r = await s.call('POST', 'experiments/create', { name: 'exp-a', tags: [{ key: 't', value: 'v' }] });
      expect(r.status).toBe(200);
      expect(r.res.headers.get('content-type')).toBe('application/json');
      expect(typeof r.json.experiment_id).toBe('string');
      expId = r.json.experiment_id;
    });

    it('gives new experiments an mlflow-artifacts:/ root', async () => {
      const r = await s.call('GET', 'experiments/get', { experiment_id: expId });
      expect(r.json.experiment).toMatchObject({
        experiment_id: expId,
        name: 'exp-a',
        artifact_location: `mlflow-artifacts:/${expId}`,
        lifecycle_stage: 'active',
        tags: [{ key: 't', value: 'v' }],
      });
      expect(typeof r.json.experiment.creation_time).toBe('number');
    });

    it('gets an experiment by name, and 404s a missing one with MLflow message', async () => {
      expect((await s.call('GET', 'experiments/get-by-name', { experiment_name: 'exp-a' })).json.experiment.experiment_id).toBe(expId);
      const miss = await s.call('GET', 'experiments/get-by-name', { experiment_name: 'nope' });
      expect(miss.status).toBe(404);
      expect(miss.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'nope'" });
    });

    it('searches experiments by POST and by GET with the same answer', async () => {
      const post = await s.call('POST', 'experiments/search', { max_results: 10, filter: "name = 'exp-a'" });
      const get = await s.call('GET', 'experiments/search', { max_results: 10, filter: "name = 'exp-a'" });
      expect(post.json.experiments.map((e: any) => e.name)).toEqual(['exp-a']);
      expect(get.json).toEqual(post.json);
    });

    it('pages experiment search with next_page_token', async () => {
      await s.call('POST', 'experiments/create', { name: 'exp-b' });
      const p1 = await s.call('POST', 'experiments/search', { max_results: 1, view_type: 'ALL' });
      expect(p1.json.experiments).toHaveLength(1);
      expect(typeof p1.json.next_page_token).toBe('string');
      const p2 = await s.call('POST', 'experiments/search', { max_results: 1, page_token: p1.json.next_page_token });
      expect(p2.json.experiments[0].experiment_id).not.toBe(p1.json.experiments[0].experiment_id);
    });

    it('lists every experiment through the 1.x experiments/list and the preview prefix', async () => {
      const r = await s.call('GET', '/api/2.0/preview/mlflow/experiments/list', { view_type: 'ALL' });
      expect(r.status).toBe(200);
      expect(r.json.experiments.map((e: any) => e.name).sort()).toEqual(['Default', 'exp-a', 'exp-b']);
    });

    it('answers the same under /ajax-api/2.0/mlflow', async () => {
      const r = await s.call('GET', '/ajax-api/2.0/mlflow/experiments/get', { experiment_id: expId });
      expect(r.json.experiment.name).toBe('exp-a');
    });

    it('renames, tags, untags, deletes and restores an experiment', async () => {
      expect((await s.call('POST', 'experiments/update', { experiment_id: expId, new_name: 'exp-a2' })).json).toEqual({});
      expect((await s.call('POST', 'experiments/set-experiment-tag', { experiment_id: expId, key: 'k', value: '1' })).json).toEqual({});
      let e = (await s.call('GET', 'experiments/get', { experiment_id: expId })).json.experiment;
      expect(e.name).toBe('exp-a2');
      expect(e.tags).toContainEqual({ key: 'k', value: '1' });
      expect((await s.call('POST', 'experiments/delete-experiment-tag', { experiment_id: expId, key: 'k' })).status).toBe(200);
      e = (await s.call('GET', 'experiments/get', { experiment_id: expId })).json.experiment;
      expect(e.tags ?? []).not.toContainEqual({ key: 'k', value: '1' });
      await s.call('POST', 'experiments/delete', { experiment_id: expId });
      expect((await s.call('GET', 'experiments/get', { experiment_id: expId })).json.experiment.lifecycle_stage).toBe('deleted');
      await s.call('POST', 'experiments/restore', { experiment_id: expId });
      expect((await s.call('GET', 'experiments/get', { experiment_id: expId })).json.experiment.lifecycle_stage).toBe('active');
    });

    it('creates a run with MLflow run JSON (run_id and run_uuid, enums as names)', async () => {
      const r = await s.call('POST', 'runs/create', {
        experiment_id: expId,
        user_id: 'alice',
        start_time: 1700000000000,
        run_name: 'r1',
        tags: [{ key: 'team', value: 'ml' }],
      });
      expect(r.status).toBe(200);
      const info = r.json.run.info;
      runId = info.run_id;
      expect(info).toMatchObject({
        run_uuid: runId,
        experiment_id: expId,
        run_name: 'r1',
        user_id: 'alice',
        status: 'RUNNING',
        start_time: 1700000000000,
        artifact_uri: `mlflow-artifacts:/${expId}/${runId}/artifacts`,
        lifecycle_stage: 'active',
      });
      expect(r.json.run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'r1' });
    });

    it('logs a metric, a param, tags and a batch, and reads them back with get', async () => {
      await s.call('POST', 'runs/log-metric', { run_id: runId, key: 'm', value: 1.5, timestamp: 10, step: 1 });
      await s.call('POST', 'runs/log-metric', { run_uuid: runId, key: 'nan', value: 'NaN', timestamp: 10 });
      await s.call('POST', 'runs/log-parameter', { run_id: runId, key: 'p', value: 'v' });
      await s.call('POST', 'runs/set-tag', { run_id: runId, key: 'x', value: 'y' });
      const b = await s.call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: [
          { key: 'm', value: 2.5, timestamp: 20, step: 2 },
          { key: 'inf', value: 'Infinity', timestamp: 20, step: 0 },
        ],
        params: [{ key: 'q', value: 'w' }],
        tags: [{ key: 'z', value: 'zz' }],
      });
      expect(b).toMatchObject({ status: 200, json: {} });
      const run = (await s.call('GET', 'runs/get', { run_id: runId })).json.run;
      expect(run.data.metrics).toContainEqual({ key: 'm', value: 2.5, timestamp: 20, step: 2 });
      expect(run.data.metrics).toContainEqual({ key: 'nan', value: 'NaN', timestamp: 10, step: 0 });
      expect(run.data.metrics).toContainEqual({ key: 'inf', value: 'Infinity', timestamp: 20, step: 0 });
      expect(run.data.params).toEqual([
        { key: 'p', value: 'v' },
        { key: 'q', value: 'w' },
      ]);
      expect(run.data.tags).toContainEqual({ key: 'x', value: 'y' });
      expect(run.data.tags).toContainEqual({ key: 'z', value: 'zz' });
    });

    it('reads a run by run_uuid as older clients send it', async () => {
      const r = await s.call('GET', 'runs/get', { run_uuid: runId });
      expect(r.json.run.info.run_id).toBe(runId);
    });

    it('deletes a tag', async () => {
      await s.call('POST', 'runs/delete-tag', { run_id: runId, key: 'x' });
      const run = (await s.call('GET', 'runs/get', { run_id: runId })).json.run;
      expect(run.data.tags.find((t: any) => t.key === 'x')).toBeUndefined();
    });

    it('returns the whole metric history in (step, timestamp) order', async () => {
      const r = await s.call('GET', 'metrics/get-history', { run_id: runId, metric_key: 'm' });
      expect(r.json.metrics).toEqual([
        { key: 'm', value: 1.5, timestamp: 10, step: 1 },
        { key: 'm', value: 2.5, timestamp: 20, step: 2 },
      ]);
    });

    it('samples history across runs with get-history-bulk-interval', async () => {
      const r = await s.call('GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'm', max_results: 10 });
      expect(r.status).toBe(200);
      expect(r.json.metrics).toEqual([
        { key: 'm', value: 1.5, timestamp: 10, step: 1, run_id: runId },
        { key: 'm', value: 2.5, timestamp: 20, step: 2, run_id: runId },
      ]);
      const ranged = await s.call('GET', 'metrics/get-history-bulk-interval', {
        run_ids: [runId],
        metric_key: 'm',
        start_step: 2,
        end_step: 5,
      });
      expect(ranged.json.metrics.map((m: any) => m.step)).toEqual([2]);
    });

    it('logs a model into the mlflow.log-model.history tag', async () => {
      const model = { artifact_path: 'model', flavors: { python_function: {} }, utc_time_created: '2024-01-01 00:00:00.000000', run_id: runId };
      const r = await s.call('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify(model) });
      expect(r.status).toBe(200);
      const run = (await s.call('GET', 'runs/get', { run_id: runId })).json.run;
      const hist = run.data.tags.find((t: any) => t.key === 'mlflow.log-model.history');
      expect(JSON.parse(hist.value)[0]).toMatchObject({ artifact_path: 'model' });
    });

    it('logs dataset inputs and shows them in the run', async () => {
      const r = await s.call('POST', 'runs/log-inputs', {
        run_id: runId,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'train' }],
            dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{"uri": "/x"}', schema: '{}' },
          },
        ],
      });
      expect(r.status).toBe(200);
      const run = (await s.call('GET', 'runs/get', { run_id: runId })).json.run;
      expect(run.inputs.dataset_inputs[0]).toMatchObject({
        tags: [{ key: 'mlflow.data.context', value: 'train' }],
        dataset: { name: 'd', digest: 'abc', source_type: 'local', source: '{"uri": "/x"}', schema: '{}' },
      });
    });

    it('updates a run: status by name, end time, name', async () => {
      const r = await s.call('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: 1700000001000, run_name: 'r1b' });
      expect(r.json.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 1700000001000, run_name: 'r1b' });
    });

    it('searches runs with filter, order and paging', async () => {
      const r2 = (await s.call('POST', 'runs/create', { experiment_id: expId, start_time: 1700000005000, run_name: 'r2' })).json.run.info.run_id;
      const all = await s.call('POST', 'runs/search', { experiment_ids: [expId], order_by: ['attributes.start_time DESC'] });
      expect(all.json.runs.map((r: any) => r.info.run_id)).toEqual([r2, runId]);
      const filtered = await s.call('POST', 'runs/search', { experiment_ids: [expId], filter: "params.p = 'v'" });
      expect(filtered.json.runs.map((r: any) => r.info.run_id)).toEqual([runId]);
      const p1 = await s.call('POST', 'runs/search', { experiment_ids: [expId], max_results: 1 });
      expect(p1.json.runs).toHaveLength(1);
      const p2 = await s.call('POST', 'runs/search', { experiment_ids: [expId], max_results: 1, page_token: p1.json.next_page_token });
      expect(p2.json.runs[0].info.run_id).not.toBe(p1.json.runs[0].info.run_id);
      const none = await s.call('POST', 'runs/search', { experiment_ids: [expId], filter: "params.p = 'nothing'" });
      expect(none.json).toEqual({});
    });

    it('deletes and restores a run', async () => {
      await s.call('POST', 'runs/delete', { run_id: runId });
      expect((await s.call('GET', 'runs/get', { run_id: runId })).json.run.info.lifecycle_stage).toBe('deleted');
      const active = await s.call('POST', 'runs/search', { experiment_ids: [expId], run_view_type: 'ACTIVE_ONLY' });
      expect(active.json.runs.map((r: any) => r.info.run_id)).not.toContain(runId);
      await s.call('POST', 'runs/restore', { run_id: runId });
      expect((await s.call('GET', 'runs/get', { run_id: runId })).json.run.info.lifecycle_stage).toBe('active');
    });

    it('lists run artifacts from the artifacts destination with root_uri', async () => {
      const put = await s.app.request(`/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/dir/a.txt`, { method: 'PUT', body: 'hello' });
      expect(put.status).toBe(200);
      await s.app.request(`/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/b.bin`, { method: 'PUT', body: 'xyz' });
      const top = await s.call('GET', 'artifacts/list', { run_id: runId });
      expect(top.json).toEqual({
        root_uri: `mlflow-artifacts:/${expId}/${runId}/artifacts`,
        files: [
          { path: 'b.bin', is_dir: false, file_size: 3 },
          { path: 'dir', is_dir: true },
        ],
      });
      const sub = await s.call('GET', 'artifacts/list', { run_id: runId, path: 'dir' });
      expect(sub.json.files).toEqual([{ path: 'dir/a.txt', is_dir: false, file_size: 5 }]);
    });
  });
}
