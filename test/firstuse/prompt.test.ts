// The backup question of `mlf db upgrade` at a real terminal (a pseudo-terminal driven by Python's
// pty module): an unknown answer is asked again, Ctrl-C exits 130, and neither changes the database.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN } from '../cli/run-cli.js';
import { FIXTURES, tempDir } from '../support/databases.js';

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pty-run.py');
const QUESTION = 'Do you have a backup? [y]es, go on / [b]ack up now / [N]o, stop: ';

function oldDatabase(): string {
  const file = path.join(tempDir('mlf-firstuse-prompt-'), 'old.db');
  fs.copyFileSync(path.join(FIXTURES, 'sqlite-old-7f2a7d5fae7d.db'), file);
  return file;
}

function atTerminal(argv: string[], steps: { expect: string; send: string }[]): { output: string; code: number } {
  const spec = JSON.stringify({ argv: [process.execPath, BIN, ...argv], steps, timeout: 60 });
  const r = spawnSync('python3', [HARNESS, spec], { encoding: 'utf8', env: { ...process.env, MLFLOW_TRACKING_URI: '' } });
  if (r.status !== 0) throw new Error(`pty harness failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { output: string; code: number };
  return { output: res.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, ''), code: res.code };
}

const revision = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select version_num from alembic_version').get() as { version_num: string }).version_num;
  } finally {
    db.close();
  }
};

describe('mlf db upgrade asks before a one-way migration', () => {
  it('asks again after an unknown answer; Ctrl-C then exits 130 with nothing changed', () => {
    const file = oldDatabase();
    const r = atTerminal(['db', 'upgrade', `sqlite:///${file}`], [
      { expect: QUESTION, send: 'maybe\r' },
      { expect: QUESTION, send: '\u0003' },
    ]);
    expect(r.output).toContain('maybe\nPlease answer y, b or n.\n');
    expect(r.output.split(QUESTION)).toHaveLength(3);
    expect(r.output).not.toContain('Upgrade cancelled');
    expect(r.code).toBe(130);
    expect(revision(file)).toBe('7f2a7d5fae7d');
  });

  it('"n" (or Enter) cancels with exit 1, nothing changed', () => {
    const file = oldDatabase();
    const r = atTerminal(['db', 'upgrade', `sqlite:///${file}`], [{ expect: QUESTION, send: '\r' }]);
    expect(r.output).toContain('Error: Upgrade cancelled before 2d6e25af4d3e increase-max-param-val-length; nothing was changed.');
    expect(r.code).toBe(1);
    expect(revision(file)).toBe('7f2a7d5fae7d');
  });

  it('"y" goes on to the target (MLflow 2.17\'s revision here: the step into MLflow 3 asks again)', () => {
    const file = oldDatabase();
    const r = atTerminal(['db', 'upgrade', `sqlite:///${file}`, '--to', '2.17'], [{ expect: QUESTION, send: 'y\r' }]);
    expect(r.code).toBe(0);
    expect(revision(file)).toBe('f5a4f2784254');
  });
});
