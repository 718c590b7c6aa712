/**
 * MLflow 3's run ↔ model links over REST: `runs/outputs`, `runs/log-inputs` with `models`, and
 * `inputs.model_inputs` / `outputs.model_outputs` in runs/get and runs/search, on the file store
 * and every dialect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDialect } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';

for (const kind of ['file', ...testDialects()] as ('file' | TestDialect)[]) {
  describe(`run ↔ model links (${kind})`, async () => {
    const skip = kind !== 'file' && (await skipUnlessAvailable(kind));
    let store: TrackingStore;
    let cleanup: () => Promise<void>;
    let call: ReturnType<typeof apiCaller>;

    beforeAll(async () => {
      if (skip) return;
      if (kind === 'file') {
        const dir = tempDir('mlf-links-file-');
        store = await openTrackingStore(path.join(dir, 'mlruns'), { artifactRoot: 'mlflow-artifacts:/' });
        cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const db = await createTestDatabase(kind);
        store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
        cleanup = () => db.drop();
      }
      call = apiCaller(createApp({ store, logger: createLogger('none') }));
    });
    afterAll(async () => {
      if (skip) return;
      await store.close();
      await cleanup();
    });

    it.skipIf(skip)('logs outputs and model inputs and returns them with the run', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'links' })).json.experiment_id;
      const run = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      const other = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      const m1 = (await call('POST', 'logged-models', { experiment_id: exp, source_run_id: run })).json.model.info.model_id;
      const m2 = (await call('POST', 'logged-models', { experiment_id: exp })).json.model.info.model_id;

      expect((await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: m1, step: 3 }] })).json).toEqual({});
      expect((await call('POST', 'runs/log-inputs', { run_id: run, models: [{ model_id: m2 }, { model_id: m2 }] })).json).toEqual({});
      await call('POST', 'runs/log-inputs', { run_id: run, models: [{ model_id: m2 }] });

      const got = (await call('GET', 'runs/get', { run_id: run })).json.run;
      expect(got.outputs).toEqual({ model_outputs: [{ model_id: m1, step: 3 }] });
      expect(got.inputs).toEqual({ model_inputs: [{ model_id: m2 }] });
      const plain = (await call('GET', 'runs/get', { run_id: other })).json.run;
      expect(plain.outputs).toBeUndefined();
      expect(plain.inputs).toEqual({});

      const found = (await call('POST', 'runs/search', { experiment_ids: [exp] })).json.runs;
      const byId = new Map(found.map((r: any) => [r.info.run_id, r]));
      expect((byId.get(run) as any).outputs.model_outputs).toEqual([{ model_id: m1, step: 3 }]);
      expect((byId.get(other) as any).outputs).toBeUndefined();
    });

    it.skipIf(skip)('refuses bad requests and changes nothing', async () => {
      const exp = (await call('POST', 'experiments/create', { name: 'links-bad' })).json.experiment_id;
      const run = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      for (const body of [{ models: [{ model_id: 'm-1', step: 0 }] }, { run_id: run, models: [{ step: 0 }] }, { run_id: run, models: [{ model_id: 'm-1' }] }]) {
        const r = await call('POST', 'runs/outputs', body);
        expect([r.status, r.json.error_code], JSON.stringify(body)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      const none = await call('POST', 'runs/outputs', { run_id: 'f'.repeat(32), models: [{ model_id: 'm-1', step: 0 }] });
      expect([none.status, none.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      await call('POST', 'runs/delete', { run_id: run });
      const deleted = await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: 'm-1', step: 0 }] });
      expect([deleted.status, deleted.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const noInputs = await call('POST', 'runs/log-inputs', { run_id: run });
      expect([noInputs.status, noInputs.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect((await call('GET', 'runs/get', { run_id: run })).json.run.outputs).toBeUndefined();
    });
  });
}
