/**
 * A logged model's artifacts request by request: service.proto's ListLoggedModelArtifacts
 * (`GET /logged-models/{model_id}/artifacts/directories`) and the UI's download
 * (`GET /ajax-api/2.0/mlflow/logged-models/{model_id}/artifacts/files`), on proxied
 * (`mlflow-artifacts:/`) and local artifact roots, every store kind, with the path checks and error
 * codes of MLflow's handlers, and basic auth's READ check on the model's experiment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';
import { ADMIN, makeAuthServer, type AuthTestServer } from '../server/auth/helpers.js';

async function storeUri(kind: string, dir: string): Promise<TestDatabase> {
  if (kind !== 'file') return createTestDatabase(kind as TestDatabase['dialect']);
  return { dialect: 'sqlite', uri: path.join(dir, 'mlruns'), drop: async () => undefined };
}

for (const kind of ['file', ...testDialects()]) {
  describe(`logged model artifacts over REST (${kind})`, async () => {
    const skip = kind === 'file' ? false : await skipUnlessAvailable(kind as TestDatabase['dialect']);
    let dir: string;
    let db: TestDatabase;
    let store: TrackingStore;
    let call: ReturnType<typeof apiCaller>;
    let app: ReturnType<typeof createApp>;
    let exp: string;
    let modelId: string;

    beforeAll(async () => {
      if (skip) return;
      dir = tempDir('mlf-lm-art-');
      db = await storeUri(kind, dir);
      store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
      app = createApp({ store, artifactsDestination: path.join(dir, 'mlartifacts'), logger: createLogger('none') });
      call = apiCaller(app);
      exp = (await call('POST', 'experiments/create', { name: 'lm-art' })).json.experiment_id;
      modelId = (await call('POST', 'logged-models', { experiment_id: exp, name: 'clf' })).json.model.info.model_id;
      // What MLflow's client does after create: upload through the artifact proxy under the model's root.
      for (const [rel, body] of [
        ['MLmodel', 'flavors: {}\n'],
        ['model.pkl', 'pickled-bytes'],
        ['sub/conda.yaml', 'name: env\n'],
      ]) {
        const res = await app.request(`/api/2.0/mlflow-artifacts/artifacts/${exp}/models/${modelId}/artifacts/${rel}`, { method: 'PUT', body });
        expect(res.status).toBe(200);
      }
    });
    afterAll(async () => {
      if (skip) return;
      await store.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('lists the root and a sub-folder relative to the model artifact root', async () => {
      const root = `mlflow-artifacts:/${exp}/models/${modelId}/artifacts`;
      const top = await call('GET', `logged-models/${modelId}/artifacts/directories`);
      expect(top.status, JSON.stringify(top.json)).toBe(200);
      expect(top.json.root_uri).toBe(root);
      expect([...top.json.files].sort((a: any, b: any) => a.path.localeCompare(b.path))).toEqual([
        { path: 'MLmodel', is_dir: false, file_size: 12 },
        { path: 'model.pkl', is_dir: false, file_size: 13 },
        { path: 'sub', is_dir: true },
      ]);
      const sub = await call('GET', `/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: 'sub' });
      expect(sub.json).toEqual({ root_uri: root, files: [{ path: 'sub/conda.yaml', is_dir: false, file_size: 10 }] });
      // An empty folder: no `files` at all, as protobuf leaves an empty repeated field out.
      const none = await call('GET', `logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: 'nothing-here' });
      expect(none.json).toEqual({ root_uri: root });
    });

    it.skipIf(skip)('downloads a file under the ajax prefix only', async () => {
      const res = await app.request(`/ajax-api/2.0/mlflow/logged-models/${modelId}/artifacts/files?artifact_file_path=sub/conda.yaml`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename=conda.yaml');
      expect(res.headers.get('content-type')).toBe('text/yaml');
      expect(await res.text()).toBe('name: env\n');
      const api = await call('GET', `logged-models/${modelId}/artifacts/files`, { artifact_file_path: 'MLmodel' });
      expect([api.status, api.json.error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    });

    it.skipIf(skip)('refuses unsafe paths, a missing path argument, unknown and deleted models', async () => {
      const ajax = (q: string, id = modelId) => call('GET', `/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files${q}`);
      for (const bad of ['../../etc/passwd', '/etc/passwd', '%2e%2e/x', 'a/../../b']) {
        const list = await call('GET', `logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: bad });
        expect([list.status, list.json.error_code, list.json.message], bad).toEqual([400, 'INVALID_PARAMETER_VALUE', 'Invalid path']);
        const file = await ajax(`?artifact_file_path=${encodeURIComponent(bad)}`);
        expect([file.status, file.json.error_code], bad).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      for (const q of ['', '?artifact_file_path=']) {
        const r = await ajax(q);
        expect([r.status, r.json]).toEqual([400, { error_code: 'BAD_REQUEST', message: 'Request must include the "artifact_file_path" query parameter.' }]);
      }
      const missingFile = await ajax('?artifact_file_path=nope.txt');
      expect([missingFile.status, missingFile.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);

      const unknown = 'm-00000000000000000000000000000000';
      const u1 = await call('GET', `logged-models/${unknown}/artifacts/directories`);
      expect([u1.status, u1.json.error_code, u1.json.message]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${unknown}' not found.`]);
      expect((await ajax('?artifact_file_path=MLmodel', unknown)).json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

      const gone = (await call('POST', 'logged-models', { experiment_id: exp })).json.model.info.model_id;
      await call('DELETE', `logged-models/${gone}`);
      const d1 = await call('GET', `logged-models/${gone}/artifacts/directories`);
      expect([d1.status, d1.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      expect((await ajax('?artifact_file_path=MLmodel', gone)).status).toBe(404);
    });

    it.skipIf(skip)('reads a model whose experiment keeps artifacts in a local folder directly', async () => {
      const local = path.join(dir, 'local-artifacts');
      const e = (await call('POST', 'experiments/create', { name: 'lm-local', artifact_location: local })).json.experiment_id;
      const m = (await call('POST', 'logged-models', { experiment_id: e })).json.model.info;
      expect(m.artifact_uri).toBe(`${local}/models/${m.model_id}/artifacts`);
      fs.mkdirSync(m.artifact_uri, { recursive: true });
      fs.writeFileSync(path.join(m.artifact_uri, 'MLmodel'), 'x');
      const r = await call('GET', `logged-models/${m.model_id}/artifacts/directories`);
      expect(r.json).toEqual({ root_uri: m.artifact_uri, files: [{ path: 'MLmodel', is_dir: false, file_size: 1 }] });
      const f = await app.request(`/ajax-api/2.0/mlflow/logged-models/${m.model_id}/artifacts/files?artifact_file_path=MLmodel`);
      expect([f.status, await f.text()]).toEqual([200, 'x']);
    });
  });
}

describe('logged model artifacts under basic auth', () => {
  let srv: AuthTestServer;
  const BOB = { username: 'bob', password: 'bob-pw-1' };

  beforeAll(async () => {
    srv = await makeAuthServer({ defaultPermission: 'NO_PERMISSIONS' });
    expect((await srv.as(ADMIN)('POST', 'users/create', { username: BOB.username, password: BOB.password })).status).toBe(200);
  });
  afterAll(() => srv?.close());

  it('needs READ on the model experiment for the listing and the ajax download', async () => {
    const admin = srv.as(ADMIN);
    const bob = srv.as(BOB);
    const exp = (await admin('POST', 'experiments/create', { name: 'guarded' })).json.experiment_id;
    const id = (await admin('POST', 'logged-models', { experiment_id: exp })).json.model.info.model_id;
    const put = await srv.app.request(`/api/2.0/mlflow-artifacts/artifacts/${exp}/models/${id}/artifacts/MLmodel`, {
      method: 'PUT',
      body: 'm',
      headers: { Authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` },
    });
    expect(put.status).toBe(200);
    const list = `logged-models/${id}/artifacts/directories`;
    const file = `/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files`;
    expect((await bob('GET', list)).status).toBe(403);
    expect((await bob('GET', file, { artifact_file_path: 'MLmodel' })).json).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
    expect((await srv.as()('GET', file, { artifact_file_path: 'MLmodel' })).status).toBe(401);
    await admin('POST', 'experiments/permissions/create', { experiment_id: exp, username: BOB.username, permission: 'READ' });
    expect((await bob('GET', list)).json.files).toEqual([{ path: 'MLmodel', is_dir: false, file_size: 1 }]);
    const got = await bob('GET', file, { artifact_file_path: 'MLmodel' });
    expect([got.status, got.json]).toEqual([200, 'm']);
  });
});
