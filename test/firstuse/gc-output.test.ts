// What `mlf gc` shows: the summary first (ids on request or with --json), rows or files named as
// such, and on a terminal a line while it plans and a bar that moves run by run with an estimate.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runJson, runOk } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';
import { formatEta, progressBar } from '../../src/lib/progress.js';

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pty-run.py');

/** A SQLite store made by mlf, with `n` deleted runs copied from one logged run. */
async function storeWithDeletedRuns(n: number): Promise<{ uri: string; file: string }> {
  const file = path.join(tempDir('mlf-firstuse-gc-'), 'm.db');
  const uri = `sqlite:///${file}`;
  await runOk(['runs', 'log', '--tracking-uri', uri, '-p', 'a=1', '--no-source-tags']);
  const db = new Database(file);
  db.prepare(
    `insert into runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
       source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
     with recursive k(i) as (select 1 union all select i + 1 from k where i < ?)
     select printf('%032x', i), 'r' || i, 'LOCAL', '', '', 'u', 'FINISHED', 1, 2, '', 'deleted', '/nonexistent/' || i, 0, 3 from k`,
  ).run(n);
  db.close();
  return { uri, file };
}

describe('gc --dry-run', () => {
  it('prints the summary first and no ids unless asked; --show-ids lists them after it; --json has them all', async () => {
    const { uri } = await storeWithDeletedRuns(40);
    const plain = (await runOk(['gc', '--backend-store-uri', uri, '--dry-run'])).stdout.trimEnd().split('\n');
    expect(plain[0]).toMatch(/^Would purge 40 runs and 0 experiments \(\d+ rows: runs 40.*\); would free 0 B of artifacts\.$/);
    expect(plain).toHaveLength(2);
    expect(plain[1]).toBe('Add --show-ids to list them, or --json.');

    const ids = (await runOk(['gc', '--backend-store-uri', uri, '--dry-run', '--show-ids'])).stdout.trimEnd().split('\n');
    expect(ids[0]).toBe(plain[0]);
    expect(ids.slice(1)).toHaveLength(40);
    expect(ids[1]).toMatch(/^Run with ID [0-9a-f]{32} would be permanently deleted\.$/);

    const json = await runJson(['gc', '--backend-store-uri', uri, '--dry-run']);
    expect(json.runIds).toHaveLength(40);
    expect(json.unit).toBe('rows');
  });

  it('counts files on the file store, and says so', async () => {
    const root = path.join(tempDir('mlf-firstuse-gcfile-'), 'mlruns');
    const id = (await runOk(['runs', 'log', '--tracking-uri', root, '-p', 'a=1', '-m', 'm=1', '--no-source-tags'])).stdout.trim();
    await runOk(['runs', 'delete', id, '--tracking-uri', root]);
    const r = await runCli(['gc', '--backend-store-uri', root, '--dry-run']);
    expect(r.stdout.split('\n')[0]).toMatch(/^Would purge 1 run and 0 experiments \(\d+ files: .*\); would free/);
    expect(r.stdout).not.toMatch(/\browss?\b/);
  });
});

describe('gc on a terminal', () => {
  it('says it is planning, then draws a bar with a count and a percentage up to the total', async () => {
    const { uri } = await storeWithDeletedRuns(1200);
    const spec = JSON.stringify({ argv: [process.execPath, BIN, 'gc', '--backend-store-uri', uri], steps: [], timeout: 120 });
    const r = spawnSync('python3', [HARNESS, spec], { encoding: 'utf8' });
    const { output, code } = JSON.parse(r.stdout) as { output: string; code: number };
    expect(code).toBe(0);
    expect(output).toContain('Finding deleted runs and experiments...');
    expect(output).toMatch(/Purging \[#{30}\] 1200\/1200 100%/);
    expect(output).toMatch(/Purged 1200 runs and 0 experiments/);
  });
});

describe('the progress bar', () => {
  /** A terminal stream that keeps what is written, and a clock the test moves. */
  function fakeTerminal() {
    const writes: string[] = [];
    const stream = { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    return { writes, stream };
  }

  it('estimates the time left from the rate so far, and redraws run by run', () => {
    const t = fakeTerminal();
    let now = 0;
    const bar = progressBar(1000, 'Purging', t.stream, () => now);
    now = 10_000;
    bar.tick(100); // 100 runs in 10 s: 900 left take 90 s
    expect(t.writes.at(-1)).toBe('\r\x1b[KPurging [###---------------------------] 100/1000 10% ETA 1m30s');
    now += 200;
    bar.tick(1);
    expect(t.writes.at(-1)).toMatch(/ 101\/1000 10% ETA /);
    bar.done();
    expect(t.writes.at(-1)).toBe('\n');
  });

  it('formats the estimate', () => {
    expect([formatEta(4.4), formatEta(65), formatEta(3725)]).toEqual(['4s', '1m05s', '1h02m']);
  });

  it('draws nothing when stderr is not a terminal', () => {
    const writes: string[] = [];
    const bar = progressBar(10, 'Purging', { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream);
    bar.tick(10);
    bar.done();
    expect(writes).toEqual([]);
  });
});
