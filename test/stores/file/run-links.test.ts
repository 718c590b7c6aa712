/** A run's links to logged models in the file store: MLflow 3's `outputs/` and `inputs/` folders. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileStore } from '../../../src/stores/file/file-store.js';
import { modelInputId } from '../../../src/stores/file/run-links.js';
import { tempDir } from '../../support/databases.js';

let base: string;
let root: string;
let store: FileStore;

beforeEach(async () => {
  base = tempDir('mlf-file-links-');
  root = path.join(base, 'mlruns');
  store = await FileStore.open(root, {});
});
afterEach(async () => {
  await store.close();
  fs.rmSync(base, { recursive: true, force: true });
});

it("writes MLflow 3's link folders, keeps a model's first link, and reads them beside dataset inputs", async () => {
  const run = (await store.createRun({ experimentId: '0', startTime: 1 })).info.runId;
  const runDir = path.join(root, '0', run);
  await store.loggedModels.logOutputs(run, [{ modelId: 'm-b', step: 2 }, { modelId: 'm-a', step: 2 }]);
  await store.loggedModels.logOutputs(run, [{ modelId: 'm-b', step: 9 }]);
  await store.loggedModels.logModelInputs(run, ['m-c']);
  await store.logInputs(run, [{ tags: [{ key: 'mlflow.data.context', value: 'train' }], dataset: { name: 'd', digest: 'x1', sourceType: 'local', source: '{}', schema: null, profile: null } }]);

  expect(fs.readFileSync(path.join(runDir, 'outputs', 'm-b', 'meta.yaml'), 'utf8')).toBe(
    'destination_id: m-b\ndestination_type: MODEL_OUTPUT\nsource_id: m-b\nsource_type: RUN_OUTPUT\nstep: 2\ntags: {}\n',
  );
  expect(fs.readFileSync(path.join(runDir, 'inputs', modelInputId('m-c', run), 'meta.yaml'), 'utf8')).toBe(
    'destination_id: m-c\ndestination_type: RUN\nsource_id: m-c\nsource_type: MODEL\ntags: {}\n',
  );
  expect((await store.loggedModels.runLinks([run])).get(run)).toEqual({
    inputs: [{ modelId: 'm-c' }],
    outputs: [{ modelId: 'm-a', step: 2 }, { modelId: 'm-b', step: 2 }],
  });
  const got = await store.getRun(run);
  expect(got.inputs.datasetInputs.map((d) => d.dataset.name)).toEqual(['d']);
});

it('refuses a model id that cannot name a folder, and a run that is not active', async () => {
  const run = (await store.createRun({ experimentId: '0', startTime: 1 })).info.runId;
  for (const bad of ['../x', 'a/b', '..']) {
    await expect(store.loggedModels.logOutputs(run, [{ modelId: bad, step: 0 }])).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
  }
  expect(fs.existsSync(path.join(root, '0', run, 'outputs'))).toBe(false);
  await store.deleteRun(run);
  await expect(store.loggedModels.logModelInputs(run, ['m-1'])).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
  await expect(store.loggedModels.logOutputs('f'.repeat(32), [])).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
});
