/**
 * The endpoints MLflow's server adds for its web UI (`/get-artifact`, `/model-versions/get-artifact`,
 * `/ajax-api/2.0/mlflow/{metrics/get-history-bulk, experiments/search-datasets,
 * runs/create-promptlab-run, gateway-proxy, upload-artifact}`), on the file store and SQLite.
 * Expectations are MLflow 2.17's answers as its handlers and tests/tracking/test_rest_tracking.py give them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, STORE_KINDS, type TestServer } from './helpers.js';

const AJAX = '/ajax-api/2.0/mlflow';

describe.each(STORE_KINDS)('UI endpoints (%s store)', (kind) => {
  let s: TestServer;
  let expId: string;
  let runId: string;

  beforeAll(async () => {
    s = await makeServer(kind);
    expId = (await s.call('POST', 'experiments/create', { name: 'ajax' })).json.experiment_id;
    runId = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
  });
  afterAll(() => s.close());

  const invalidParam = (r: { status: number; json: any }, message: string) => {
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  };

  it('refuses unsafe paths with "Invalid path" on artifacts/list, get-artifact and model-versions/get-artifact', async () => {
    for (const route of ['artifacts/list', '/get-artifact']) {
      invalidParam(await s.call('GET', route, { run_id: runId, path: '../path' }), 'Invalid path');
    }
    // Flask merges the double slash MLflow's test sends; the path is checked before the registry is asked.
    invalidParam(await s.call('GET', '//model-versions/get-artifact', { name: 'model', version: 1, path: '../path' }), 'Invalid path');
  });

  it('uploads an artifact and serves it back with get-artifact', async () => {
    const up = await s.app.request(`${AJAX}/upload-artifact?run_uuid=${runId}&path=test.txt`, { method: 'POST', body: 'hello world' });
    expect(up.status).toBe(200);
    expect(await up.text()).toBe('');
    const get = await s.app.request(`/get-artifact?run_uuid=${runId}&path=test.txt`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-disposition')).toBe('attachment; filename=test.txt');
    expect(await get.text()).toBe('hello world');
    const list = await s.call('GET', 'artifacts/list', { run_id: runId });
    expect(list.json.files).toEqual([{ path: 'test.txt', is_dir: false, file_size: 11 }]);
  });

  it('refuses upload-artifact requests as MLflow does, in its order', async () => {
    const post = (q: string) => s.call('POST', `${AJAX}/upload-artifact?${q}`);
    invalidParam(await post(''), 'Request must specify run_uuid.');
    invalidParam(await post(`run_uuid=${runId}`), 'Request must specify path.');
    invalidParam(await post(`run_uuid=${runId}&path=`), 'Request must specify path.');
    invalidParam(await post(`run_uuid=${runId}&path=../test.txt`), 'Invalid path');
    invalidParam(await post(`run_uuid=${runId}&path=test.txt`), 'Request must specify data.');
  });

  it('answers metrics/get-history-bulk sorted by run, then timestamp, step and value, cut at max_results', async () => {
    const run2 = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
    const points = [
      { timestamp: 1, step: 3, value: 12 },
      { timestamp: 1, step: 2, value: 10 },
      { timestamp: 2, step: 3, value: 12 },
      { timestamp: 1, step: 3, value: 11 },
    ];
    for (const p of points) await s.call('POST', 'runs/log-metric', { run_id: runId, key: 'A', ...p });
    await s.call('POST', 'runs/log-metric', { run_id: run2, key: 'A', value: 5, timestamp: 0, step: 0 });
    const q = (extra: string) => s.call('GET', `${AJAX}/metrics/get-history-bulk?run_id=${runId}&run_id=${run2}&metric_key=A${extra}`);
    const all = await q('');
    const first = [runId, run2].sort()[0];
    const sorted = [
      { timestamp: 1, step: 2, value: 10 },
      { timestamp: 1, step: 3, value: 11 },
      { timestamp: 1, step: 3, value: 12 },
      { timestamp: 2, step: 3, value: 12 },
    ].map((p) => ({ key: 'A', ...p, run_id: runId }));
    const other = [{ key: 'A', value: 5, timestamp: 0, step: 0, run_id: run2 }];
    expect(all.json.metrics).toEqual(first === runId ? [...sorted, ...other] : [...other, ...sorted]);
    expect((await q('&max_results=2')).json.metrics).toHaveLength(2);
  });

  it('refuses metrics/get-history-bulk requests without run ids, with too many, or without a key', async () => {
    const get = (q: string) => s.call('GET', `${AJAX}/metrics/get-history-bulk?${q}`);
    invalidParam(await get('metric_key=key'), 'GetMetricHistoryBulk request must specify at least one run_id.');
    const many = Array.from({ length: 101 }, (_, i) => `run_id=id_${i}`).join('&');
    invalidParam(await get(`${many}&metric_key=key`), 'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.');
    invalidParam(await get('run_id=123'), 'GetMetricHistoryBulk request must specify a metric_key.');
  });

  it('summarises the datasets of experiments (experiments/search-datasets)', async () => {
    const e = (await s.call('POST', 'experiments/create', { name: 'datasets' })).json.experiment_id;
    const r = (await s.call('POST', 'runs/create', { experiment_id: e })).json.run.info.run_id;
    const dataset = { name: 'name1', digest: 'digest1', source_type: 'source_type1', source: 'source1' };
    expect((await s.call('POST', 'runs/log-inputs', { run_id: r, datasets: [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }] })).status).toBe(200);
    const found = await s.call('POST', `${AJAX}/experiments/search-datasets`, { experiment_ids: [e] });
    expect(found.status).toBe(200);
    expect(found.json).toEqual({ dataset_summaries: [{ experiment_id: e, name: 'name1', digest: 'digest1', context: 'training' }] });
    invalidParam(await s.call('POST', `${AJAX}/experiments/search-datasets`, {}), 'SearchDatasets request must specify at least one experiment_id.');
    invalidParam(await s.call('POST', `${AJAX}/experiments/search-datasets`, { experiment_ids: [] }), 'SearchDatasets request must specify at least one experiment_id.');
    invalidParam(
      await s.call('POST', `${AJAX}/experiments/search-datasets`, { experiment_ids: Array.from({ length: 1000 }, (_, i) => `id_${i}`) }),
      'SearchDatasets request cannot specify more than 20 experiment_ids. Received 1000 experiment_ids.',
    );
  });

  it('creates a finished prompt-engineering run (runs/create-promptlab-run)', async () => {
    const r = await s.call('POST', `${AJAX}/runs/create-promptlab-run`, {
      experiment_id: expId,
      run_name: 'my_run_name',
      prompt_template: 'my_prompt_template',
      prompt_parameters: [{ key: 'my_key', value: 'my_value' }],
      model_route: 'my_route',
      model_parameters: [{ key: 'temperature', value: '0.1' }],
      model_input: 'my_input',
      model_output: 'my_output',
      model_output_parameters: [{ key: 'latency', value: '100' }],
      mlflow_version: '1.0.0',
      user_id: 'username',
      start_time: 456,
    });
    expect(r.status).toBe(200);
    const run = r.json.run;
    expect(run.info).toMatchObject({ run_name: 'my_run_name', experiment_id: expId, user_id: 'username', status: 'FINISHED', start_time: 456 });
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'model_route', value: 'my_route' },
        { key: 'prompt_template', value: 'my_prompt_template' },
        { key: 'temperature', value: '0.1' },
      ]),
    );
    expect(run.data.tags).toEqual(
      expect.arrayContaining([
        { key: 'mlflow.loggedArtifacts', value: '[{"path": "eval_results_table.json", "type": "table"}]' },
        { key: 'mlflow.runSourceType', value: 'PROMPT_ENGINEERING' },
      ]),
    );
    const table = await s.app.request(`/get-artifact?run_id=${run.info.run_id}&path=eval_results_table.json`);
    expect(JSON.parse(await table.text())).toEqual({
      columns: ['my_key', 'prompt', 'output', 'latency'],
      data: [['my_value', 'my_input', 'my_output', '100']],
    });
  });

  it('names the first missing field of runs/create-promptlab-run', async () => {
    const steps: [Record<string, unknown>, string][] = [
      [{}, 'experiment_id'],
      [{ experiment_id: '123' }, 'prompt_template'],
      [{ prompt_template: 't' }, 'prompt_parameters'],
      [{ prompt_parameters: [{ key: 'k', value: 'v' }] }, 'model_route'],
      [{ model_route: 'r' }, 'model_input'],
      [{ model_input: 'i' }, 'mlflow_version'],
    ];
    let body: Record<string, unknown> = {};
    for (const [add, field] of steps) {
      body = { ...body, ...add };
      invalidParam(await s.call('POST', `${AJAX}/runs/create-promptlab-run`, body), `CreatePromptlabRun request must specify ${field}.`);
    }
  });

  it('answers gateway-proxy as an empty gateway when no deployments target is set', async () => {
    const saved = process.env.MLFLOW_DEPLOYMENTS_TARGET;
    delete process.env.MLFLOW_DEPLOYMENTS_TARGET;
    try {
      expect((await s.call('GET', `${AJAX}/gateway-proxy`)).json).toEqual({ endpoints: [] });
      expect((await s.call('POST', `${AJAX}/gateway-proxy`, {})).json).toEqual({ endpoints: [] });
      process.env.MLFLOW_DEPLOYMENTS_TARGET = 'http://127.0.0.1:9';
      invalidParam(await s.call('POST', `${AJAX}/gateway-proxy`, {}), 'Deployments proxy request must specify a gateway_path.');
    } finally {
      if (saved === undefined) delete process.env.MLFLOW_DEPLOYMENTS_TARGET;
      else process.env.MLFLOW_DEPLOYMENTS_TARGET = saved;
    }
  });

  it('serves the UI-only endpoints under /ajax-api only', async () => {
    const r = await s.call('GET', `/api/2.0/mlflow/metrics/get-history-bulk?run_id=${runId}&metric_key=A`);
    expect(r.status).toBe(404);
    expect(r.json.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
