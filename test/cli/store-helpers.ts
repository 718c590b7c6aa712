/**
 * Temp stores for the end-to-end CLI tests and a snapshot of everything in one, so a test can prove
 * that a refused command wrote nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { tempDir } from '../support/databases.js';

export type CliStoreKind = 'file' | 'sqlite';

export interface TempStore {
  kind: CliStoreKind;
  uri: string;
  dir: string;
  remove(): void;
}

export function tempStore(kind: CliStoreKind): TempStore {
  const dir = tempDir('mlf-cli-');
  const uri = kind === 'file' ? path.join(dir, 'mlruns') : `sqlite:///${path.join(dir, 'mlflow.db')}`;
  return { kind, uri, dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every experiment and run (any lifecycle stage) with params, tags and full metric histories. */
export async function snapshot(uri: string): Promise<unknown> {
  const store = await openTrackingStore(uri);
  try {
    const exps = (await store.searchExperiments({ viewType: 'ALL', maxResults: 50000 })).items;
    const ids = exps.map((e) => e.experimentId).sort();
    const runs = ids.length ? (await store.searchRuns({ experimentIds: ids, viewType: 'ALL', maxResults: 50000 })).items : [];
    const out = [];
    for (const r of runs.sort((a, b) => (a.info.runId < b.info.runId ? -1 : 1))) {
      const histories: Record<string, unknown> = {};
      for (const m of r.data.metrics) histories[m.key] = await store.getMetricHistory(r.info.runId, m.key);
      out.push({ info: r.info, params: r.data.params, tags: r.data.tags, histories });
    }
    return { experiments: exps.map((e) => ({ ...e, lastUpdateTime: undefined })).sort((a, b) => (a.experimentId < b.experimentId ? -1 : 1)), runs: out };
  } finally {
    await store.close();
  }
}
