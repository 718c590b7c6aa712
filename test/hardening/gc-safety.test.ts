/**
 * gc on a file store is safe twice at once and after a kill: two `mlf gc` processes on one store
 * both finish (the second waits for the first), and a rerun removes what a killed purge left
 * (run folders without meta.yaml, empty or not; a trashed experiment folder without meta.yaml).
 * Needs `npm run build` (spawns bin/run.js).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTrackingStore } from '../../src/stores/open-store.js';
import { runGc } from '../../src/gc/gc.js';
import { GC_LOCK_FILE, withGcLock } from '../../src/gc/lock.js';
import { BIN } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A file store with `n` deleted runs, each with files in artifacts/, metrics/ and params/. */
async function storeWithDeletedRuns(n: number) {
  const root = tempDir('mlf-hardening-gc-');
  dirs.push(root);
  const store = await openTrackingStore(root);
  const exp = await store.createExperiment({ name: 'e' });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await store.createRun({ experimentId: exp, startTime: 1 });
    await store.logBatch(r.info.runId, { metrics: [{ key: 'm', value: i, timestamp: 1, step: 0 }], params: [{ key: 'p', value: 'v' }], tags: [] });
    const art = path.join(root, exp, r.info.runId, 'artifacts', 'deep', 'er');
    fs.mkdirSync(art, { recursive: true });
    for (let f = 0; f < 30; f++) fs.writeFileSync(path.join(art, `f${f}.txt`), 'x'.repeat(100));
    await store.deleteRun(r.info.runId);
    ids.push(r.info.runId);
  }
  return { root, store, exp, ids };
}

function gcProcess(root: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'gc', '--backend-store-uri', root], { env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('gc safety on a file store', () => {
  it('two gc at once both finish and everything is purged', async () => {
    const { root, store, exp, ids } = await storeWithDeletedRuns(150);
    await store.close();
    const [a, b] = await Promise.all([gcProcess(root), gcProcess(root)]);
    expect([a.code, a.stderr]).toEqual([0, expect.not.stringMatching(/ENOENT|Error/)]);
    expect([b.code, b.stderr]).toEqual([0, expect.not.stringMatching(/ENOENT|Error/)]);
    for (const id of ids) expect(fs.existsSync(path.join(root, exp, id))).toBe(false);
    expect(fs.existsSync(path.join(root, GC_LOCK_FILE))).toBe(false);
  }, 120_000);

  it('a rerun removes what a killed purge left', async () => {
    const { root, store, exp, ids } = await storeWithDeletedRuns(3);
    // What rmSync leaves when killed part-way: meta.yaml gone first, some files left; an empty folder.
    fs.rmSync(path.join(root, exp, ids[0]!, 'meta.yaml'));
    fs.rmSync(path.join(root, exp, ids[1]!), { recursive: true });
    fs.mkdirSync(path.join(root, exp, ids[1]!));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(root, exp, ids[1]!), old, old);
    // A trashed experiment half removed: its meta.yaml gone, a run folder left.
    const exp2 = await store.createExperiment({ name: 'e2' });
    await store.deleteExperiment(exp2);
    const trashed = path.join(root, '.trash', exp2);
    fs.mkdirSync(path.join(trashed, 'a'.repeat(32)), { recursive: true });
    fs.rmSync(path.join(trashed, 'meta.yaml'));
    // A folder just made for a run being created right now is not touched.
    const fresh = path.join(root, exp, 'b'.repeat(32));
    fs.mkdirSync(fresh);

    const summary = await runGc(store, {});
    await store.close();
    for (const id of ids) expect(fs.existsSync(path.join(root, exp, id))).toBe(false);
    expect(fs.existsSync(trashed)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(summary.leftovers).toEqual(expect.arrayContaining([path.join(root, exp, ids[0]!), path.join(root, exp, ids[1]!), trashed]));
    expect(summary.runs).toBe(1);
  });

  it('takes over the lock of a gc that was killed', async () => {
    const root = tempDir('mlf-hardening-lock-');
    dirs.push(root);
    // A pid that does not exist (beyond Linux's pid_max).
    fs.writeFileSync(path.join(root, GC_LOCK_FILE), '99999999');
    let waited = false;
    const out = await withGcLock(root, async () => 'ran', { maxWaitMs: 1000, onWait: () => (waited = true) });
    expect(out).toBe('ran');
    expect(waited).toBe(false);
    expect(fs.existsSync(path.join(root, GC_LOCK_FILE))).toBe(false);
  });

  it('waits for a live holder, then gives up with one clear line', async () => {
    const root = tempDir('mlf-hardening-lock-');
    dirs.push(root);
    fs.writeFileSync(path.join(root, GC_LOCK_FILE), String(process.ppid));
    let holder = 0;
    const e = await withGcLock(root, async () => 'ran', { maxWaitMs: 300, onWait: (pid) => (holder = pid) }).catch((x: Error) => x);
    expect(holder).toBe(process.ppid);
    expect(String((e as Error).message)).toBe(`Another gc (pid ${process.ppid}) is still running on ${root}.`);
  });
});
