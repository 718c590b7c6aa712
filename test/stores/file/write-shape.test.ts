/**
 * Folders the FileStore writes have MLflow's shape: the same file names, YAML keys and value types,
 * and byte-identical metric, param and tag files, checked against the MLflow 2.17 fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/stores/file/file-store.js';
import { copyFixture, FIXTURES, tempDir } from '../../support/databases.js';

const FX = path.join(FIXTURES, 'mlruns');
const EXP_A = '172523751648060426';
const A1 = '86692b4f5b7143f7aa71356b4c9d53ef';
const A2 = '5cc78dd0ac9a4ff384edf77cd11395b2';
const A4 = 'd6e2bfdfe3ad442f8ee7cef5b8d4edce';
const D = '250255391920222552';
const D1 = '83f018b26a5c44b787f34acdc207a96f';

const yaml = (p: string) => jsYaml.load(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
const shape = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v]));
const keysInFileOrder = (p: string) =>
  fs.readFileSync(p, 'utf8').split('\n').filter((l) => /^\S/.test(l)).map((l) => l.slice(0, l.indexOf(':')));

/** Files under a folder as relative paths. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Replays one fixture run's metric files point by point, as MLflow logged them. */
function fixtureMetrics(runDir: string) {
  const out: { key: string; value: number; timestamp: number; step: number }[] = [];
  for (const key of files(path.join(runDir, 'metrics'))) {
    for (const line of fs.readFileSync(path.join(runDir, 'metrics', key), 'utf8').trim().split('\n')) {
      const [ts, v, step] = line.split(' ');
      const value = v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v);
      out.push({ key, value, timestamp: Number(ts), step: Number(step) });
    }
  }
  return out;
}
const fixtureKv = (runDir: string, folder: string) =>
  files(path.join(runDir, folder)).map((key) => ({ key, value: fs.readFileSync(path.join(runDir, folder, key), 'utf8') }));

let root: string;
let store: FileStore;
let expId: string;
let deletedExpId: string;
let a1: string;
let a2: string;
let a4: string;
let d1: string;

beforeAll(async () => {
  root = path.join(tempDir(), 'mlruns');
  store = await FileStore.open(root, {});
  expId = await store.createExperiment({ name: 'ref-exp-A', tags: [{ key: 'team', value: 'ml-platform' }] });
  // Replay runs A1, A2 and A4 of the fixture through the store.
  const replay = async (fxRun: string) => {
    const dir = path.join(FX, EXP_A, fxRun);
    const meta = yaml(path.join(dir, 'meta.yaml'));
    const tags = fixtureKv(dir, 'tags');
    const run = await store.createRun({ experimentId: expId, startTime: meta.start_time as number, userId: meta.user_id as string, tags });
    const id = run.info.runId;
    await store.logBatch(id, { params: fixtureKv(dir, 'params') });
    const metrics = fixtureMetrics(dir);
    for (let i = 0; i < metrics.length; i += 1000) await store.logBatch(id, { metrics: metrics.slice(i, i + 1000) });
    return id;
  };
  a1 = await replay(A1);
  a2 = await replay(A2);
  a4 = await replay(A4);
  await store.updateRunInfo(a1, { status: 'FINISHED', endTime: 1700000060000 });
  await store.logInputs(a4, [
    {
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
      dataset: {
        name: 'iris-sample',
        digest: 'd1g3st01',
        sourceType: 'local',
        source: '{"uri": "/data/iris.csv"}',
        schema: '{"mlflow_colspec": [{"type": "double", "name": "sepal_length"}, {"type": "long", "name": "label"}]}',
        profile: '{"num_rows": 150}',
      },
    },
  ]);
  deletedExpId = await store.createExperiment({ name: 'ref-exp-deleted', tags: [{ key: 'doomed', value: 'yes' }] });
  d1 = (await store.createRun({ experimentId: deletedExpId, startTime: 1700000800000 })).info.runId;
  await store.updateRunInfo(d1, { status: 'FINISHED', endTime: 1700000800100 });
  await store.deleteExperiment(deletedExpId);
});
afterAll(async () => {
  await store.close();
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
});

