/**
 * Request by request, MLflow 2.17's answers (status, error_code, exact message, body shape) where mlf
 * used to differ, on the file store and SQLite. Expectations come from MLflow's handlers
 * (`_get_request_message`, `invalid_value`, `_create_run`, `_update_run`, `_log_inputs`) and
 * tests/tracking/test_rest_tracking.py; they are recorded here, no MLflow is needed to run them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, STORE_KINDS, type TestServer } from './helpers.js';

const DOCS = ' See the API docs for more information about request parameters.';

describe.each(STORE_KINDS)('MLflow parity (%s store)', (kind) => {
  let s: TestServer;
  let expId: string;

  beforeAll(async () => {
    s = await makeServer(kind);
    expId = (await s.call('POST', 'experiments/create', { name: 'parity' })).json.experiment_id;
  });
  afterAll(() => s.close());

  const postRaw = async (route: string, body: string) => {
    const res = await s.app.request(`/api/2.0/mlflow/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    return { status: res.status, json: JSON.parse(await res.text()) };
  };

  it('prints the offending value as Python json.dumps does: 9.0 stays a float, strings keep their quotes', async () => {
    expect(await postRaw('experiments/create', '{"name": "x", "artifact_location": 9.0}')).toEqual({
      status: 400,
      json: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Invalid value 9.0 for parameter 'artifact_location' supplied:  Hint: Value was of type 'float'.${DOCS}`,
      },
    });
    expect((await postRaw('experiments/create', '{"name": "x", "tags": "5"}')).json.message).toBe(
      `Invalid value "5" for parameter 'tags' supplied:  Hint: Value was of type 'str'.${DOCS}`,
    );
    expect((await postRaw('experiments/create', '{"name": 123}')).json.message).toBe(
      `Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'.${DOCS}`,
    );
  });

  it('answers a body that is not JSON with INVALID_PARAMETER_VALUE (400)', async () => {
    for (const body of ['{', 'not json', '[1, 2]']) {
      const r = await postRaw('runs/create', body);
      expect(r.status, body).toBe(400);
      expect(r.json.error_code, body).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('answers runs/create without `inputs`, as MLflow (runs/get has `inputs: {}`)', async () => {
    const r = await s.call('POST', 'runs/create', { experiment_id: expId });
    expect(Object.keys(r.json.run).sort()).toEqual(['data', 'info']);
    const g = await s.call('GET', 'runs/get', { run_id: r.json.run.info.run_id });
    expect(g.json.run.inputs).toEqual({});
  });

  it('leaves the status alone when runs/update names an unknown status; refuses a number outside the enum', async () => {
    const runId = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
    const u = await s.call('POST', 'runs/update', { run_id: runId, status: 'NOT_A_STATUS', end_time: 5 });
    expect(u.status).toBe(200);
    expect(u.json.run_info).toMatchObject({ status: 'RUNNING', end_time: 5 });
    const n = await s.call('POST', 'runs/update', { run_id: runId, status: 99 });
    expect(n.json).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Invalid value 99 for parameter 'status' supplied:  Hint: Value was of type 'int'.${DOCS}`,
    });
    expect((await s.call('POST', 'runs/update', { run_id: runId, status: 'FAILED' })).json.run_info.status).toBe('FAILED');
  });

  it('requires `datasets` in runs/log-inputs, where an empty list is there and logs nothing', async () => {
    const runId = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
    const r = await s.call('POST', 'runs/log-inputs', { run_id: runId });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `Missing value for required parameter 'datasets'.${DOCS}` });
    expect(await s.call('POST', 'runs/log-inputs', { run_id: runId, datasets: [] })).toMatchObject({ status: 200, json: {} });
    expect((await s.call('GET', 'runs/get', { run_id: runId })).json.run.inputs).toEqual({});
    const gone = await s.call('POST', 'runs/log-inputs', { run_id: '0123456789abcdef0123456789abcdef', datasets: [] });
    expect(gone.status).toBe(404);
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for run ids that do not exist, 32 hex characters or not', async () => {
    for (const id of ['abc', '0123456789abcdef0123456789abcdef', 'a'.repeat(40)]) {
      for (const [m, route, body] of [
        ['GET', 'runs/get', { run_id: id }],
        ['POST', 'runs/update', { run_id: id, status: 'FINISHED' }],
        ['POST', 'runs/log-metric', { run_id: id, key: 'k', value: 1, timestamp: 1 }],
      ] as const) {
        const r = await s.call(m, route, body);
        expect(r.status, `${route} ${id}`).toBe(404);
        expect(r.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${id} not found` });
      }
    }
  });

  it('searches active runs where runs/search\'s run_view_type is one MLflow\'s parser drops (unknown name or number, other types)', async () => {
    const live = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
    const gone = (await s.call('POST', 'runs/create', { experiment_id: expId })).json.run.info.run_id;
    await s.call('POST', 'runs/delete', { run_id: gone });
    const ids = async (view: unknown) => {
      const r = await s.call('POST', 'runs/search', { experiment_ids: [expId], run_view_type: view, max_results: 1000 });
      expect(r.status, JSON.stringify(view)).toBe(200);
      return ((r.json.runs ?? []) as { info: { run_id: string } }[]).map((x) => x.info.run_id);
    };
    for (const view of ['BOGUS', 'active_only', 9, '9', true, 1.5]) {
      const got = await ids(view);
      expect(got, JSON.stringify(view)).toContain(live);
      expect(got, JSON.stringify(view)).not.toContain(gone);
    }
    expect(await ids('DELETED_ONLY')).toEqual([gone]);
    expect(await ids(2)).toEqual([gone]);
    expect(await ids('ALL')).toEqual(expect.arrayContaining([live, gone]));
  });

  it('answers metrics/get-history of a run that does not exist with an empty 200, as MLflow\'s SQL store does', async () => {
    for (const id of ['abc', '0123456789abcdef0123456789abcdef']) {
      const r = await s.call('GET', 'metrics/get-history', { run_id: id, metric_key: 'k' });
      expect({ status: r.status, json: r.json }, id).toEqual({ status: 200, json: {} });
    }
  });

  if (kind === 'file') {
    it('answers registry calls on a file store with 501 NOT_IMPLEMENTED, which the Python client does not retry', async () => {
      const r = await s.call('POST', 'registered-models/create', { name: 'm' });
      expect(r.status).toBe(501);
      expect(r.json.error_code).toBe('NOT_IMPLEMENTED');
      expect(r.json.message).toContain('The Model Registry needs a database-backed store');
    });
  }
});
