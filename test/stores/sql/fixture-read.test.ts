/**
 * The SQL store reads a database written by MLflow 2.17 exactly as MLflow's own API reads it back
 * (reference.json `stores.sqlite_head`), except for the documented infinity choice: mlf reads the
 * stored ±float-max back as ±Infinity.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import type { Run } from '../../../src/tracking/entities.js';
import { FIXTURES, copyFixture } from '../../support/databases.js';

const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8'));
const head = reference.stores.sqlite_head;

/** reference.json's encoding → JS numbers, with mlf's reading of float max as infinity. */
function refValue(v: number | string): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity' || v === 1.7976931348623157e308) return Infinity;
  if (v === '-Infinity' || v === -1.7976931348623157e308) return -Infinity;
  return v as number;
}

function sortHistory(points: { step: number; timestamp: number; value: number }[]) {
  return [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value));
}

describe('SQL store on MLflow 2.17 sqlite-head.db', () => {
  let store: TrackingStore;
  beforeAll(async () => {
    const db = copyFixture('sqlite-head.db');
    store = await openTrackingStore(`sqlite:///${db}`);
  });
  afterAll(async () => store?.close());

  it('reads every experiment with its tags and lifecycle stage', async () => {
    const { items } = await store.searchExperiments({ viewType: 'ALL', maxResults: 100 });
    expect(items.map((e) => e.experimentId).sort()).toEqual(head.experiments.map((e: { experiment_id: string }) => e.experiment_id).sort());
    for (const ref of head.experiments) {
      const e = await store.getExperiment(ref.experiment_id);
      expect(e.name).toBe(ref.name);
      expect(e.lifecycleStage).toBe(ref.lifecycle_stage);
      expect(e.artifactLocation).toBe(ref.artifact_location);
      expect(e.creationTime).toBe(ref.creation_time);
      expect(e.lastUpdateTime).toBe(ref.last_update_time);
      expect(Object.fromEntries(e.tags.map((t) => [t.key, t.value]))).toEqual(ref.tags);
    }
  });

  it('reads every run: info, params, tags, latest metrics and inputs', async () => {
    for (const ref of head.runs) {
      const run: Run = await store.getRun(ref.run_id);
      expect(run.info).toMatchObject({
        runId: ref.run_id,
        experimentId: ref.experiment_id,
        runName: ref.run_name,
        userId: ref.user_id,
        status: ref.status,
        lifecycleStage: ref.lifecycle_stage,
        startTime: ref.start_time,
        endTime: ref.end_time ?? null,
        artifactUri: ref.artifact_uri,
      });
      expect(Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))).toEqual(ref.params);
      expect(Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]))).toEqual(ref.tags);
      const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
      expect(Object.keys(latest).sort()).toEqual(Object.keys(ref.latest_metrics).sort());
      for (const [k, v] of Object.entries(ref.latest_metrics)) expect(latest[k]).toEqual(refValue(v as number));
      const inputs = run.inputs.datasetInputs.map((d) => ({ name: d.dataset.name, digest: d.dataset.digest, tags: Object.fromEntries(d.tags.map((t) => [t.key, t.value])) }));
      const refInputs = (ref.inputs ?? []).map((d: { dataset: { name: string; digest: string }; tags: Record<string, string> }) => ({ name: d.dataset.name, digest: d.dataset.digest, tags: d.tags }));
      expect(inputs).toEqual(refInputs);
    }
  });

  it('reads full metric histories, NaN and infinities included', async () => {
    for (const ref of head.runs) {
      for (const [key, points] of Object.entries(ref.metric_history as Record<string, { step: number; timestamp: number; value: number | string }[]>)) {
        const got = sortHistory(await store.getMetricHistory(ref.run_id, key));
        const want = sortHistory(points.map((p) => ({ ...p, value: refValue(p.value), key })));
        expect(got.map((p) => [p.step, p.timestamp, p.value])).toEqual(want.map((p) => [p.step, p.timestamp, p.value]));
      }
    }
  });

  it('lists deleted runs only in the deleted view', async () => {
    const ids = head.experiments.map((e: { experiment_id: string }) => e.experiment_id);
    const deleted = await store.searchRuns({ experimentIds: ids, viewType: 'DELETED_ONLY' });
    const refDeleted = head.runs.filter((r: { lifecycle_stage: string }) => r.lifecycle_stage === 'deleted').map((r: { run_id: string }) => r.run_id);
    expect(deleted.items.map((r) => r.info.runId).sort()).toEqual(refDeleted.sort());
    const active = await store.searchRuns({ experimentIds: ids, viewType: 'ACTIVE_ONLY' });
    expect(active.items.every((r) => r.info.lifecycleStage === 'active')).toBe(true);
    expect(active.items.length + deleted.items.length).toBe(head.runs.length);
  });
});
