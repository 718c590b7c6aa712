/** `mlf db import` of a file store's traces into MLflow's trace tables (SQLite target). */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { FileStore } from '../../src/stores/file/file-store.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { tempDir } from '../support/databases.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it("copies a file store's traces, tags and request metadata, renumbering their experiment, once", async () => {
  dir = tempDir('mlf-import-traces-');
  const files = await FileStore.open(path.join(dir, 'mlruns'));
  const exp = await files.createExperiment({ name: 'traced' });
  const done = await files.traces.startTrace(exp, 100, { 'mlflow.sourceRun': 'r1' }, { 'mlflow.traceName': 'predict' });
  await files.traces.endTrace(done.requestId, 130, 'OK', {}, { extra: 'x' });
  const open = await files.traces.startTrace('0', 200, {}, {});
  fs.mkdirSync(path.join(dir, 'mlruns', exp, 'traces', 'broken')); // no trace_info.yaml: left out
  await files.close();

  const uri = `sqlite:///${path.join(dir, 'mlflow.db')}`;
  const first = await importStore({ from: path.join(dir, 'mlruns'), to: uri, idMapFile: path.join(dir, 'ids.json') });
  expect(first.rows).toMatchObject({ trace_info: 2, trace_request_metadata: 1 });
  const again = await importStore({ from: path.join(dir, 'mlruns'), to: uri, idMapFile: path.join(dir, 'ids.json') });
  expect(again.rows.trace_info ?? 0).toBe(0);

  const sql = await openTrackingStore(uri);
  try {
    const target = first.renumbered[exp] ?? exp;
    const got = await sql.traces!.getTraceInfo(done.requestId);
    expect(got).toMatchObject({ experimentId: target, timestampMs: 100, executionTimeMs: 30, status: 'OK', requestMetadata: { 'mlflow.sourceRun': 'r1' } });
    expect(got.tags).toMatchObject({ 'mlflow.traceName': 'predict', extra: 'x', 'mlflow.artifactLocation': done.tags['mlflow.artifactLocation'] });
    expect((await sql.traces!.getTraceInfo(open.requestId)).executionTimeMs).toBeNull();
    const page = await sql.traces!.searchTraces({ experimentIds: [target], filter: "name = 'predict'" });
    expect(page.items.map((t) => t.requestId)).toEqual([done.requestId]);
  } finally {
    await sql.close();
  }
});
