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
});
