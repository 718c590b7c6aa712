/**
 * Model versions registered from MLflow 3 logged models, request by request on every database
 * dialect: `model-versions/create` with `source: models:/<model_id>` and `model_id` (what
 * `mlflow.register_model("models:/m-…", name)` sends) stores the model's artifact location as the
 * download location, takes its source run, answers `model_id` in every model-version shape, and
 * records `{name, version}` on the model's `mlflow.modelVersions` tag; bad model ids are refused
 * with nothing changed. Then the CLI (`mlf models versions create`) on SQLite and through a real
 * `mlf server` (the REST store).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { modelVersionFromJson, modelVersionToJson } from '../../src/tracking/registry-json.js';
import { loggedModelIdOfSource, parseModelsUri } from '../../src/tracking/models-uri.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';
import { cliBuilt, runCli, runJson } from '../cli/run-cli.js';
import { startServer } from '../cli/server-proc.js';

describe('models:/ URIs', () => {
  it('reads a single segment without @ as a logged model id, and the registry forms as before', () => {
    expect(parseModelsUri('models:/m-0123')).toEqual({ modelId: 'm-0123' });
    expect(parseModelsUri('models:/churn/3')).toEqual({ name: 'churn', version: '3' });
    expect(parseModelsUri('models:/churn/Production')).toEqual({ name: 'churn', stage: 'Production' });
    expect(parseModelsUri('models:/a@b@champ')).toEqual({ name: 'a@b', alias: 'champ' });
    expect(parseModelsUri('models:/churn@')).toBeNull();
    expect(parseModelsUri('models:/@champ')).toBeNull();
    expect(loggedModelIdOfSource('models:/m-0123')).toBe('m-0123');
    expect(loggedModelIdOfSource('models:/churn/3')).toBeUndefined();
    expect(loggedModelIdOfSource('mlflow-artifacts:/1/models/m-0123/artifacts')).toBeUndefined();
  });

  it('writes model_id into a model version JSON and reads it back', () => {
    const v = modelVersionFromJson({ name: 'n', version: '1', creation_timestamp: 1, current_stage: 'None', source: 'models:/m-1', model_id: 'm-1' });
    expect(v.modelId).toBe('m-1');
    expect(modelVersionToJson(v).model_id).toBe('m-1');
    expect(modelVersionToJson({ ...v, modelId: undefined })).not.toHaveProperty('model_id');
  });
});

for (const dialect of testDialects()) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`model versions from logged models (${dialect})`, () => {
    let db: TestDatabase;
    let store: TrackingStore;
    let call: ReturnType<typeof apiCaller>;
    let exp: string;
    let runId: string;
    let modelId: string;
    let artifactUri: string;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
      call = apiCaller(createApp({ store, logger: createLogger('none') }));
      exp = (await call('POST', 'experiments/create', { name: 'lm-reg' })).json.experiment_id;
      runId = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      const m = (await call('POST', 'logged-models', { experiment_id: exp, name: 'clf', source_run_id: runId })).json.model.info;
      modelId = m.model_id;
      artifactUri = m.artifact_uri;
      for (const name of ['reg', 'other', 'refused']) expect((await call('POST', 'registered-models/create', { name })).status).toBe(200);
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const tagOf = async (id: string) =>
      (await call('GET', `logged-models/${id}`)).json.model.info.tags?.find((t: { key: string }) => t.key === 'mlflow.modelVersions')?.value;

    it('registers models:/<model_id>: model_id in the reply, the model location as download URI, the model source run', async () => {
      const r = await call('POST', 'model-versions/create', { name: 'reg', source: `models:/${modelId}`, model_id: modelId });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.model_version).toMatchObject({ name: 'reg', version: '1', source: `models:/${modelId}`, run_id: runId, model_id: modelId, status: 'READY' });
      const got = await call('GET', 'model-versions/get', { name: 'reg', version: '1' });
      expect(got.json.model_version.model_id).toBe(modelId);
      const search = await call('GET', 'model-versions/search', { filter: "name='reg'" });
      expect(search.json.model_versions.map((v: { model_id?: string }) => v.model_id)).toEqual([modelId]);
      const latest = await call('GET', 'registered-models/get', { name: 'reg' });
      expect(latest.json.registered_model.latest_versions[0].model_id).toBe(modelId);
      expect((await call('GET', 'model-versions/get-download-uri', { name: 'reg', version: '1' })).json).toEqual({ artifact_uri: artifactUri });
      expect(await tagOf(modelId)).toBe(`[{"name": "reg", "version": 1}]`);
    });

    it('appends each further registration to mlflow.modelVersions, and keeps an explicit run_id', async () => {
      const other = (await call('POST', 'runs/create', { experiment_id: exp })).json.run.info.run_id;
      const r = await call('POST', 'model-versions/create', { name: 'other', source: `models:/${modelId}`, model_id: modelId, run_id: other });
      expect(r.json.model_version).toMatchObject({ version: '1', run_id: other, model_id: modelId });
      const r2 = await call('POST', 'model-versions/create', { name: 'reg', source: `models:/${modelId}`, model_id: modelId });
      expect(r2.json.model_version.version).toBe('2');
      expect(await tagOf(modelId)).toBe(`[{"name": "reg", "version": 1}, {"name": "other", "version": 1}, {"name": "reg", "version": 2}]`);
    });

    it('shows no model_id for versions from other sources, nor once a version is deleted', async () => {
      const run = await store.getRun(runId);
      const plain = await call('POST', 'model-versions/create', { name: 'other', source: `${run.info.artifactUri}/model`, run_id: runId });
      expect(plain.json.model_version).not.toHaveProperty('model_id');
      await call('DELETE', 'model-versions/delete', { name: 'reg', version: '2' });
      const list = await call('GET', 'model-versions/search', { filter: "name='reg'" });
      expect(list.json.model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
    });

    it('refuses unknown and deleted models, changing nothing', async () => {
      const unknown = 'm-00000000000000000000000000000000';
      const bySource = await call('POST', 'model-versions/create', { name: 'refused', source: `models:/${unknown}` });
      expect([bySource.status, bySource.json.error_code, bySource.json.message]).toEqual([
        500,
        'INTERNAL_ERROR',
        `Unable to fetch model from model URI source artifact location 'models:/${unknown}'.Error: Logged model with ID '${unknown}' not found.`,
      ]);
      const byId = await call('POST', 'model-versions/create', { name: 'refused', source: 'mlflow-artifacts:/x/model', model_id: unknown });
      expect([byId.status, byId.json.error_code, byId.json.message]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${unknown}' not found.`]);
      const gone = (await call('POST', 'logged-models', { experiment_id: exp })).json.model.info.model_id;
      await call('DELETE', `logged-models/${gone}`);
      const deleted = await call('POST', 'model-versions/create', { name: 'refused', source: `models:/${gone}`, model_id: gone });
      expect([deleted.status, deleted.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      const after = await call('GET', 'model-versions/search', { filter: "name='refused'" });
      expect(after.json.model_versions).toBeUndefined();
    });

    it('checks a local source against the model artifact folder when model_id is given', async () => {
      const local = path.join(tempDir('mlf-lm-reg-'), 'art');
      const e = (await call('POST', 'experiments/create', { name: 'lm-reg-local', artifact_location: local })).json.experiment_id;
      const m = (await call('POST', 'logged-models', { experiment_id: e })).json.model.info;
      const inside = await call('POST', 'model-versions/create', { name: 'other', source: `${m.artifact_uri}/MLmodel`, model_id: m.model_id });
      expect(inside.status, JSON.stringify(inside.json)).toBe(200);
      expect(inside.json.model_version).not.toHaveProperty('model_id');
      expect(await tagOf(m.model_id)).toBe(`[{"name": "other", "version": ${inside.json.model_version.version}}]`);
      const outside = await call('POST', 'model-versions/create', { name: 'other', source: local, model_id: m.model_id });
      expect([outside.status, outside.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(outside.json.message).toBe(
        `Invalid model version source: '${local}'. To use a local path as a model version source, the model_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the model_id.`,
      );
    });
  });
}

describe.skipIf(!cliBuilt())('mlf models versions create from a logged model; mlf runs describe with model links', () => {
  for (const target of ['SQLite', 'mlf server'] as const) {
    it(`gives model_id under --json and tags the model (${target})`, async () => {
      const dir = tempDir('mlf-lm-reg-cli-');
      const dbUri = `sqlite:///${path.join(dir, 'mlflow.db')}`;
      const server = target === 'mlf server' ? await startServer(['--backend-store-uri', dbUri, '--artifacts-destination', path.join(dir, 'mlartifacts')]) : undefined;
      try {
        const uri = server?.url ?? dbUri;
        const base = `${uri}/api/2.0/mlflow`;
        let modelId: string;
        let runId: string;
        let tagOf: () => Promise<string | undefined>;
        if (server) {
          const post = async (p: string, body: unknown) => (await fetch(`${base}/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();
          modelId = (await post('logged-models', { experiment_id: '0' })).model.info.model_id;
          runId = (await post('runs/create', { experiment_id: '0' })).run.info.run_id;
          await post('runs/outputs', { run_id: runId, models: [{ model_id: modelId, step: 2 }] });
          tagOf = async () => (await (await fetch(`${base}/logged-models/${modelId}`)).json()).model.info.tags?.[0]?.value;
        } else {
          const store = await openTrackingStore(dbUri);
          modelId = (await store.loggedModels!.create({ experimentId: '0' })).info.modelId;
          runId = (await store.createRun({ experimentId: '0', startTime: 1 })).info.runId;
          await store.loggedModels!.logOutputs!(runId, [{ modelId, step: 2 }]);
          await store.close();
          tagOf = async () => {
            const s = await openTrackingStore(dbUri);
            try {
              return (await s.loggedModels!.get(modelId)).info.tags[0]?.value;
            } finally {
              await s.close();
            }
          };
        }
        const opts = { env: { MLFLOW_TRACKING_URI: uri }, cwd: dir };
        expect((await runCli(['models', 'create', 'clf'], opts)).code).toBe(0);
        const v = await runJson(['models', 'versions', 'create', 'clf', '--source', `models:/${modelId}`], opts);
        expect(v.model_version).toMatchObject({ name: 'clf', version: '1', model_id: modelId });
        const d = await runJson(['models', 'versions', 'describe', 'clf', '1'], opts);
        expect(d.model_version.model_id).toBe(modelId);
        expect(await tagOf()).toBe('[{"name": "clf", "version": 1}]');
        const bad = await runCli(['models', 'versions', 'create', 'clf', '--source', 'mlflow-artifacts:/0/x', '--model-id', 'm-00000000000000000000000000000000'], opts);
        expect(bad.code).toBe(1);
        expect(bad.stderr.trim()).toBe("Error: Logged model with ID 'm-00000000000000000000000000000000' not found.");
        expect((await runJson(['models', 'versions', 'list', 'clf'], opts)).model_versions).toHaveLength(1);
        const described = await runJson(['runs', 'describe', runId, '--json'], opts);
        expect(described.outputs).toEqual({ model_outputs: [{ model_id: modelId, step: 2 }] });
        if (server) {
          // `models:/<model_id>` downloads the logged model's artifacts (through the REST store's logged models).
          const put = await fetch(`${uri}/api/2.0/mlflow-artifacts/artifacts/0/models/${modelId}/artifacts/MLmodel`, { method: 'PUT', body: 'flavors: {}\n' });
          expect(put.status).toBe(200);
          const dl = await runCli(['artifacts', 'download', '-u', `models:/${modelId}`, '-d', path.join(dir, 'dl')], opts);
          expect(dl.code, dl.stderr).toBe(0);
          expect(fs.readFileSync(path.join(dl.stdout.trim(), 'MLmodel'), 'utf8')).toBe('flavors: {}\n');
        }
      } finally {
        await server?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
