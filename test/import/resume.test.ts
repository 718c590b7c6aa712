/**
 * An import stopped after any batch and run again ends equal to one that ran through, whether the
 * stopped import created the schema or found it; a later import brings over only what is new or
 * changed in the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStore } from '../../src/import/importer.js';
import { FileStore } from '../../src/stores/file/file-store.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase } from '../support/databases.js';
import { FILE_REF, expectStoreEquals } from './support.js';
import { headDatabases } from './db-helpers.js';

/** Every run of `source` is in `target` with the same info, data, inputs and metric histories. */
async function expectSameRuns(source: TrackingStore, target: TrackingStore, ids: Record<string, string>): Promise<void> {
  const exps = await source.searchExperiments({ viewType: 'ALL' });
  for (const e of exps.items) {
    const runs = await source.searchRuns({ experimentIds: [e.experimentId], viewType: 'ALL', maxResults: 1000 });
    for (const r of runs.items) {
      const t = await target.getRun(r.info.runId);
      expect(t.info).toEqual({ ...r.info, experimentId: ids[e.experimentId] ?? e.experimentId, deletedTime: t.info.deletedTime });
      expect(t.data).toEqual(r.data);
      for (const m of r.data.metrics) {
        const order = (a: { step: number; timestamp: number; value: number }, b: typeof a) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value;
        expect((await target.getMetricHistory(r.info.runId, m.key)).sort(order)).toEqual((await source.getMetricHistory(r.info.runId, m.key)).sort(order));
      }
    }
  }
}

for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
  describe(`resumable and repeatable import into ${dialect}`, async () => {
    const skip = await skipUnlessAvailable(dialect);
    let mlruns: string;
    const dbs: TestDatabase[] = [];
    const fresh = async () => {
      const db = await createTestDatabase(dialect);
      dbs.push(db);
      return db;
    };
    // Targets already at head, made before the tests: on MariaDB a schema costs 20-70 s (db-helpers.ts).
    const atHead = headDatabases(dialect, dbs);
    const heads: TestDatabase[] = [];
    const idMapFile = () => path.join(path.dirname(mlruns), 'ids.json');
    beforeAll(async () => {
      mlruns = copyFixture('mlruns');
      if (!skip) for (let i = 0; i < 3; i++) heads.push(await atHead());
    }, 300_000);
    afterAll(async () => {
      for (const db of dbs) await db.drop().catch(() => undefined);
      if (mlruns) fs.rmSync(path.dirname(mlruns), { recursive: true, force: true });
    });

    /** Stops an import into `db` after `stopAt` runs, resumes it, and checks it ends equal to reference.json. */
    const stopAndResume = async (db: TestDatabase, stopAt: number) => {
      const stop = async (done: number) => {
        if (done === stopAt) throw new Error(`stopped after ${done}`);
      };
      await expect(importStore({ from: mlruns, to: db.uri, batchSize: 1, afterBatch: stop, idMapFile: idMapFile() })).rejects.toThrow(`stopped after ${stopAt}`);
      const r = await importStore({ from: mlruns, to: db.uri, batchSize: 1, idMapFile: idMapFile() });
      expect(r.differences).toEqual([]);
      expect(r.runs.created, `stopped at ${stopAt}`).toBe(FILE_REF.runs.length - stopAt);
      expect(r.runs.unchanged).toBe(stopAt);
      expect(r.experiments.created).toBe(0);
      const store = await openTrackingStore(db.uri);
      try {
        await expectStoreEquals(store, FILE_REF, r.renumbered);
      } finally {
        await store.close();
      }
    };

    // The stopped import made the schema itself (on MariaDB that alone takes up to 70 s under load).
    it.skipIf(skip)('resumes an import into an empty database stopped after 1 run, and ends equal to reference.json', async () => {
      await stopAndResume(await fresh(), 1);
    }, 240_000);

    it.skipIf(skip)('resumes imports into a database at head stopped after 3 and 6 runs, and ends equal to reference.json', async () => {
      await stopAndResume(heads[0]!, 3);
      await stopAndResume(heads[1]!, 6);
    }, 120_000);

    it.skipIf(skip)('a later import brings only new runs, new points, new tags and a run that ended', async () => {
      const src = copyFixture('mlruns');
      const db = heads[2]!;
      const first = await importStore({ from: src, to: db.uri, idMapFile: idMapFile() });
      const fs1 = await FileStore.open(src, {});
      const expA = FILE_REF.experiments.find((e) => e.name === 'ref-exp-A')!.experiment_id;
      const a1 = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
      const a4 = FILE_REF.runs.find((r) => r.ref_key === 'A4')!.run_id;
      const created = await fs1.createRun({ experimentId: expA, startTime: 1800000000000, runName: 'late' });
      await fs1.logBatch(created.info.runId, { metrics: [{ key: 'loss', value: 0.5, timestamp: 1800000000001, step: 0 }], params: [{ key: 'p', value: '1' }] });
      await fs1.logMetric(a1, { key: 'loss', value: NaN, timestamp: 1800000000002, step: 99 });
      await fs1.setTag(a1, { key: 'reviewed', value: 'yes' });
      await fs1.updateRunInfo(a4, { status: 'FINISHED', endTime: 1800000000003 });

      const dry = await importStore({ from: src, to: db.uri, dryRun: true });
      expect(dry.runs).toEqual({ total: FILE_REF.runs.length + 1, created: 1, updated: 2, unchanged: FILE_REF.runs.length - 2 });
      expect(dry.rows.metrics).toBe(2);

      const r = await importStore({ from: src, to: db.uri, idMapFile: idMapFile() });
      expect(r.runs).toEqual(dry.runs);
      expect(r.rows).toEqual(dry.rows);
      expect(r.renumbered).toEqual(first.renumbered);
      expect(r.differences).toEqual([]);
      const target = await openTrackingStore(db.uri);
      try {
        await expectSameRuns(fs1, target, r.renumbered);
      } finally {
        await target.close();
        await fs1.close();
        fs.rmSync(path.dirname(src), { recursive: true, force: true });
      }
    });
  });
}
