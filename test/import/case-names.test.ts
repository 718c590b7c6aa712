/**
 * Names differing only in case: MariaDB's default collation takes `Churn` for `churn`, so a target
 * there cannot hold both (MLflow's own store answers the second with RESOURCE_ALREADY_EXISTS). The
 * import refuses them before writing, naming both: two source experiments, a source experiment and a
 * target one, two registered models, two params of a run, a source model and a target one, two
 * datasets of an experiment or a source dataset and a target one, two tags of a run's input, two tags
 * of a file store's trace or logged model. SQLite and PostgreSQL compare exactly and take them all.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { FileStore } from '../../src/stores/file/file-store.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { ensureBuilt, runMlf } from '../migrations/cli.js';
import { createTestDatabase, skipUnlessAvailable, tempDir } from '../support/databases.js';
import { count, scratch, withDb } from './db-helpers.js';

beforeAll(() => ensureBuilt(), 180_000);

const { dbs, dirs } = scratch();

const model = (name: string) => ({ name, creation_time: 1700000000000, last_updated_time: 1700000000000, description: null });

/** A dataset input of that name (digest d1) with tags of these names. */
const input = (name: string, tags: string[] = []) => ({ dataset: { name, digest: 'd1', sourceType: 'local', source: '/data' }, tags: tags.map((key) => ({ key, value: 'v' })) });

/**
 * A SQLite source: experiments of these names (a run in each, with `params`, and per input a run that
 * logs it), registered `models`.
 */
async function source(names: string[], opts: { params?: string[]; models?: string[]; inputs?: ReturnType<typeof input>[] } = {}): Promise<string> {
  const db = await createTestDatabase('sqlite');
  dbs.push(db);
  const s = await openTrackingStore(db.uri);
  try {
    for (const n of names) {
      const id = await s.createExperiment({ name: n });
      const run = await s.createRun({ experimentId: id, startTime: 1700000000000, userId: 'u', runName: `in-${n}`, tags: [] });
      const params = (opts.params ?? ['lr']).map((key) => ({ key, value: '0.1' }));
      await s.logBatch(run.info.runId, { params, metrics: [], tags: [] });
      for (const i of opts.inputs ?? []) {
        const r = await s.createRun({ experimentId: id, startTime: 1700000000000, userId: 'u', runName: `reads-${i.dataset.name}`, tags: [] });
        await s.logInputs(r.info.runId, [i]);
      }
    }
  } finally {
    await s.close();
  }
  if (opts.models?.length) await withDb(db.uri, async ({ db: k }) => void (await k.insertInto('registered_models').values(opts.models!.map(model)).execute()));
  return db.uri;
}

async function target(dialect: 'sqlite' | 'postgresql' | 'mysql'): Promise<string> {
  const db = await createTestDatabase(dialect);
  dbs.push(db);
  return db.uri;
}

const tables = (uri: string) =>
  withDb(uri, async ({ db }) => {
    const t = await db.introspection.getTables();
    return t.map((x) => x.name);
  });
const refusal = (p: Promise<unknown>) => p.then(
  () => ({ errorCode: 'none', message: 'imported' }),
  (e: { errorCode: string; message: string }) => e,
);
const dir = () => {
  const d = tempDir('mlf-case-');
  dirs.push(d);
  return d;
};

