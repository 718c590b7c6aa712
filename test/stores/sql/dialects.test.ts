/**
 * Search behaviour that differs between databases unless made the same, checked on every live
 * dialect: case-sensitive `=`, `!=` and LIKE (MariaDB's default collation is case-insensitive),
 * ILIKE case-insensitive, NaN and ±infinity, 64-bit timestamps near 2^53, lowercase run ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import type { TrackingStore } from '../../../src/stores/tracking-store.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../../support/databases.js';

const BIG = 2 ** 53 - 1; // Number.MAX_SAFE_INTEGER: the largest timestamp a JS number (and JSON) carries exactly
const NEAR = 2 ** 53 - 1000;

for (const dialect of testDialects()) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`${dialect}: dialect behaviour`, () => {
    let db: TestDatabase;
    let store: TrackingStore;
    let exp: string;
    let upper: string; // run with param model=CNN, tag team=Vision
    let lower: string; // run with param model=cnn, tag team=vision

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      store = await openTrackingStore(db.uri, { artifactRoot: tempDir(), cwd: tempDir() });
      exp = await store.createExperiment({ name: 'Case Exp' });
      await store.createExperiment({ name: 'case exp 2' });
      upper = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
      lower = (await store.createRun({ experimentId: exp, startTime: 2 })).info.runId;
      await store.logBatch(upper, { params: [{ key: 'model', value: 'CNN' }], tags: [{ key: 'team', value: 'Vision' }] });
      await store.logBatch(lower, { params: [{ key: 'model', value: 'cnn' }], tags: [{ key: 'team', value: 'vision' }] });
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
    });

    const ids = async (filter: string) =>
      (await store.searchRuns({ experimentIds: [exp], filter })).items.map((r) => r.info.runId).sort();

    it('= and != on params and tags are case-sensitive', async () => {
      expect(await ids("params.model = 'CNN'")).toEqual([upper]);
      expect(await ids("params.model != 'CNN'")).toEqual([lower]);
      expect(await ids("tags.team = 'vision'")).toEqual([lower]);
      expect(await ids("tags.team != 'vision'")).toEqual([upper]);
      expect(await ids("params.MODEL = 'CNN'")).toEqual([]); // keys too
    });

    it('LIKE is case-sensitive, ILIKE is not', async () => {
      expect(await ids("params.model LIKE 'C%'")).toEqual([upper]);
      expect(await ids("tags.team LIKE '%ision'")).toEqual([lower, upper].sort());
      expect(await ids("tags.team LIKE 'V%'")).toEqual([upper]);
      expect(await ids("params.model ILIKE 'c%'")).toEqual([lower, upper].sort());
      expect(await ids("tags.team ILIKE 'VISION'")).toEqual([lower, upper].sort());
    });

    it('experiment names compare case-sensitively in search', async () => {
      const names = async (filter: string) => (await store.searchExperiments({ filter })).items.map((e) => e.name).sort();
      expect(await names("name = 'Case Exp'")).toEqual(['Case Exp']);
      expect(await names("name = 'case exp'")).toEqual([]);
      expect(await names("name LIKE 'case%'")).toEqual(['case exp 2']);
      expect(await names("name ILIKE 'case%'")).toEqual(['Case Exp', 'case exp 2']);
      expect(await names("name != 'case exp'")).toContain('Case Exp');
    });

    // The unique index on experiments.name follows the column's collation, as in MLflow: MariaDB's
    // default (utf8mb4_general_ci) treats names differing only in case as the same name.
    it(`a name differing only in case is ${dialect === 'mysql' ? 'the same name (case-insensitive collation)' : 'a different experiment'}`, async () => {
      const p = store.createExperiment({ name: 'CASE EXP' });
      if (dialect === 'mysql') await expect(p).rejects.toThrow('Experiment(name=CASE EXP) already exists.');
      else expect((await store.getExperiment(await p)).name).toBe('CASE EXP');
    });

    it('getExperimentByName is exact about case', async () => {
      expect((await store.getExperimentByName('Case Exp'))?.name).toBe('Case Exp');
      expect(await store.getExperimentByName('cASE eXP')).toBeNull();
    });

    it('run ids are lowercase hex; run_id IN (...) matches them', async () => {
      expect(upper).toMatch(/^[0-9a-f]{32}$/);
      expect(await ids(`attributes.run_id IN ('${upper}', '${lower}')`)).toEqual([lower, upper].sort());
      expect(await ids(`attributes.run_id = '${upper}'`)).toEqual([upper]);
      // An upper-cased id is a different id (MLflow's ids are lowercase; its SQL compares exactly).
      expect(await ids(`attributes.run_id = '${upper.toUpperCase()}'`)).toEqual([]);
    });

    it('keeps 64-bit timestamps near 2^53 exact (metrics, runs, experiments)', async () => {
      const run = (await store.createRun({ experimentId: exp, startTime: NEAR })).info.runId;
      await store.logBatch(run, {
        metrics: [
          { key: 't', value: 1, timestamp: BIG, step: BIG },
          { key: 't', value: 2, timestamp: NEAR, step: 0 },
        ],
      });
      await store.updateRunInfo(run, { status: 'FINISHED', endTime: BIG });
      const got = await store.getRun(run);
      expect(got.info.startTime).toBe(NEAR);
      expect(got.info.endTime).toBe(BIG);
      const hist = (await store.getMetricHistory(run, 't')).map((m) => [m.timestamp, m.step]).sort((a, b) => a[0]! - b[0]!);
      expect(hist).toEqual([
        [NEAR, 0],
        [BIG, BIG],
      ]);
      expect(got.data.metrics.find((m) => m.key === 't')).toMatchObject({ timestamp: BIG, step: BIG, value: 1 });
      expect(await ids(`attributes.start_time = ${NEAR}`)).toEqual([run]);
      expect(await ids(`attributes.end_time > ${NEAR}`)).toEqual([run]);
      await store.deleteRun(run);
    });

    it('round-trips NaN, +Infinity and -Infinity metric values', async () => {
      const run = (await store.createRun({ experimentId: exp, startTime: 3 })).info.runId;
      await store.logBatch(run, {
        metrics: [
          { key: 'nan', value: NaN, timestamp: 1, step: 0 },
          { key: 'pinf', value: Infinity, timestamp: 1, step: 0 },
          { key: 'ninf', value: -Infinity, timestamp: 1, step: 0 },
        ],
      });
      const m = Object.fromEntries((await store.getRun(run)).data.metrics.map((x) => [x.key, x.value]));
      expect(m.nan).toBeNaN();
      expect(m.pinf).toBe(Infinity);
      expect(m.ninf).toBe(-Infinity);
      expect((await store.getMetricHistory(run, 'pinf'))[0]!.value).toBe(Infinity);
      expect(await ids('metrics.pinf > 1e308')).toEqual([run]);
      expect(await ids('metrics.ninf < -1e308')).toEqual([run]);
      await store.deleteRun(run);
    });
  });
}
