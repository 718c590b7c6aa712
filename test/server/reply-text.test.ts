/**
 * The exact text of the large replies (metric history, a page of runs) for values whose JSON is
 * easy to get wrong: NaN and ±Infinity (protobuf's strings), -0, large integers, non-ASCII and
 * control characters, empty lists and unset fields (left out). Pinned as fixed strings, so that any
 * faster way of reading the rows or writing the reply must give the same bytes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiCaller, makeServer, STORE_KINDS, type TestServer } from './helpers.js';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable } from '../support/databases.js';

const T = 1_700_000_000_123;

describe.each(STORE_KINDS)('reply text on the %s store', (kind) => {
  let s: TestServer;
  afterEach(() => s?.close());

  /** The reply's body as sent, not parsed. */
  async function text(method: string, route: string, body: Record<string, unknown>): Promise<string> {
    const url = `/api/2.0/mlflow/${route}` + (method === 'GET' ? `?${new URLSearchParams(body as Record<string, string>)}` : '');
    const init: RequestInit = method === 'GET' ? { method } : { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
    const res = await s.app.request(url, init);
    expect(res.status).toBe(200);
    return res.text();
  }

  async function setup() {
    s = await makeServer(kind);
    const exp = (await s.call('POST', 'experiments/create', { name: 'tricky' })).json.experiment_id as string;
    const create = async (name: string) => (await s.call('POST', 'runs/create', { experiment_id: exp, start_time: T, user_id: 'ü', run_name: name })).json.run.info;
    return { exp, create };
  }

  it('writes a history with NaN, ±Infinity, -0, large and tiny numbers and a non-ASCII key exactly', async () => {
    const { create } = await setup();
    const run = await create('h');
    const key = 'λoss ü/x';
    const values = ['NaN', 'Infinity', '-Infinity', -0, 1.5e300, 1e-7, 0.1, -42];
    const metrics = values.map((value, i) => ({ key, value, timestamp: T + i, step: 2 ** 40 + i }));
    expect((await s.call('POST', 'runs/log-batch', { run_id: run.run_id, metrics })).status).toBe(200);
    const got = await text('GET', 'metrics/get-history', { run_id: run.run_id, metric_key: key });
    const k = '"λoss ü/x"';
    const v = ['"NaN"', '"Infinity"', '"-Infinity"', '0', '1.5e+300', '1e-7', '0.1', '-42'];
    const expected = `{"metrics":[${v.map((x, i) => `{"key":${k},"value":${x},"timestamp":${T + i},"step":${2 ** 40 + i}}`).join(',')}]}`;
    expect(got).toBe(expected);
    // A key with no points: an empty reply, as MLflow's (proto3 leaves the empty list out).
    expect(await text('GET', 'metrics/get-history', { run_id: run.run_id, metric_key: 'none' })).toBe('{}');
  });

  it('writes a page of runs with unset fields left out and escaped text exactly', async () => {
    const { exp, create } = await setup();
    const bare = await create('bare');
    const full = await create('full');
    await s.call('POST', 'runs/log-batch', {
      run_id: full.run_id,
      metrics: [
        { key: 'b', value: 'NaN', timestamp: T, step: 0 },
        { key: 'a', value: 'Infinity', timestamp: T, step: 3 },
      ],
      params: [{ key: 'p', value: 'é\n\u0001"' }, { key: 'e', value: '' }],
      tags: [{ key: 't', value: '🙂' }],
    });
    await s.call('POST', 'runs/update', { run_id: full.run_id, status: 'FINISHED', end_time: T + 5 });
    const got = await text('POST', 'runs/search', { experiment_ids: [exp], order_by: ['attributes.run_name DESC'] });
    const info = (r: { run_id: string; artifact_uri: string }, name: string, status: string, end: string) =>
      `{"run_uuid":"${r.run_id}","experiment_id":"${exp}","run_name":"${name}","user_id":"ü","status":"${status}","start_time":${T}${end},` +
      `"artifact_uri":${JSON.stringify(r.artifact_uri)},"lifecycle_stage":"active","run_id":"${r.run_id}"}`;
    const sysTags = (name: string) => `{"key":"mlflow.runName","value":"${name}"}`;
    const expected =
      '{"runs":[' +
      `{"info":${info(full, 'full', 'FINISHED', `,"end_time":${T + 5}`)},"data":{` +
      `"metrics":[{"key":"a","value":"Infinity","timestamp":${T},"step":3},{"key":"b","value":"NaN","timestamp":${T},"step":0}],` +
      `"params":[{"key":"e","value":""},{"key":"p","value":"é\\n\\u0001\\""}],` +
      `"tags":[${sysTags('full')},{"key":"t","value":"🙂"}]},"inputs":{}},` +
      `{"info":${info(bare, 'bare', 'RUNNING', '')},"data":{"tags":[${sysTags('bare')}]},"inputs":{}}` +
      ']}';
    expect(got).toBe(expected);
  });
});

describe('reply text of a history on PostgreSQL, written from the database text (getMetricHistoryJson)', () => {
  it('keeps the special values and the key exactly, numbers in the database spelling', async (ctx) => {
    if (await skipUnlessAvailable('postgresql')) return ctx.skip();
    const db = await createTestDatabase('postgresql');
    const store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
    try {
      const app = createApp({ store, logger: createLogger('none') });
      const call = apiCaller(app);
      const exp = (await call('POST', 'experiments/create', { name: 'tricky' })).json.experiment_id as string;
      const run = (await call('POST', 'runs/create', { experiment_id: exp, start_time: T })).json.run.info.run_id as string;
      const key = 'λoss ü/x';
      const values = ['NaN', 'Infinity', '-Infinity', -0, 1.5e300, 1e-7, 0.1, -42];
      const metrics = values.map((value, i) => ({ key, value, timestamp: T + i, step: 2 ** 40 + i }));
      expect((await call('POST', 'runs/log-batch', { run_id: run, metrics })).status).toBe(200);
      const res = await app.request(`/api/2.0/mlflow/metrics/get-history?${new URLSearchParams({ run_id: run, metric_key: key })}`);
      const v = ['"NaN"', '"Infinity"', '"-Infinity"', '0', '1.5e+300', '1e-07', '0.1', '-42'];
      // 1e-07 is PostgreSQL's spelling (and Python's, so MLflow's), where JSON.stringify writes 1e-7.
      expect(await res.text()).toBe(`{"metrics":[${v.map((x, i) => `{"key":"λoss ü/x","value":${x},"timestamp":${T + i},"step":${2 ** 40 + i}}`).join(',')}]}`);
      const none = await app.request(`/api/2.0/mlflow/metrics/get-history?${new URLSearchParams({ run_id: run, metric_key: 'none' })}`);
      expect(await none.text()).toBe('{}');
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
