/**
 * Helpers for the import tests: reference.json's expected content, and a check that a store holds
 * exactly that content (every value, every metric point), with experiment ids through an id map.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import type { Metric } from '../../src/tracking/entities.js';
import { FIXTURES } from '../support/databases.js';

export interface RefRun {
  ref_key: string;
  run_id: string;
  experiment_id: string;
  run_name: string;
  user_id: string;
  status: string;
  lifecycle_stage: string;
  start_time: number | null;
  end_time: number | null;
  artifact_uri: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  latest_metrics: Record<string, number | string>;
  metric_history: Record<string, { step: number; timestamp: number; value: number | string }[]>;
  inputs: { dataset: Record<string, unknown>; tags: Record<string, string> }[];
}
export interface RefExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  artifact_location: string;
  tags: Record<string, string>;
  creation_time: number;
  last_update_time: number;
}
export interface RefStore {
  experiments: RefExperiment[];
  runs: RefRun[];
}

const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8'));
export const FILE_REF = ref.stores.file_store as RefStore;
export const SQLITE_REF = ref.stores.sqlite_head as RefStore;

/** reference.json's encoding; MLflow's SQLite stores ±Infinity as ±float max, which mlf reads back as ±Infinity (README). */
const num = (v: number | string): number => {
  const n = v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
  return n >= Number.MAX_VALUE ? Infinity : n <= -Number.MAX_VALUE ? -Infinity : n;
};
export const kv = (items: { key: string; value: string }[]) => Object.fromEntries(items.map((i) => [i.key, i.value]));

/** (step, timestamp, value with NaN last), as reference.json sorts histories. */
export function refOrder(a: Metric, b: Metric): number {
  if (a.step !== b.step) return a.step - b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (Number.isNaN(a.value) !== Number.isNaN(b.value)) return Number.isNaN(a.value) ? 1 : -1;
  return a.value - b.value;
}

/**
 * Assert the store holds every experiment and run of `expected`, value for value. `ids` maps a
 * source experiment id to the target's (identity when absent). Artifact URIs are kept verbatim.
 */
export async function expectStoreEquals(store: TrackingStore, expected: RefStore, ids: Record<string, string> = {}): Promise<void> {
  const tid = (id: string) => ids[id] ?? id;
  for (const e of expected.experiments) {
    const got = await store.getExperiment(tid(e.experiment_id));
    expect(got.name).toBe(e.name);
    expect(got.lifecycleStage).toBe(e.lifecycle_stage);
    expect(got.artifactLocation).toBe(e.artifact_location);
    expect(got.creationTime).toBe(e.creation_time);
    expect(got.lastUpdateTime).toBe(e.last_update_time);
    expect(kv(got.tags)).toEqual(e.tags);
    const runs = await store.searchRuns({ experimentIds: [tid(e.experiment_id)], viewType: 'ALL' });
    expect(runs.items.map((r) => r.info.runId).sort()).toEqual(expected.runs.filter((r) => r.experiment_id === e.experiment_id).map((r) => r.run_id).sort());
  }
  for (const r of expected.runs) {
    const run = await store.getRun(r.run_id);
    expect(run.info.experimentId, r.ref_key).toBe(tid(r.experiment_id));
    expect(run.info.runName).toBe(r.run_name);
    expect(run.info.userId).toBe(r.user_id);
    expect(run.info.status).toBe(r.status);
    expect(run.info.lifecycleStage).toBe(r.lifecycle_stage);
    expect(run.info.startTime).toBe(r.start_time);
    expect(run.info.endTime).toBe(r.end_time);
    expect(run.info.artifactUri).toBe(r.artifact_uri);
    expect(kv(run.data.params)).toEqual(r.params);
    expect(kv(run.data.tags)).toEqual(r.tags);
    const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(Object.keys(latest).sort()).toEqual(Object.keys(r.latest_metrics).sort());
    for (const [k, v] of Object.entries(r.latest_metrics)) expect(latest[k], `${r.ref_key} ${k}`).toBe(num(v));
    const inputs = run.inputs.datasetInputs
      .map((di) => ({
        dataset: { name: di.dataset.name, digest: di.dataset.digest, source_type: di.dataset.sourceType, source: di.dataset.source, schema: di.dataset.schema, profile: di.dataset.profile },
        tags: kv(di.tags),
      }))
      .sort((a, b) => (a.dataset.name + a.dataset.digest < b.dataset.name + b.dataset.digest ? -1 : 1));
    const want = r.inputs.map((i) => ({ dataset: i.dataset, tags: i.tags })).sort((a, b) => (String(a.dataset.name) + String(a.dataset.digest) < String(b.dataset.name) + String(b.dataset.digest) ? -1 : 1));
    expect(inputs, r.ref_key).toEqual(want);
    for (const [key, hist] of Object.entries(r.metric_history)) {
      const got = (await store.getMetricHistory(r.run_id, key)).sort(refOrder);
      expect(got.map((m) => ({ step: m.step, timestamp: m.timestamp, value: m.value })), `${r.ref_key} ${key}`).toEqual(
        hist.map((p) => ({ step: p.step, timestamp: p.timestamp, value: num(p.value) })),
      );
    }
  }
}
