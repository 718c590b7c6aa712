/**
 * Corrupt stores are reported, not hidden. File store: a malformed meta.yaml is named (path and
 * YAML error) while listings go on with the rest, `describe` says the metadata is corrupt, and no
 * experiment is created while one whose name cannot be read exists. The CLI cases need
 * `npm run build` (they spawn bin/run.js).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/stores/file/file-store.js';
import { MlfError } from '../../src/lib/errors.js';
import { runCli } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const BROKEN_YAML = 'artifact_uri: file:///x\nexperiment_id: "1\nrun_id: [unclosed\n';

async function storeWithRuns() {
  const root = tempDir('mlf-hardening-corrupt-');
  dirs.push(root);
  const warnings: string[] = [];
  const store = await FileStore.open(root, { onWarning: (m) => warnings.push(m) });
  const exp = await store.createExperiment({ name: 'X' });
  const a = await store.createRun({ experimentId: exp, startTime: 1 });
  const b = await store.createRun({ experimentId: exp, startTime: 2 });
  return { root, store, exp, a: a.info.runId, b: b.info.runId, warnings };
}

async function errorOf(p: Promise<unknown>): Promise<MlfError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MlfError);
  return e as MlfError;
}

describe('a corrupt run meta.yaml', () => {
  it('is named with its YAML error while the listing goes on, once per file', async () => {
    const { root, store, exp, a, b, warnings } = await storeWithRuns();
    const file = path.join(root, exp, a, 'meta.yaml');
    fs.writeFileSync(file, BROKEN_YAML);
    const listed = await store.searchRuns({ experimentIds: [exp] });
    expect(listed.items.map((r) => r.info.runId)).toEqual([b]);
    await store.searchRuns({ experimentIds: [exp] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/malformed meta\.yaml \(.+\)/);
  });

  it('makes describe say the metadata is corrupt, not "not found"', async () => {
    const { root, store, exp, a } = await storeWithRuns();
    fs.writeFileSync(path.join(root, exp, a, 'meta.yaml'), BROKEN_YAML);
    const e = await errorOf(store.getRun(a));
    expect(e.message).toMatch(new RegExp(`^Run '${a}' metadata is corrupt: .*meta\\.yaml: `));
    expect(e.errorCode).toBe('INVALID_STATE');
  });

  it('a truncated (empty) meta.yaml is reported too', async () => {
    const { root, store, exp, a, warnings } = await storeWithRuns();
    fs.writeFileSync(path.join(root, exp, a, 'meta.yaml'), '');
    await store.searchRuns({ experimentIds: [exp] });
    expect(warnings.join('\n')).toMatch(/malformed meta\.yaml \(the file is empty\)/);
  });
});

describe('a corrupt experiment meta.yaml', () => {
  it('is reported by get, and blocks creating any experiment that could duplicate it', async () => {
    const { root, store, exp, warnings } = await storeWithRuns();
    const file = path.join(root, exp, 'meta.yaml');
    fs.writeFileSync(file, 'name: X\nexperiment_id: [\n');
    expect(await store.getExperimentByName('X')).toBeNull();
    expect(warnings.join('\n')).toContain(file);
    const get = await errorOf(store.getExperiment(exp));
    expect(get.message).toMatch(new RegExp(`^Experiment '${exp}' metadata is corrupt: `));
    const create = await errorOf(store.createExperiment({ name: 'X' }));
    expect(create.message).toContain(`Cannot create experiment 'X': ${file} is corrupt`);
    const names = (await store.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.name);
    expect(names.filter((n) => n === 'X')).toHaveLength(0);
  });
});

describe('through the CLI', () => {
  it('runs list warns on stderr and lists the rest; runs log --experiment-name makes no duplicate', async () => {
    const { root, store, exp, a, b } = await storeWithRuns();
    await store.close();
    fs.writeFileSync(path.join(root, exp, a, 'meta.yaml'), BROKEN_YAML);
    const env = { MLFLOW_TRACKING_URI: root };
    const list = await runCli(['runs', 'list', '--experiment-id', exp, '--json'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(b);
    expect(list.stderr).toContain(path.join(root, exp, a, 'meta.yaml'));
    fs.writeFileSync(path.join(root, exp, 'meta.yaml'), 'name: X\nexperiment_id: [\n');
    const experimentDirs = () => fs.readdirSync(root).filter((n) => !n.startsWith('.')).sort();
    const before = experimentDirs();
    const log = await runCli(['runs', 'log', '--experiment-name', 'X', '--metric', 'm=1'], { env });
    expect(log.code).toBe(1);
    expect(log.stderr).toContain(`Cannot create experiment 'X'`);
    expect(log.stderr).not.toMatch(/\n\s+at /);
    expect(experimentDirs()).toEqual(before);
  });
});

describe('a SQLite file with a scrambled page', () => {
  it('is detected by db current and refused by writing commands with one line; reads still work', async () => {
    const dir = tempDir('mlf-hardening-sqlite-');
    dirs.push(dir);
    const file = path.join(dir, 'mlflow.db');
    const uri = `sqlite:///${file}`;
    const env = { MLFLOW_TRACKING_URI: uri };
    const first = await runCli(['runs', 'log', '--experiment-name', 'e', '--param', 'p=1', '--metric', 'm=1'], { env });
    expect(first.code).toBe(0);
    const ok = await runCli(['db', 'current', uri]);
    expect(ok.code).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(file);
    const pageSize = Number(raw.pragma('page_size', { simple: true }));
    const pages = Number(raw.pragma('page_count', { simple: true }));
    const before = raw.prepare('select count(*) as n from runs').get() as { n: number };
    raw.pragma('journal_mode = DELETE');
    raw.close();
    // Scramble the last page (a b-tree page; page 1 holds the header and schema).
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (pages - 1) * pageSize);
    fs.closeSync(fd);

    const current = await runCli(['db', 'current', uri]);
    expect(current.code).toBe(1);
    expect(current.stderr.trim().split('\n')).toHaveLength(1);
    expect(current.stderr).toMatch(/is corrupt \(PRAGMA quick_check: /);
    expect(current.stdout).not.toMatch(/Current revision/);

    const log = await runCli(['runs', 'log', '--experiment-name', 'e', '--metric', 'm=2'], { env });
    expect(log.code).toBe(1);
    expect(log.stderr.trim().split('\n')).toHaveLength(1);
    expect(log.stderr).toContain(`The SQLite database ${file} is corrupt`);
    const after = new Database(file, { readonly: true });
    try {
      expect((after.prepare('select count(*) as n from runs').get() as { n: number }).n).toBe(before.n);
    } catch {
      // The scrambled page may be the runs table itself: then no count can be read, and none was added either.
    } finally {
      after.close();
    }
  });
});
