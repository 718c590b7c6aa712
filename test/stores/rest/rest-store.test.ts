/**
 * RestStore builds every request as MLflow's Python RestStore does (method, path, fields) and reads
 * the answers with the shared JSON converters; checked against a scripted server that records what
 * it receives. The full behaviour through a real `mlf server` is the contract suite
 * (test/contract/stores.test.ts, `http → sqlite` and `http → file`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RestStore } from '../../../src/stores/rest/rest-store.js';
import { tempDir } from '../../support/databases.js';
import { FAST, itSendsRequests, lastRequest, resetScript, scriptedServer, type RequestCase, type ScriptedServer } from './support.js';

let srv: ScriptedServer;
let store: RestStore;

const RUN_JSON = {
  info: { run_uuid: 'abc', experiment_id: '3', run_name: 'n', user_id: 'u', status: 'RUNNING', start_time: 5, artifact_uri: 'a', lifecycle_stage: 'active', run_id: 'abc' },
  data: { metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 2 }], params: [{ key: 'p', value: '1' }] },
  inputs: {},
};
const EXP_JSON = { experiment_id: '3', name: 'e', artifact_location: 'x/3', lifecycle_stage: 'active', last_update_time: 2, creation_time: 1 };

beforeAll(async () => {
  srv = await scriptedServer();
  store = RestStore.open({ kind: 'rest', baseUrl: srv.url, uri: srv.url }, { env: {}, home: tempDir('mlf-home-'), retry: FAST });
});
afterEach(() => {
  resetScript(srv);
});
afterAll(async () => {
  await store.close();
  await srv.close();
});

const last = () => lastRequest(srv);

describe('requests as MLflow\'s RestStore sends them', () => {
  const cases: RequestCase[] = [
    ['createExperiment', () => store.createExperiment({ name: 'e', artifactLocation: 's3://b', tags: [{ key: 'k', value: 'v' }] }), { experiment_id: '7' },
      { method: 'POST', path: '/experiments/create', json: { name: 'e', artifact_location: 's3://b', tags: [{ key: 'k', value: 'v' }] } }],
    ['getExperiment', () => store.getExperiment('3'), { experiment: EXP_JSON }, { method: 'GET', path: '/experiments/get', query: { experiment_id: ['3'] } }],
    ['getExperimentByName', () => store.getExperimentByName('a b'), { experiment: EXP_JSON }, { method: 'GET', path: '/experiments/get-by-name', query: { experiment_name: ['a b'] } }],
    ['searchExperiments', () => store.searchExperiments({ filter: "name LIKE 'x%'", orderBy: ['name'], pageToken: 'tok', viewType: 'ALL' }), {},
      { method: 'POST', path: '/experiments/search', json: { view_type: 'ALL', max_results: 1000, page_token: 'tok', order_by: ['name'], filter: "name LIKE 'x%'" } }],
    ['deleteExperiment', () => store.deleteExperiment('3'), {}, { method: 'POST', path: '/experiments/delete', json: { experiment_id: '3' } }],
    ['restoreExperiment', () => store.restoreExperiment('3'), {}, { method: 'POST', path: '/experiments/restore', json: { experiment_id: '3' } }],
    ['renameExperiment', () => store.renameExperiment('3', 'new'), {}, { method: 'POST', path: '/experiments/update', json: { experiment_id: '3', new_name: 'new' } }],
    ['setExperimentTag', () => store.setExperimentTag('3', { key: 'k', value: '' }), {}, { method: 'POST', path: '/experiments/set-experiment-tag', json: { experiment_id: '3', key: 'k', value: '' } }],
    ['deleteExperimentTag', () => store.deleteExperimentTag('3', 'k'), {}, { method: 'POST', path: '/experiments/delete-experiment-tag', json: { experiment_id: '3', key: 'k' } }],
    ['createRun', () => store.createRun({ experimentId: '3', userId: 'u', startTime: 5, runName: 'n', tags: [{ key: 't', value: '1' }] }), { run: RUN_JSON },
      { method: 'POST', path: '/runs/create', json: { experiment_id: '3', user_id: 'u', start_time: 5, tags: [{ key: 't', value: '1' }], run_name: 'n' } }],
    ['getRun', () => store.getRun('abc'), { run: RUN_JSON }, { method: 'GET', path: '/runs/get', query: { run_uuid: ['abc'], run_id: ['abc'] } }],
    ['updateRunInfo', () => store.updateRunInfo('abc', { status: 'FINISHED', endTime: 9 }), { run_info: RUN_JSON.info },
      { method: 'POST', path: '/runs/update', json: { run_uuid: 'abc', run_id: 'abc', status: 'FINISHED', end_time: 9 } }],
    ['deleteRun', () => store.deleteRun('abc'), {}, { method: 'POST', path: '/runs/delete', json: { run_id: 'abc' } }],
    ['restoreRun', () => store.restoreRun('abc'), {}, { method: 'POST', path: '/runs/restore', json: { run_id: 'abc' } }],
    ['searchRuns', () => store.searchRuns({ experimentIds: ['1', '2'], filter: 'metrics.m > 1', maxResults: 5, orderBy: ['metrics.m DESC'], pageToken: 'p' }), {},
      { method: 'POST', path: '/runs/search', json: { experiment_ids: ['1', '2'], run_view_type: 'ACTIVE_ONLY', max_results: 5, filter: 'metrics.m > 1', order_by: ['metrics.m DESC'], page_token: 'p' } }],
    ['logBatch', () => store.logBatch('abc', { metrics: [{ key: 'm', value: -Infinity, timestamp: 1, step: 3 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'w' }] }), {},
      { method: 'POST', path: '/runs/log-batch', json: { run_id: 'abc', metrics: [{ key: 'm', value: '-Infinity', timestamp: 1, step: 3 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'w' }] } }],
    ['logMetric', () => store.logMetric('abc', { key: 'm', value: 0.5, timestamp: 2, step: 1 }), {},
      { method: 'POST', path: '/runs/log-metric', json: { run_uuid: 'abc', run_id: 'abc', key: 'm', value: 0.5, timestamp: 2, step: 1 } }],
    ['logParam', () => store.logParam('abc', { key: 'p', value: 'v' }), {}, { method: 'POST', path: '/runs/log-parameter', json: { run_uuid: 'abc', run_id: 'abc', key: 'p', value: 'v' } }],
    ['setTag', () => store.setTag('abc', { key: 't', value: 'v' }), {}, { method: 'POST', path: '/runs/set-tag', json: { run_uuid: 'abc', run_id: 'abc', key: 't', value: 'v' } }],
    ['deleteTag', () => store.deleteTag('abc', 't'), {}, { method: 'POST', path: '/runs/delete-tag', json: { run_id: 'abc', key: 't' } }],
    ['logInputs', () => store.logInputs('abc', [{ dataset: { name: 'd', digest: 'g', sourceType: 'local', source: 's', schema: null, profile: null }, tags: [{ key: 'mlflow.data.context', value: 'train' }] }]), {},
      { method: 'POST', path: '/runs/log-inputs', json: { run_id: 'abc', datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'd', digest: 'g', source_type: 'local', source: 's' } }] } }],
    ['recordLoggedModel', () => store.recordLoggedModel('abc', '{"run_id":"abc"}'), {}, { method: 'POST', path: '/runs/log-model', json: { run_id: 'abc', model_json: '{"run_id":"abc"}' } }],
    ['getMetricHistory', () => store.getMetricHistory('abc', 'm'), {},
      { method: 'GET', path: '/metrics/get-history', query: { run_uuid: ['abc'], run_id: ['abc'], metric_key: ['m'], max_results: ['25000'] } }],
    ['getMetricHistoryBulkInterval', () => store.getMetricHistoryBulkInterval(['a', 'b'], 'm', { startStep: 0, endStep: 10, maxResults: 3 }), {},
      { method: 'GET', path: '/metrics/get-history-bulk-interval', query: { run_ids: ['a', 'b'], metric_key: ['m'], start_step: ['0'], end_step: ['10'], max_results: ['3'] } }],
  ];
  itSendsRequests(() => srv, cases);
});

describe('answers', () => {
  it('parses runs and experiments with the shared converters (NaN strings, numbers, missing lists)', async () => {
    srv.queue = [{ body: { run: RUN_JSON } }, { body: { experiment: EXP_JSON } }];
    const run = await store.getRun('abc');
    expect(run.info).toMatchObject({ runId: 'abc', experimentId: '3', status: 'RUNNING', startTime: 5, endTime: null, deletedTime: null });
    expect(run.data.metrics[0]!.value).toBeNaN();
    expect(run.data.tags).toEqual([]);
    expect(await store.getExperiment('3')).toEqual({
      experimentId: '3', name: 'e', artifactLocation: 'x/3', lifecycleStage: 'active', creationTime: 1, lastUpdateTime: 2, tags: [],
    });
  });

  it('returns null from getExperimentByName on RESOURCE_DOES_NOT_EXIST and throws other errors', async () => {
    srv.queue = [
      { status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'x'" } },
      { status: 403, body: { error_code: 'PERMISSION_DENIED', message: 'no' } },
    ];
    expect(await store.getExperimentByName('x')).toBeNull();
    await expect(store.getExperimentByName('x')).rejects.toMatchObject({ errorCode: 'PERMISSION_DENIED' });
  });

  it('passes page tokens through both ways and leaves nextPageToken out on the last page', async () => {
    srv.queue = [{ body: { runs: [RUN_JSON], next_page_token: 'next-1' } }, { body: { runs: [RUN_JSON] } }];
    const first = await store.searchRuns({ experimentIds: ['3'], maxResults: 1 });
    expect(first.nextPageToken).toBe('next-1');
    const second = await store.searchRuns({ experimentIds: ['3'], maxResults: 1, pageToken: first.nextPageToken });
    expect(last().json.page_token).toBe('next-1');
    expect(second).not.toHaveProperty('nextPageToken');
    expect(second.items).toHaveLength(1);
  });

  it('follows metric-history page tokens and returns the points ordered by (step, timestamp)', async () => {
    srv.queue = [
      { body: { metrics: [{ key: 'm', value: 1, timestamp: 5, step: 2 }], next_page_token: 't2' } },
      { body: { metrics: [{ key: 'm', value: 2, timestamp: 1, step: 0 }, { key: 'm', value: 'Infinity', timestamp: 3, step: 2 }] } },
    ];
    const h = await store.getMetricHistory('abc', 'm');
    expect(srv.seen.map((s) => s.query.get('page_token'))).toEqual([null, 't2']);
    expect(h).toEqual([
      { key: 'm', value: 2, timestamp: 1, step: 0 },
      { key: 'm', value: Infinity, timestamp: 3, step: 2 },
      { key: 'm', value: 1, timestamp: 5, step: 2 },
    ]);
  });

  it('tags bulk-interval points with their run ids', async () => {
    srv.queue = [{ body: { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0, run_id: 'r1' }] } }];
    expect(await store.getMetricHistoryBulkInterval(['r1'], 'm')).toEqual([{ key: 'm', value: 1, timestamp: 1, step: 0, runId: 'r1' }]);
  });
});

describe('what HTTP cannot do', () => {
  it('refuses purging runs and experiments with FEATURE_DISABLED, pointing at the backend store, and sends nothing', async () => {
    await expect(store.purgeRuns()).rejects.toMatchObject({ errorCode: 'FEATURE_DISABLED' });
    await expect(store.purgeExperiments()).rejects.toThrow(/MLflow's REST API has no hard delete\. Run gc with direct access to the backend store \(mlf gc --backend-store-uri/);
    expect(srv.seen).toHaveLength(0);
  });

  it('runs atomic(fn) against the store itself and returns its value', async () => {
    let seenStore: unknown;
    expect(await store.atomic(async (s) => ((seenStore = s), 42))).toBe(42);
    expect(seenStore).toBe(store);
  });

  it('reports kind rest and the URI as given, password masked', () => {
    const s = RestStore.open({ kind: 'rest', baseUrl: srv.url, uri: `http://u:pw@127.0.0.1:${srv.port}` }, { env: {}, home: tempDir('mlf-home-') });
    expect(s.kind).toBe('rest');
    expect(s.displayUri).toBe(`http://u:***@127.0.0.1:${srv.port}`);
    void s.close();
  });
});
