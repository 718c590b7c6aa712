/**
 * `mlf db import` end to end through the built binary: exit codes, one-line errors, refusals that
 * write nothing, --skip-broken, --json, and a process killed with SIGKILL then resumed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/stores/file/file-store.js';
import { ensureBuilt, runMlf, startMlf } from '../migrations/cli.js';
import { copyFixture, tempDir } from '../support/databases.js';
import { FILE_REF } from './support.js';

beforeAll(() => ensureBuilt(), 180_000);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const work = () => {
  const d = tempDir('mlf-import-');
  dirs.push(d);
  return d;
};
const fixture = () => {
  const p = copyFixture('mlruns');
  dirs.push(path.dirname(p));
  return p;
};
const count = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('mlf db import (CLI)', () => {
  it('imports, prints the renumbered ids and a verified summary, exit 0', async () => {
    const dir = work();
    const file = path.join(dir, 'mlflow.db');
    const r = await runMlf(['db', 'import', '--from', fixture(), '--to', `sqlite:///${file}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Runs: 8 \(8 new, 0 changed, 0 unchanged\)/);
    expect(r.stdout).toMatch(/Experiment ids renumbered \(source -> target\), written to .*mlflow\.db\.id-map\.json/);
    expect(r.stdout).toMatch(/Verified: counts per experiment and per run match\./);
    expect(fs.existsSync(`${file}.id-map.json`)).toBe(true);
    expect(count(file, 'runs')).toBe(FILE_REF.runs.length);
  });

  it('--dry-run writes nothing and --json gives the result', async () => {
    const dir = work();
    const file = path.join(dir, 'mlflow.db');
    const r = await runMlf(['db', 'import', '--from', fixture(), '--to', `sqlite:///${file}`, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.dryRun).toBe(true);
    expect(out.runs.created).toBe(8);
    expect(out.rows.metrics).toBeGreaterThan(40);
    expect(fs.existsSync(file) ? fs.statSync(file).size : 0).toBe(0);
  });

  it('refuses a source that is not a store, exit 2, one line', async () => {
    const empty = work();
    const r = await runMlf(['db', 'import', '--from', empty, '--to', `sqlite:///${path.join(empty, 'x.db')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is not an MLflow tracking store/);
  });

  it('refuses a target that is not a SQL database, exit 2', async () => {
    const r = await runMlf(['db', 'import', '--from', fixture(), '--to', work()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: Target '.*' is not a SQL database URI/);
  });

  it('refuses a target holding other runs under the same ids, naming them, writing nothing', async () => {
    const src = fixture();
    const file = path.join(work(), 'mlflow.db');
    expect((await runMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`])).code).toBe(0);
    const a1 = FILE_REF.runs.find((r) => r.ref_key === 'A1')!.run_id;
    const db = new Database(file);
    db.prepare('update runs set start_time = 1 where run_uuid = ?').run(a1);
    db.close();
    const store = await FileStore.open(src, {});
    await store.setTag(FILE_REF.runs.find((r) => r.ref_key === 'B1')!.run_id, { key: 'new', value: 'tag' });
    await store.close();
    const tags = count(file, 'tags');
    const r = await runMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(a1);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(count(file, 'tags')).toBe(tags);
  });

  it('reports a corrupt meta.yaml by path; --skip-broken goes on and lists it', async () => {
    const src = fixture();
    const b2 = FILE_REF.runs.find((r) => r.ref_key === 'B2')!;
    const meta = path.join(src, b2.experiment_id, b2.run_id, 'meta.yaml');
    fs.writeFileSync(meta, 'run_id: [unclosed\n  - : :\n');
    const file = path.join(work(), 'mlflow.db');
    const r = await runMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(meta);
    const s = await runMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`, '--skip-broken']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/Skipped 1 broken item\(s\):/);
    expect(s.stdout).toContain(meta);
    expect(count(file, 'runs')).toBe(FILE_REF.runs.length - 1);
  });

  it('resumes after the process is killed with SIGKILL mid-import', async () => {
    const src = path.join(work(), 'mlruns');
    const store = await FileStore.open(src, {});
    const exp = await store.createExperiment({ name: 'many' });
    for (let i = 0; i < 400; i++) {
      const run = await store.createRun({ experimentId: exp, startTime: 1700000000000 + i });
      const metrics = Array.from({ length: 50 }, (_, s) => ({ key: `m${s % 5}`, value: s / 7, timestamp: 1700000000000 + s, step: s }));
      await store.logBatch(run.info.runId, { metrics, params: [{ key: 'i', value: String(i) }] });
    }
    await store.close();
    const file = path.join(work(), 'mlflow.db');
    const { child, done } = startMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`, '--batch-size', '5']);
    // Kill once some batches are committed, well before the end.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (fs.existsSync(file) && (() => {
        try {
          return count(file, 'runs') >= 20;
        } catch {
          return false;
        }
      })()) break;
    }
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = count(file, 'runs');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(400);
    const r = await runMlf(['db', 'import', '--from', src, '--to', `sqlite:///${file}`, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.differences).toEqual([]);
    expect(out.runs.created + out.runs.unchanged + out.runs.updated).toBe(400);
    expect(count(file, 'runs')).toBe(400);
    expect(count(file, 'metrics')).toBe(400 * 50);
  }, 120_000);
});
