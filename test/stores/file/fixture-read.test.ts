/**
 * The file store reads MLflow's own `mlruns` folder (written by MLflow 2.17) exactly as MLflow's
 * API reads it back: `reference.json` `stores.file_store` is the expected content.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../src/stores/file/file-store.js';
import type { Experiment, Metric, Run } from '../../../src/tracking/entities.js';
import { copyFixture } from '../../support/databases.js';
import { FILE_REF, kv, refOrder } from '../../import/support.js';

/** reference.json encodes NaN/±Infinity as strings. */
const num = (v: number | string): number => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number));
/** Paths in the fixture are from the machine that wrote it: compare the part under mlruns/. */
const tail = (uri: string) => uri.slice(uri.indexOf('/mlruns/') + '/mlruns/'.length);

let root: string;
let store: FileStore;

beforeAll(async () => {
  root = copyFixture('mlruns');
  store = await FileStore.open(root, {});
});
afterAll(async () => {
  await store.close();
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
});

describe('FileStore reading MLflow 2.17 mlruns', () => {
  it('reads every experiment, active and deleted, with its tags and times', async () => {
    for (const e of FILE_REF.experiments) {
      const got: Experiment = await store.getExperiment(e.experiment_id);
      expect(got.name).toBe(e.name);
      expect(got.lifecycleStage).toBe(e.lifecycle_stage);
      expect(tail(got.artifactLocation)).toBe(tail(e.artifact_location));
      expect(got.creationTime).toBe(e.creation_time);
      expect(got.lastUpdateTime).toBe(e.last_update_time);
      expect(kv(got.tags)).toEqual(e.tags);
    }
    const all = await store.searchExperiments({ viewType: 'ALL' });
    expect(all.items.map((e) => e.experimentId).sort()).toEqual(FILE_REF.experiments.map((e) => e.experiment_id).sort());
    const active = await store.searchExperiments({});
    expect(active.items.map((e) => e.name).sort()).toEqual(['Default', 'ref-exp-A', 'ref-exp-B']);
  });

  it('reads every run: info, params, tags (system tags included), latest metrics, inputs', async () => {
    for (const r of FILE_REF.runs) {
      const run: Run = await store.getRun(r.run_id);
      expect(run.info.runId, r.ref_key).toBe(r.run_id);
      expect(run.info.experimentId).toBe(r.experiment_id);
      expect(run.info.runName).toBe(r.run_name);
      expect(run.info.userId).toBe(r.user_id);
      expect(run.info.status).toBe(r.status);
      expect(run.info.lifecycleStage).toBe(r.lifecycle_stage);
      expect(run.info.startTime).toBe(r.start_time);
      expect(run.info.endTime).toBe(r.end_time);
      expect(tail(run.info.artifactUri)).toBe(tail(r.artifact_uri));
      expect(kv(run.data.params)).toEqual(r.params);
      expect(kv(run.data.tags)).toEqual(r.tags);
      const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
      expect(Object.keys(latest).sort()).toEqual(Object.keys(r.latest_metrics).sort());
      for (const [k, v] of Object.entries(r.latest_metrics)) expect(latest[k], `${r.ref_key} ${k}`).toBe(num(v));
      const inputs = run.inputs.datasetInputs.map((di) => ({
        dataset: {
          name: di.dataset.name,
          digest: di.dataset.digest,
          source_type: di.dataset.sourceType,
          source: di.dataset.source,
          schema: di.dataset.schema,
          profile: di.dataset.profile,
        },
        tags: kv(di.tags),
      }));
      expect(inputs).toEqual(r.inputs.map((i) => ({ dataset: i.dataset, tags: i.tags })));
    }
  });

  it('reads every metric history point, NaN and ±Infinity included', async () => {
    let points = 0;
    for (const r of FILE_REF.runs) {
      for (const [key, hist] of Object.entries(r.metric_history)) {
        const got = (await store.getMetricHistory(r.run_id, key)).sort(refOrder);
        expect(got.map((m) => ({ step: m.step, timestamp: m.timestamp, value: m.value })), `${r.ref_key} ${key}`).toEqual(
          hist.map((p) => ({ step: p.step, timestamp: p.timestamp, value: num(p.value) })),
        );
        points += got.length;
      }
    }
    expect(points).toBeGreaterThan(40);
  });

  it('returns metric history ordered by (step, timestamp)', async () => {
    const a2 = FILE_REF.runs.find((r) => r.ref_key === 'A2')!;
    const steps = (await store.getMetricHistory(a2.run_id, 'weird')).map((m) => m.step);
    expect(steps).toEqual([...steps].sort((x, y) => x - y));
    expect(steps[0]).toBe(-5);
  });

  it('lists runs per experiment and lifecycle the way MLflow does', async () => {
    const ids = (view: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL', exp: string) =>
      store.searchRuns({ experimentIds: [exp], viewType: view }).then((p) => p.items.map((r) => r.info.runId).sort());
    for (const e of FILE_REF.experiments) {
      const runs = FILE_REF.runs.filter((r) => r.experiment_id === e.experiment_id);
      expect(await ids('ALL', e.experiment_id)).toEqual(runs.map((r) => r.run_id).sort());
      expect(await ids('ACTIVE_ONLY', e.experiment_id)).toEqual(runs.filter((r) => r.lifecycle_stage === 'active').map((r) => r.run_id).sort());
      expect(await ids('DELETED_ONLY', e.experiment_id)).toEqual(runs.filter((r) => r.lifecycle_stage === 'deleted').map((r) => r.run_id).sort());
    }
  });

  it('returns full runs from a search, equal to getRun', async () => {
    const expA = FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id;
    const page = await store.searchRuns({ experimentIds: [expA], filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'] });
    const expected = FILE_REF.runs
      .filter((r) => r.experiment_id === expA && r.lifecycle_stage === 'active' && typeof r.latest_metrics.acc === 'number' && (r.latest_metrics.acc as number) > 0.5)
      .sort((a, b) => (b.latest_metrics.acc as number) - (a.latest_metrics.acc as number));
    expect(page.items.map((r) => r.info.runId)).toEqual(expected.map((r) => r.run_id));
    expect(page.items.length).toBeGreaterThan(1);
    for (const run of page.items) expect(run).toEqual(await store.getRun(run.info.runId));
  });

  it('finds experiments by name, deleted ones too', async () => {
    expect((await store.getExperimentByName('ref-exp-B'))?.experimentId).toBe(FILE_REF.experiments.find((e) => e.name === 'ref-exp-B')!.experiment_id);
    expect((await store.getExperimentByName('ref-exp-deleted'))?.lifecycleStage).toBe('deleted');
    expect(await store.getExperimentByName('nope')).toBeNull();
  });

  it('reports a missing run and experiment with MLflow SQL store messages', async () => {
    await expect(store.getRun('0123456789abcdef0123456789abcdef')).rejects.toMatchObject({
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=0123456789abcdef0123456789abcdef not found',
    });
    await expect(store.getExperiment('12345')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST', message: 'No Experiment with id=12345 exists' });
  });
});