describe('folders written by FileStore have MLflow 2.17 shape', () => {
  it('creates Default experiment 0 and .trash in a new root, meta like MLflow', () => {
    expect(fs.existsSync(path.join(root, '.trash'))).toBe(true);
    const meta = path.join(root, '0', 'meta.yaml');
    expect(keysInFileOrder(meta)).toEqual(keysInFileOrder(path.join(FX, '0', 'meta.yaml')));
    expect(shape(yaml(meta))).toEqual(shape(yaml(path.join(FX, '0', 'meta.yaml'))));
    expect(yaml(meta).name).toBe('Default');
    expect(yaml(meta).artifact_location).toBe(`file://${root}/0`);
  });

  it('writes experiment meta and tags like MLflow, and moves a deleted one to .trash with its tags in meta', () => {
    expect(/^\d{18}$/.test(expId)).toBe(true);
    const meta = path.join(root, expId, 'meta.yaml');
    expect(keysInFileOrder(meta)).toEqual(keysInFileOrder(path.join(FX, EXP_A, 'meta.yaml')));
    expect(shape(yaml(meta))).toEqual(shape(yaml(path.join(FX, EXP_A, 'meta.yaml'))));
    expect(fs.readFileSync(path.join(root, expId, 'tags', 'team'), 'utf8')).toBe('ml-platform');
    expect(fs.existsSync(path.join(root, deletedExpId))).toBe(false);
    const trashed = path.join(root, '.trash', deletedExpId, 'meta.yaml');
    expect(keysInFileOrder(trashed)).toEqual(keysInFileOrder(path.join(FX, '.trash', D, 'meta.yaml')));
    expect(yaml(trashed).tags).toEqual({ doomed: 'yes' });
    expect(fs.readFileSync(trashed, 'utf8')).toContain("doomed: 'yes'\n");
  });

  it('writes run meta with the same keys, order and value types as MLflow', () => {
    for (const [ours, theirs] of [
      [path.join(root, expId, a1), path.join(FX, EXP_A, A1)],
      [path.join(root, expId, a4), path.join(FX, EXP_A, A4)],
      [path.join(root, '.trash', deletedExpId, d1), path.join(FX, '.trash', D, D1)],
    ] as const) {
      expect(keysInFileOrder(path.join(ours, 'meta.yaml'))).toEqual(keysInFileOrder(path.join(theirs, 'meta.yaml')));
      expect(shape(yaml(path.join(ours, 'meta.yaml')))).toEqual(shape(yaml(path.join(theirs, 'meta.yaml'))));
    }
    const m = yaml(path.join(root, expId, a1, 'meta.yaml'));
    expect(m.status).toBe(3);
    expect(m.artifact_uri).toBe(`file://${root}/${expId}/${a1}/artifacts`);
  });

  it('writes params, tags and metric files byte for byte as MLflow did', () => {
    for (const [ours, theirs] of [
      [a1, A1],
      [a2, A2],
      [a4, A4],
    ] as const) {
      const o = path.join(root, expId, ours);
      const t = path.join(FX, EXP_A, theirs);
      for (const folder of ['params', 'metrics', 'tags']) {
        expect(files(path.join(o, folder)), `${theirs} ${folder}`).toEqual(files(path.join(t, folder)));
        for (const f of files(path.join(t, folder))) {
          expect(fs.readFileSync(path.join(o, folder, f), 'utf8'), `${theirs}/${folder}/${f}`).toBe(fs.readFileSync(path.join(t, folder, f), 'utf8'));
        }
      }
    }
  });

  it('writes datasets and inputs under the same md5 names with the same YAML keys', () => {
    const ds = path.join(root, expId, 'datasets', 'd5b791a82d9ee1791be2ba8c34ee43a9', 'meta.yaml');
    const fxDs = path.join(FX, EXP_A, 'datasets', 'd5b791a82d9ee1791be2ba8c34ee43a9', 'meta.yaml');
    expect(yaml(ds)).toEqual(yaml(fxDs));
    expect(keysInFileOrder(ds)).toEqual(keysInFileOrder(fxDs));
    const input = path.join(root, expId, a4, 'inputs');
    const names = fs.readdirSync(input);
    expect(names).toHaveLength(1);
    const ours = yaml(path.join(input, names[0]!, 'meta.yaml'));
    const theirs = yaml(path.join(FX, EXP_A, A4, 'inputs', '22707e284562ae17a418c3891e6387f3', 'meta.yaml'));
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect({ ...ours, destination_id: null }).toEqual({ ...theirs, destination_id: null });
    expect(ours.destination_id).toBe(a4);
  });

  it('reads back what it wrote exactly as it reads the MLflow fixture', async () => {
    const fx = await FileStore.open(copyFixture('mlruns'), {});
    const strip = (r: Awaited<ReturnType<FileStore['getRun']>>) => ({
      data: { ...r.data, tags: r.data.tags.filter((t) => t.key !== 'mlflow.runName') },
      inputs: r.inputs,
    });
    expect(strip(await store.getRun(a2))).toEqual(strip(await fx.getRun(A2)));
    expect(strip(await store.getRun(a4))).toEqual(strip(await fx.getRun(A4)));
  });
});
