/**
 * Model Registry rows the target holds under the source's keys: the same content is the same row (a
 * repeated import writes none of them), other content is refused before anything is written, naming
 * the registered model, version, tag or alias and the columns that differ, as for runs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';
import { count, scratch, withDb } from './db-helpers.js';

const { dbs, dirs } = scratch();

const T = 1700000000000;

/** A SQLite source: one run, and model `churn` with a tag, version 1 (from that run) with a tag, alias `champion`. */
async function source(): Promise<{ uri: string; runId: string; expId: string }> {
  const db = await createTestDatabase('sqlite');
  dbs.push(db);
  const s = await openTrackingStore(db.uri);
  const expId = await s.createExperiment({ name: 'E' });
  const run = await s.createRun({ experimentId: expId, startTime: T, userId: 'u', runName: 'r', tags: [] });
  await s.close();
  const runId = run.info.runId;
  await withDb(db.uri, async ({ db: k }) => {
    await k.insertInto('registered_models').values({ name: 'churn', creation_time: T, last_updated_time: T + 5, description: 'predicts churn' }).execute();
    await k.insertInto('registered_model_tags').values({ name: 'churn', key: 'team', value: 'growth' }).execute();
    await k
      .insertInto('model_versions')
      .values({ name: 'churn', version: 1, creation_time: T + 1, last_updated_time: T + 5, description: '', user_id: 'u', current_stage: 'None', source: `runs:/${runId}/model`, run_id: runId, status: 'READY', status_message: null, run_link: '', storage_location: null })
      .execute();
    await k.insertInto('model_version_tags').values({ name: 'churn', version: 1, key: 'validated', value: 'true' }).execute();
    await k.insertInto('registered_model_aliases').values({ name: 'churn', alias: 'champion', version: 1 }).execute();
  });
  return { uri: db.uri, runId, expId };
}

describe('db import: Model Registry rows already in the target', () => {
  for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
    it(`into ${dialect}: identical rows are a no-op, other content is refused naming it, nothing written`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const src = await source();
      const target = await createTestDatabase(dialect);
      dbs.push(target);
      const dir = tempDir('mlf-registry-');
      dirs.push(dir);
      const idMapFile = path.join(dir, 'ids.json');

      const first = await importStore({ from: src.uri, to: target.uri, idMapFile });
      expect(first.differences).toEqual([]);
      expect(first.rows).toMatchObject({ registered_models: 1, model_versions: 1, registered_model_tags: 1, model_version_tags: 1, registered_model_aliases: 1 });
      const again = await importStore({ from: src.uri, to: target.uri, idMapFile });
      expect(again.differences).toEqual([]);
      expect(Object.keys(again.rows).filter((t) => /model/.test(t))).toEqual([]);

      // The target's registry drifts: another description, stage, tag value and alias target.
      await withDb(target.uri, async ({ db }) => {
        await db.updateTable('registered_models').set({ description: 'edited in the target' }).where('name', '=', 'churn').execute();
        await db.updateTable('model_versions').set({ current_stage: 'Production' }).where('name', '=', 'churn').execute();
        await db.updateTable('model_version_tags').set({ value: 'false' }).where('name', '=', 'churn').execute();
        await db.insertInto('model_versions').values({ name: 'churn', version: 2, creation_time: T + 9, last_updated_time: T + 9, current_stage: 'None', status: 'READY' }).execute();
        await db.updateTable('registered_model_aliases').set({ version: 2 }).where('name', '=', 'churn').execute();
      });
      // And the source has a new run that must not arrive.
      const s = await openTrackingStore(src.uri);
      await s.createRun({ experimentId: src.expId, startTime: T + 100, userId: 'u', runName: 'later', tags: [] });
      await s.close();
      const runs = await count(target.uri, 'runs');

      const err = (await importStore({ from: src.uri, to: target.uri, idMapFile }).catch((e: unknown) => e)) as { errorCode: string; message: string };
      expect(err.errorCode).toBe('RESOURCE_CONFLICT');
      expect(err.message).toContain('4 Model Registry row(s) of the source with other data');
      expect(err.message).toContain('registered model "churn" (description differ)');
      expect(err.message).toContain('model version "churn" v1 (current_stage differ)');
      expect(err.message).toContain('tag "validated" of model version "churn" v1 (value differ)');
      expect(err.message).toContain('alias "champion" of registered model "churn" (version differ)');
      expect(err.message).not.toContain('"team"');
      expect(err.message).toContain('nothing was written');
      expect(await count(target.uri, 'runs')).toBe(runs);
      const kept = await withDb(target.uri, async ({ db }) => (await db.selectFrom('registered_models').select('description').executeTakeFirstOrThrow()).description);
      expect(kept).toBe('edited in the target');
    }, 180_000);
  }
});
