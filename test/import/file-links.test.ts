/**
 * A file store's run links to logged models (`<run>/outputs/`, the model entries of `<run>/inputs/`)
 * through `mlf db import`: they land in `inputs` as MLflow 3's SQL store writes them, read back equal,
 * a second import adds nothing and a lost link comes back. The end-of-import check counts, from a
 * file store, logged models and model links per run and traces per experiment, so a missing one is a
 * difference (exit 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { FileSource } from '../../src/import/file-source.js';
import { TargetTables } from '../../src/import/table-copy.js';
import { verifyTables } from '../../src/import/verify.js';
import { FileStore } from '../../src/stores/file/file-store.js';
import { connectSql } from '../../src/stores/sql/connect.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { parseDbUri } from '../../src/tracking/uri.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase } from '../support/databases.js';
import { FILE_REF } from './support.js';

const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const expId = FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id;
const runA1 = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
const runA2 = FILE_REF.runs.find((r) => r.ref_key === 'A2')!.run_id;

/** The fixture with two models of run A1: A1 outputs both (steps 3 and 0), A2 takes one as input; one trace in ref-exp-A. */
async function storeWithLinks(): Promise<{ mlruns: string; models: string[]; traceId: string }> {
  const mlruns = copyFixture('mlruns');
  dirs.push(path.dirname(mlruns));
  const store = await FileStore.open(mlruns);
  try {
    const lm = store.loggedModels!;
    const a = await lm.create({ experimentId: expId, name: 'agent', sourceRunId: runA1 });
    const b = await lm.create({ experimentId: expId, name: 'judge', sourceRunId: runA1 });
    await lm.logOutputs!(runA1, [
      { modelId: a.info.modelId, step: 3 },
      { modelId: b.info.modelId, step: 0 },
    ]);
    await lm.logModelInputs!(runA2, [a.info.modelId]);
    const trace = await store.traces.startTrace(expId, 100, { 'mlflow.sourceRun': runA1 }, { 'mlflow.traceName': 'predict' });
    return { mlruns, models: [a.info.modelId, b.info.modelId], traceId: trace.requestId };
  } finally {
    await store.close();
  }
}

async function withDb<T>(uri: string, f: (c: Awaited<ReturnType<typeof connectSql>>) => Promise<T>): Promise<T> {
  const conn = await connectSql(parseDbUri(uri));
  try {
    return await f(conn);
  } finally {
    await conn.close();
  }
}

const modelLinks = (uri: string) =>
  withDb(uri, async ({ db }) =>
    (await db.selectFrom('inputs').select(['source_type', 'source_id', 'destination_type', 'destination_id', 'step']).where('source_type', 'in', ['RUN_INPUT', 'RUN_OUTPUT']).execute())
      .map((r) => `${r.source_type} ${r.source_id} ${r.destination_type} ${r.destination_id} ${Number(r.step)}`)
      .sort(),
  );

describe("db import: a file store's run links to logged models", () => {
  for (const dialect of testDialects()) {
    it(`into ${dialect}: inputs rows as MLflow 3's SQL store writes them, read back equal, not duplicated, a lost one restored`, async (ctx) => {
      if (await skipUnlessAvailable(dialect)) ctx.skip();
      const { mlruns, models } = await storeWithLinks();
      const target = await createTestDatabase(dialect);
      dbs.push(target);
      const idMapFile = path.join(path.dirname(mlruns), 'ids.json');
      const r = await importStore({ from: mlruns, to: target.uri, idMapFile });
      expect(r.differences).toEqual([]);
      const [a, b] = models as [string, string];
      expect(await modelLinks(target.uri)).toEqual(
        [`RUN_INPUT ${runA2} MODEL_INPUT ${a} 0`, `RUN_OUTPUT ${runA1} MODEL_OUTPUT ${a} 3`, `RUN_OUTPUT ${runA1} MODEL_OUTPUT ${b} 0`].sort(),
      );

      // Read through each store: the same links, in the SQL store's order (a SQL store's runs
      // carry them; the file store's come from runLinks).
      const files = await openTrackingStore(mlruns);
      const sql = await openTrackingStore(target.uri);
      try {
        const want = await files.loggedModels!.runLinks!([runA1, runA2]);
        for (const id of [runA1, runA2]) {
          const run = await sql.getRun(id);
          expect({ inputs: run.inputs.modelInputs ?? [], outputs: run.outputs?.modelOutputs ?? [] }).toEqual(want.get(id));
        }
        expect(want.get(runA1)!.outputs).toEqual([
          { modelId: b, step: 0 },
          { modelId: a, step: 3 },
        ]);
      } finally {
        await files.close();
        await sql.close();
      }

      const again = await importStore({ from: mlruns, to: target.uri, idMapFile });
      expect(again.rows).toEqual({});
      expect(again.differences).toEqual([]);

      // A link lost from the target (an import stopped before it) comes back, alone.
      await withDb(target.uri, ({ db }) => db.deleteFrom('inputs').where('source_type', '=', 'RUN_INPUT').execute());
      const resumed = await importStore({ from: mlruns, to: target.uri, idMapFile });
      expect(resumed.rows).toEqual({ inputs: 1 });
      expect(resumed.differences).toEqual([]);
      expect((await modelLinks(target.uri)).length).toBe(3);
    }, 120_000);
  }

  it('the end check counts model links and logged models per run and traces per experiment from a file store', async () => {
    const { mlruns, models, traceId } = await storeWithLinks();
    const target = await createTestDatabase('sqlite');
    dbs.push(target);
    const idMapFile = path.join(path.dirname(mlruns), 'ids.json');
    const r = await importStore({ from: mlruns, to: target.uri, idMapFile });
    expect(r.differences).toEqual([]);
    const newId = Number(r.renumbered[expId]);

    const source = await FileSource.open(mlruns);
    try {
      for await (const _ of source.experiments());
      const counts = await source.tableCounts();
      expect(counts.get('trace_info')).toEqual({ total: 1, byExperiment: new Map([[expId, 1]]) });
      expect(counts.get('inputs')!.byRun).toEqual(new Map([[runA1, 2], [runA2, 1]]));
      expect(counts.get('logged_models')!.byRun).toEqual(new Map([[runA1, 2]]));

      const ids = new Map([...Object.entries(r.renumbered)].map(([s, t]) => [s, Number(t)]));
      // What a missed trace, link or model leaves in the target: each is named.
      await withDb(target.uri, async ({ db, dialect }) => {
        for (const t of ['trace_tags', 'trace_request_metadata', 'trace_info']) await db.deleteFrom(t).where('request_id', '=', traceId).execute();
        await db.deleteFrom('inputs').where('source_id', '=', runA2).execute();
        await db.deleteFrom('logged_models').where('model_id', '=', models[1]!).execute();
        const diffs = await verifyTables(db, new TargetTables({ db, dialect, dryRun: false, empty: false }), counts, ids);
        expect(diffs).toEqual(
          expect.arrayContaining([
            `experiment ${expId}: trace_info source 1, target 0`,
            `run ${runA2}: inputs source 1, target 0`,
            `run ${runA1}: logged_models source 2, target 1`,
            `experiment ${expId}: logged_models source 2, target 1`,
          ]),
        );
        // Into the target's own experiment of its name, extra rows are the target's: a shortfall still shows.
        const merged = await verifyTables(db, new TargetTables({ db, dialect, dryRun: false, empty: false }), counts, ids, new Set([expId]));
        expect(merged).toContain(`experiment ${expId}: trace_info source 1, target 0`);
      });
      expect(newId).toBeGreaterThan(0);
    } finally {
      await source.close();
    }
  });
});
