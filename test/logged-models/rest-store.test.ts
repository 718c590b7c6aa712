/**
 * The REST stores (`http://` tracking URIs) speak MLflow 3's logged-model fields: metrics sent with
 * `model_id`, `dataset_name` and `dataset_digest`, model versions with `model_id`, and runs read
 * back with `inputs.model_inputs` / `outputs.model_outputs` (kept when written out again, as
 * `mlf runs describe --json` does). Checked against a scripted server recording every request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RestRegistryStore } from '../../src/stores/rest/rest-registry-store.js';
import { RestStore } from '../../src/stores/rest/rest-store.js';
import { runToJson } from '../../src/tracking/rest-json.js';
import { tempDir } from '../support/databases.js';
import { FAST, lastRequest, resetScript, scriptedServer, type ScriptedServer } from '../stores/rest/support.js';

let srv: ScriptedServer;
let store: RestStore;

const INFO = { run_uuid: 'abc', experiment_id: '3', run_name: 'n', user_id: 'u', status: 'RUNNING', start_time: 5, artifact_uri: 'a', lifecycle_stage: 'active', run_id: 'abc' };

beforeAll(async () => {
  srv = await scriptedServer();
  store = RestStore.open({ kind: 'rest', baseUrl: srv.url, uri: srv.url }, { env: {}, home: tempDir('mlf-home-'), retry: FAST });
});
afterEach(() => resetScript(srv));
afterAll(async () => {
  await store.close();
  await srv.close();
});

describe('REST stores and MLflow 3 logged-model fields', () => {
  it('sends model_id and the dataset with log-metric and with each log-batch metric', async () => {
    await store.logMetric('abc', { key: 'acc', value: 0.5, timestamp: 2, step: 1, modelId: 'm-1', datasetName: 'eval', datasetDigest: 'd' });
    expect(lastRequest(srv).json).toEqual({ run_uuid: 'abc', run_id: 'abc', key: 'acc', value: 0.5, timestamp: 2, step: 1, dataset_name: 'eval', dataset_digest: 'd', model_id: 'm-1' });
    await store.logBatch('abc', { metrics: [{ key: 'a', value: 1, timestamp: 1, step: 0, modelId: 'm-2' }, { key: 'b', value: 2, timestamp: 1, step: 0 }] });
    expect(lastRequest(srv).json.metrics).toEqual([
      { key: 'a', value: 1, timestamp: 1, step: 0, model_id: 'm-2' },
      { key: 'b', value: 2, timestamp: 1, step: 0 },
    ]);
  });

  it('reads a run with model inputs and outputs and writes them back unchanged', async () => {
    const body = {
      info: INFO,
      data: {},
      inputs: { model_inputs: [{ model_id: 'm-in' }] },
      outputs: { model_outputs: [{ model_id: 'm-out', step: 4 }] },
    };
    srv.queue = [{ body: { run: body } }, { body: { run: { info: INFO, data: {}, inputs: {} } } }];
    const run = await store.getRun('abc');
    expect(run.inputs.modelInputs).toEqual([{ modelId: 'm-in' }]);
    expect(run.outputs).toEqual({ modelOutputs: [{ modelId: 'm-out', step: 4 }] });
    const json = runToJson(run);
    expect(json.inputs).toEqual({ model_inputs: [{ model_id: 'm-in' }] });
    expect(json.outputs).toEqual({ model_outputs: [{ model_id: 'm-out', step: 4 }] });
    const plain = await store.getRun('abc');
    expect(plain.outputs).toBeUndefined();
    expect(runToJson(plain)).not.toHaveProperty('outputs');
  });

  it('sends model_id with model-versions/create and reads it from the answer', async () => {
    const reg = new RestRegistryStore(store.client, store.displayUri);
    srv.queue = [{ body: { model_version: { name: 'clf', version: '1', creation_timestamp: 1, current_stage: 'None', source: 'models:/m-1', model_id: 'm-1' } } }];
    const v = await reg.createModelVersion({ name: 'clf', source: 'models:/m-1', modelId: 'm-1' });
    expect(lastRequest(srv).json).toEqual({ name: 'clf', source: 'models:/m-1', model_id: 'm-1' });
    expect(v.modelId).toBe('m-1');
  });

  it('sends the logged-model requests MLflow\'s RestStore sends and reads the LoggedModel JSON back', async () => {
    const models = store.loggedModels;
    const MODEL = {
      info: { model_id: 'm-1', experiment_id: '3', name: 'clf', creation_timestamp_ms: 1, last_updated_timestamp_ms: 2, artifact_uri: 'mlflow-artifacts:/3/models/m-1/artifacts', status: 'LOGGED_MODEL_READY', source_run_id: 'abc', tags: [{ key: 't', value: 'v' }] },
      data: { params: [{ key: 'p', value: '1' }], metrics: [{ key: 'acc', value: 0.5, timestamp: 3, step: 0, dataset_name: 'eval', dataset_digest: 'd', model_id: 'm-1', run_id: 'abc' }] },
    };
    srv.fallback = () => ({ body: { model: MODEL, models: [MODEL], next_page_token: 'next' } });
    const m = await models.create({ experimentId: '3', name: 'clf', sourceRunId: 'abc', params: [{ key: 'p', value: '1' }] });
    expect(lastRequest(srv)).toMatchObject({ method: 'POST', path: '/logged-models', json: { experiment_id: '3', name: 'clf', source_run_id: 'abc', params: [{ key: 'p', value: '1' }] } });
    expect(m.info).toMatchObject({ modelId: 'm-1', experimentId: '3', status: 'LOGGED_MODEL_READY', sourceRunId: 'abc', tags: [{ key: 't', value: 'v' }] });
    expect(m.data.metrics).toEqual([{ key: 'acc', value: 0.5, timestamp: 3, step: 0, datasetName: 'eval', datasetDigest: 'd', modelId: 'm-1', runId: 'abc' }]);
    await models.get('m-1', true);
    expect(lastRequest(srv)).toMatchObject({ method: 'GET', path: '/logged-models/m-1' });
    expect(lastRequest(srv).query).toEqual({ allow_deleted: ['true'] });
    await models.finalize('m-1', 'LOGGED_MODEL_READY');
    expect(lastRequest(srv)).toMatchObject({ method: 'PATCH', path: '/logged-models/m-1', json: { model_id: 'm-1', status: 'LOGGED_MODEL_READY' } });
    await models.deleteTag('m-1', 'a/b');
    expect(lastRequest(srv)).toMatchObject({ method: 'DELETE', path: '/logged-models/m-1/tags/a%2Fb' });
    const page = await models.search({ experimentIds: ['3'], filter: "name = 'clf'", orderBy: [{ fieldName: 'metrics.acc', ascending: false, datasetName: 'eval' }] });
    expect(lastRequest(srv).json).toEqual({ experiment_ids: ['3'], filter: "name = 'clf'", order_by: [{ field_name: 'metrics.acc', ascending: false, dataset_name: 'eval' }] });
    expect([page.items.length, page.nextPageToken]).toEqual([1, 'next']);
    await models.logOutputs!('abc', [{ modelId: 'm-1', step: 2 }]);
    expect(lastRequest(srv)).toMatchObject({ method: 'POST', path: '/runs/outputs', json: { run_id: 'abc', models: [{ model_id: 'm-1', step: 2 }] } });
  });
});
