/**
 * MLflow 2.17's own stores (the mlruns folder and the SQLite database in the fixtures) imported into
 * SQLite, PostgreSQL and MariaDB, and read back equal to reference.json: every value, every point.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStore, type ImportResult } from '../../src/import/importer.js';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { copyFixture, createTestDatabase, skipUnlessAvailable, testDialects, type TestDatabase } from '../support/databases.js';
import { FILE_REF, SQLITE_REF, expectStoreEquals } from './support.js';

for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
  describe(`mlf db import into ${dialect}`, async () => {
    const skip = await skipUnlessAvailable(dialect);
    let mlruns: string;
    let sqliteSource: string;
    const dbs: TestDatabase[] = [];
    const fresh = async () => {
      const db = await createTestDatabase(dialect);
      dbs.push(db);
      return db;
    };

    beforeAll(() => {
      mlruns = copyFixture('mlruns');
      sqliteSource = copyFixture('sqlite-head.db');
    });
    afterAll(async () => {
      for (const db of dbs) await db.drop().catch(() => undefined);
      for (const p of [mlruns, sqliteSource]) if (p) fs.rmSync(path.dirname(p), { recursive: true, force: true });
    });

    it.skipIf(skip)('imports the mlruns folder: every value and metric point, 18-digit experiment ids renumbered', async () => {
      const db = await fresh();
      const idMap = path.join(path.dirname(mlruns), `map-${dialect}.json`);
      const r: ImportResult = await importStore({ from: mlruns, to: db.uri, idMapFile: idMap });
      expect(r.differences).toEqual([]);
      expect(r.runs).toEqual({ total: FILE_REF.runs.length, created: FILE_REF.runs.length, updated: 0, unchanged: 0 });
      // Default (0) keeps its id; the three 18-digit ids get 1, 2, 3 in some order.
      expect(r.renumbered['0']).toBeUndefined();
      expect(Object.keys(r.renumbered).sort()).toEqual(FILE_REF.experiments.map((e) => e.experiment_id).filter((id) => id !== '0').sort());
      expect(Object.values(r.renumbered).sort()).toEqual(['1', '2', '3']);
      expect(JSON.parse(fs.readFileSync(idMap, 'utf8')).experiments).toMatchObject(r.renumbered);
      const store = await openTrackingStore(db.uri);
      try {
        await expectStoreEquals(store, FILE_REF, r.renumbered);
        // MLflow can create the next experiment: the id counter moved past the imported ids.
        expect(Number(await store.createExperiment({ name: 'after-import' }))).toBeGreaterThan(3);
      } finally {
        await store.close();
      }
    });

    it.skipIf(skip)('a second import adds nothing', async () => {
      const db = await fresh();
      await importStore({ from: mlruns, to: db.uri, idMapFile: path.join(path.dirname(mlruns), 'ignore.json') });
      const again = await importStore({ from: mlruns, to: db.uri, idMapFile: path.join(path.dirname(mlruns), 'ignore.json') });
      expect(again.rows).toEqual({});
      expect(again.runs).toEqual({ total: FILE_REF.runs.length, created: 0, updated: 0, unchanged: FILE_REF.runs.length });
      expect(again.experiments.created).toBe(0);
      expect(again.differences).toEqual([]);
    });

    it.skipIf(skip)('imports MLflow\'s SQLite database, ids kept, into this dialect', async () => {
      const db = await fresh();
      const r = await importStore({ from: `sqlite:///${sqliteSource}`, to: db.uri });
      expect(r.differences).toEqual([]);
      expect(r.renumbered).toEqual({});
      const store = await openTrackingStore(db.uri);
      try {
        await expectStoreEquals(store, SQLITE_REF);
      } finally {
        await store.close();
      }
    });
  });
}
