/** File-store-specific behaviour: layout moves, gc, safety of paths and writes, MLflow's quirks. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileStore } from '../../../src/stores/file/file-store.js';
import { registryNeedsDatabase } from '../../../src/tracking/messages.js';
import { createExclusive } from '../../../src/stores/file/fs-io.js';
import { tempDir } from '../../support/databases.js';

let base: string;
let root: string;
let store: FileStore;

beforeEach(async () => {
  base = tempDir('mlf-file-');
  root = path.join(base, 'mlruns');
  store = await FileStore.open(root, {});
});
afterEach(async () => {
  vi.restoreAllMocks();
  await store.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const newRun = async (experimentId = '0') => (await store.createRun({ experimentId, startTime: 1 })).info;
const metaText = (...p: string[]) => fs.readFileSync(path.join(root, ...p, 'meta.yaml'), 'utf8');

describe('layout', () => {
  it('moves a deleted experiment to .trash and back on restore, with its runs', async () => {
    const exp = await store.createExperiment({ name: 'e' });
    const run = await newRun(exp);
    await store.deleteExperiment(exp);
    expect(fs.existsSync(path.join(root, exp))).toBe(false);
    expect(metaText('.trash', exp)).toContain('lifecycle_stage: deleted');
    expect(metaText('.trash', exp, run.runId)).toMatch(/\ndeleted_time: \d+\n/);
    expect((await store.getRun(run.runId)).info.lifecycleStage).toBe('deleted');
    await store.restoreExperiment(exp);
    expect(fs.existsSync(path.join(root, '.trash', exp))).toBe(false);
    expect(metaText(exp, run.runId)).not.toContain('deleted_time');
    expect((await store.getRun(run.runId)).info.lifecycleStage).toBe('active');
  });

  it('refuses to delete the Default experiment 0, as MLflow file store does', async () => {
    await expect(store.deleteExperiment('0')).rejects.toThrow("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
    expect(fs.existsSync(path.join(root, '0', 'meta.yaml'))).toBe(true);
  });

  it('skips models/, folders without meta.yaml and metas naming another id', async () => {
    fs.mkdirSync(path.join(root, 'models', 'm1'), { recursive: true });
    fs.mkdirSync(path.join(root, '999'));
    fs.mkdirSync(path.join(root, '998'));
    fs.writeFileSync(path.join(root, '998', 'meta.yaml'), "experiment_id: '997'\nname: x\nlifecycle_stage: active\n");
    const all = await store.searchExperiments({ viewType: 'ALL' });
    expect(all.items.map((e) => e.experimentId)).toEqual(['0']);
  });

  it('reads legacy metas: integer experiment_id, no lifecycle_stage, no status', async () => {
    const dir = path.join(root, '5');
    fs.mkdirSync(path.join(dir, 'r1', 'metrics'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'meta.yaml'), 'artifact_location: /tmp/a\nexperiment_id: 5\nname: legacy\n');
    fs.writeFileSync(path.join(dir, 'r1', 'meta.yaml'), 'artifact_uri: /tmp/a/r1\nexperiment_id: 5\nrun_uuid: r1\nstart_time: 3\nuser_id: u\n');
    fs.writeFileSync(path.join(dir, 'r1', 'metrics', 'old'), '10 0.5\n20 0.7\n');
    const exp = await store.getExperiment('5');
    expect(exp).toMatchObject({ name: 'legacy', lifecycleStage: 'active', creationTime: null });
    const run = await store.getRun('r1');
    expect(run.info).toMatchObject({ runId: 'r1', status: 'RUNNING', lifecycleStage: 'active', experimentId: '5' });
    expect(run.data.metrics).toEqual([{ key: 'old', value: 0.7, timestamp: 20, step: 0 }]);
  });

  it('keeps keys with / as nested folders and reads them back', async () => {
    const run = await newRun();
    await store.logBatch(run.runId, { params: [{ key: 'a/b', value: '1' }], metrics: [{ key: 'x/y/z', value: 2, timestamp: 1, step: 0 }] });
    expect(fs.readFileSync(path.join(root, '0', run.runId, 'params', 'a', 'b'), 'utf8')).toBe('1');
    const got = await store.getRun(run.runId);
    expect(got.data.params).toEqual([{ key: 'a/b', value: '1' }]);
    expect(got.data.metrics.map((m) => m.key)).toEqual(['x/y/z']);
    const found = await store.searchRuns({ experimentIds: ['0'], filter: "params.`a/b` = '1' and metrics.`x/y/z` > 1" });
    expect(found.items).toHaveLength(1);
  });

  it('ignores a trailing partial metric line (a write in progress)', async () => {
    const run = await newRun();
    await store.logMetric(run.runId, { key: 'm', value: 1, timestamp: 1, step: 0 });
    fs.appendFileSync(path.join(root, '0', run.runId, 'metrics', 'm'), '2 5.');
    expect(await store.getMetricHistory(run.runId, 'm')).toEqual([{ key: 'm', value: 1, timestamp: 1, step: 0 }]);
    expect((await store.getRun(run.runId)).data.metrics[0]!.value).toBe(1);
  });
});

describe('writes', () => {
  it('appends all of a batch points for one key with a single write', async () => {
    const run = await newRun();
    const spy = vi.spyOn(fs, 'writeSync');
    const metrics = Array.from({ length: 50 }, (_, i) => ({ key: i % 2 ? 'a' : 'b', value: i, timestamp: i, step: i }));
    await store.logBatch(run.runId, { metrics });
    expect(spy).toHaveBeenCalledTimes(2);
    expect(fs.readFileSync(path.join(root, '0', run.runId, 'metrics', 'a'), 'utf8').split('\n')).toHaveLength(26);
  });

  it('replaces meta and tags by rename, creates params by link, and leaves no temp files', async () => {
    const run = await newRun();
    const rename = vi.spyOn(fs, 'renameSync');
    const link = vi.spyOn(fs, 'linkSync');
    await store.logParam(run.runId, { key: 'p', value: 'v' });
    await store.setTag(run.runId, { key: 't', value: 'v' });
    await store.updateRunInfo(run.runId, { status: 'FINISHED', endTime: 5 });
    expect(rename).toHaveBeenCalledTimes(2);
    expect(link).toHaveBeenCalledTimes(1);
    const leftovers = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.includes('.~'));
    expect(leftovers).toEqual([]);
  });

  it('leaves nothing behind when a batch has one changed param', async () => {
    const run = await newRun();
    await store.logParam(run.runId, { key: 'p', value: '1' });
    await expect(
      store.logBatch(run.runId, {
        params: [{ key: 'q', value: 'new' }, { key: 'p', value: '2' }],
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
        tags: [{ key: 't', value: 'x' }],
      }),
    ).rejects.toThrow(
      "Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': '1', 'new_value': '2'}]' for run ID='" + run.runId + "'.",
    );
    const dir = path.join(root, '0', run.runId);
    expect(fs.existsSync(path.join(dir, 'params', 'q'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'metrics', 'm'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'tags', 't'))).toBe(false);
  });

  it('renames the run in meta.yaml when the mlflow.runName tag is set', async () => {
    const run = await newRun();
    await store.setTag(run.runId, { key: 'mlflow.runName', value: 'renamed' });
    expect(metaText('0', run.runId)).toContain('run_name: renamed\n');
    await store.updateRunInfo(run.runId, { runName: 'again' });
    expect(fs.readFileSync(path.join(root, '0', run.runId, 'tags', 'mlflow.runName'), 'utf8')).toBe('again');
  });

  it('appends logged models to the mlflow.log-model.history tag, keeping earlier entries as written', async () => {
    const run = await newRun();
    await store.recordLoggedModel(run.runId, '{"run_id": "x", "flavors": {}}');
    await store.recordLoggedModel(run.runId, '{"run_id": "y"}');
    expect(fs.readFileSync(path.join(root, '0', run.runId, 'tags', 'mlflow.log-model.history'), 'utf8')).toBe(
      '[{"run_id": "x", "flavors": {}}, {"run_id": "y"}]',
    );
  });
});

describe('exclusive param files', () => {
  it('creates a file once and reports what another writer put there first', () => {
    const file = path.join(base, 'p', 'k');
    expect(createExclusive(file, 'a')).toBeUndefined();
    expect(createExclusive(file, 'b')).toBe('a');
    expect(fs.readFileSync(file, 'utf8')).toBe('a');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['k']);
  });
});

describe('paths stay inside the root', () => {
  it('refuses experiment and run ids that are paths', async () => {
    for (const id of ['../x', '/etc', 'a/b', '..', 'a\0b']) {
      await expect(store.getExperiment(id), id).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
      await expect(store.getRun(id), id).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('refuses keys that would leave the run folder, NUL bytes included', async () => {
    const run = await newRun();
    for (const key of ['../../x', '/abs', 'a/../../b', 'a\0b', '..']) {
      await expect(store.logParam(run.runId, { key, value: 'v' }), JSON.stringify(key)).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
      await expect(store.getMetricHistory(run.runId, key), JSON.stringify(key)).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    }
    expect(fs.readdirSync(base)).toEqual(['mlruns']);
  });

  it('treats filter keys that are paths as absent instead of reading them', async () => {
    const run = await newRun();
    fs.writeFileSync(path.join(base, 'secret'), 'v');
    const res = await store.searchRuns({ experimentIds: ['0'], filter: `params.\`../../../secret\` = 'v'` });
    expect(res.items).toEqual([]);
    expect(run.runId).toBeTruthy();
  });

  it('does not write through a symlinked folder that leads outside the root', async () => {
    const run = await newRun();
    const outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    const params = path.join(root, '0', run.runId, 'params');
    fs.rmSync(params, { recursive: true });
    fs.symlinkSync(outside, params);
    await expect(store.logParam(run.runId, { key: 'p', value: 'v' })).rejects.toThrow(/outside the tracking store's root/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('does not read through symlinks that lead outside the root', async () => {
    const run = await newRun();
    const outside = path.join(base, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'leak'), 'secret');
    const dir = path.join(root, '0', run.runId);
    fs.symlinkSync(path.join(outside, 'leak'), path.join(dir, 'tags', 'leak'));
    fs.rmSync(path.join(dir, 'params'), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'params'));
    const got = await store.getRun(run.runId);
    expect(got.data.tags.map((t) => t.key)).not.toContain('leak');
    expect(got.data.params).toEqual([]);
    const res = await store.searchRuns({ experimentIds: ['0'], filter: "params.leak = 'secret'" });
    expect(res.items).toEqual([]);
    // A run folder that is a symlink out of the root is not a run of this store.
    const foreign = path.join(outside, 'ffffffffffffffffffffffffffffffff');
    fs.cpSync(dir, foreign, { recursive: true });
    fs.symlinkSync(foreign, path.join(root, '0', 'ffffffffffffffffffffffffffffffff'));
    await expect(store.getRun('ffffffffffffffffffffffffffffffff')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('follows symlinks that stay inside the root', async () => {
    const run = await newRun();
    const dir = path.join(root, '0', run.runId);
    await store.setTag(run.runId, { key: 'real', value: 'x' });
    fs.symlinkSync(path.join(dir, 'tags', 'real'), path.join(dir, 'tags', 'alias'));
    const got = await store.getRun(run.runId);
    expect(got.data.tags.find((t) => t.key === 'alias')?.value).toBe('x');
  });
});

describe('gc', () => {
  it('purges deleted runs, including runs inside .trash, and is idempotent', async () => {
    const exp = await store.createExperiment({ name: 'g' });
    const a = await newRun(exp);
    const b = await newRun('0');
    await store.logBatch(b.runId, { params: [{ key: 'p', value: '1' }], metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] });
    await store.deleteRun(b.runId);
    await store.deleteExperiment(exp);
    const dry = await store.purgeRuns([a.runId, b.runId], { dryRun: true });
    expect(dry.runIds.sort()).toEqual([a.runId, b.runId].sort());
    expect(dry.rows).toMatchObject({ runs: 2, params: 1, metrics: 1 });
    expect(fs.existsSync(path.join(root, '0', b.runId))).toBe(true);
    const res = await store.purgeRuns([a.runId, b.runId]);
    expect(res.runIds.sort()).toEqual([a.runId, b.runId].sort());
    expect(fs.existsSync(path.join(root, '0', b.runId))).toBe(false);
    expect(fs.existsSync(path.join(root, '.trash', exp, a.runId))).toBe(false);
    expect(await store.purgeRuns([a.runId, b.runId])).toEqual({ runIds: [], experimentIds: [], rows: { runs: 0 } });
  });

  it('refuses active runs and removes nothing', async () => {
    const a = await newRun();
    const b = await newRun();
    await store.deleteRun(b.runId);
    await expect(store.purgeRuns([b.runId, a.runId])).rejects.toThrow(
      `Run ${a.runId} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
    );
    expect(fs.existsSync(path.join(root, '0', b.runId))).toBe(true);
  });

  it('purges deleted experiments from .trash and frees their names; refuses active ones', async () => {
    const e1 = await store.createExperiment({ name: 'gone', tags: [{ key: 't', value: 'v' }] });
    const e2 = await store.createExperiment({ name: 'kept' });
    const r = await newRun(e1);
    await store.deleteExperiment(e1);
    await expect(store.createExperiment({ name: 'gone' })).rejects.toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS' });
    await expect(store.purgeExperiments([e1, e2])).rejects.toThrow(`Experiments ['${e2}'] are not in the deleted lifecycle stage.`);
    expect(fs.existsSync(path.join(root, '.trash', e1))).toBe(true);
    const dry = await store.purgeExperiments([e1], { dryRun: true });
    expect(dry).toMatchObject({ runIds: [r.runId], experimentIds: [e1] });
    expect(dry.rows).toMatchObject({ experiments: 1, experiment_tags: 1, runs: 1 });
    await store.purgeExperiments([e1]);
    expect(fs.existsSync(path.join(root, '.trash', e1))).toBe(false);
    expect(await store.purgeExperiments([e1])).toMatchObject({ runIds: [], experimentIds: [] });
    await expect(store.createExperiment({ name: 'gone' })).resolves.toMatch(/^\d{18}$/);
  });
});

describe('metric history', () => {
  it('samples steps for get-history-bulk-interval as MLflow handler does', async () => {
    const a = await newRun();
    const b = await newRun();
    await store.logBatch(a.runId, { metrics: Array.from({ length: 100 }, (_, s) => ({ key: 'k', value: s, timestamp: s, step: s })) });
    await store.logBatch(b.runId, { metrics: [{ key: 'k', value: 1, timestamp: 1, step: 37 }, { key: 'k', value: 2, timestamp: 2, step: 55 }] });
    const out = await store.getMetricHistoryBulkInterval([a.runId, b.runId], 'k', { maxResults: 10 });
    // All steps 0..99: every 10th index of the sorted steps, the last one, and each run's min/max.
    const stepsA = out.filter((m) => m.runId === a.runId).map((m) => m.step);
    expect(stepsA).toEqual([0, 10, 20, 30, 37, 40, 50, 55, 60, 70, 80, 90, 99]);
    expect(out.filter((m) => m.runId === b.runId).map((m) => m.step)).toEqual([37, 55]);
    await expect(store.getMetricHistoryBulkInterval([a.runId], 'k', { startStep: 5 })).rejects.toThrow(
      'If either start step or end step are specified, both must be specified.',
    );
    await expect(store.getMetricHistoryBulkInterval([a.runId], 'k', { startStep: 5, endStep: 1 })).rejects.toThrow(
      'end_step must be greater than start_step. Found start_step=5 and end_step=1.',
    );
    const ranged = await store.getMetricHistoryBulkInterval([a.runId], 'k', { startStep: 20, endStep: 29, maxResults: 5 });
    expect(ranged.map((m) => m.step)).toEqual([20, 22, 24, 26, 28, 29]);
  });
});

describe('registry', () => {
  it('says the registry needs a database store', () => {
    const e = registryNeedsDatabase();
    expect(e.message).toMatch(/Model Registry is not supported on a file store/);
    expect(e.errorCode).toBe('FEATURE_DISABLED');
  });
});
