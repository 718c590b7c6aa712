/**
 * SQLite under parallel writers: separate processes logging to one database file all succeed
 * (WAL, a busy timeout and BEGIN IMMEDIATE make them wait for each other instead of failing with
 * "database is locked"), and every batch lands whole.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../../src/stores/open-store.js';
import { tempDir } from '../../support/databases.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const openStoreJs = path.join(root, 'dist/src/stores/open-store.js');

function writer(uri: string, runId: string, worker: number, batches: number): Promise<{ code: number | null; stderr: string }> {
  const script = `
    const { openTrackingStore } = await import(${JSON.stringify(openStoreJs)});
    const store = await openTrackingStore(${JSON.stringify(uri)});
    for (let b = 0; b < ${batches}; b++) {
      const metrics = Array.from({ length: 50 }, (_, i) => ({ key: 'w${worker}', value: b * 50 + i, timestamp: Date.now(), step: b * 50 + i }));
      await store.logBatch(${JSON.stringify(runId)}, { metrics, params: [{ key: 'p${worker}_' + b, value: String(b) }], tags: [{ key: 'last${worker}', value: String(b) }] });
    }
    await store.close();
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('SQLite with parallel writer processes', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lets four processes log to one run at once, every batch landing whole', async () => {
    expect(fs.existsSync(openStoreJs), 'npm run build first').toBe(true);
    const uri = `sqlite:///${path.join(dir, 'mlflow.db')}`;
    const store = await openTrackingStore(uri);
    const run = await store.createRun({ experimentId: '0', startTime: 1 });
    const WORKERS = 4;
    const BATCHES = 25;
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, w) => writer(uri, run.info.runId, w, BATCHES)));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const got = await store.getRun(run.info.runId);
    for (let w = 0; w < WORKERS; w++) {
      const history = await store.getMetricHistory(run.info.runId, `w${w}`);
      expect(history.map((m) => m.step)).toEqual(Array.from({ length: BATCHES * 50 }, (_, i) => i));
      expect(got.data.metrics.find((m) => m.key === `w${w}`)?.value).toBe(BATCHES * 50 - 1);
      expect(got.data.tags.find((t) => t.key === `last${w}`)?.value).toBe(String(BATCHES - 1));
      expect(got.data.params.filter((p) => p.key.startsWith(`p${w}_`))).toHaveLength(BATCHES);
    }
    await store.close();
  });
});
