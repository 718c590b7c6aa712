/**
 * Errors as MLflow sends them: `{"error_code","message"}`, MLflow's HTTP status per code, its
 * Content-Type rules and log-batch size limit; unknown paths, malformed bodies, registry answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServer, type TestServer } from './helpers.js';

const DOCS = ' See the API docs for more information about request parameters.';

describe('server errors', () => {
  let s: TestServer;
  let runId: string;

  beforeAll(async () => {
    s = await makeServer('file');
    runId = (await s.call('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).json.run.info.run_id;
  });
  afterAll(async () => s?.close());

  it('answers an unknown path with ENDPOINT_NOT_FOUND and 404', async () => {
    for (const p of ['/api/2.0/mlflow/nope', '/nope', '/api/2.0/mlflow']) {
      const r = await s.call('GET', p);
      expect(r.status).toBe(404);
      expect(r.json.error_code).toBe('ENDPOINT_NOT_FOUND');
      expect(r.res.headers.get('content-type')).toBe('application/json');
    }
  });

  it('refuses a known path with the wrong method (405, JSON)', async () => {
    const r = await s.call('GET', 'runs/create');
    expect(r.status).toBe(405);
    expect(r.json.error_code).toBe('BAD_REQUEST');
  });

  it('names a missing required field with MLflow message and 400', async () => {
    const r = await s.call('POST', 'experiments/create', {});
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `Missing value for required parameter 'name'.${DOCS}` });
    const g = await s.call('GET', 'runs/get', { other: 'x' });
    expect(g.json.message).toBe(`Missing value for required parameter 'run_id'.${DOCS}`);
  });

  it('refuses a field of the wrong type with MLflow hint', async () => {
    const r = await s.call('POST', 'experiments/create', { name: 123 });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(`Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'.${DOCS}`); // MLflow's invalid_value(param, value, ' Hint: ...'): colon, two spaces
    const m = await s.call('POST', 'runs/log-metric', { run_id: runId, key: 'k', value: 'abc', timestamp: 1 });
    expect(m.status).toBe(400);
    expect(m.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('requires Content-Type application/json on POST, with MLflow messages', async () => {
    const none = await s.app.request('/api/2.0/mlflow/experiments/create', { method: 'POST', body: new Blob(['{"name":"x"}']) });
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Bad Request. Content-Type header is missing.' });
    const wrong = await s.app.request('/api/2.0/mlflow/experiments/create', {
      method: 'POST',
      body: 'name=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).message).toBe("Bad Request. Content-Type must be one of ['application/json'].");
    const charset = await s.app.request('/api/2.0/mlflow/experiments/create', {
      method: 'POST',
      body: '{"name":"with-charset"}',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(charset.status).toBe(200);
  });

  it('accepts a double-encoded JSON body as older clients send it', async () => {
    const r = await s.app.request('/api/2.0/mlflow/experiments/create', {
      method: 'POST',
      body: JSON.stringify(JSON.stringify({ name: 'double' })),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(r.status).toBe(200);
  });

  it('answers malformed bodies with 400, never 500', async () => {
    const broken = ['{', 'not json', '[1,2]', '42'];
    const cases: [string, string[]][] = [
      ['runs/log-batch', [...broken, '{"run_id": {"a": 1}}', '{"run_id":"x","metrics":"no"}', '{"run_id":"x","metrics":[1]}', '{"run_id":"x","tags":[{"key":{}}]}']],
      ['runs/search', [...broken, '{"experiment_ids":"0"}', '{"max_results":"many"}', '{"order_by":[{}]}', '{"experiment_ids":["0"],"max_results":-1}']],
      ['experiments/create', [...broken, '{"name":["a"]}', '{"name":"n","tags":{}}']],
      ['runs/log-inputs', [...broken, '{"run_id":"x","datasets":[1]}', '{"run_id":"x","datasets":[{"dataset":"d"}]}']],
      ['runs/update', [...broken, '{"run_id":"x","status":"DONE"}', '{"run_id":"x","end_time":"soon"}']],
    ];
    for (const [route, bodies] of cases) {
      for (const body of bodies) {
        const r = await s.app.request(`/api/2.0/mlflow/${route}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
        expect(r.status, `${route} ${body}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${route} ${body}`).toBeLessThan(500);
        const j = await r.json();
        expect(typeof j.error_code).toBe('string');
      }
    }
  });

  it('maps store errors to MLflow status codes (missing run: 404 RESOURCE_DOES_NOT_EXIST)', async () => {
    const r = await s.call('GET', 'runs/get', { run_id: 'f'.repeat(32) });
    expect(r.status).toBe(404);
    expect(r.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const dup = await s.call('POST', 'experiments/create', { name: 'Default' });
    expect(dup.status).toBe(400);
    expect(dup.json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('refuses log-batch bodies over 1 MB with MLflow message', async () => {
    const body = JSON.stringify({ run_id: runId, params: [{ key: 'k', value: 'x'.repeat(1_000_001) }] });
    const r = await s.app.request('/api/2.0/mlflow/runs/log-batch', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Batched logging API requests must be at most 1000000 bytes, got a request of size ${Buffer.byteLength(body)}.`,
    });
  });

  it('names the missing field of a log-batch item by its index', async () => {
    const r = await s.call('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1, timestamp: 1 }, { key: 'b', value: 1 }] });
    expect(r.json.message).toBe(`Missing value for required parameter 'metrics[1].timestamp'.${DOCS}`);
  });

  it('validates get-history-bulk-interval arguments with MLflow messages', async () => {
    const many = await s.call('GET', 'metrics/get-history-bulk-interval', { run_ids: Array.from({ length: 101 }, (_, i) => `r${i}`), metric_key: 'm' });
    expect(many.json.message).toBe(`GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.${DOCS}`);
    const one = await s.call('GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'm', start_step: 1 });
    expect(one.json.message).toBe('If either start step or end step are specified, both must be specified.');
    const rev = await s.call('GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'm', start_step: 5, end_step: 1 });
    expect(rev.json.message).toBe('end_step must be greater than start_step. Found start_step=5 and end_step=1.');
    const mr = await s.call('GET', 'metrics/get-history-bulk-interval', { run_ids: [runId], metric_key: 'm', max_results: 2501 });
    expect(mr.json.message).toBe(`max_results must be between 1 and 2500.${DOCS}`);
  });

  it('refuses log-model JSON without the mandatory fields', async () => {
    const bad = await s.call('POST', 'runs/log-model', { run_id: runId, model_json: '{nope' });
    expect(bad.json.message).toBe('Malformed model info. \n {nope \n is not a valid JSON.');
    const partial = await s.call('POST', 'runs/log-model', { run_id: runId, model_json: '{"artifact_path":"m","run_id":"x"}' });
    expect(partial.json.message).toBe("Model json is missing mandatory fields: {'flavors', 'utc_time_created'}");
  });

  it('refuses artifact locations with traversal in the query string', async () => {
    const r = await s.call('POST', 'experiments/create', { name: 'q', artifact_location: 's3://b/p?x=%2e%2e/y' });
    expect(r.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid query string' });
    const f = await s.call('POST', 'experiments/create', { name: 'q', artifact_location: 's3://b/p#frag' });
    expect(f.json.message).toBe("'artifact_location' URL can't include fragments or params.");
  });

  it('answers Model Registry endpoints on a file store: the registry needs a database-backed store', async () => {
    const r = await s.call('POST', 'registered-models/create', { name: 'm' });
    expect(r.status).toBe(501);
    expect(r.json.error_code).toBe('NOT_IMPLEMENTED');
    expect(r.json.message).toContain('The Model Registry needs a database-backed store');
    const g = await s.call('GET', 'model-versions/get', { name: 'm', version: '1' });
    expect(g.json.error_code).toBe('NOT_IMPLEMENTED');
  });

  it('serves /health and /version', async () => {
    const h = await s.app.request('/health');
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('OK');
    // 3.4 or later: MLflow 3 clients then send spans over OTLP, which mlf serves.
    expect(await (await s.app.request('/version')).text()).toMatch(/^3\.([4-9]|\d{2,})\.\d+$/);
  });
});
