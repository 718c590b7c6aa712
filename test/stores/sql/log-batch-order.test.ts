/**
 * log-batch writes a batch's metric points key by key (keys in the order they first appear, each
 * key's points in the order logged), so consecutive inserts land side by side in the metrics key
 * and MLflow 3's (run_uuid, key, step) index. Checked on SQLite through the rowid, which follows the
 * insert order; what is stored is the same as before.
 */
import { sql } from 'kysely';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { connectSql } from '../../../src/stores/sql/connect.js';
import { parseDbUri } from '../../../src/tracking/uri.js';
import { tempDir } from '../../support/databases.js';

describe('log-batch metric insert order', () => {
  const dir = tempDir();
  const uri = `sqlite:///${path.join(dir, 'order.db')}`;
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('groups the points by key, keeps each key in the order logged, and stores them all', async () => {
    const store = await openTrackingStore(uri, { artifactRoot: dir, cwd: dir });
    closers.push(() => store.close());
    const exp = await store.createExperiment({ name: 'order' });
    const run = (await store.createRun({ experimentId: exp, startTime: 1 })).info.runId;
    // Step by step, three keys per step (as a training loop logs them); b's steps out of order.
    const steps = [0, 2, 1];
    const metrics = steps.flatMap((s) => ['b', 'a', 'c'].map((key) => ({ key, value: s, timestamp: 100 + s, step: s })));
    await store.logBatch(run, { metrics });

    const conn = await connectSql(parseDbUri(uri));
    closers.push(() => conn.close());
    const rows = (await sql<{ key: string; step: number }>`select key, step from metrics order by rowid`.execute(conn.db)).rows;
    expect(rows.map((r) => `${r.key}${r.step}`)).toEqual(['b0', 'b2', 'b1', 'a0', 'a2', 'a1', 'c0', 'c2', 'c1']);

    const got = await store.getRun(run);
    expect(Object.fromEntries(got.data.metrics.map((m) => [m.key, m.step]))).toEqual({ a: 2, b: 2, c: 2 });
    expect((await store.getMetricHistory(run, 'b')).map((m) => m.step).sort()).toEqual([0, 1, 2]);
  });
});
