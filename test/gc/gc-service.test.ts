/**
 * The gc service on every store (file, SQLite, PostgreSQL, MariaDB; SQL Server when configured),
 * through the TrackingStore interface: which runs and experiments go, MLflow's errors, ages,
 * NULL deleted_time, dry runs, artifacts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import type { TrackingStore } from '../../src/stores/tracking-store.js';
import { runGc } from '../../src/gc/gc.js';
import { connectSql } from '../../src/stores/sql/connect.js';
import { fileUriToPath, parseStoreUri, type SqlStoreUri } from '../../src/tracking/uri.js';
import { createTestDatabase, skipUnlessAvailable, tempDir, testDialects, type TestDatabase } from '../support/databases.js';

type Kind = 'file' | ReturnType<typeof testDialects>[number];
const KINDS: Kind[] = ['file', ...testDialects()];
const DAY = 86_400_000;

function localPath(uri: string): string {
  return uri.startsWith('file:') ? fileUriToPath(uri) : uri;
}

for (const kind of KINDS) {
  describe.skipIf(kind !== 'file' && (await skipUnlessAvailable(kind)))(`gc on the ${kind} store`, () => {
    let store: TrackingStore;
    let uri: string;
    let artifactRoot: string;
    let tdb: TestDatabase | undefined;
    let cleanup: string[] = [];

    beforeEach(async () => {
      artifactRoot = tempDir('mlf-gc-art-');
      cleanup = [artifactRoot];
      if (kind === 'file') {
        const root = tempDir('mlf-gc-file-');
        cleanup.push(root);
        uri = root;
        store = await openTrackingStore(uri);
      } else {
        tdb = await createTestDatabase(kind);
        uri = tdb.uri;
        store = await openTrackingStore(uri, { artifactRoot });
      }
    });
    afterEach(async () => {
      await store?.close();
      await tdb?.drop();
      tdb = undefined;
      for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
    });

    /** Make a run with a metric, a param, a tag and an artifact file; returns its id and artifact dir. */
    async function run(experimentId: string, withArtifact = true) {
      const r = await store.createRun({ experimentId, startTime: 1 });
      await store.logBatch(r.info.runId, {
        metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }],
        params: [{ key: 'lr', value: '0.1' }],
        tags: [{ key: 't', value: 'v' }],
      });
      const dir = localPath(r.info.artifactUri);
      if (withArtifact) {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'model.bin'), Buffer.alloc(1000));
      }
      return { id: r.info.runId, dir };
    }

    async function exists(runId: string): Promise<boolean> {
      try {
        await store.getRun(runId);
        return true;
      } catch (e) {
        if ((e as { errorCode?: string }).errorCode === 'RESOURCE_DOES_NOT_EXIST') return false;
        throw e;
      }
    }

    /** Make a deleted run look like one deleted before MLflow recorded deleted_time. */
    async function forgetDeletedTime(runId: string, artifactDir: string): Promise<void> {
      if (kind === 'file') {
        const meta = path.join(path.dirname(artifactDir), 'meta.yaml');
        fs.writeFileSync(meta, fs.readFileSync(meta, 'utf8').replace(/^deleted_time:.*\n/m, ''));
        await store.close();
        store = await openTrackingStore(uri);
        return;
      }
      const conn = await connectSql(parseStoreUri(uri) as SqlStoreUri);
      try {
        await conn.db.updateTable('runs').set({ deleted_time: null }).where('run_uuid', '=', runId).execute();
      } finally {
        await conn.close();
      }
    }

    const exp = (name: string) => store.createExperiment({ name: `${name}-${Math.random().toString(36).slice(2, 8)}` });

    it('purges every deleted run and deleted experiment, rows and artifacts, and nothing active', async () => {
      const live = await exp('live');
      const gone = await exp('gone');
      const keep = await run(live);
      const del = await run(live);
      const inGone = await run(gone);
      await store.deleteRun(del.id);
      await store.deleteExperiment(gone);
      const goneName = (await store.getExperiment(gone)).name;

      const s = await runGc(store, {});
      expect(s.runIds.sort()).toEqual([del.id, inGone.id].sort());
      expect(s.experimentIds).toEqual([gone]);
      expect(s.runs).toBe(2);
      expect(s.artifactBytes).toBeGreaterThanOrEqual(2000);
      expect(s.rows.runs).toBe(2);
      expect(await exists(del.id)).toBe(false);
      expect(await exists(inGone.id)).toBe(false);
      expect(await exists(keep.id)).toBe(true);
      expect(fs.existsSync(del.dir)).toBe(false);
      expect(fs.existsSync(path.join(keep.dir, 'model.bin'))).toBe(true);
      await expect(store.getExperiment(gone)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
      // The name is free again.
      await store.createExperiment({ name: goneName });
      // A second gc has nothing left to do.
      const again = await runGc(store, {});
      expect(again.runs + again.experiments).toBe(0);
    });

    it("purges a deleted experiment's traces with their traces.json, wherever the experiment's artifacts live", async () => {
      const elsewhere = path.join(artifactRoot, 'elsewhere');
      const gone = await store.createExperiment({ name: `traced-${Math.random().toString(36).slice(2, 8)}`, artifactLocation: `file://${elsewhere}` });
      const live = await exp('live-traced');
      const traces = store.traces!;
      const spans = async (experimentId: string) => {
        const t = await traces.startTrace(experimentId, 1, {}, {});
        const dir = localPath(t.tags['mlflow.artifactLocation']!);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'traces.json'), '{"spans": []}');
        return { id: t.requestId, dir };
      };
      const t1 = await spans(gone);
      const t2 = await spans(gone);
      const kept = await spans(live);
      await store.deleteExperiment(gone);
      const s = await runGc(store, {});
      expect(s.experimentIds).toEqual([gone]);
      for (const t of [t1, t2]) {
        await expect(traces.getTraceInfo(t.id)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
        expect(fs.existsSync(path.dirname(t.dir)), t.dir).toBe(false);
      }
      expect((await traces.getTraceInfo(kept.id)).requestId).toBe(kept.id);
      expect(fs.existsSync(path.join(kept.dir, 'traces.json'))).toBe(true);
    });

    it('with --run-ids purges only those runs, not the deleted experiments', async () => {
      const live = await exp('live');
      const gone = await exp('gone');
      const a = await run(live);
      const b = await run(live);
      await run(gone);
      await store.deleteRun(a.id);
      await store.deleteRun(b.id);
      await store.deleteExperiment(gone);
      const s = await runGc(store, { runIds: [a.id] });
      expect(s.runIds).toEqual([a.id]);
      expect(s.experiments).toBe(0);
      expect(await exists(b.id)).toBe(true);
      expect((await store.getExperiment(gone)).lifecycleStage).toBe('deleted');
    });

    it('with --experiment-ids purges only those experiments and their runs', async () => {
      const live = await exp('live');
      const g1 = await exp('g1');
      const g2 = await exp('g2');
      const loose = await run(live);
      const r1 = await run(g1);
      const r2 = await run(g2);
      await store.deleteRun(loose.id);
      await store.deleteExperiment(g1);
      await store.deleteExperiment(g2);
      const s = await runGc(store, { experimentIds: [g1] });
      expect(s.experimentIds).toEqual([g1]);
      expect(s.runIds).toEqual([r1.id]);
      expect(await exists(loose.id)).toBe(true);
      expect(await exists(r2.id)).toBe(true);
    });

    it('refuses an active run by name and removes nothing', async () => {
      const e = await exp('e');
      const a = await run(e);
      const b = await run(e);
      await store.deleteRun(a.id);
      await expect(runGc(store, { runIds: [`${a.id},${b.id}`] })).rejects.toThrow(
        `Run ${b.id} is not in \`deleted\` lifecycle stage. Only runs in \`deleted\` lifecycle stage can be deleted.`,
      );
      expect(await exists(a.id)).toBe(true);
      expect(fs.existsSync(path.join(a.dir, 'model.bin'))).toBe(true);
    });

    it('refuses experiments that are not deleted, naming them', async () => {
      const e = await exp('e');
      const g = await exp('g');
      await store.deleteExperiment(g);
      await expect(runGc(store, { experimentIds: [g, e] })).rejects.toThrow(
        `Experiments ['${e}'] are not in the deleted lifecycle stage. Only experiments in the deleted lifecycle stage can be hard-deleted.`,
      );
      expect((await store.getExperiment(g)).lifecycleStage).toBe('deleted');
    });

    it('with --older-than keeps runs and experiments deleted more recently', async () => {
      const e = await exp('e');
      const g = await exp('g');
      const a = await run(e);
      await run(g);
      await store.deleteRun(a.id);
      await store.deleteExperiment(g);
      const young = await runGc(store, { olderThan: '1d' });
      expect(young.runs + young.experiments).toBe(0);
      await expect(runGc(store, { olderThan: '1d', runIds: [a.id] })).rejects.toThrow(
        `Run ${a.id} is not older than the required age. Only runs older than 1d can be deleted.`,
      );
      const later = await runGc(store, { olderThan: '1d', now: Date.now() + 2 * DAY });
      expect(later.runIds).toContain(a.id);
      expect(later.experimentIds).toEqual([g]);
    });

    it('purges runs without deleted_time when no age is asked, and reports them as of unknown age when one is', async () => {
      const e = await exp('e');
      const a = await run(e);
      await store.deleteRun(a.id);
      await forgetDeletedTime(a.id, a.dir);
      expect((await store.getRun(a.id)).info.deletedTime).toBeNull();
      const aged = await runGc(store, { olderThan: '1s', now: Date.now() + DAY });
      expect(aged.runs).toBe(0);
      expect(aged.unknownAge.runIds).toEqual([a.id]);
      expect(await exists(a.id)).toBe(true);
      const all = await runGc(store, {});
      expect(all.runIds).toEqual([a.id]);
      expect(await exists(a.id)).toBe(false);
    });

    it('lists and counts in a dry run and changes nothing', async () => {
      const e = await exp('e');
      const g = await exp('g');
      const a = await run(e);
      const b = await run(g);
      await store.deleteRun(a.id);
      await store.deleteExperiment(g);
      const dry = await runGc(store, { dryRun: true });
      expect(dry.dryRun).toBe(true);
      expect(dry.runIds.sort()).toEqual([a.id, b.id].sort());
      expect(dry.experimentIds).toEqual([g]);
      expect(dry.artifactBytes).toBeGreaterThanOrEqual(2000);
      expect(dry.rows.runs).toBe(2);
      expect(await exists(a.id)).toBe(true);
      expect(await exists(b.id)).toBe(true);
      expect(fs.existsSync(path.join(a.dir, 'model.bin'))).toBe(true);
      expect((await store.getExperiment(g)).lifecycleStage).toBe('deleted');
      const real = await runGc(store, {});
      expect(real.runIds.sort()).toEqual(dry.runIds.sort());
      // The file store counts files; its `artifacts` count is 0 for real, as gc removed them first.
      const { artifacts: _a, ...realRows } = real.rows;
      const { artifacts: _b, ...dryRows } = dry.rows;
      expect(realRows).toEqual(dryRows);
    });

    it('reports artifacts it cannot delete per run, and still purges the rows', async () => {
      const e = await store.createExperiment({ name: `s3-${Date.now()}`, artifactLocation: 's3://bucket/path' });
      const r = await store.createRun({ experimentId: e, startTime: 1 });
      await store.deleteRun(r.info.runId);
      const s = await runGc(store, {});
      expect(s.runIds).toEqual([r.info.runId]);
      expect(s.skippedArtifacts).toEqual([
        { runId: r.info.runId, artifactUri: r.info.artifactUri, reason: "mlf cannot delete artifacts from 's3' URIs" },
      ]);
    });

    it('treats an artifact folder that is already gone as fine', async () => {
      const e = await exp('e');
      const a = await run(e, false);
      await store.deleteRun(a.id);
      const s = await runGc(store, {});
      expect(s.runIds).toEqual([a.id]);
      expect(s.artifacts.skipped).toBe(0);
    });
  });
}
