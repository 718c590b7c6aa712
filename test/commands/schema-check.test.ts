/**
 * Every command that opens a database at an older schema revision stops with MLflow's message,
 * naming `mlf db upgrade <uri>`, and changes nothing; an empty database is initialised to head.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { copyFixture, tempDir } from '../support/databases.js';
import { HEAD_REVISION } from '../../src/stores/sql/migrate/index.js';

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('schema check in every command', () => {
  const commands: [string, string[]][] = [
    ['runs list', ['runs', 'list']],
    ['runs log', ['runs', 'log', '--param', 'a=1', '--no-source-tags']],
    ['experiments list', ['experiments', 'list']],
    ['experiments create', ['experiments', 'create', '-n', 'x']],
    ['gc', ['gc']],
  ];
  for (const [name, args] of commands) {
    it(`${name} refuses a database at an older revision with MLflow's message and changes nothing`, async () => {
      const db = copyFixture('sqlite-old-7f2a7d5fae7d.db');
      const before = sha(db);
      const uri = `sqlite:///${db}`;
      const flag = name === 'gc' ? '--backend-store-uri' : '--tracking-uri';
      const r = await runCli([...args, flag, uri]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`Detected out-of-date database schema (found version 7f2a7d5fae7d, but expected ${HEAD_REVISION})`);
      expect(r.stderr).toContain(`run 'mlf db upgrade ${uri}'`);
      expect(sha(db)).toBe(before);
    });
  }

  it('initialises an empty database to head with the Default experiment', async () => {
    const dir = tempDir();
    const uri = `sqlite:///${path.join(dir, 'new.db')}`;
    // A writing command initialises it (a read command would refuse: no MLflow store there).
    const w = await runCli(['experiments', 'create', '-n', 'first', '--tracking-uri', uri]);
    expect(w.code, w.stderr).toBe(0);
    const r = await runCli(['experiments', 'list', '--json', '--tracking-uri', uri]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.experiments.map((e: { name: string }) => e.name).sort()).toEqual(['Default', 'first']);
    const cur = await runCli(['db', 'current', uri, '--json']);
    expect(JSON.parse(cur.stdout)).toMatchObject({ current: HEAD_REVISION, head: HEAD_REVISION, pending: 0 });
  });
});
