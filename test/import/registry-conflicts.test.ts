/**
 * Model Registry rows the target holds under the source's keys, as for runs: the same content is the
 * same row (a repeated import writes none of them); a description, stage, tag value or alias changed
 * since is brought over (the source's values win); a model or version under the source's name that
 * was created at another time is another entity, refused before anything is written, naming it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, tempDir, testDialects } from '../support/databases.js';
import { count, scratch, withDb } from './db-helpers.js';
import { norm } from '../../src/import/table-copy.js';

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

const REGISTRY = ['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases'];

/** Every registry row of a database, in one comparable shape (the columns MLflow 2.17 has, normalised). */
async function registry(uri: string): Promise<Record<string, string[]>> {
  return withDb(uri, async ({ db }) => {
    const out: Record<string, string[]> = {};
    for (const t of REGISTRY) {
      const rows = (await db.selectFrom(t).selectAll().execute()) as Record<string, unknown>[];
      out[t] = rows.map((r) => JSON.stringify(Object.keys(r).filter((c) => c !== 'workspace').sort().map((c) => [c, norm(r[c])]))).sort();
    }
    return out;
  });
}

describe('db import: Model Registry rows already in the target', () => {
  for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
    it(`into ${dialect}: identical rows are a no-op, changed ones take the source's values, another entity is refused`, async (ctx) => {
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

      // The source's registry moves on: a new description, tag value and tag, v1 to Production with
      // another tag value, a v2, the alias on it; the target's description drifts meanwhile.
      await withDb(src.uri, async ({ db }) => {
        await db.updateTable('registered_models').set({ description: 'predicts churn, v2', last_updated_time: T + 20 }).where('name', '=', 'churn').execute();
        await db.updateTable('registered_model_tags').set({ value: 'retention' }).where('key', '=', 'team').execute();
        await db.insertInto('registered_model_tags').values({ name: 'churn', key: 'owner', value: 'ana' }).execute();
        await db.updateTable('model_versions').set({ current_stage: 'Production', last_updated_time: T + 20 }).where('version', '=', 1).execute();
        await db.updateTable('model_version_tags').set({ value: 'false' }).where('key', '=', 'validated').execute();
        await db.insertInto('model_versions').values({ name: 'churn', version: 2, creation_time: T + 15, last_updated_time: T + 15, current_stage: 'None', source: `runs:/${src.runId}/model`, run_id: src.runId, status: 'READY' }).execute();
        await db.updateTable('registered_model_aliases').set({ version: 2 }).where('alias', '=', 'champion').execute();
      });
      await withDb(target.uri, async ({ db }) => {
        await db.updateTable('registered_models').set({ description: 'edited in the target' }).where('name', '=', 'churn').execute();
      });
      const before = await registry(target.uri);
      const dry = await importStore({ from: src.uri, to: target.uri, idMapFile, dryRun: true });
      const changes = {
        model_versions: 1,
        registered_model_tags: 1,
        'registered_models (updated)': 1,
        'registered_model_tags (updated)': 1,
        'model_versions (updated)': 1,
        'model_version_tags (updated)': 1,
        'registered_model_aliases (updated)': 1,
      };
      expect(Object.fromEntries(Object.entries(dry.rows).filter(([t]) => /model/.test(t)))).toEqual(changes);
      expect(await registry(target.uri)).toEqual(before);
      const update = await importStore({ from: src.uri, to: target.uri, idMapFile });
      expect(update.differences).toEqual([]);
      expect(Object.fromEntries(Object.entries(update.rows).filter(([t]) => /model/.test(t)))).toEqual(changes);
      expect(await registry(target.uri)).toEqual(await registry(src.uri));
      const third = await importStore({ from: src.uri, to: target.uri, idMapFile });
      expect(Object.keys(third.rows).filter((t) => /model/.test(t))).toEqual([]);

      // Under the source's names, the target holds other entities: a model "fraud" and a version 3
      // of "churn" created at other times than the source's.
      const other = { current_stage: 'None', status: 'READY' };
      await withDb(target.uri, async ({ db }) => {
        await db.insertInto('registered_models').values({ name: 'fraud', creation_time: T + 50, last_updated_time: T + 50 }).execute();
        await db.insertInto('model_versions').values({ name: 'churn', version: 3, creation_time: T + 70, last_updated_time: T + 70, ...other }).execute();
      });
      await withDb(src.uri, async ({ db }) => {
        await db.insertInto('registered_models').values({ name: 'fraud', creation_time: T + 60, last_updated_time: T + 60 }).execute();
        await db.insertInto('model_versions').values({ name: 'churn', version: 3, creation_time: T + 80, last_updated_time: T + 80, ...other }).execute();
        await db.updateTable('registered_models').set({ description: 'not to arrive' }).where('name', '=', 'churn').execute();
      });
      // And the source has a new run that must not arrive either.
      const s = await openTrackingStore(src.uri);
      await s.createRun({ experimentId: src.expId, startTime: T + 100, userId: 'u', runName: 'later', tags: [] });
      await s.close();
      const runs = await count(target.uri, 'runs');
      const held = await registry(target.uri);

      const err = (await importStore({ from: src.uri, to: target.uri, idMapFile }).catch((e: unknown) => e)) as { errorCode: string; message: string };
      expect(err.errorCode).toBe('RESOURCE_CONFLICT');
      expect(err.message).toContain('2 Model Registry row(s) under the source\'s names that are other models or versions');
      expect(err.message).toContain('registered model "fraud" (creation_time differ)');
      expect(err.message).toContain('model version "churn" v3 (creation_time differ)');
      expect(err.message).not.toContain('"churn" (');
      expect(err.message).toContain('nothing was written');
      expect(await count(target.uri, 'runs')).toBe(runs);
      expect(await registry(target.uri)).toEqual(held);
    }, 180_000);
  }
});

describe('db import: Model Registry rows of a source without workspaces', () => {
  it('a 2.17 source (registry keyed by name alone) into a target at head: repeat adds nothing, a change is brought over', async () => {
    const from = copyFixture('sqlite-head.db');
    dirs.push(path.dirname(from));
    const src = `sqlite:///${from}`;
    await withDb(src, async ({ db }) => {
      await db.insertInto('registered_models').values({ name: 'churn', creation_time: T, last_updated_time: T, description: 'old' }).execute();
      await db.insertInto('registered_model_tags').values({ name: 'churn', key: 'team', value: 'growth' }).execute();
    });
    const target = await createTestDatabase('sqlite');
    dbs.push(target);
    const idMapFile = path.join(path.dirname(from), 'ids.json');
    const first = await importStore({ from: src, to: target.uri, idMapFile });
    expect(first.rows).toMatchObject({ registered_models: 1, registered_model_tags: 1 });
    const again = await importStore({ from: src, to: target.uri, idMapFile });
    expect(Object.keys(again.rows).filter((t) => /model/.test(t))).toEqual([]);
    await withDb(src, async ({ db }) => {
      await db.updateTable('registered_models').set({ description: 'new', last_updated_time: T + 1 }).execute();
      await db.updateTable('registered_model_tags').set({ value: 'retention' }).execute();
    });
    const update = await importStore({ from: src, to: target.uri, idMapFile });
    expect(Object.fromEntries(Object.entries(update.rows).filter(([t]) => /model/.test(t)))).toEqual({ 'registered_models (updated)': 1, 'registered_model_tags (updated)': 1 });
    const held = await withDb(target.uri, async ({ db }) => db.selectFrom('registered_models').selectAll().execute());
    expect(held).toMatchObject([{ workspace: 'default', name: 'churn', description: 'new', last_updated_time: T + 1 }]);
  });
});
