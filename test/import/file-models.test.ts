/**
 * A file store's logged models (MLflow 3's layout) through `mlf db import`: the 18-digit experiment
 * id is renumbered and the models, their params, tags and metric points follow it; they read back
 * equal through the SQL store; a second import adds nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { LoggedModel } from '../../src/tracking/logged-models.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase } from '../support/databases.js';
import { FILE_REF } from './support.js';

const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of the fixture with two logged models in ref-exp-A (one deleted), params, tags and metric points (one NaN). */
async function storeWithModels(): Promise<{ mlruns: string; expId: string; models: LoggedModel[] }> {
  const mlruns = copyFixture('mlruns');
  dirs.push(path.dirname(mlruns));
  const expId = FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id;
  const runId = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
  const store = await openTrackingStore(mlruns);
  try {
    const lm = store.loggedModels!;
    const a = await lm.create({ experimentId: expId, name: 'agent', modelType: 'agent', sourceRunId: runId, params: [{ key: 'lr', value: '0.01' }], tags: [{ key: 'team', value: 'ml' }] });
    await lm.finalize(a.info.modelId, 'LOGGED_MODEL_READY');
    const b = await lm.create({ experimentId: expId, name: 'gone' });
    await lm.delete(b.info.modelId);
    // Metric points as MLflow's file store writes them: `<timestamp> <value> <step> <run_id> <dataset_name> <dataset_digest>`.
    const dir = path.join(mlruns, expId, 'models', a.info.modelId, 'metrics');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'acc'), `1700000000000 0.5 0 ${runId} eval d1\n1700000000001 0.75 1 ${runId} None None\n`);
    fs.writeFileSync(path.join(dir, 'loss'), `1700000000002 nan 0 ${runId} None None\n`);
    const models = [await lm.get(a.info.modelId), await lm.get(b.info.modelId, true)];
    expect(models[0]!.data.metrics).toHaveLength(3);
    return { mlruns, expId, models };
  } finally {
    await store.close();
  }
}

describe('db import: a file store\'s logged models', () => {
  for (const dialect of testDialects()) {
    it(`into ${dialect}: renumbered experiment followed, every model value kept, repeat adds nothing`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const { mlruns, expId, models } = await storeWithModels();
      const target = await createTestDatabase(dialect);
      dbs.push(target);
      const idMapFile = path.join(path.dirname(mlruns), 'ids.json');
      const r = await importStore({ from: mlruns, to: target.uri, idMapFile });
      expect(r.differences).toEqual([]);
      const newId = r.renumbered[expId]!;
      expect(newId).toMatch(/^\d{1,10}$/);
      expect(r.rows).toMatchObject({ logged_models: 2, logged_model_params: 1, logged_model_tags: 1, logged_model_metrics: 3 });

      const store = await openTrackingStore(target.uri);
      try {
        for (const m of models) {
          const got = await store.loggedModels!.get(m.info.modelId, true);
          const sortMetrics = (x: LoggedModel) => [...x.data.metrics].sort((p, q) => p.timestamp - q.timestamp);
          expect({ ...got.info, tags: [...got.info.tags].sort((p, q) => (p.key < q.key ? -1 : 1)) }).toEqual({ ...m.info, experimentId: newId });
          expect(got.data.params).toEqual(m.data.params);
          expect(sortMetrics(got)).toEqual(sortMetrics(m));
        }
        const active = await store.loggedModels!.search({ experimentIds: [newId] });
        expect(active.items.map((x) => x.info.name)).toEqual(['agent']);
      } finally {
        await store.close();
      }
      const again = await importStore({ from: mlruns, to: target.uri, idMapFile });
      expect(again.rows).toEqual({});
      expect(again.differences).toEqual([]);
    }, 120_000);
  }
});