describe('db import: names differing only in case', () => {
  it('into MariaDB: two source experiments `Churn` and `churn` are refused before anything is written (exit 1, one line; --dry-run too)', async (ctx) => {
    if (await skipUnlessAvailable('mysql')) ctx.skip();
    const from = await source(['Churn', 'churn']);
    const to = await target('mysql');
    const err = await refusal(importStore({ from, to, idMapFile: path.join(dir(), 'ids.json') }));
    expect(err.errorCode).toBe('RESOURCE_CONFLICT');
    expect(err.message).toContain('source experiments "Churn" (id 1) and "churn" (id 2)');
    expect(err.message).toContain('rename one of each in the source');
    expect(err.message).toContain('Nothing was written');
    expect(await tables(to)).toEqual([]); // not even the schema

    const dry = await refusal(importStore({ from, to, dryRun: true }));
    expect(dry.message).toContain('source experiments "Churn" (id 1) and "churn" (id 2)');

    const r = await runMlf(['db', 'import', '--from', from, '--to', to, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: The target compares names ignoring case .*"Churn" \(id 1\) and "churn" \(id 2\)/);
    expect(await tables(to)).toEqual([]);
  }, 120_000);

  it('into MariaDB: a source experiment whose name a target experiment holds in another case is refused; the same name goes into it', async (ctx) => {
    if (await skipUnlessAvailable('mysql')) ctx.skip();
    const to = await target('mysql');
    const t = await openTrackingStore(to);
    const targetId = await t.createExperiment({ name: 'churn' });
    await t.close();
    const before = await count(to, 'runs');

    const err = await refusal(importStore({ from: await source(['Churn']), to, idMapFile: path.join(dir(), 'ids.json') }));
    expect(err.errorCode).toBe('RESOURCE_CONFLICT');
    expect(err.message).toContain(`source experiment "Churn" (id 1) and target experiment "churn" (id ${targetId})`);
    expect(await count(to, 'runs')).toBe(before);
    expect(await count(to, 'experiments')).toBe(2); // Default and churn

    const same = await importStore({ from: await source(['churn']), to, idMapFile: path.join(dir(), 'ids.json') });
    expect(same.differences).toEqual([]);
    expect(same.experiments.created).toBe(0);
  }, 120_000);

  it('into MariaDB: params `lr` and `LR` of one run, and registered models `Model` and `model`, are refused naming them', async (ctx) => {
    if (await skipUnlessAvailable('mysql')) ctx.skip();
    const params = await refusal(importStore({ from: await source(['E'], { params: ['lr', 'LR'] }), to: await target('mysql') }));
    expect(params.errorCode).toBe('RESOURCE_CONFLICT');
    expect(params.message).toMatch(/params "lr" and "LR" of run [0-9a-f]{32}/);

    const to = await target('mysql');
    const models = await refusal(importStore({ from: await source(['E'], { models: ['Model', 'model'] }), to }));
    expect(models.errorCode).toBe('RESOURCE_CONFLICT');
    expect(models.message).toContain('registered_models (workspace, name) = (default, Model) and (default, model), both in the source');
    expect(await tables(to)).toEqual([]);

    // A model the target holds in another case: refused naming both; the same name is the same model.
    const into = await target('mysql');
    expect((await importStore({ from: await source(['E'], { models: ['model'] }), to: into, idMapFile: path.join(dir(), 'a.json') })).differences).toEqual([]);
    const runs = await count(into, 'runs');
    const other = await refusal(importStore({ from: await source(['F'], { models: ['Model'] }), to: into, idMapFile: path.join(dir(), 'b.json') }));
    expect(other.errorCode).toBe('RESOURCE_CONFLICT');
    expect(other.message).toContain('registered_models (workspace, name) = (default, Model) in the source and (default, model) in the target');
    expect(await count(into, 'runs')).toBe(runs);
    expect(await count(into, 'registered_models')).toBe(1);
  }, 180_000);

  it('into MariaDB: datasets `Train` and `train` of an experiment, input tags `Split` and `split`, a dataset the target holds in another case', async (ctx) => {
    if (await skipUnlessAvailable('mysql')) ctx.skip();
    const to = await target('mysql');
    const both = await refusal(importStore({ from: await source(['E'], { inputs: [input('Train', ['Split', 'split']), input('train')] }), to }));
    expect(both.errorCode).toBe('RESOURCE_CONFLICT');
    expect(both.message).toContain('datasets "Train" (digest d1) and "train" (digest d1) of source experiment "E"');
    expect(both.message).toMatch(/input tags "Split" and "split" of run [0-9a-f]{32}'s input of dataset "Train"/);
    expect(await tables(to)).toEqual([]);

    expect((await importStore({ from: await source(['E'], { inputs: [input('train')] }), to, idMapFile: path.join(dir(), 'a.json') })).differences).toEqual([]);
    const runs = await count(to, 'runs');
    const other = await refusal(importStore({ from: await source(['E'], { inputs: [input('Train')] }), to, idMapFile: path.join(dir(), 'b.json') }));
    expect(other.errorCode).toBe('RESOURCE_CONFLICT');
    expect(other.message).toContain('dataset "Train" (digest d1) of source experiment "E" and "train" (digest d1) in the target');
    expect(await count(to, 'runs')).toBe(runs);
    expect(await count(to, 'datasets')).toBe(1);
    // The same name is the same dataset: its new run comes in, reading it.
    const same = await importStore({ from: await source(['E'], { inputs: [input('train')] }), to, idMapFile: path.join(dir(), 'c.json') });
    expect(same.differences).toEqual([]);
    expect(await count(to, 'datasets')).toBe(1);
  }, 180_000);

  it('into MariaDB: tags `Stage` and `stage` of a file store\'s trace, `Team` and `team` of its logged model, are refused before the schema is made', async (ctx) => {
    if (await skipUnlessAvailable('mysql')) ctx.skip();
    const mlruns = path.join(dir(), 'mlruns');
    const files = await FileStore.open(mlruns);
    const exp = await files.createExperiment({ name: 'traced' });
    const trace = await files.traces.startTrace(exp, 100, {}, { Stage: 'a', stage: 'b' });
    await files.close();
    const to = await target('mysql');
    const traces = await refusal(importStore({ from: mlruns, to }));
    expect(traces.errorCode).toBe('RESOURCE_CONFLICT');
    expect(traces.message).toMatch(new RegExp(`trace_tags \\([a-z_, ]+\\) = \\([^)]*\\b${trace.requestId}\\b[^)]*\\) and \\([^)]*\\), both in the source`));
    expect(traces.message).toMatch(/\bStage\b[^;]*\bstage\b/);
    expect(await tables(to)).toEqual([]);

    const store = await openTrackingStore(mlruns);
    await store.loggedModels!.create({ experimentId: exp, name: 'agent', tags: [{ key: 'Team', value: 'ml' }, { key: 'team', value: 'ops' }] });
    await store.close();
    const models = await refusal(importStore({ from: mlruns, to, dryRun: true }));
    expect(models.message).toMatch(/logged_model_tags \([a-z_, ]+\) = \([^)]*\bTeam\b[^)]*\) and \([^)]*\bteam\b[^)]*\), both in the source/);
    expect(await tables(to)).toEqual([]);
  }, 120_000);

  for (const dialect of ['sqlite', 'postgresql'] as const) {
    it(`into ${dialect}: all of them are distinct names and are imported`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const to = await target(dialect);
      const t = await openTrackingStore(to);
      await t.createExperiment({ name: 'churn' });
      await t.close();
      const from = await source(['Churn', 'CHURN'], { params: ['lr', 'LR'], models: ['Model', 'model'], inputs: [input('Train', ['Split', 'split']), input('train')] });
      const r = await importStore({ from, to, idMapFile: path.join(dir(), 'ids.json') });
      expect(r.differences).toEqual([]);
      expect(r.experiments.created).toBe(2);
      expect(await count(to, 'params')).toBe(4);
      expect(await count(to, 'registered_models')).toBe(2);
      expect(await count(to, 'datasets')).toBe(4);
      expect(await count(to, 'input_tags')).toBe(4);
    }, 120_000);
  }
});
