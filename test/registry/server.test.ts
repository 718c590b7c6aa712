/**
 * The Model Registry REST endpoints through `createApp(...).request()` on SQLite, PostgreSQL and
 * MariaDB: MLflow's methods, request fields, response JSON and error replies. Also: a file-store
 * server answers NOT_IMPLEMENTED (501), and `--registry-store-uri` pointing at another database.
 */
import { apiCaller } from '../server/helpers.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { REGISTRY_ENDPOINTS } from '../../src/server/routes/registry.js';

type App = ReturnType<typeof createApp>;

const caller = (app: App) => apiCaller(app);

for (const dialect of testDialects()) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`registry REST API on ${dialect}`, () => {
    let db: TestDatabase;
    let store: TrackingStore;
    let call: ReturnType<typeof caller>;
    let runId: string;
    let artifactUri: string;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      store = await openTrackingStore(db.uri, { artifactRoot: tempDir('mlf-reg-art-') });
      call = caller(createApp({ store, logger: createLogger('none') }));
      const run = await store.createRun({ experimentId: '0', startTime: Date.now() });
      runId = run.info.runId;
      artifactUri = run.info.artifactUri;
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    it('creates a registered model and answers MLflow JSON', async () => {
      const r = await call('POST', 'registered-models/create', { name: 'm', tags: [{ key: 'k', value: 'v' }], description: 'desc' });
      expect(r.status).toBe(200);
      expect(r.json.registered_model).toEqual({
        name: 'm',
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        description: 'desc',
        tags: [{ key: 'k', value: 'v' }],
      });
      const dup = await call('POST', 'registered-models/create', { name: 'm' });
      expect(dup.status).toBe(400);
      expect(dup.json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
      expect(dup.json.message).toMatch(/^Registered Model \(name=m\) already exists\. Error: /);
      const missing = await call('POST', 'registered-models/create', {});
      expect(missing.json).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
      });
    });

    it('leaves an empty description out of a registered model, as MLflow\'s to_proto does (a version keeps its "")', async () => {
      const r = await call('POST', 'registered-models/create', { name: 'plain' });
      expect(r.json.registered_model).toEqual({ name: 'plain', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number) });
      await call('PATCH', 'registered-models/update', { name: 'plain', description: 'd' });
      expect((await call('GET', 'registered-models/get', { name: 'plain' })).json.registered_model.description).toBe('d');
      await call('PATCH', 'registered-models/update', { name: 'plain', description: '' });
      expect((await call('GET', 'registered-models/get', { name: 'plain' })).json.registered_model).not.toHaveProperty('description');
      await call('DELETE', 'registered-models/delete', { name: 'plain' });
    });

    it('creates versions with version as a string, unset strings as "" (as MLflow stores them)', async () => {
      const r = await call('POST', 'model-versions/create', { name: 'm', source: 's3://bucket/model', run_id: runId, tags: [{ key: 't', value: '1' }] });
      expect(r.status).toBe(200);
      expect(r.json.model_version).toEqual({
        name: 'm',
        version: '1',
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        description: '',
        current_stage: 'None',
        source: 's3://bucket/model',
        run_id: runId,
        status: 'READY',
        tags: [{ key: 't', value: '1' }],
        run_link: '',
      });
      const v2 = await call('POST', 'model-versions/create', { name: 'm', source: `${artifactUri}/model`, run_id: runId });
      expect(v2.json.model_version.version).toBe('2');
      const nf = await call('POST', 'model-versions/create', { name: 'nope', source: 's3://b/x' });
      expect(nf.status).toBe(404);
      expect(nf.json).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=nope not found' });
    });

    it('refuses local sources outside the run artifacts and relative path tricks', async () => {
      const local = await call('POST', 'model-versions/create', { name: 'm', source: '/etc/passwd' });
      expect(local.status).toBe(400);
      expect(local.json.message).toBe(
        "Invalid model version source: '/etc/passwd'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.",
      );
      const rel = await call('POST', 'model-versions/create', { name: 'm', source: 'mlflow-artifacts:/1/%2E%2E/%2E%2E/x' });
      expect(rel.status).toBe(400);
      expect(rel.json.message).toMatch(/^Invalid model version source: 'mlflow-artifacts:\/1\/\.\.\/\.\.\/x'\. If supplying a source as an http, https, local file path/);
      // MLflow's test: `..` hidden after an encoded `?` still counts (the decoded text is split on `/`).
      const q = await call('POST', 'model-versions/create', { name: 'm', source: `dbfs:/${runId}/artifacts/a%3f/../../../../`, run_id: runId });
      expect(q.status).toBe(400);
      expect(q.json.message).toContain(`Invalid model version source: 'dbfs:/${runId}/artifacts/a?/../../../../'.`);
      await call('POST', 'registered-models/create', { name: 'sources-ok' });
      for (const ok of ['mlflow-artifacts://host:9000/models/artifact/..../', 's3://b/models/a..b']) {
        expect((await call('POST', 'model-versions/create', { name: 'sources-ok', source: ok })).status, ok).toBe(200);
      }
      await call('DELETE', 'registered-models/delete', { name: 'sources-ok' });
    });

    it('gets, updates (PATCH) and reads the download URI of a version', async () => {
      const g = await call('GET', 'model-versions/get', { name: 'm', version: '1' });
      expect(g.json.model_version.source).toBe('s3://bucket/model');
      const u = await call('PATCH', 'model-versions/update', { name: 'm', version: '1', description: 'new' });
      expect(u.json.model_version.description).toBe('new');
      const uri = await call('GET', 'model-versions/get-download-uri', { name: 'm', version: '1' });
      expect(uri.json).toEqual({ artifact_uri: 's3://bucket/model' });
      const bad = await call('GET', 'model-versions/get', { name: 'm', version: 'x' });
      expect(bad.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: "Parameter 'version' must be an integer, got 'x'." });
      const nf = await call('GET', 'model-versions/get', { name: 'm', version: '9' });
      expect(nf.status).toBe(404);
      expect(nf.json.message).toBe('Model Version (name=m, version=9) not found');
      const num = await call('PATCH', 'model-versions/update', { name: 'm', version: 1 });
      expect(num.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('updates and renames registered models', async () => {
      const u = await call('PATCH', 'registered-models/update', { name: 'm', description: 'd2' });
      expect(u.json.registered_model.description).toBe('d2');
      const r = await call('POST', 'registered-models/rename', { name: 'm', new_name: 'm2' });
      expect(r.json.registered_model.name).toBe('m2');
      expect(r.json.registered_model.latest_versions.map((v: any) => [v.name, v.version])).toEqual([['m2', '2']]);
      const miss = await call('POST', 'registered-models/rename', { name: 'm2' });
      expect(miss.json.message).toBe("Missing value for required parameter 'new_name'. See the API docs for more information about request parameters.");
      await call('POST', 'registered-models/rename', { name: 'm2', new_name: 'm' });
    });

    it('transitions stages with archive_existing_versions and lists latest versions (POST and GET)', async () => {
      const t1 = await call('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'Production', archive_existing_versions: false });
      expect(t1.json.model_version.current_stage).toBe('Production');
      const t2 = await call('POST', 'model-versions/transition-stage', { name: 'm', version: '2', stage: 'production', archive_existing_versions: true });
      expect(t2.json.model_version.current_stage).toBe('Production');
      const post = await call('POST', 'registered-models/get-latest-versions', { name: 'm', stages: ['Archived', 'Production'] });
      expect(post.json.model_versions.map((v: any) => [v.version, v.current_stage])).toEqual([
        ['1', 'Archived'],
        ['2', 'Production'],
      ]);
      const get = await call('GET', 'registered-models/get-latest-versions', { name: 'm', stages: ['Production'] });
      expect(get.json.model_versions.map((v: any) => v.version)).toEqual(['2']);
      const bad = await call('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'nope' });
      expect(bad.json).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'Invalid Model Version stage: nope. Value must be one of None, Staging, Production, Archived.',
      });
      const arch = await call('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'None', archive_existing_versions: true });
      expect(arch.status).toBe(500);
      expect(arch.json.error_code).toBe('INTERNAL_ERROR');
      const notBool = await call('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'None', archive_existing_versions: 'yes' });
      expect(notBool.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('sets and deletes model and version tags', async () => {
      expect((await call('POST', 'registered-models/set-tag', { name: 'm', key: 'a', value: 'b' })).json).toEqual({});
      expect((await call('GET', 'registered-models/get', { name: 'm' })).json.registered_model.tags).toContainEqual({ key: 'a', value: 'b' });
      expect((await call('DELETE', 'registered-models/delete-tag', { name: 'm', key: 'a' })).json).toEqual({});
      expect((await call('POST', 'model-versions/set-tag', { name: 'm', version: '2', key: 'x', value: 'y' })).json).toEqual({});
      expect((await call('GET', 'model-versions/get', { name: 'm', version: '2' })).json.model_version.tags).toEqual([{ key: 'x', value: 'y' }]);
      expect((await call('DELETE', 'model-versions/delete-tag', { name: 'm', version: '2', key: 'x' })).json).toEqual({});
      const noKey = await call('POST', 'model-versions/set-tag', { name: 'm', version: '2', value: 'y' });
      expect(noKey.json.message).toBe("Missing value for required parameter 'key'. See the API docs for more information about request parameters.");
    });

    it('sets, gets and deletes aliases; aliases show on versions and models', async () => {
      expect((await call('POST', 'registered-models/alias', { name: 'm', alias: 'champion', version: '2' })).json).toEqual({});
      const g = await call('GET', 'registered-models/alias', { name: 'm', alias: 'champion' });
      expect(g.json.model_version).toMatchObject({ name: 'm', version: '2', aliases: ['champion'] });
      const m = await call('GET', 'registered-models/get', { name: 'm' });
      expect(m.json.registered_model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
      expect((await call('DELETE', 'registered-models/alias', { name: 'm', alias: 'champion' })).json).toEqual({});
      const gone = await call('GET', 'registered-models/alias', { name: 'm', alias: 'champion' });
      expect(gone.status).toBe(400);
      expect(gone.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.' });
      const reserved = await call('POST', 'registered-models/alias', { name: 'm', alias: 'latest', version: '1' });
      expect(reserved.json.message).toBe("'latest' alias name (case insensitive) is reserved.");
    });

    it('searches registered models and versions with filters, order_by and page tokens', async () => {
      await call('POST', 'registered-models/create', { name: 'n', tags: [{ key: 'team', value: 'x' }] });
      const all = await call('GET', 'registered-models/search', {});
      expect(all.json.registered_models.map((r: any) => r.name)).toEqual(['m', 'n']);
      const f = await call('GET', 'registered-models/search', { filter: "tags.team = 'x'" });
      expect(f.json.registered_models.map((r: any) => r.name)).toEqual(['n']);
      const p1 = await call('GET', 'registered-models/search', { max_results: 1, order_by: ['name DESC'] });
      expect(p1.json.registered_models.map((r: any) => r.name)).toEqual(['n']);
      const p2 = await call('GET', 'registered-models/search', { max_results: 1, order_by: ['name DESC'], page_token: p1.json.next_page_token });
      expect(p2.json.registered_models.map((r: any) => r.name)).toEqual(['m']);
      const tooMany = await call('GET', 'registered-models/search', { max_results: 1001 });
      expect(tooMany.json).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        // A query-string value is a str to MLflow: json.dumps quotes it; invalid_value's hint follows "supplied: ".
        message: 'Invalid value "1001" for parameter \'max_results\' supplied:  Hint: Value was of type \'str\'. See the API docs for more information about request parameters.',
      });
      const none = await call('GET', 'registered-models/search', { filter: "name = 'zzz'" });
      expect(none.json).toEqual({});
      const v = await call('GET', 'model-versions/search', { filter: `run_id = '${runId}'` });
      expect(v.json.model_versions.map((x: any) => x.version)).toEqual(['2', '1']);
      const vin = await call('GET', 'model-versions/search', { filter: `run_id IN ('${runId}') and version_number = 1` });
      expect(vin.json.model_versions.map((x: any) => x.version)).toEqual(['1']);
      const vp = await call('GET', 'model-versions/search', { filter: "name = 'm'", max_results: 1, order_by: ['version_number ASC'] });
      expect(vp.json.model_versions.map((x: any) => x.version)).toEqual(['1']);
      expect(typeof vp.json.next_page_token).toBe('string');
      const vbad = await call('GET', 'model-versions/search', { filter: "foo = 'x'" });
      expect(vbad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      const vmax = await call('GET', 'model-versions/search', { max_results: 200001 });
      expect(vmax.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('deletes a version softly and a model with DELETE', async () => {
      expect((await call('DELETE', 'model-versions/delete', { name: 'm', version: '1' })).json).toEqual({});
      expect((await call('GET', 'model-versions/get', { name: 'm', version: '1' })).status).toBe(404);
      const s = await call('GET', 'model-versions/search', { filter: "name = 'm'" });
      expect(s.json.model_versions.map((x: any) => x.version)).toEqual(['2']);
      const v3 = await call('POST', 'model-versions/create', { name: 'm', source: 's3://b/3' });
      expect(v3.json.model_version.version).toBe('3');
      expect((await call('DELETE', 'registered-models/delete', { name: 'm' })).json).toEqual({});
      expect((await call('GET', 'registered-models/get', { name: 'm' })).json).toEqual({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: 'Registered Model with name=m not found',
      });
    });

    it('answers the same on the /ajax-api prefix and refuses a wrong method', async () => {
      const res = await (createApp({ store, logger: createLogger('none') })).request('/ajax-api/2.0/mlflow/registered-models/get?name=n');
      expect(res.status).toBe(200);
      expect((await res.json()).registered_model.name).toBe('n');
      const wrong = await call('POST', 'registered-models/get', { name: 'n' });
      expect(wrong.status).toBe(405);
    });
  });
}

describe('registry endpoints on a file store', () => {
  let store: TrackingStore;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('mlf-reg-file-');
    store = await openTrackingStore(path.join(dir, 'mlruns'));
  });
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every registry endpoint with NOT_IMPLEMENTED (501, not retried by clients): the registry needs a database-backed store', async () => {
    const call = caller(createApp({ store, logger: createLogger('none') }));
    for (const [route, methods] of REGISTRY_ENDPOINTS) {
      for (const m of methods) {
        const r = await call(m, route.slice(1), m === 'GET' ? { name: 'm' } : { name: 'm' });
        expect(r.status, `${m} ${route}`).toBe(501); // MLflow's client retries 500, 502-504, 408 and 429, not 501
        expect(r.json.error_code).toBe('NOT_IMPLEMENTED');
        expect(r.json.message).toContain('The Model Registry needs a database-backed store');
      }
    }
  });

  it('serves the registry from --registry-store-uri when that is a database', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const app = createApp({ store, registryStoreUri: db.uri, logger: createLogger('none') });
      const call = caller(app);
      expect((await call('POST', 'registered-models/create', { name: 'side' })).status).toBe(200);
      expect((await call('GET', 'registered-models/get', { name: 'side' })).json.registered_model.name).toBe('side');
    } finally {
      await db.drop();
    }
  });

  it('answers NOT_IMPLEMENTED on a database store whose --registry-store-uri is a folder', async () => {
    const db = await createTestDatabase('sqlite');
    const sqlStore = await openTrackingStore(db.uri);
    try {
      const call = caller(createApp({ store: sqlStore, registryStoreUri: path.join(dir, 'reg'), logger: createLogger('none') }));
      expect((await call('GET', 'registered-models/get', { name: 'x' })).json.error_code).toBe('NOT_IMPLEMENTED');
    } finally {
      await sqlStore.close();
      await db.drop();
    }
  });
});

describe('mlf server wiring of --registry-store-uri', () => {
  it('serves the registry from its own database next to a file backend store, and closes it', async () => {
    const { resolveSettings, startServer } = await import('../../src/server/serve.js');
    const dir = tempDir('mlf-reg-serve-');
    const regDb = await createTestDatabase('sqlite');
    const s = await startServer(
      resolveSettings({ backendStoreUri: path.join(dir, 'mlruns'), registryStoreUri: regDb.uri, port: 0, artifactsDestination: path.join(dir, 'art') }),
      createLogger('none'),
    );
    try {
      const res = await fetch(`${s.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'served' }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).registered_model.name).toBe('served');
    } finally {
      await s.close();
      await regDb.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the registry database cannot be opened (exit code 1, masked URI)', async () => {
    const { resolveSettings, startServer } = await import('../../src/server/serve.js');
    const dir = tempDir('mlf-reg-serve-');
    try {
      const err = await startServer(
        resolveSettings({ backendStoreUri: path.join(dir, 'mlruns'), registryStoreUri: 'postgresql://u:topsecret@127.0.0.1:1/x', port: 0 }),
        createLogger('none'),
      ).then(
        () => undefined,
        (e: unknown) => e as { exitCode: number; message: string },
      );
      expect(err?.exitCode).toBe(1);
      expect(err?.message).not.toContain('topsecret');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
