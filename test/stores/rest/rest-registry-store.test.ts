/**
 * RestRegistryStore sends each registry call as MLflow's registry RestStore does (method, path,
 * fields) and reads MLflow's JSON back into entities; HttpClient.stream retries a streamed upload
 * with a fresh body. Checked against a scripted server; the full behaviour through a real
 * `mlf server` is test/cli/models-commands.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RestRegistryStore } from '../../../src/stores/rest/rest-registry-store.js';
import { RestStore } from '../../../src/stores/rest/rest-store.js';
import { tempDir } from '../../support/databases.js';
import { FAST, itSendsRequests, resetScript, scriptedServer, type RequestCase, type ScriptedServer } from './support.js';

let srv: ScriptedServer;
let store: RestStore;
let reg: RestRegistryStore;

const MV = { name: 'm', version: '2', creation_timestamp: 5, last_updated_timestamp: 6, current_stage: 'Staging', source: 's', run_id: 'r', status: 'READY', tags: [{ key: 'k', value: 'v' }], aliases: ['champ'] };
const RM = { name: 'm', creation_timestamp: 1, last_updated_timestamp: 2, latest_versions: [MV], aliases: [{ alias: 'champ', version: '2' }] };

beforeAll(async () => {
  srv = await scriptedServer();
  store = RestStore.open({ kind: 'rest', baseUrl: srv.url, uri: srv.url }, { env: {}, home: tempDir('mlf-home-'), retry: FAST });
  reg = new RestRegistryStore(store.client, store.displayUri);
});
afterEach(() => {
  resetScript(srv);
});
afterAll(async () => {
  await store.close();
  await srv.close();
});

describe("registry requests as MLflow's RestStore sends them", () => {
  const cases: RequestCase[] = [
    ['createRegisteredModel', () => reg.createRegisteredModel({ name: 'm', tags: [{ key: 'k', value: 'v' }], description: 'd' }), { registered_model: RM },
      { method: 'POST', path: '/registered-models/create', json: { name: 'm', tags: [{ key: 'k', value: 'v' }], description: 'd' } }],
    ['renameRegisteredModel', () => reg.renameRegisteredModel('m', 'n'), { registered_model: RM }, { method: 'POST', path: '/registered-models/rename', json: { name: 'm', new_name: 'n' } }],
    ['deleteRegisteredModel', () => reg.deleteRegisteredModel('m'), {}, { method: 'DELETE', path: '/registered-models/delete', json: { name: 'm' } }],
    ['getRegisteredModel', () => reg.getRegisteredModel('m'), { registered_model: RM }, { method: 'GET', path: '/registered-models/get', query: { name: ['m'] } }],
    ['searchRegisteredModels', () => reg.searchRegisteredModels({ filter: "name LIKE 'm%'", maxResults: 5, orderBy: ['name ASC', 'timestamp DESC'], pageToken: 't' }), {},
      { method: 'GET', path: '/registered-models/search', query: { filter: ["name LIKE 'm%'"], max_results: ['5'], order_by: ['name ASC', 'timestamp DESC'], page_token: ['t'] } }],
    ['setRegisteredModelTag', () => reg.setRegisteredModelTag('m', { key: 'k', value: 'v' }), {}, { method: 'POST', path: '/registered-models/set-tag', json: { name: 'm', key: 'k', value: 'v' } }],
    ['deleteRegisteredModelTag', () => reg.deleteRegisteredModelTag('m', 'k'), {}, { method: 'DELETE', path: '/registered-models/delete-tag', json: { name: 'm', key: 'k' } }],
    ['createModelVersion', () => reg.createModelVersion({ name: 'm', source: 's', runId: 'r' }), { model_version: MV }, { method: 'POST', path: '/model-versions/create', json: { name: 'm', source: 's', run_id: 'r' } }],
    ['transitionModelVersionStage', () => reg.transitionModelVersionStage('m', 2, 'Production', true), { model_version: MV },
      { method: 'POST', path: '/model-versions/transition-stage', json: { name: 'm', version: '2', stage: 'Production', archive_existing_versions: true } }],
    ['deleteModelVersion', () => reg.deleteModelVersion('m', 2), {}, { method: 'DELETE', path: '/model-versions/delete', json: { name: 'm', version: '2' } }],
    ['getModelVersion', () => reg.getModelVersion('m', '2'), { model_version: MV }, { method: 'GET', path: '/model-versions/get', query: { name: ['m'], version: ['2'] } }],
    ['getModelVersionDownloadUri', () => reg.getModelVersionDownloadUri('m', 2), { artifact_uri: 'x' }, { method: 'GET', path: '/model-versions/get-download-uri', query: { name: ['m'], version: ['2'] } }],
    ['searchModelVersions', () => reg.searchModelVersions({ filter: "name = 'm'" }), {}, { method: 'GET', path: '/model-versions/search', query: { filter: ["name = 'm'"] } }],
    ['setModelVersionTag', () => reg.setModelVersionTag('m', 2, { key: 'k', value: 'v' }), {}, { method: 'POST', path: '/model-versions/set-tag', json: { name: 'm', version: '2', key: 'k', value: 'v' } }],
    ['deleteModelVersionTag', () => reg.deleteModelVersionTag('m', 2, 'k'), {}, { method: 'DELETE', path: '/model-versions/delete-tag', json: { name: 'm', version: '2', key: 'k' } }],
    ['setRegisteredModelAlias', () => reg.setRegisteredModelAlias('m', 'champ', 2), {}, { method: 'POST', path: '/registered-models/alias', json: { name: 'm', alias: 'champ', version: '2' } }],
    ['deleteRegisteredModelAlias', () => reg.deleteRegisteredModelAlias('m', 'champ'), {}, { method: 'DELETE', path: '/registered-models/alias', json: { name: 'm', alias: 'champ' } }],
    ['getModelVersionByAlias', () => reg.getModelVersionByAlias('m', 'champ'), { model_version: MV }, { method: 'GET', path: '/registered-models/alias', query: { name: ['m'], alias: ['champ'] } }],
  ];
  itSendsRequests(() => srv, cases);
});

describe('registry answers', () => {
  it("reads MLflow's JSON into entities: versions as numbers, aliases, tags, pages", async () => {
    srv.queue = [{ body: { registered_models: [RM], next_page_token: 'n' } }];
    const page = await reg.searchRegisteredModels();
    expect(page.nextPageToken).toBe('n');
    expect(page.items[0]).toEqual({
      name: 'm', creationTimestamp: 1, lastUpdatedTimestamp: 2, description: null, tags: [], aliases: [{ alias: 'champ', version: 2 }],
      latestVersions: [{
        name: 'm', version: 2, creationTimestamp: 5, lastUpdatedTimestamp: 6, description: null, userId: null, currentStage: 'Staging', source: 's',
        runId: 'r', runLink: null, status: 'READY', statusMessage: null, tags: [{ key: 'k', value: 'v' }], aliases: ['champ'],
      }],
    });
  });

  it("raises the server's error with its code and message", async () => {
    srv.queue = [{ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=x not found' } }];
    await expect(reg.getRegisteredModel('x')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=x not found' });
  });
});

describe('streamed artifact requests', () => {
  it('retries an upload after a 503 with a fresh body, and sends the bytes whole', async () => {
    const file = path.join(tempDir('mlf-stream-'), 'f.bin');
    fs.writeFileSync(file, Buffer.alloc(100_000, 7));
    srv.queue = [{ status: 503, body: 'busy' }, { body: {} }];
    const res = await store.client.stream('PUT', '/api/2.0/mlflow-artifacts/artifacts/a/f.bin', {
      body: () => ({ stream: fs.createReadStream(file), size: 100_000 }),
    });
    res.resume();
    expect(srv.seen.map((s) => [s.method, s.path, s.body.length])).toEqual([
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/a/f.bin', 100_000],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/a/f.bin', 100_000],
    ]);
  });

  it("turns a JSON error answer into the server's error", async () => {
    srv.queue = [{ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "No such file or directory: 'x'" } }];
    await expect(store.client.stream('GET', '/api/2.0/mlflow-artifacts/artifacts/x')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });
});
