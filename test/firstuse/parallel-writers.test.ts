// Parallel writers keep working whether the database is in WAL (what mlf gives a database it
// creates) or in a rollback journal (MLflow's default, which mlf now leaves as it is).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, runOk } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

const WRITERS = 4;
const EACH = 3;

describe.each([['wal'], ['delete']])('%s journal mode', (mode) => {
  it(`${WRITERS} processes logging at once all succeed, every run kept, the mode unchanged`, async () => {
    const file = path.join(tempDir('mlf-firstuse-par-'), 'm.db');
    const uri = `sqlite:///${file}`;
    await runOk(['experiments', 'create', '-n', 'par', '--tracking-uri', uri], { env: { MLF_SQLITE_JOURNAL_MODE: mode } });
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const out = [];
        for (let i = 0; i < EACH; i++) {
          out.push(await runCli(['runs', 'log', '--tracking-uri', uri, '-n', 'par', '-p', `w=${w}`, '-m', `i=${i}`, '--no-source-tags']));
        }
        return out;
      }),
    );
    const ms = Date.now() - t0;
    const all = results.flat();
    for (const r of all) expect(r.stderr).toBe('');
    expect(all.map((r) => r.code)).toEqual(Array(WRITERS * EACH).fill(0));
    const db = new Database(file, { readonly: true });
    const n = (db.prepare('select count(*) as n from runs').get() as { n: number }).n;
    const journal = String(db.pragma('journal_mode', { simple: true }));
    db.close();
    expect(n).toBe(WRITERS * EACH);
    expect(journal).toBe(mode);
    expect(fs.existsSync(file)).toBe(true);
    console.log(`parallel writers (${mode}): ${WRITERS}x${EACH} runs log in ${ms} ms`);
  });
});
