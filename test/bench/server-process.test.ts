/**
 * The benches' `mlf server` process (bench/server-process.ts, run from its build as the benches
 * are): with `--workers 2` it is ready only once both workers listen, so a load never begins
 * with one worker taking every connection while the other is still starting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cliBuilt } from '../cli/run-cli.js';
import { tempDir } from '../support/databases.js';

const BUILT = path.join(ROOT, 'dist', 'bench', 'server-process.js');
const dir = tempDir('mlf-bench-server-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bench server process', () => {
  beforeAll(() => {
    if (!cliBuilt() || !fs.existsSync(BUILT)) throw new Error('The CLI and benches are not built: run `npm run build` (npm test does) before these tests');
  });

  it('waits for every worker of --workers 2 to listen', async () => {
    const { startServerProcess } = (await import(BUILT)) as typeof import('../../bench/server-process.js');
    const srv = await startServerProcess(['--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--artifacts-destination', path.join(dir, 'a'), '--workers', '2']);
    try {
      expect(new Set(srv.listening).size).toBe(2);
      expect(srv.listening).not.toContain(srv.pid);
    } finally {
      await srv.stop();
    }
  });
});
