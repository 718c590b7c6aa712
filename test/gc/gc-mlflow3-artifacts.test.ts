/**
 * `mlf gc` at mlf's head revision: a purged experiment's logged models and traces lose their
 * artifact folders with it, checked to be their own as a run's are; the experiment folder goes once empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { runGc } from '../../src/gc/gc.js';
import { formatSummary } from '../../src/gc/summary.js';
import { connectSql } from '../../src/stores/sql/connect.js';
import { parseStoreUri, type SqlStoreUri } from '../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';

for (const dialect of testDialects().filter((d) => d !== 'mssql')) {
  describe.skipIf(await skipUnlessAvailable(dialect))(`gc of MLflow 3 artifacts on ${dialect}`, () => {
    let store: TrackingStore;
    let tdb: TestDatabase;
    let root: string;
    beforeEach(async () => {
      root = tempDir('mlf-gc3-art-');
      tdb = await createTestDatabase(dialect);
      store = await openTrackingStore(tdb.uri, { artifactRoot: root });
    });
    afterEach(async () => {
      await store?.close();
      await tdb?.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    /** A folder with one 100-byte file. */
    const folder = (dir: string) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'f.bin'), Buffer.alloc(100));
      return dir;
    };

    it('removes the folders of purged logged models and traces, and refuses one that is not theirs', async () => {
      const gone = await store.createExperiment({ name: `gone-${Date.now()}` });
      const live = await store.createExperiment({ name: `live-${Date.now()}` });
      const expDir = path.join(root, gone);
      const modelDir = folder(path.join(expDir, 'models', 'm-1', 'artifacts'));
      const traceDir = folder(path.join(expDir, 'traces', 'tr-1', 'artifacts'));
      const shared = folder(path.join(root, 'shared')); // a model pointing here is refused, not wiped
      const liveModel = folder(path.join(root, live, 'models', 'm-3', 'artifacts'));

      const conn = await connectSql(parseStoreUri(tdb.uri) as SqlStoreUri);
      try {
        const model = (id: string, exp: string, loc: string) => ({
          model_id: id,
          experiment_id: Number(exp),
          name: id,
          artifact_location: loc,
          creation_timestamp_ms: 1,
          last_updated_timestamp_ms: 1,
          status: 2,
          lifecycle_stage: 'active',
        });
        await conn.db
          .insertInto('logged_models')
          .values([model('m-1', gone, `file://${modelDir}`), model('m-2', gone, shared), model('m-3', live, liveModel)])
          .execute();
        await conn.db.insertInto('trace_info').values({ request_id: 'tr-1', experiment_id: Number(gone), timestamp_ms: 1, execution_time_ms: 1, status: 'OK' }).execute();
        await conn.db.insertInto('trace_tags').values({ request_id: 'tr-1', key: 'mlflow.artifactLocation', value: traceDir }).execute();
      } finally {
        await conn.close();
      }
      await store.deleteExperiment(gone);

      const dry = await runGc(store, { dryRun: true });
      expect(dry.rows).toMatchObject({ logged_models: 2, trace_info: 1, experiments: 1 });
      expect(dry.artifacts).toEqual({ deleted: 2, missing: 0, skipped: 1 });
      expect(dry.artifactBytes).toBe(200);
      expect(fs.existsSync(modelDir) && fs.existsSync(traceDir)).toBe(true);

      const s = await runGc(store, {});
      expect(s.experimentIds).toEqual([gone]);
      expect(s.artifacts).toEqual({ deleted: 2, missing: 0, skipped: 1 });
      expect(s.skippedArtifacts).toEqual([expect.objectContaining({ runId: 'm-2', owner: 'model', reason: expect.stringContaining("not the model's own artifact folder") })]);
      expect(formatSummary(s)[1]).toMatch(/^Artifacts of logged model m-2 skipped \(.*shared\): .*shared is not the model's own artifact folder \(<model_id>\/artifacts or <model_id>\)$/);
      expect(formatSummary(s)[0]).toContain('; 1 artifact folder skipped.');
      expect(fs.existsSync(expDir)).toBe(false); // models/, traces/ and the experiment folder, once empty
      expect(fs.existsSync(path.join(shared, 'f.bin'))).toBe(true);
      expect(fs.existsSync(path.join(liveModel, 'f.bin'))).toBe(true);
    });
  });
}
