/**
 * The logged-model endpoints request by request (service.proto's CreateLoggedModel, GetLoggedModel,
 * FinalizeLoggedModel, DeleteLoggedModel, SearchLoggedModels, SetLoggedModelTags,
 * DeleteLoggedModelTag, LogLoggedModelParams) on every database dialect reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';
import { apiCaller } from '../server/helpers.js';

/** A file store folder, or a database of a dialect. */
async function storeUri(kind: string): Promise<TestDatabase> {
  if (kind !== 'file') return createTestDatabase(kind as TestDatabase['dialect']);
  const dir = tempDir('mlf-lm-');
  return { dialect: 'sqlite', uri: path.join(dir, 'mlruns'), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

for (const kind of ['file', ...testDialects()]) {
  describe(`logged models over REST (${kind})`, async () => {
    const skip = kind === 'file' ? false : await skipUnlessAvailable(kind as TestDatabase['dialect']);
    let db: TestDatabase;
    let store: TrackingStore;
    let call: ReturnType<typeof apiCaller>;
    let exp: string;

    beforeAll(async () => {
      if (skip) return;
      db = await storeUri(kind);
      store = await openTrackingStore(db.uri, { artifactRoot: 'mlflow-artifacts:/' });
      call = apiCaller(createApp({ store, logger: createLogger('none') }));
      exp = (await call('POST', 'experiments/create', { name: 'lm' })).json.experiment_id;
    });
    afterAll(async () => {
      if (skip) return;
      await store.close();
      await db.drop();
    });

    const create = async (body: Record<string, unknown>) => {
      const r = await call('POST', 'logged-models', { experiment_id: exp, ...body });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json.model;
    };

    it.skipIf(skip)('creates a pending model with params and tags, under the experiment artifact location', async () => {
      const m = await create({ name: 'clf', model_type: 'sklearn', params: [{ key: 'alpha', value: '0.5' }], tags: [{ key: 't', value: 'v' }] });
      expect(m.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
      expect(m.info).toMatchObject({ experiment_id: exp, name: 'clf', model_type: 'sklearn', status: 'LOGGED_MODEL_PENDING', tags: [{ key: 't', value: 'v' }] });
      expect(m.info.artifact_uri).toBe(`mlflow-artifacts:/${exp}/models/${m.info.model_id}/artifacts`);
      expect(m.info.creation_timestamp_ms).toBe(m.info.last_updated_timestamp_ms);
      expect(m.data.params).toEqual([{ key: 'alpha', value: '0.5' }]);
      if (kind === 'file') {
        // MLflow 3's layout: <experiment>/models/<model_id>/{meta.yaml,params/,tags/}; runs of the experiment still list.
        const dir = path.join(db.uri, exp, 'models', m.info.model_id);
        expect(fs.readFileSync(path.join(dir, 'params', 'alpha'), 'utf8')).toBe('0.5');
        expect(fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8')).toContain(`model_id: ${m.info.model_id}`);
        const runs = await call('POST', 'runs/search', { experiment_ids: [exp] });
        expect(runs.status).toBe(200);
        expect(runs.json.runs).toBeUndefined();
      }
      const got = await call('GET', `/ajax-api/2.0/mlflow/logged-models/${m.info.model_id}`);
      expect(got.status).toBe(200);
      expect(got.json.model).toEqual(m);
    });

    it.skipIf(skip)('names a model when no name is given; refuses bad names, unknown and deleted experiments', async () => {
      const m = await create({});
      expect(m.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      const bad = await call('POST', 'logged-models', { experiment_id: exp, name: 'a/b' });
      expect([bad.status, bad.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const none = await call('POST', 'logged-models', { experiment_id: '987654' });
      expect([none.status, none.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      const missing = await call('POST', 'logged-models', {});
      expect([missing.status, missing.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      const gone = (await call('POST', 'experiments/create', { name: 'lm-gone' })).json.experiment_id;
      await call('POST', 'experiments/delete', { experiment_id: gone });
      const r = await call('POST', 'logged-models', { experiment_id: gone });
      expect([r.status, r.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(r.json.message).toContain("must be in the 'active' state");
    });

    it.skipIf(skip)('finalizes, sets and deletes tags, logs params, deletes', async () => {
      const m = await create({ name: 'fin' });
      const id = m.info.model_id;
      const fin = await call('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
      expect(fin.status).toBe(200);
      expect(fin.json.model.info.status).toBe('LOGGED_MODEL_READY');
      expect((await call('PATCH', `logged-models/${id}`, { model_id: id })).json.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect((await call('PATCH', `logged-models/${id}`, { status: 'BOGUS' })).json.error_code).toBe('INVALID_PARAMETER_VALUE');

      expect((await call('PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'a', value: '1' }, { key: 'b/c', value: '2' }] })).json).toEqual({});
      await call('PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'a', value: '3' }] });
      expect((await call('DELETE', `logged-models/${id}/tags/b/c`)).status).toBe(200);
      const missingTag = await call('DELETE', `logged-models/${id}/tags/nope`);
      expect([missingTag.status, missingTag.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);

      expect((await call('POST', `logged-models/${id}/params`, { model_id: id, params: [{ key: 'p', value: 'x' }] })).status).toBe(200);
      const again = await call('POST', `logged-models/${id}/params`, { model_id: id, params: [{ key: 'p', value: 'y' }] });
      expect([again.status, again.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);

      const got = (await call('GET', `logged-models/${id}`)).json.model;
      expect(got.info.tags).toEqual([{ key: 'a', value: '3' }]);
      expect(got.data.params).toEqual([{ key: 'p', value: 'x' }]);

      expect((await call('DELETE', `logged-models/${id}`, { model_id: id })).json).toEqual({});
      const hidden = await call('GET', `logged-models/${id}`);
      expect([hidden.status, hidden.json.error_code, hidden.json.message]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${id}' not found.`]);
      expect((await call('GET', `logged-models/${id}`, { allow_deleted: 'true' })).json.model.info.model_id).toBe(id);
      // A deleted model refuses every change, and the refusal changes nothing.
      const refin = await call('PATCH', `logged-models/${id}`, { status: 'LOGGED_MODEL_UPLOAD_FAILED' });
      expect([refin.status, refin.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      expect((await call('GET', `logged-models/${id}`, { allow_deleted: 'true' })).json.model.info.status).toBe('LOGGED_MODEL_READY');
      for (const [m, p, b] of [
        ['PATCH', `logged-models/${id}/tags`, { tags: [{ key: 'z', value: '1' }] }],
        ['POST', `logged-models/${id}/params`, { params: [{ key: 'z', value: '1' }] }],
        ['DELETE', `logged-models/${id}`, {}],
        ['GET', 'logged-models/m-00000000000000000000000000000000', undefined],
      ] as const) {
        const r = await call(m, p, b as Record<string, unknown> | undefined);
        expect([r.status, r.json.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
      }
    });

    it.skipIf(skip)('searches with filters, order_by and page tokens', async () => {
      const e2 = (await call('POST', 'experiments/create', { name: 'lm-search' })).json.experiment_id;
      const mk = async (name: string, p: string, tag: string) =>
        (await call('POST', 'logged-models', { experiment_id: e2, name, params: [{ key: 'lr', value: p }], tags: [{ key: 'team', value: tag }] })).json.model.info.model_id;
      const a = await mk('alpha', '0.1', 'red');
      const b = await mk('beta', '0.2', 'Red');
      const c = await mk('gamma', '0.1', 'blue');
      await call('PATCH', `logged-models/${b}`, { status: 'LOGGED_MODEL_READY' });
      const names = async (body: Record<string, unknown>) => {
        const r = await call('POST', 'logged-models/search', { experiment_ids: [e2], ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        return r.json.models.map((m: any) => m.info.name);
      };
      expect(await names({ order_by: [{ field_name: 'name' }] })).toEqual(['alpha', 'beta', 'gamma']);
      expect(await names({ order_by: [{ field_name: 'name', ascending: false }] })).toEqual(['gamma', 'beta', 'alpha']);
      expect(await names({ filter: "params.lr = '0.1'", order_by: [{ field_name: 'name' }] })).toEqual(['alpha', 'gamma']);
      expect(await names({ filter: "tags.team = 'red'" })).toEqual(['alpha']);
      expect(await names({ filter: "tags.team ILIKE 'red'", order_by: [{ field_name: 'name' }] })).toEqual(['alpha', 'beta']);
      expect(await names({ filter: "name LIKE '%a' AND params.lr = '0.1'", order_by: [{ field_name: 'name' }] })).toEqual(['alpha', 'gamma']);
      expect(await names({ filter: "status = 'LOGGED_MODEL_READY'" })).toEqual(['beta']);
      expect(await names({ filter: 'creation_timestamp_ms > 0', order_by: [{ field_name: 'name' }] })).toEqual(['alpha', 'beta', 'gamma']);

      await call('DELETE', `logged-models/${c}`);
      const p1 = await call('POST', 'logged-models/search', { experiment_ids: [e2], max_results: 1, order_by: [{ field_name: 'name' }] });
      expect(p1.json.models.map((m: any) => m.info.model_id)).toEqual([a]);
      const p2 = await call('POST', 'logged-models/search', { experiment_ids: [e2], max_results: 1, order_by: [{ field_name: 'name' }], page_token: p1.json.next_page_token });
      expect(p2.json.models.map((m: any) => m.info.model_id)).toEqual([b]);
      expect(p2.json.next_page_token).toBeUndefined();
      const other = await call('POST', 'logged-models/search', { experiment_ids: [e2], max_results: 1, page_token: p1.json.next_page_token });
      expect([other.status, other.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);

      for (const body of [
        { filter: 'bogus = 1' },
        { filter: "metrics.x LIKE 'a'" },
        { filter: 'nope.x = 1' },
        { order_by: [{ field_name: 'params.lr' }] },
        { order_by: [{ field_name: 'bogus' }] },
        { datasets: [{ dataset_digest: 'd' }] },
        { page_token: 'not a token' },
      ]) {
        const r = await call('POST', 'logged-models/search', { experiment_ids: [e2], ...body });
        expect([r.status, r.json.error_code], JSON.stringify(body)).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      }
      const noIds = await call('POST', 'logged-models/search', {});
      expect([noIds.status, noIds.json.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    });

    it.skipIf(skip)('answers 404 ENDPOINT_NOT_FOUND for paths it does not serve', async () => {
      const r = await call('GET', 'logged-models/m-1/unknown');
      expect([r.status, r.json.error_code]).toEqual([404, 'ENDPOINT_NOT_FOUND']);
    });
  });
}
